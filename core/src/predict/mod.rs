//! Predictions from a bundle: rows in (a CSV table or JSON objects), decoded labels,
//! probabilities or values out. The recipe inside the bundle does the encoding.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::recipe::TargetEncoding;

#[cfg(feature = "compute")]
mod predictor;
#[cfg(feature = "compute")]
pub use predictor::Predictor;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Prediction {
    Class { label: String, probabilities: BTreeMap<String, f64> },
    Value { value: f64 },
}

impl Prediction {
    /// The label or the value, as text (the CLI's output column).
    pub fn text(&self) -> String {
        match self {
            Prediction::Class { label, .. } => label.clone(),
            Prediction::Value { value } => value.to_string(),
        }
    }
}

/// Model outputs (probabilities or standardized values) -> predictions.
pub fn decode(encoding: &TargetEncoding, values: &[f32], rows: usize) -> Vec<Prediction> {
    match encoding {
        TargetEncoding::Classes { classes } => values
            .chunks(classes.len())
            .take(rows)
            .map(|p| {
                let best = crate::train::argmax(p);
                Prediction::Class {
                    label: classes[best].clone(),
                    probabilities: classes.iter().cloned().zip(p.iter().map(|&v| v as f64)).collect(),
                }
            })
            .collect(),
        TargetEncoding::Standardize { mean, std } => {
            values.iter().take(rows).map(|&v| Prediction::Value { value: v as f64 * std + mean }).collect()
        }
    }
}
