//! The inputs a served model asks for, and a typical row of them.

use serde::{Deserialize, Serialize};

use super::{Feature, Recipe};
use crate::data::ColumnKind;

/// One input column as a client must send it (published with each served model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputField {
    /// The column's name: the key of its value in each request row.
    pub name: String,
    /// Whether its values are numbers or categories.
    pub kind: ColumnKind,
    /// The categories the model knows, sorted; `None` (absent in JSON) for a numeric column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
}

impl Recipe {
    /// The input columns a client must send, one per feature, in the recipe's order.
    pub fn schema(&self) -> Vec<InputField> {
        self.features
            .iter()
            .map(|f| match f {
                Feature::Standardize { name, .. } | Feature::MinMax { name, .. } | Feature::Unscaled { name, .. } => {
                    InputField { name: name.clone(), kind: ColumnKind::Numeric, categories: None }
                }
                Feature::OneHot { name, categories, .. } | Feature::Ordinal { name, categories } => InputField {
                    name: name.clone(),
                    kind: ColumnKind::Categorical,
                    categories: Some(categories.clone()),
                },
            })
            .collect()
    }

    /// A typical input row: each numeric column at its training mean, each categorical
    /// one at its first category. A served model answers it before it goes live, and
    /// the docs and the deploy page show it as the example request.
    pub fn example_row(&self) -> serde_json::Map<String, serde_json::Value> {
        self.features
            .iter()
            .map(|f| match f {
                Feature::Standardize { name, mean, .. }
                | Feature::MinMax { name, mean, .. }
                | Feature::Unscaled { name, mean } => (name.clone(), serde_json::Value::from(*mean)),
                Feature::OneHot { name, categories, .. } | Feature::Ordinal { name, categories } => {
                    (name.clone(), categories.first().map_or(serde_json::Value::Null, |c| c.clone().into()))
                }
            })
            .collect()
    }
}
