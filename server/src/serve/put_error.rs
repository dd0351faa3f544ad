//! Why an upload (a bundle, a dataset) was not stored, for every store the API writes.

use super::api_error::ApiError;

/// Why an upload was not stored. Nothing changed in either case.
pub enum PutError {
    /// The bytes are not usable (the client's fault).
    Invalid(String),
    /// The server could not write them (disk full, permissions).
    Storage(String),
}

impl PutError {
    /// The API's answer: 422 at the body with error type `kind`, or 507.
    pub fn into_api(self, kind: &str) -> ApiError {
        match self {
            PutError::Invalid(msg) => ApiError::field(&["body"], msg, kind),
            PutError::Storage(msg) => ApiError::Storage(msg),
        }
    }
}
