//! The user's data plan, before anything is fitted: cleaning steps in order, how
//! numbers are scaled and categories encoded, and how rows are split. It is part of
//! the training config, so the studio, `fornax train` and server jobs read it alike;
//! fitted, it becomes part of the model's [`crate::recipe::Recipe`].

use serde::{Deserialize, Serialize};

use super::Step;
use crate::limits::MAX_CATEGORIES;
use crate::{Error, Result};

/// The data plan of a training config; every field may be left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Prep {
    /// Reading and cleaning steps, applied in this order before features are fitted.
    pub steps: Vec<Step>,
    /// How numeric features are scaled.
    pub scaling: Scaling,
    /// How categorical features are encoded.
    pub encoding: Encoding,
    /// One-hot outputs per column at most, the last one "other" for the rarer
    /// categories (scikit-learn's `max_categories`); `None` keeps every category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_categories: Option<usize>,
    /// Split by this column's order (time, for time-ordered data) instead of at
    /// random: the latest rows become the test part, those before them validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
}

/// How numeric features become model inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// `(x - mean) / std`, population std, as scikit-learn's StandardScaler.
    #[default]
    Standard,
    /// `(x - min) / (max - min)`, as MinMaxScaler.
    MinMax,
    /// As they are.
    None,
}

/// How categorical features become model inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// One input per category.
    #[default]
    OneHot,
    /// One input: the category's index in sorted order (OrdinalEncoder); -1 when
    /// missing or unseen.
    Ordinal,
}

impl Prep {
    /// Whether every setting is the default: no steps, standard scaling, one-hot, random split.
    pub fn is_default(&self) -> bool {
        *self == Prep::default()
    }

    /// Checks what serde cannot: `max_categories`, when set, is from 2 to [`MAX_CATEGORIES`].
    pub fn validate(&self) -> Result<()> {
        if let Some(cap) = self.max_categories
            && !(2..=MAX_CATEGORIES).contains(&cap)
        {
            return Err(Error::InvalidConfig(format!(
                "max_categories must be from 2 to {MAX_CATEGORIES} (one of them is \"other\"), not {cap}"
            )));
        }
        Ok(())
    }
}
