//! Errors at the HTTP edge, in FastAPI's shape: `{"detail": ...}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fornax_core::FieldError;
use serde_json::json;

pub enum ApiError {
    /// 422 with one entry per problem, each locating its field.
    Validation(Vec<FieldError>),
    NotFound(String),
    Unauthorized,
    /// Admin routes exist but no token was configured on the server.
    AdminDisabled,
    TooLarge(String),
    Timeout(std::time::Duration),
    /// The server could not write (disk full, permissions): 507, nothing changed.
    Storage(String),
    /// The server cannot answer (a stored model that does not load): 503.
    Unavailable(String),
    /// A full queue: 503 with `Retry-After`.
    Busy(String),
    Internal(String),
}

impl ApiError {
    /// One validation problem.
    pub fn field(loc: &[&str], msg: impl Into<String>, kind: &str) -> Self {
        ApiError::Validation(vec![FieldError {
            loc: loc.iter().map(|&s| serde_json::Value::from(s)).collect(),
            msg: msg.into(),
            kind: kind.into(),
        }])
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let busy = matches!(self, ApiError::Busy(_));
        let (status, detail) = match self {
            ApiError::Validation(errors) => (StatusCode::UNPROCESSABLE_ENTITY, json!(errors)),
            ApiError::NotFound(msg) => (StatusCode::NOT_FOUND, json!(msg)),
            ApiError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, json!("a valid `Authorization: Bearer TOKEN` header is required"))
            }
            ApiError::AdminDisabled => {
                (StatusCode::FORBIDDEN, json!("admin routes are disabled: start the server with FORNAX_TOKEN set"))
            }
            ApiError::TooLarge(msg) => (StatusCode::PAYLOAD_TOO_LARGE, json!(msg)),
            ApiError::Timeout(limit) => (
                StatusCode::REQUEST_TIMEOUT,
                json!(format!("the request took longer than {} s, reading its body included", limit.as_secs())),
            ),
            ApiError::Storage(msg) => (StatusCode::INSUFFICIENT_STORAGE, json!(msg)),
            ApiError::Unavailable(msg) | ApiError::Busy(msg) => (StatusCode::SERVICE_UNAVAILABLE, json!(msg)),
            ApiError::Internal(msg) => (StatusCode::INTERNAL_SERVER_ERROR, json!(msg)),
        };
        let mut response = (status, Json(json!({ "detail": detail }))).into_response();
        if busy {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
