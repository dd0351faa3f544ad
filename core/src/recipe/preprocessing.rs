//! A model's fitted preprocessing, one variant per data kind: a bundle carries one, and
//! everything that predicts reads its width, outputs and classes from it.

use serde::{Deserialize, Serialize};

use super::{ImageRecipe, Recipe, TargetEncoding};
use crate::Result;
use crate::data::DataKind;

/// Written in a manifest as `"recipe": {...}` for a table (as every bundle before
/// images was) or `"image_recipe": {...}` for images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Preprocessing {
    /// A table's recipe: cleaning steps, features, target encoding.
    #[serde(rename = "recipe")]
    Table(Recipe),
    /// Images: fitting and per-channel standardization.
    #[serde(rename = "image_recipe")]
    Images(ImageRecipe),
}

impl Preprocessing {
    /// The kind of data it reads.
    pub fn kind(&self) -> DataKind {
        match self {
            Preprocessing::Table(_) => DataKind::Tabular,
            Preprocessing::Images(_) => DataKind::Images,
        }
    }

    /// Model inputs per row or image.
    pub fn width(&self) -> usize {
        match self {
            Preprocessing::Table(r) => r.width(),
            Preprocessing::Images(r) => r.width(),
        }
    }

    /// Model outputs: one per class, or one value.
    pub fn outputs(&self) -> usize {
        match self {
            Preprocessing::Table(r) => r.outputs(),
            Preprocessing::Images(r) => r.classes.len(),
        }
    }

    /// How outputs become answers.
    pub fn target_encoding(&self) -> TargetEncoding {
        match self {
            Preprocessing::Table(r) => r.target_encoding.clone(),
            Preprocessing::Images(r) => r.target_encoding(),
        }
    }

    /// The table recipe, if the model reads tables.
    pub fn table(&self) -> Option<&Recipe> {
        match self {
            Preprocessing::Table(r) => Some(r),
            Preprocessing::Images(_) => None,
        }
    }

    /// The image recipe, if the model reads images.
    pub fn images(&self) -> Option<&ImageRecipe> {
        match self {
            Preprocessing::Images(r) => Some(r),
            Preprocessing::Table(_) => None,
        }
    }

    /// Checks it is one fitting could have made.
    pub fn validate(&self) -> Result<()> {
        match self {
            Preprocessing::Table(r) => r.validate(),
            Preprocessing::Images(r) => r.validate(),
        }
    }
}
