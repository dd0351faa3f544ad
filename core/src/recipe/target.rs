//! How the target column becomes training labels, and model outputs become answers.

use serde::{Deserialize, Serialize};

/// How the target becomes the training label, and back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetEncoding {
    /// Classification: the label is the class's index in `classes`.
    Classes {
        /// The training rows' distinct target values, sorted (numbers written as text).
        classes: Vec<String>,
    },
    /// Regression: the label is `(y - mean) / std`.
    Standardize {
        /// Mean of the training rows' target values.
        mean: f64,
        /// Their population standard deviation; 1 when zero.
        std: f64,
    },
}

impl TargetEncoding {
    /// A regression model's standardized output back in the target's own units;
    /// `None` for classes, which are not a scale.
    pub fn unscale(&self, output: f32) -> Option<f64> {
        match self {
            TargetEncoding::Standardize { mean, std } => Some(output as f64 * std + mean),
            TargetEncoding::Classes { .. } => None,
        }
    }
}

/// Labels ready for training: class ids or standardized values.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// One class index per row, into [`TargetEncoding::Classes`]'s `classes`.
    Classes(Vec<i64>),
    /// One standardized target value per row.
    Values(Vec<f32>),
}
