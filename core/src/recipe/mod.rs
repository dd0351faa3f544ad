//! The fitted preprocessing that travels with a model: the cleaning steps as fitted,
//! then numeric columns mean-filled and scaled (standardized by default), categorical
//! ones one-hot (or ordinal) encoded, the target label-encoded (or standardized for
//! regression). Fitted on the training rows only. For images: the channel statistics
//! ([`ImageRecipe`]) and the training-only augmentation ([`Augment`]).

mod augment;
mod augment_preview;
pub mod benchmark;
mod encode;
mod feature;
mod fit;
mod image_recipe;
mod preprocessing;
mod schema;
mod target;
mod validate;

use serde::{Deserialize, Serialize};

pub use augment::{Augment, CropBox, Drawn, adjust_brightness, adjust_contrast, apply_drawn, resized_crop, rotate};
pub use augment_preview::{PREVIEW_CLASSES, PREVIEW_DRAWS, PreviewImage, augment_preview};
pub use encode::Scalar;
pub use feature::Feature;
pub use image_recipe::{ChannelStatistics, IMAGENET_MEAN, IMAGENET_STD, ImageRecipe};
pub use preprocessing::Preprocessing;
pub use schema::InputField;
pub use target::{TargetEncoding, Targets};

use crate::data::Step;
use crate::task::Task;

/// A fitted recipe: the cleaning steps, one [`Feature`] per input column, and how the
/// target is encoded. Every bundle carries one, so each place that loads it encodes alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// The cleaning steps as fitted: fills and clips apply to every row predicted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// The target column's name.
    pub target: String,
    /// Whether the target is classes or a number.
    pub task: Task,
    /// One per input column (every column but the target), in the table's order; each
    /// becomes [`Feature::width`] model inputs, side by side.
    pub features: Vec<Feature>,
    /// How the target becomes training labels, and model outputs become answers.
    pub target_encoding: TargetEncoding,
}

impl Recipe {
    /// Number of model inputs this recipe produces per row.
    pub fn width(&self) -> usize {
        self.features.iter().map(Feature::width).sum()
    }

    /// Number of model outputs: one per class, or one value.
    pub fn outputs(&self) -> usize {
        match &self.target_encoding {
            TargetEncoding::Classes { classes } => classes.len(),
            TargetEncoding::Standardize { .. } => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Cell, Table};

    fn table() -> Table {
        Table::from_csv_bytes(b"x,color,y\n1,red,a\n3,blue,b\n,red,a\n5,green,b\n").unwrap()
    }

    #[test]
    fn fit_uses_training_rows_only() {
        let recipe = Recipe::fit(&table(), "y", Task::Classification, &[0, 1, 2]).unwrap();
        assert_eq!(recipe.features[0], Feature::Standardize { name: "x".into(), mean: 2.0, std: 1.0 });
        assert_eq!(
            recipe.features[1],
            Feature::OneHot { name: "color".into(), categories: vec!["blue".into(), "red".into()], other: false }
        );
        assert_eq!(recipe.width(), 3);
        assert_eq!(recipe.outputs(), 2);
    }

    #[test]
    fn apply_fills_missing_and_ignores_unseen_categories() {
        let t = table();
        let recipe = Recipe::fit(&t, "y", Task::Classification, &[0, 1, 2]).unwrap();
        let x: Vec<f32> = recipe.encode_table(&t, &[2, 3]).unwrap();
        // row 2: x missing -> mean -> 0; red. row 3: x=5 -> 3; green unseen -> zeros.
        assert_eq!(x, vec![0.0, 0.0, 1.0, 3.0, 0.0, 0.0]);
        assert_eq!(recipe.encode_targets(&t, &[0, 1]).unwrap(), Targets::Classes(vec![0, 1]));
    }

    #[test]
    fn recipe_round_trips_through_json() {
        let recipe = Recipe::fit(&table(), "x", Task::Regression, &[0, 1, 3]).unwrap();
        let json = serde_json::to_string(&recipe).unwrap();
        assert_eq!(serde_json::from_str::<Recipe>(&json).unwrap(), recipe);
    }

    #[test]
    fn single_class_target_is_refused() {
        let err = Recipe::fit(&table(), "y", Task::Classification, &[0, 2]).unwrap_err();
        assert!(err.to_string().contains("only one class (`a`)"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_column() {
        let recipe = Recipe::fit(&table(), "y", Task::Classification, &[0, 1]).unwrap();
        let mut out = Vec::<f32>::new();
        let errors = recipe
            .encode_row(|name| Some(if name == "x" { Cell::Text("old") } else { Cell::Missing }), &mut out)
            .unwrap_err();
        assert_eq!(errors[0].0, "x");
        assert_eq!(errors[0].2, "float_parsing");
    }
}
