//! Evaluation metrics, computed on the CPU from read-back model outputs.

use serde::{Deserialize, Serialize};

/// Test metrics as the metrics JSON reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Metrics {
    Classification { accuracy: f64, f1_macro: f64, precision_macro: f64, recall_macro: f64 },
    Regression { mae: f64, rmse: f64, r2: f64 },
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

/// Accuracy and macro-averaged precision, recall and F1 (scikit-learn's
/// `average="macro"`, with 0 for a class that is never predicted or never present).
pub fn classification_metrics(truth: &[i64], predicted: &[i64], classes: usize) -> Metrics {
    let n = truth.len().max(1) as f64;
    let correct = truth.iter().zip(predicted).filter(|(t, p)| t == p).count() as f64;
    let (mut precision, mut recall, mut f1) = (0.0, 0.0, 0.0);
    for c in 0..classes as i64 {
        let tp = truth.iter().zip(predicted).filter(|&(&t, &p)| t == c && p == c).count() as f64;
        let predicted_c = predicted.iter().filter(|&&p| p == c).count() as f64;
        let actual_c = truth.iter().filter(|&&t| t == c).count() as f64;
        let p = if predicted_c > 0.0 { tp / predicted_c } else { 0.0 };
        let r = if actual_c > 0.0 { tp / actual_c } else { 0.0 };
        precision += p;
        recall += r;
        f1 += if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    }
    let k = classes.max(1) as f64;
    Metrics::Classification {
        accuracy: correct / n,
        f1_macro: f1 / k,
        precision_macro: precision / k,
        recall_macro: recall / k,
    }
}

/// Index of the largest value (the first one on ties): the predicted class.
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// Mean absolute error, root mean squared error and the coefficient of determination.
pub fn regression_metrics(truth: &[f64], predicted: &[f64]) -> Metrics {
    let n = truth.len().max(1) as f64;
    let mae = truth.iter().zip(predicted).map(|(t, p)| (t - p).abs()).sum::<f64>() / n;
    let sse = truth.iter().zip(predicted).map(|(t, p)| (t - p).powi(2)).sum::<f64>();
    let mean = truth.iter().sum::<f64>() / n;
    let sst = truth.iter().map(|t| (t - mean).powi(2)).sum::<f64>();
    let r2 = if sst > 0.0 { 1.0 - sse / sst } else { 0.0 };
    Metrics::Regression { mae, rmse: (sse / n).sqrt(), r2 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_scores_match_scikit_learn() {
        // sklearn.metrics on y_true=[0,0,1,1,2,2], y_pred=[0,1,1,1,2,0]:
        // accuracy 0.6667, precision_macro 0.7222, recall_macro 0.6667, f1_macro 0.6556
        let m = classification_metrics(&[0, 0, 1, 1, 2, 2], &[0, 1, 1, 1, 2, 0], 3);
        let Metrics::Classification { accuracy, f1_macro, precision_macro, recall_macro } = m else {
            panic!("classification metrics expected")
        };
        assert!((accuracy - 0.666_666_7).abs() < 1e-6);
        assert!((precision_macro - 0.722_222_2).abs() < 1e-6);
        assert!((recall_macro - 0.666_666_7).abs() < 1e-6);
        assert!((f1_macro - 0.655_555_6).abs() < 1e-6);
    }

    #[test]
    fn regression_scores() {
        let Metrics::Regression { mae, rmse, r2 } = regression_metrics(&[1.0, 2.0, 3.0], &[1.0, 2.0, 4.0]) else {
            panic!("regression metrics expected")
        };
        assert!((mae - 1.0 / 3.0).abs() < 1e-12);
        assert!((rmse - (1.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((r2 - 0.5).abs() < 1e-12);
    }
}
