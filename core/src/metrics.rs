//! Evaluation metrics, computed on the CPU from read-back model outputs.

use serde::{Deserialize, Serialize};

use crate::base::argmax;

/// Test metrics as the metrics JSON reports them. The first numbers of each variant
/// are the contract of ARCHITECTURE.md; the details after them default when absent
/// (bundles written before they existed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Metrics {
    /// A classifier's metrics; every score is a fraction from 0 to 1.
    Classification {
        /// Fraction of test rows whose class was predicted right.
        accuracy: f64,
        /// The unweighted mean of the classes' F1 scores.
        f1_macro: f64,
        /// The unweighted mean of the classes' precisions.
        precision_macro: f64,
        /// The unweighted mean of the classes' recalls.
        recall_macro: f64,
        /// One entry per class, in the recipe's class order.
        #[serde(default)]
        per_class: Vec<ClassScore>,
        /// `confusion[true][predicted]` row counts, in the recipe's class order.
        #[serde(default)]
        confusion: Vec<Vec<u64>>,
        /// Binary classification only: area under the ROC curve of the second class's
        /// probability.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        roc_auc: Option<f64>,
    },
    /// A regression's metrics, in the target's own units (R2 aside).
    Regression {
        /// Mean absolute error.
        mae: f64,
        /// Root mean squared error.
        rmse: f64,
        /// Coefficient of determination: 1 is perfect, 0 no better than the mean, below 0 worse.
        r2: f64,
        /// Up to [`MAX_POINTS`] `[actual, predicted]` pairs for the predicted-vs-actual plot.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        points: Vec<[f64; 2]>,
    },
}

/// Most points kept for the predicted-vs-actual plot (an even sample of the test rows).
pub const MAX_POINTS: usize = 500;

/// One class's scores on the test rows (0 where a fraction would divide by zero).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScore {
    /// The class.
    pub label: String,
    /// Fraction of the rows predicted as this class that are of it.
    pub precision: f64,
    /// Fraction of this class's rows predicted as it.
    pub recall: f64,
    /// The harmonic mean of precision and recall.
    pub f1: f64,
    /// Test rows of this class.
    pub support: u64,
}

impl Metrics {
    /// Accuracy or R2: the number the UI shows first.
    pub fn headline(&self) -> f64 {
        match self {
            Metrics::Classification { accuracy, .. } => *accuracy,
            Metrics::Regression { r2, .. } => *r2,
        }
    }
}

/// scikit-learn's accuracy, per-class and macro-averaged precision, recall and F1
/// (`zero_division=0`: 0 for a class never predicted or never present), confusion
/// matrix, and for two classes with `scores` (the second class's probability) ROC-AUC.
pub fn classification_metrics(truth: &[i64], predicted: &[i64], classes: &[String], scores: Option<&[f64]>) -> Metrics {
    let k = classes.len();
    let mut confusion = vec![vec![0u64; k]; k];
    for (&t, &p) in truth.iter().zip(predicted) {
        if let (Some(row), true) = (confusion.get_mut(t as usize), (p as usize) < k) {
            row[p as usize] += 1;
        }
    }
    let per_class: Vec<ClassScore> = (0..k)
        .map(|c| {
            let tp = confusion[c][c] as f64;
            let actual: u64 = confusion[c].iter().sum();
            let predicted_c: u64 = confusion.iter().map(|row| row[c]).sum();
            let precision = if predicted_c > 0 { tp / predicted_c as f64 } else { 0.0 };
            let recall = if actual > 0 { tp / actual as f64 } else { 0.0 };
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            ClassScore { label: classes[c].clone(), precision, recall, f1, support: actual }
        })
        .collect();
    let mean = |f: fn(&ClassScore) -> f64| per_class.iter().map(f).sum::<f64>() / k.max(1) as f64;
    let correct = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
    Metrics::Classification {
        accuracy: correct as f64 / truth.len().max(1) as f64,
        f1_macro: mean(|c| c.f1),
        precision_macro: mean(|c| c.precision),
        recall_macro: mean(|c| c.recall),
        roc_auc: scores.filter(|_| k == 2).and_then(|s| roc_auc(truth, s)),
        per_class,
        confusion,
    }
}

/// Area under the ROC curve: the probability that a random positive scores above a
/// random negative, ties counting half (Mann-Whitney U with mid-ranks, which equals
/// scikit-learn's trapezoidal `roc_auc_score`). `None` when a class is absent.
pub fn roc_auc(truth: &[i64], scores: &[f64]) -> Option<f64> {
    let mut order: Vec<usize> = (0..truth.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += order[i..=j].iter().filter(|&&r| truth[r] == 1).count() as f64 * mid_rank;
        i = j + 1;
    }
    let positives = truth.iter().filter(|&&t| t == 1).count() as f64;
    let negatives = truth.len() as f64 - positives;
    (positives > 0.0 && negatives > 0.0)
        .then(|| (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// The class a row of raw model outputs predicts: the largest logit, or for a single
/// output (binary cross-entropy) whether the logit is positive.
pub fn predicted_class(outputs: &[f32]) -> usize {
    match outputs {
        [logit] => usize::from(*logit > 0.0),
        logits => argmax(logits),
    }
}

/// Mean absolute error, root mean squared error and the coefficient of determination
/// (scikit-learn's `r2_score`: 0 when the truth is constant), with up to
/// [`MAX_POINTS`] `[actual, predicted]` pairs.
pub fn regression_metrics(truth: &[f64], predicted: &[f64]) -> Metrics {
    let n = truth.len().max(1) as f64;
    let mae = truth.iter().zip(predicted).map(|(t, p)| (t - p).abs()).sum::<f64>() / n;
    let sse = truth.iter().zip(predicted).map(|(t, p)| (t - p).powi(2)).sum::<f64>();
    let mean = truth.iter().sum::<f64>() / n;
    let sst = truth.iter().map(|t| (t - mean).powi(2)).sum::<f64>();
    let r2 = if sst > 0.0 { 1.0 - sse / sst } else { 0.0 };
    let step = truth.len().div_ceil(MAX_POINTS).max(1);
    let points = truth.iter().zip(predicted).step_by(step).map(|(&t, &p)| [t, p]).collect();
    Metrics::Regression { mae, rmse: (sse / n).sqrt(), r2, points }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_auc_counts_ties_as_half() {
        assert_eq!(roc_auc(&[0, 1], &[0.2, 0.8]), Some(1.0));
        assert_eq!(roc_auc(&[0, 1], &[0.5, 0.5]), Some(0.5));
        assert_eq!(roc_auc(&[1, 1], &[0.5, 0.6]), None);
    }

    #[test]
    fn regression_points_are_an_even_sample() {
        let truth: Vec<f64> = (0..1200).map(f64::from).collect();
        let Metrics::Regression { points, r2, .. } = regression_metrics(&truth, &truth) else { panic!() };
        assert!(points.len() <= MAX_POINTS && points.len() >= MAX_POINTS / 2);
        assert_eq!(r2, 1.0);
    }
}
