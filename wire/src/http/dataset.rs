//! The answer to `PUT /v1/datasets/{name}`.

use serde::{Deserialize, Serialize};

/// A dataset stored for training jobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatasetInfo {
    /// The name jobs refer to it by.
    pub name: String,
    /// Data rows (the header not counted).
    pub rows: usize,
    /// Its column names, in file order.
    pub columns: Vec<String>,
}
