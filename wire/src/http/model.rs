//! What the server says about a served model: `GET /v1/models`, `GET /v1/models/{name}`
//! and the answer to an upload.

use fornax_core::metrics::Metrics;
use fornax_core::model::ModelSpec;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TaskName {
    /// A class from `classes`.
    Classification,
    /// A number.
    Regression,
}

/// How a prediction request gives one input column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// A number; `null` means missing.
    Numeric,
    /// Text (numbers are compared as text); `null` or an unseen category encode as missing.
    Categorical,
}

/// One column a prediction request must give for every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InputColumn {
    /// The column's name, as the rows' keys.
    #[cfg_attr(feature = "openapi", schema(example = "alcohol"))]
    pub name: String,
    /// Number or text.
    pub kind: InputKind,
    /// The categories seen in training (categorical columns only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
}

/// How a model that reads images takes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageInput {
    /// Pictures of any size are fitted to `side x side` pixels.
    pub side: u32,
    /// 1 (grey) or 3 (RGB).
    pub channels: u8,
    /// How a picture that is not square is made square: `center_crop` or `pad`.
    pub aspect: String,
}

/// A served model: its input schema, what it predicts, and how well it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelInfo {
    /// The name it is served under.
    #[cfg_attr(feature = "openapi", schema(example = "wine"))]
    pub name: String,
    /// The version described (the latest, unless a version was asked for).
    pub version: u32,
    /// Every stored version, oldest first.
    pub versions: Vec<u32>,
    /// Classification or regression.
    pub task: TaskName,
    /// The column it predicts.
    pub target: String,
    /// The classes a classifier chooses from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
    /// The columns every row must give (none for a model that reads images).
    pub inputs: Vec<InputColumn>,
    /// For a model that reads images: the square it fits them to. Such a model is sent
    /// `{"images": ["<base64 of a PNG, JPEG, WebP, BMP or GIF file>"]}` instead of rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<ImageInput>,
    /// A typical row (numeric columns at their training mean), ready to send.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub example: Map<String, Value>,
    /// The network: inputs, hidden layer widths, outputs, activation.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub model: ModelSpec,
    /// Test-set metrics of the model.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metrics: Metrics,
    /// Test-set metrics of the linear baseline trained beside it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub baseline_metrics: Metrics,
    /// Epochs the model trained.
    pub epochs_run: usize,
    /// The Fornax version that trained it.
    pub fornax_version: String,
}

/// Every served model, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelList {
    /// One per name, at its latest version.
    pub models: Vec<ModelInfo>,
}
