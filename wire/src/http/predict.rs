//! `POST /v1/models/{name}/predict`.

use fornax_core::predict::Prediction;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Rows to predict: each an object of column name to value (see the model's `inputs`).
// The server reads the body with `fornax_core::predict::parse_rows`, which locates each
// bad field; this type is what a client writes, and the body's schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PredictRequest {
    /// 1 to 1000 rows.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>, example = json!([{"alcohol": 13.2, "malic_acid": 1.78}])))]
    pub rows: Vec<Map<String, Value>>,
}

/// Pictures to predict, for a model that reads images (its info has `images`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImagesRequest {
    /// 1 to 64 image files (PNG, JPEG, WebP, BMP or GIF), each base64-encoded.
    #[cfg_attr(feature = "openapi", schema(example = json!(["iVBORw0KGgo..."])))]
    pub images: Vec<String>,
}

/// Pictures to predict sent as `multipart/form-data` (`curl -F images=@cat.jpg -F
/// images=@dog.png`), for a model that reads images.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // The upload's schema: the server reads the parts with multer.
pub struct ImageUpload {
    /// 1 to 64 image files (PNG, JPEG, WebP, BMP or GIF), one per part.
    pub images: Vec<String>,
}

/// A prediction request's body: rows for a model that reads tables, images for one that
/// reads pictures.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // The body's schema: the server reads it by the model's kind.
pub enum PredictBody {
    /// For a model that reads table rows.
    Rows(PredictRequest),
    /// For a model that reads images.
    Images(ImagesRequest),
}

/// One row's prediction: a label with class probabilities, or a value.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // The schema of `fornax_core::predict::Prediction`, which has no derive.
pub enum PredictionSchema {
    /// A classifier's answer.
    Class {
        /// The likeliest class.
        label: String,
        /// Every class's probability.
        probabilities: std::collections::BTreeMap<String, f64>,
    },
    /// A regression's answer.
    Value {
        /// The predicted number.
        value: f64,
    },
}

/// The predictions, in the order of the rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PredictResponse {
    /// The model that answered.
    pub model: String,
    /// The version that answered.
    pub version: u32,
    /// One per row, in order.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<PredictionSchema>))]
    pub predictions: Vec<Prediction>,
    /// Time spent predicting on the server, in milliseconds.
    pub latency_ms: f64,
}
