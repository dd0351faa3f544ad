//! How one input column becomes model inputs, fitted: scaled numbers, one-hot or
//! ordinal categories.

use serde::{Deserialize, Serialize};

use super::Scalar;
use crate::data::{Cell, format_number};

/// How one input column becomes model inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Feature {
    /// Missing -> the training mean; then `(x - mean) / std` (population std; 1 when zero).
    Standardize {
        /// The input column.
        name: String,
        /// Mean of the training rows' values (0 when they have none).
        mean: f64,
        /// Population standard deviation of the training rows' values; 1 when zero.
        std: f64,
    },
    /// Missing -> the training mean; then `(x - min) / (max - min)` (`x - min` when
    /// every training value is the same, as scikit-learn's MinMaxScaler).
    MinMax {
        /// The input column.
        name: String,
        /// Smallest training value (0 when the training rows have none).
        min: f64,
        /// Largest training value (0 when the training rows have none).
        max: f64,
        /// Mean of the training values, which fills missing cells.
        mean: f64,
    },
    /// Missing -> the training mean; otherwise the value as it is.
    Unscaled {
        /// The input column.
        name: String,
        /// Mean of the training values, which fills missing cells.
        mean: f64,
    },
    /// One input per known category; missing or unseen categories give all zeros. With
    /// `other`, one more input, last, for the categories too rare to keep and for
    /// unseen ones (scikit-learn's `max_categories`).
    OneHot {
        /// The input column.
        name: String,
        /// The categories kept, sorted and distinct, numbers as [`format_number`] writes
        /// them: every one in the training rows or, with `other`, the most frequent.
        categories: Vec<String>,
        /// Whether the last input stands for every other category (absent in JSON: false).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        other: bool,
    },
    /// One input: the category's index in `categories`; -1 when missing or unseen.
    Ordinal {
        /// The input column.
        name: String,
        /// The training rows' categories, sorted and distinct, numbers as [`format_number`]
        /// writes them.
        categories: Vec<String>,
    },
}

impl Feature {
    /// The input column it encodes.
    pub fn name(&self) -> &str {
        match self {
            Feature::Standardize { name, .. }
            | Feature::MinMax { name, .. }
            | Feature::Unscaled { name, .. }
            | Feature::OneHot { name, .. }
            | Feature::Ordinal { name, .. } => name,
        }
    }

    /// How many model inputs the feature becomes.
    pub fn width(&self) -> usize {
        match self {
            Feature::OneHot { categories, other, .. } => categories.len() + usize::from(*other),
            _ => 1,
        }
    }

    /// Writes the inputs for one (cleaned) cell into `out`, which is [`Feature::width`]
    /// long and zeroed; `Err((message, error type))` when the cell cannot be encoded.
    pub(super) fn encode<T: Scalar>(
        &self,
        cell: Cell<'_>,
        out: &mut [T],
    ) -> std::result::Result<(), (String, &'static str)> {
        let (fill, offset, scale) = match self {
            Feature::Standardize { mean, std, .. } => (*mean, *mean, *std),
            Feature::MinMax { min, max, mean, .. } => (*mean, *min, if max > min { max - min } else { 1.0 }),
            Feature::Unscaled { mean, .. } => (*mean, 0.0, 1.0),
            Feature::OneHot { categories, other, .. } => {
                match category_index(categories, cell) {
                    Some(Ok(i)) => out[i] = T::from_f64(1.0),
                    // Rare and unseen categories go to "other"; without it they encode
                    // as all zeros, like a missing value.
                    Some(Err(())) if *other => out[categories.len()] = T::from_f64(1.0),
                    _ => {}
                }
                return Ok(());
            }
            Feature::Ordinal { categories, .. } => {
                out[0] = T::from_f64(match category_index(categories, cell) {
                    Some(Ok(i)) => i as f64,
                    _ => -1.0,
                });
                return Ok(());
            }
        };
        match cell {
            Cell::Missing => out[0] = T::from_f64((fill - offset) / scale),
            Cell::Number(x) => {
                let scaled = T::from_f64((x - offset) / scale);
                if !scaled.is_finite() {
                    return Err((
                        format!("input should be a finite number within the training range, got {x}"),
                        "finite_number",
                    ));
                }
                out[0] = scaled;
            }
            Cell::Text(t) => {
                return Err((format!("input should be a number, got `{}`", truncate(t)), "float_parsing"));
            }
        }
        Ok(())
    }
}

/// Where a cell falls among sorted categories: `None` when missing, `Err` when unseen.
fn category_index(categories: &[String], cell: Cell<'_>) -> Option<std::result::Result<usize, ()>> {
    let found = match cell {
        Cell::Missing => return None,
        Cell::Number(x) => categories.binary_search(&format_number(x)),
        Cell::Text(t) => categories.binary_search_by(|c| c.as_str().cmp(t)),
    };
    Some(found.map_err(|_| ()))
}

fn truncate(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
}
