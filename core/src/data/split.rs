//! Seeded train/validation/test splits, stratified by class when labels are given.

use crate::base::SplitMix64;

/// Row indices of each part of a split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Rows to fit the recipe and the model on, shuffled.
    pub train: Vec<usize>,
    /// Rows to validate on after every epoch.
    pub valid: Vec<usize>,
    /// Rows held out of training, to test the finished model (and for the drift check).
    pub test: Vec<usize>,
}

/// Splits `rows` row indices by the given fractions (train gets the rest). With `strata`
/// (one class id per row), each class is split separately so every part keeps its balance.
/// The same seed gives the same split on every platform.
pub fn split_rows(rows: usize, valid_fraction: f64, test_fraction: f64, strata: Option<&[usize]>, seed: u64) -> Split {
    let mut rng = SplitMix64(seed);
    let groups: Vec<Vec<usize>> = match strata {
        Some(labels) => {
            let classes = labels.iter().copied().max().map_or(0, |m| m + 1);
            let mut groups = vec![Vec::new(); classes];
            for (row, &label) in labels.iter().enumerate().take(rows) {
                groups[label].push(row);
            }
            groups
        }
        None => vec![(0..rows).collect()],
    };
    let mut split = Split { train: Vec::new(), valid: Vec::new(), test: Vec::new() };
    for mut group in groups {
        rng.shuffle(&mut group);
        let n = group.len() as f64;
        let n_test = (n * test_fraction).round() as usize;
        let n_valid = ((n * valid_fraction).round() as usize).min(group.len() - n_test);
        split.test.extend_from_slice(&group[..n_test]);
        split.valid.extend_from_slice(&group[n_test..n_test + n_valid]);
        split.train.extend_from_slice(&group[n_test + n_valid..]);
    }
    rng.shuffle(&mut split.train);
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_every_row_once() {
        let s = split_rows(100, 0.15, 0.15, None, 7);
        let mut all: Vec<usize> = s.train.iter().chain(&s.valid).chain(&s.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!((s.valid.len(), s.test.len()), (15, 15));
    }

    #[test]
    fn stratified_split_keeps_class_balance_and_is_seeded() {
        let labels: Vec<usize> = (0..90).map(|i| usize::from(i % 3 == 0)).collect();
        let s = split_rows(90, 0.2, 0.2, Some(&labels), 1);
        let ones = s.test.iter().filter(|&&r| labels[r] == 1).count();
        assert_eq!(ones, 6); // 30 of class 1, 20% of them
        assert_eq!(s, split_rows(90, 0.2, 0.2, Some(&labels), 1));
        assert_ne!(s.train, split_rows(90, 0.2, 0.2, Some(&labels), 2).train);
    }
}
