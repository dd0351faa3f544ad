//! `GET /healthz` and `GET /readyz`.

use serde::{Deserialize, Serialize};

/// The server is up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `ok`.
    #[cfg_attr(feature = "openapi", schema(example = "ok"))]
    pub status: String,
    /// The Fornax version of this server.
    pub version: String,
}

/// The server can answer predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ready {
    /// Always `ready`.
    #[cfg_attr(feature = "openapi", schema(example = "ready"))]
    pub status: String,
    /// Models whose latest version loads.
    pub models: usize,
}
