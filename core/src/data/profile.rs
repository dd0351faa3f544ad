//! What a dataset looks like, column by column: the statistics pandas' `describe()` and
//! `value_counts()` give (sample std, linearly interpolated quartiles), a histogram,
//! a finer type than the table's numeric/categorical, and a summary of the whole.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{ColumnData, ColumnKind, Table, format_number};

/// Bars of a numeric histogram.
pub const HISTOGRAM_BINS: usize = 20;
/// Categories listed per column, most frequent first.
pub const TOP_CATEGORIES: usize = 10;

/// What a column's values look like, beyond numeric or categorical: what a person
/// would call them, and what the studio suggests doing with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectedType {
    /// Whole numbers.
    Integer,
    /// Numbers, some with a fractional part.
    Float,
    /// Only 0 and 1, or at most two of true/false, yes/no, t/f, y/n (any case).
    Boolean,
    /// Texts that all start with a `YYYY-MM-DD` date, perhaps followed by a time.
    DateTime,
    /// Texts naming categories: any text column that is none of the other types.
    Categorical,
    /// Long, mostly distinct texts: words, not categories.
    Text,
    /// Every value distinct (a row id, a name): it identifies rows and predicts nothing.
    Identifier,
    /// No values at all.
    Empty,
}

/// Equal-width bins over `[edges[0], edges[last]]`, the last one closed, as
/// `numpy.histogram` draws them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Bin edges, ascending: one more than there are bins.
    pub edges: Vec<f64>,
    /// Values in each bin.
    pub counts: Vec<usize>,
}

/// A numeric column's `describe()` statistics and histogram, missing values left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericStats {
    /// The arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1), as pandas reports it; `None` for one value.
    pub std: Option<f64>,
    /// The smallest value.
    pub min: f64,
    /// The first quartile (25th percentile), linearly interpolated.
    pub q1: f64,
    /// The median (50th percentile).
    pub median: f64,
    /// The third quartile (75th percentile), linearly interpolated.
    pub q3: f64,
    /// The largest value.
    pub max: f64,
    /// [`HISTOGRAM_BINS`] equal-width bins from `min` to `max`.
    pub histogram: Histogram,
}

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// The column's name.
    pub name: String,
    /// Numeric or categorical, as the table holds it.
    pub kind: ColumnKind,
    /// The finer type its values look like.
    pub detected: DetectedType,
    /// Cells with a value.
    pub count: usize,
    /// Cells with no value.
    pub missing: usize,
    /// Distinct values, missing not counted.
    pub unique: usize,
    /// Statistics of a numeric column; `None` (left out of the JSON) for a categorical or
    /// empty one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericStats>,
    /// The most frequent values with their counts, most frequent first (ties by value).
    pub top: Vec<(String, usize)>,
}

/// The profile of a whole table: its size, its duplicate rows and every column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetProfile {
    /// Data rows.
    pub rows: usize,
    /// Rows equal in every column to an earlier row (pandas' `duplicated().sum()`).
    pub duplicate_rows: usize,
    /// What the table takes in memory here, in bytes.
    pub memory_bytes: usize,
    /// One profile per column, in table order.
    pub columns: Vec<ColumnProfile>,
    /// The target's classes and their counts, when a categorical-looking target is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_balance: Option<Vec<(String, usize)>>,
}

impl DatasetProfile {
    /// Profiles `table`. `target_balance` is filled when `target` names a column that is
    /// categorical or has at most 20 distinct values.
    pub fn of(table: &Table, target: Option<&str>) -> DatasetProfile {
        let columns: Vec<ColumnProfile> = table.columns().iter().map(profile_column).collect();
        let target_balance = target.and_then(|t| columns.iter().find(|c| c.name == t)).and_then(|c| {
            // A numeric target with many values is a regression: no classes to balance.
            (c.kind == ColumnKind::Categorical || c.unique <= 20).then(|| {
                let column = table.column(&c.name).expect("profiled column exists");
                let mut counts = value_counts(column);
                sort_by_count(&mut counts);
                counts
            })
        });
        DatasetProfile {
            rows: table.rows(),
            duplicate_rows: duplicate_rows(table).len(),
            memory_bytes: memory_bytes(table),
            columns,
            target_balance,
        }
    }

    /// Missing cells across all columns.
    pub fn missing_cells(&self) -> usize {
        self.columns.iter().map(|c| c.missing).sum()
    }
}

fn profile_column(column: &super::Column) -> ColumnProfile {
    let name = column.name.clone();
    match &column.data {
        ColumnData::Numeric(values) => {
            let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
            sorted.sort_unstable_by(f64::total_cmp);
            let count = sorted.len();
            // Runs of equal values in the sorted column: its distinct values and counts.
            let runs: Vec<(f64, usize)> = sorted.chunk_by(|a, b| a == b).map(|run| (run[0], run.len())).collect();
            let distinct: Vec<f64> = runs.iter().map(|r| r.0).collect();
            let detected = match () {
                _ if count == 0 => DetectedType::Empty,
                _ if sorted.iter().all(|x| x.fract() == 0.0) => {
                    if distinct.len() <= 2 && distinct.iter().all(|&x| x == 0.0 || x == 1.0) {
                        DetectedType::Boolean
                    } else if distinct.len() == count && count > 20 && is_consecutive(&distinct) {
                        DetectedType::Identifier
                    } else {
                        DetectedType::Integer
                    }
                }
                _ => DetectedType::Float,
            };
            let mut top_runs = runs;
            // Most frequent first; equal counts by value, as text below. Only the head is
            // sorted: a column of a million distinct numbers needs its first few.
            let by_count = |a: &(f64, usize), b: &(f64, usize)| b.1.cmp(&a.1).then(a.0.total_cmp(&b.0));
            let head = (TOP_CATEGORIES * 4).min(top_runs.len());
            if head < top_runs.len() {
                top_runs.select_nth_unstable_by(head, by_count);
            }
            top_runs[..head].sort_by(by_count);
            let mut top: Vec<(String, usize)> =
                top_runs.iter().take(TOP_CATEGORIES * 4).map(|&(x, n)| (format_number(x), n)).collect();
            sort_by_count(&mut top);
            top.truncate(TOP_CATEGORIES);
            ColumnProfile {
                name,
                kind: ColumnKind::Numeric,
                detected,
                count,
                missing: values.len() - count,
                unique: distinct.len(),
                numeric: numeric_stats(&sorted),
                top,
            }
        }
        ColumnData::Categorical(values) => {
            let mut top = value_counts(column);
            let count: usize = top.iter().map(|(_, n)| n).sum();
            let unique = top.len();
            let detected = detect_text_type(&top, count);
            sort_by_count(&mut top);
            top.truncate(TOP_CATEGORIES);
            ColumnProfile {
                name,
                kind: ColumnKind::Categorical,
                detected,
                count,
                missing: values.len() - count,
                unique,
                numeric: None,
                top,
            }
        }
    }
}

impl NumericStats {
    /// `mean 43.922 · std 5.46 · min 32.1 · ...`, rounded for people to read.
    pub fn summary(&self) -> String {
        let short = |x: f64| {
            if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) {
                format!("{x:.2e}")
            } else {
                format!("{}", (x * 1e3).round() / 1e3)
            }
        };
        format!(
            "mean {} · std {} · min {} · q1 {} · median {} · q3 {} · max {}",
            short(self.mean),
            self.std.map_or("-".into(), short),
            short(self.min),
            short(self.q1),
            short(self.median),
            short(self.q3),
            short(self.max)
        )
    }
}

/// Statistics of finite values sorted ascending; `None` when there are none.
pub fn numeric_stats(sorted: &[f64]) -> Option<NumericStats> {
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let std = (sorted.len() > 1).then(|| (sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    Some(NumericStats {
        mean,
        std,
        min,
        q1: quantile(sorted, 0.25),
        median: quantile(sorted, 0.5),
        q3: quantile(sorted, 0.75),
        max,
        histogram: histogram(sorted, min, max, HISTOGRAM_BINS),
    })
}

/// The `q` quantile of sorted values by linear interpolation (numpy's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let t = position - below as f64;
    let (a, b) = (sorted[below], sorted[above]);
    // numpy's lerp: exact at both ends.
    if t >= 0.5 { b - (b - a) * (1.0 - t) } else { a + (b - a) * t }
}

/// `numpy.histogram(values, bins, range=(low, high))`: the same edges and, for values
/// on an edge, the same bin.
pub fn histogram(values: &[f64], low: f64, high: f64, bins: usize) -> Histogram {
    let (low, high) = if low == high { (low - 0.5, high + 0.5) } else { (low, high) };
    let step = (high - low) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| low + i as f64 * step).collect();
    edges[bins] = high;
    let mut counts = vec![0; bins];
    let norm = bins as f64 / (high - low);
    for &x in values {
        if !(low..=high).contains(&x) {
            continue;
        }
        let mut i = (((x - low) * norm) as usize).min(bins - 1);
        if x < edges[i] {
            i -= 1;
        } else if i + 1 < bins && x >= edges[i + 1] {
            i += 1;
        }
        counts[i] += 1;
    }
    Histogram { edges, counts }
}

fn is_consecutive(distinct_sorted: &[f64]) -> bool {
    distinct_sorted.windows(2).all(|w| w[1] - w[0] == 1.0)
}

fn detect_text_type(counts: &[(String, usize)], count: usize) -> DetectedType {
    if count == 0 {
        return DetectedType::Empty;
    }
    let booleans = ["true", "false", "yes", "no", "t", "f", "y", "n"];
    if counts.len() <= 2 && counts.iter().all(|(v, _)| booleans.iter().any(|b| v.eq_ignore_ascii_case(b))) {
        return DetectedType::Boolean;
    }
    if counts.iter().all(|(v, _)| looks_like_date(v)) {
        return DetectedType::DateTime;
    }
    let mostly_distinct = counts.len() * 2 > count && count > 20;
    let mean_len = counts.iter().map(|(v, n)| v.chars().count() * n).sum::<usize>() as f64 / count as f64;
    if mostly_distinct && (mean_len > 30.0 || counts.iter().filter(|(v, _)| v.contains(' ')).count() * 2 > counts.len())
    {
        return DetectedType::Text;
    }
    if counts.len() == count && count > 20 {
        return DetectedType::Identifier;
    }
    DetectedType::Categorical
}

/// `YYYY-MM-DD`, optionally followed by a time (`T` or a space, then `HH:MM...`).
fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| b.get(range).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let date = b.len() >= 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    date && (b.len() == 10 || (matches!(b[10], b'T' | b' ') && digits(11..13) && b.get(13) == Some(&b':')))
}

/// Each distinct value (as text) with its count, in no particular order.
fn value_counts(column: &super::Column) -> Vec<(String, usize)> {
    match &column.data {
        ColumnData::Categorical(values) => {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for v in values.iter().flatten() {
                *counts.entry(v).or_default() += 1;
            }
            counts.into_iter().map(|(k, n)| (k.to_string(), n)).collect()
        }
        ColumnData::Numeric(values) => {
            let mut counts: HashMap<u64, usize> = HashMap::new();
            for v in values.iter().flatten() {
                // +0 and -0 are one value.
                *counts.entry((v + 0.0).to_bits()).or_default() += 1;
            }
            counts.into_iter().map(|(k, n)| (format_number(f64::from_bits(k)), n)).collect()
        }
    }
}

fn sort_by_count(counts: &mut [(String, usize)]) {
    counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
}

/// Rows equal in every column to an earlier row, in order.
pub fn duplicate_rows(table: &Table) -> Vec<usize> {
    // One 64-bit hash per row, built column by column (cache-friendly), then rows with
    // equal hashes compared cell by cell, so a collision never counts as a duplicate.
    let mut hashes = vec![0xcbf2_9ce4_8422_2325u64; table.rows()];
    let mix = |h: &mut u64, x: u64| *h = (*h ^ x).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(23);
    for c in table.columns() {
        match &c.data {
            ColumnData::Numeric(v) => {
                for (h, x) in hashes.iter_mut().zip(v) {
                    mix(h, x.map_or(0x7ff8_dead_beef_0001, |x| (x + 0.0).to_bits()));
                }
            }
            ColumnData::Categorical(v) => {
                for (h, x) in hashes.iter_mut().zip(v) {
                    let text_hash = x.as_deref().map_or(0x7ff8_dead_beef_0002, |t| {
                        t.bytes()
                            .fold(0xcbf2_9ce4_8422_2325u64, |a, b| (a ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
                    });
                    mix(h, text_hash);
                }
            }
        }
    }
    let same = |a: usize, b: usize| table.columns().iter().all(|c| c.cell(a) == c.cell(b));
    let mut first_of: HashMap<u64, usize> = HashMap::with_capacity(table.rows());
    // Rows whose hash an earlier, different row already had: rare, kept apart.
    let mut collided: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut duplicates = Vec::new();
    for (r, &h) in hashes.iter().enumerate() {
        match first_of.get(&h) {
            None => {
                first_of.insert(h, r);
            }
            Some(&first) if same(first, r) => duplicates.push(r),
            Some(_) => {
                let others = collided.entry(h).or_default();
                if others.iter().any(|&o| same(o, r)) {
                    duplicates.push(r);
                } else {
                    others.push(r);
                }
            }
        }
    }
    duplicates
}

fn memory_bytes(table: &Table) -> usize {
    table
        .columns()
        .iter()
        .map(|c| match &c.data {
            ColumnData::Numeric(v) => v.len() * size_of::<Option<f64>>(),
            ColumnData::Categorical(v) => {
                v.len() * size_of::<Option<String>>() + v.iter().flatten().map(String::capacity).sum::<usize>()
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_counts_and_statistics() {
        let t = Table::from_csv_bytes(b"x,c\n1,a\n2,b\n,a\n4,a\n1,a\n").unwrap();
        let p = DatasetProfile::of(&t, Some("c"));
        assert_eq!((p.rows, p.duplicate_rows), (5, 1));
        let x = &p.columns[0];
        assert_eq!((x.count, x.missing, x.unique, x.detected), (4, 1, 3, DetectedType::Integer));
        let s = x.numeric.as_ref().unwrap();
        assert_eq!((s.mean, s.min, s.q1, s.median, s.q3, s.max), (2.0, 1.0, 1.0, 1.5, 2.5, 4.0));
        assert_eq!(s.std, Some(f64::sqrt(2.0)));
        assert_eq!(s.histogram.counts.iter().sum::<usize>(), 4);
        assert_eq!(p.columns[1].top, vec![("a".to_string(), 4), ("b".to_string(), 1)]);
        assert_eq!(p.target_balance.as_ref().unwrap()[0], ("a".to_string(), 4));
    }

    #[test]
    fn histogram_matches_numpy_on_edges() {
        // numpy.histogram([0, 1, 2, 3, 10], bins=5): edges 0, 2, ..., 10; 2 opens the second bin.
        let h = histogram(&[0.0, 1.0, 2.0, 3.0, 10.0], 0.0, 10.0, 5);
        assert_eq!(h.counts, vec![2, 2, 0, 0, 1]);
        assert_eq!(h.edges, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(histogram(&[3.0, 3.0], 3.0, 3.0, 2).counts, vec![0, 2]);
    }

    #[test]
    fn detects_finer_types() {
        let ids: String = (0..30).map(|i| format!("{i},u{i},2024-01-{:02},yes\n", i % 28 + 1)).collect();
        let t = Table::from_csv_bytes(format!("id,user,day,ok\n{ids}").as_bytes()).unwrap();
        let p = DatasetProfile::of(&t, None);
        let types: Vec<_> = p.columns.iter().map(|c| c.detected).collect();
        assert_eq!(
            types,
            [DetectedType::Identifier, DetectedType::Identifier, DetectedType::DateTime, DetectedType::Boolean]
        );
    }
}
