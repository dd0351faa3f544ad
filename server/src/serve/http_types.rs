//! The JSON bodies of the HTTP API, with the schemas `/openapi.json` publishes.

use std::collections::BTreeMap;

use fornax_core::bundle::Manifest;
use fornax_core::data::ColumnKind;
use fornax_core::metrics::Metrics;
use fornax_core::model::ModelSpec;
use fornax_core::predict::Prediction;
use fornax_core::recipe::TargetEncoding;
use fornax_core::task::Task;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    /// The Fornax version of this server.
    pub version: String,
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    #[schema(example = "ready")]
    pub status: String,
    /// Models whose latest version loads.
    pub models: usize,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskName {
    Classification,
    Regression,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// A number; `null` means missing.
    Numeric,
    /// Text (numbers are compared as text); `null` or an unseen category encode as missing.
    Categorical,
}

/// One column a prediction request must give for every row.
#[derive(Serialize, ToSchema)]
pub struct InputColumn {
    #[schema(example = "alcohol")]
    pub name: String,
    pub kind: InputKind,
    /// The categories seen in training (categorical columns only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
}

/// A served model: its input schema, what it predicts, and how well it did.
#[derive(Serialize, ToSchema)]
pub struct ModelInfo {
    #[schema(example = "wine")]
    pub name: String,
    /// The version described (the latest, unless a version was asked for).
    pub version: u32,
    /// Every stored version, oldest first.
    pub versions: Vec<u32>,
    pub task: TaskName,
    /// The column it predicts.
    pub target: String,
    /// The classes a classifier chooses from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
    pub inputs: Vec<InputColumn>,
    /// A typical row (numeric columns at their training mean), ready to send.
    #[schema(value_type = Object)]
    pub example: serde_json::Map<String, Value>,
    /// The network: inputs, hidden layer widths, outputs, activation.
    #[schema(value_type = Object)]
    pub model: ModelSpec,
    /// Test-set metrics of the model.
    #[schema(value_type = Object)]
    pub metrics: Metrics,
    /// Test-set metrics of the linear baseline trained beside it.
    #[schema(value_type = Object)]
    pub baseline_metrics: Metrics,
    pub epochs_run: usize,
    pub fornax_version: String,
}

impl ModelInfo {
    pub fn new(name: &str, version: u32, versions: Vec<u32>, manifest: &Manifest) -> Self {
        let m = manifest;
        ModelInfo {
            name: name.to_string(),
            version,
            versions,
            task: match m.task {
                Task::Classification => TaskName::Classification,
                Task::Regression => TaskName::Regression,
            },
            target: m.target.clone(),
            classes: match &m.recipe.target_encoding {
                TargetEncoding::Classes { classes } => Some(classes.clone()),
                TargetEncoding::Standardize { .. } => None,
            },
            inputs: m
                .inputs
                .iter()
                .map(|f| InputColumn {
                    name: f.name.clone(),
                    kind: match f.kind {
                        ColumnKind::Numeric => InputKind::Numeric,
                        ColumnKind::Categorical => InputKind::Categorical,
                    },
                    categories: f.categories.clone(),
                })
                .collect(),
            example: m.recipe.example_row(),
            model: m.model.clone(),
            metrics: m.metrics.clone(),
            baseline_metrics: m.baseline_metrics.clone(),
            epochs_run: m.epochs_run,
            fornax_version: m.fornax_version.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ModelList {
    pub models: Vec<ModelInfo>,
}

/// Rows to predict: each an object of column name to value (see the model's `inputs`).
#[derive(ToSchema)]
#[allow(dead_code)] // The body is parsed by `fornax_core::predict::parse_rows`; this is its schema.
pub struct PredictRequest {
    /// 1 to 1000 rows.
    #[schema(value_type = Vec<Object>, example = json!([{"alcohol": 13.2, "malic_acid": 1.78}]))]
    rows: Vec<Value>,
}

/// One row's prediction: a label with class probabilities, or a value.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // The schema of `fornax_core::predict::Prediction`.
pub enum PredictionSchema {
    Class { label: String, probabilities: BTreeMap<String, f64> },
    Value { value: f64 },
}

#[derive(Serialize, ToSchema)]
pub struct PredictResponse {
    pub model: String,
    /// The version that answered.
    pub version: u32,
    /// One per row, in order.
    #[schema(value_type = Vec<PredictionSchema>)]
    pub predictions: Vec<Prediction>,
    /// Time spent predicting on the server, in milliseconds.
    pub latency_ms: f64,
}

/// An error: a sentence saying what went wrong.
#[derive(ToSchema)]
#[allow(dead_code)] // Written by `ApiError`; this is its schema.
pub struct Message {
    detail: String,
}

/// A 422: one entry per problem, each locating its field.
#[derive(ToSchema)]
#[allow(dead_code)] // Written by `ApiError`; this is its schema.
pub struct ValidationErrors {
    detail: Vec<ValidationError>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ValidationError {
    /// Where: e.g. `["body", "rows", 0, "alcohol"]`.
    #[schema(value_type = Vec<LocItem>)]
    loc: Vec<Value>,
    msg: String,
    /// A machine-readable kind, e.g. `missing`, `float_parsing`, `too_long`.
    #[serde(rename = "type")]
    kind: String,
}

#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum LocItem {
    Key(String),
    Index(usize),
}
