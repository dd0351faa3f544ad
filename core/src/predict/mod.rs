//! Predictions from a bundle: rows in (a CSV table or JSON objects), decoded labels,
//! probabilities or values out. The recipe inside the bundle does the encoding.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "compute")]
mod predictor;
mod request;

#[cfg(feature = "compute")]
pub use predictor::{Predictor, not_finite};
pub use request::{encode_json, parse_rows};

/// One row's answer; untagged in JSON: `{"label", "probabilities"}` or `{"value"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Prediction {
    /// A classifier's answer.
    Class {
        /// The most probable class.
        label: String,
        /// Every class's probability, by class; they add up to 1.
        probabilities: BTreeMap<String, f64>,
    },
    /// A regression's answer.
    Value {
        /// The predicted number, in the target's own units.
        value: f64,
    },
}

impl Prediction {
    /// Whether every number in it is finite (NaN never reaches a client).
    pub fn is_finite(&self) -> bool {
        match self {
            Prediction::Class { probabilities, .. } => probabilities.values().all(|p| p.is_finite()),
            Prediction::Value { value } => value.is_finite(),
        }
    }

    /// The label or the value, as text (the CLI's output column).
    pub fn text(&self) -> String {
        match self {
            Prediction::Class { label, .. } => label.clone(),
            Prediction::Value { value } => value.to_string(),
        }
    }
}
