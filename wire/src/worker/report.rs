//! What the worker reports about itself, a loaded dataset and a trained model.

use fornax_core::data::ColumnSummary;
use fornax_core::data::images::{BadFile, ImageProfile};
use fornax_core::data::{DataKind, RaggedRows};
use fornax_core::metrics::Metrics;
use fornax_core::model::ModelFamily;
use fornax_core::recipe::InputField;
use fornax_core::task::Task;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What the environment panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backend {
    /// `WebGPU (adapter)` or `CPU (Flex)`.
    pub name: String,
    /// Why this backend was chosen, in words.
    pub reason: String,
    /// Selected adapter limits, for WebGPU.
    pub limits: Vec<(String, f64)>,
}

impl Backend {
    /// Training runs on WebGPU (the name is `WebGPU (adapter)`).
    pub fn is_webgpu(&self) -> bool {
        self.name.starts_with("WebGPU")
    }
}

/// A dataset the worker has loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The file's name.
    pub name: String,
    /// Data rows (the header not counted).
    pub rows: usize,
    /// Each column's kind and summary, in file order.
    pub columns: Vec<ColumnSummary>,
    /// The last column: a common place for the label.
    pub suggested_target: String,
    /// The ragged rows left out, when the user chose to skip them.
    #[serde(default)]
    pub skipped: Option<RaggedRows>,
    /// For a folder of pictures (`columns` is then empty, `rows` counts the images).
    #[serde(default)]
    pub images: Option<ImageSummary>,
}

/// What the data page shows of a folder of pictures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageSummary {
    /// Counts per class, source sizes, per-channel mean and deviation.
    pub profile: ImageProfile,
    /// The files the user chose to leave out, with why.
    pub skipped: Vec<BadFile>,
    /// The first few images of each class as the model sees them.
    pub thumbnails: Vec<Thumbnail>,
}

/// One image, fitted to the model's square, as a PNG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Its class: an index into the profile's classes.
    pub class: usize,
    /// Its path inside the folder.
    pub file: String,
    /// The PNG's bytes.
    pub png: Vec<u8>,
}

/// A picture of the augmentation preview: as the model sees it, then augmented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentedImage {
    /// The picture as the model sees it without augmentation.
    pub original: Thumbnail,
    /// Draws of the augmentation, as PNG bytes.
    pub draws: Vec<Vec<u8>>,
}

/// A model the worker has trained (or taken in from a server job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    /// What it reads: table rows, or pictures.
    #[serde(default)]
    pub kind: DataKind,
    /// Its family (the baseline beside it is always linear).
    pub family: ModelFamily,
    /// What it predicts.
    pub task: Task,
    /// The column it predicts.
    pub target: String,
    /// Its test metrics.
    pub metrics: Metrics,
    /// The linear baseline's test metrics.
    pub baseline: Metrics,
    /// Epochs it trained.
    pub epochs_run: usize,
    /// The columns a prediction needs.
    pub inputs: Vec<InputField>,
    /// The first row of the dataset, to prefill the prediction form.
    pub example: Map<String, Value>,
    /// For an image model: the first test pictures it got wrong.
    #[serde(default)]
    pub mistakes: Vec<Mistake>,
    /// Size of the `.fornax` bundle, which travels as the message's bytes.
    pub bundle_bytes: usize,
    /// Wall time of the whole run, in seconds.
    pub seconds: f64,
}

/// A test picture an image model got wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mistake {
    /// Its path inside the folder.
    pub file: String,
    /// The picture as the model saw it, as a PNG.
    pub png: Vec<u8>,
    /// Its class (its folder).
    pub actual: String,
    /// The class the model gave it.
    pub predicted: String,
    /// The model's probability for that class.
    pub probability: f64,
}
