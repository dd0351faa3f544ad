//! Do two sets of rows follow the same distribution? A two-sample Kolmogorov-Smirnov
//! test per numeric column and a chi-square test of homogeneity per categorical one:
//! the check that train and test agree, and later that live inputs still look like
//! the training data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::stats_tests::NaNPolicy;
use statrs::stats_tests::ks_test::{KSTwoSampleAlternativeMethod, ks_twosample};

use super::profile::{Histogram, histogram};
use super::{Column, ColumnData, Table};

/// Below this p-value a column is flagged as distributed differently.
pub const SHIFT_P_VALUE: f64 = 0.01;
/// The exact KS p-value takes `m x n` steps (10^7: a few milliseconds).
const EXACT_KS_MAX_PRODUCT: usize = 10_000_000;
const OVERLAY_BINS: usize = 20;

/// Which test compared a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftTest {
    /// Two-sample Kolmogorov-Smirnov, for a numeric column.
    KolmogorovSmirnov,
    /// Pearson's chi-square test of homogeneity, for a categorical column.
    ChiSquare,
}

/// How one column's values compare between two sets of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// The column's name.
    pub column: String,
    /// The test used, by the column's kind.
    pub test: DriftTest,
    /// The KS distance between the two empirical CDFs (0 to 1), or the chi-square statistic.
    pub statistic: f64,
    /// The chance of a difference this large if both sides came from one distribution.
    pub p_value: f64,
    /// `p_value < SHIFT_P_VALUE`.
    pub shifted: bool,
    /// The two distributions over the same bins (numbers) or categories, as fractions
    /// of each side's values, to draw one over the other.
    pub labels: Vec<String>,
    /// The first rows' share of each bin or category; sums to 1.
    pub first: Vec<f64>,
    /// The second rows' share of each bin or category; sums to 1.
    pub second: Vec<f64>,
}

/// Compares `first` rows with `second` rows of every column but `skip`; columns with
/// fewer than two values on a side are left out.
pub fn compare(table: &Table, first: &[usize], second: &[usize], skip: Option<&str>) -> Vec<ColumnDrift> {
    table
        .columns()
        .iter()
        .filter(|c| Some(c.name.as_str()) != skip)
        .filter_map(|c| column_drift(c, first, second))
        .collect()
}

fn column_drift(column: &Column, first: &[usize], second: &[usize]) -> Option<ColumnDrift> {
    match &column.data {
        ColumnData::Numeric(v) => {
            let a: Vec<f64> = first.iter().filter_map(|&r| v[r]).collect();
            let b: Vec<f64> = second.iter().filter_map(|&r| v[r]).collect();
            let (statistic, p_value) = ks(&a, &b)?;
            let low = a.iter().chain(&b).copied().fold(f64::INFINITY, f64::min);
            let high = a.iter().chain(&b).copied().fold(f64::NEG_INFINITY, f64::max);
            let (ha, hb) = (histogram(&a, low, high, OVERLAY_BINS), histogram(&b, low, high, OVERLAY_BINS));
            Some(ColumnDrift {
                column: column.name.clone(),
                test: DriftTest::KolmogorovSmirnov,
                statistic,
                p_value,
                shifted: p_value < SHIFT_P_VALUE,
                labels: bin_labels(&ha),
                first: fractions(&ha.counts),
                second: fractions(&hb.counts),
            })
        }
        ColumnData::Categorical(v) => {
            let mut counts: BTreeMap<&str, [usize; 2]> = BTreeMap::new();
            for (side, rows) in [first, second].into_iter().enumerate() {
                for text in rows.iter().filter_map(|&r| v[r].as_deref()) {
                    counts.entry(text).or_default()[side] += 1;
                }
            }
            let table: Vec<[usize; 2]> = counts.values().copied().collect();
            let (statistic, p_value) = chi_square(&table)?;
            let first_counts: Vec<usize> = table.iter().map(|c| c[0]).collect();
            let second_counts: Vec<usize> = table.iter().map(|c| c[1]).collect();
            Some(ColumnDrift {
                column: column.name.clone(),
                test: DriftTest::ChiSquare,
                statistic,
                p_value,
                shifted: p_value < SHIFT_P_VALUE,
                labels: counts.keys().map(|k| k.to_string()).collect(),
                first: fractions(&first_counts),
                second: fractions(&second_counts),
            })
        }
    }
}

/// Two-sample, two-sided KS statistic and p-value: exact (scipy's `ks_2samp` in
/// "exact" mode) while `m x n` is at most [`EXACT_KS_MAX_PRODUCT`], Kolmogorov's
/// asymptotic distribution (statrs) above, where the two agree closely.
pub fn ks(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let d = ks_statistic(a, b);
    let p = if d == 0.0 {
        // statrs' asymptotic series never converges at 0; identical samples are p = 1.
        1.0
    } else if a.len().checked_mul(b.len()).is_some_and(|product| product <= EXACT_KS_MAX_PRODUCT) {
        // Checked: `usize` is 32 bits in the browser, where 65,536 rows a side overflow.
        exact_ks_p_value(d, a.len(), b.len())
    } else {
        let method = KSTwoSampleAlternativeMethod::TwoSidedAsymptotic;
        ks_twosample(a.to_vec(), b.to_vec(), method, NaNPolicy::Error).ok()?.1
    };
    Some((d, p.clamp(0.0, 1.0)))
}

/// The largest distance between the two empirical CDFs, from exact counts.
fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    let (m, n) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / m - j as f64 / n).abs());
    }
    d
}

/// P(D >= d) for samples of sizes `m` and `n` from one distribution: the share of the
/// lattice paths from (0, 0) to (m, n) that leave the band |x/m - y/n| < d. Paths are
/// counted as probabilities (each count over C(x + y, x)), so nothing overflows.
fn exact_ks_p_value(d: f64, m: usize, n: usize) -> f64 {
    let (mf, nf) = (m as f64, n as f64);
    // The largest attainable value below d, so that rounding in d does not move the band.
    let band = (0.5 + (d * mf * nf - 1e-7).floor()) / (mf * nf);
    let mut inside = vec![0.0f64; n + 1];
    for x in 0..=m {
        for y in 0..=n {
            inside[y] = if x == 0 && y == 0 {
                1.0
            } else if (x as f64 / mf - y as f64 / nf).abs() > band {
                0.0
            } else {
                let total = (x + y) as f64;
                let from_left = if x > 0 { inside[y] * x as f64 / total } else { 0.0 };
                let from_below = if y > 0 { inside[y - 1] * y as f64 / total } else { 0.0 };
                from_left + from_below
            };
        }
    }
    1.0 - inside[n]
}

/// Pearson's chi-square test of homogeneity on a categories x 2 table of counts
/// (scipy's `chi2_contingency` without Yates' correction). `None` with one category.
pub fn chi_square(counts: &[[usize; 2]]) -> Option<(f64, f64)> {
    let totals = [counts.iter().map(|c| c[0]).sum::<usize>(), counts.iter().map(|c| c[1]).sum::<usize>()];
    let n = (totals[0] + totals[1]) as f64;
    if counts.len() < 2 || totals.contains(&0) {
        return None;
    }
    let mut statistic = 0.0;
    for row in counts {
        let row_total = (row[0] + row[1]) as f64;
        for side in 0..2 {
            let expected = row_total * totals[side] as f64 / n;
            statistic += (row[side] as f64 - expected).powi(2) / expected;
        }
    }
    let dof = (counts.len() - 1) as f64;
    let p_value = ChiSquared::new(dof).ok()?.sf(statistic);
    Some((statistic, p_value))
}

fn fractions(counts: &[usize]) -> Vec<f64> {
    let total = counts.iter().sum::<usize>().max(1) as f64;
    counts.iter().map(|&c| c as f64 / total).collect()
}

fn bin_labels(h: &Histogram) -> Vec<String> {
    h.edges.windows(2).map(|w| format!("{:.4}", (w[0] + w[1]) / 2.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_column_is_flagged_and_a_shuffled_one_is_not() {
        let rows: String = (0..200).map(|i| format!("{i},{}\n", ["a", "b"][i % 2])).collect();
        let t = Table::from_csv_bytes(format!("x,c\n{rows}").as_bytes()).unwrap();
        let (early, late): (Vec<usize>, Vec<usize>) = ((0..100).collect(), (100..200).collect());
        let shifted = compare(&t, &early, &late, None);
        assert!(shifted[0].shifted && shifted[0].statistic == 1.0 && shifted[0].p_value < 1e-50, "{:?}", shifted[0]);
        assert!(!shifted[1].shifted);
        let (even, odd): (Vec<usize>, Vec<usize>) = (0..200).partition(|r| r % 4 < 2);
        assert!(!compare(&t, &even, &odd, None)[0].shifted);
    }

    #[test]
    fn chi_square_matches_a_hand_computed_table() {
        // [[10, 20], [20, 10]]: expected 15 everywhere, statistic 4 * 25 / 15.
        let (stat, p) = chi_square(&[[10, 20], [20, 10]]).unwrap();
        assert!((stat - 100.0 / 15.0).abs() < 1e-12);
        assert!((p - 0.009823).abs() < 1e-5, "{p}");
        assert_eq!(chi_square(&[[3, 4]]), None);
    }
}
