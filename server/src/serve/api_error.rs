//! Errors at the HTTP edge, in FastAPI's shape: `{"detail": ...}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fornax_core::FieldError;
use fornax_wire::http::{Message, ValidationErrors};

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
        let sentence = |status: StatusCode, detail: String| (status, Json(Message { detail })).into_response();
        let mut response = match self {
            ApiError::Validation(detail) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(ValidationErrors { detail })).into_response()
            }
            ApiError::NotFound(msg) => sentence(StatusCode::NOT_FOUND, msg),
            ApiError::Unauthorized => {
                sentence(StatusCode::UNAUTHORIZED, "a valid `Authorization: Bearer TOKEN` header is required".into())
            }
            ApiError::AdminDisabled => sentence(
                StatusCode::FORBIDDEN,
                "admin routes are disabled: start the server with FORNAX_TOKEN set".into(),
            ),
            ApiError::TooLarge(msg) => sentence(StatusCode::PAYLOAD_TOO_LARGE, msg),
            ApiError::Timeout(limit) => sentence(
                StatusCode::REQUEST_TIMEOUT,
                format!("the request took longer than {} s, reading its body included", limit.as_secs()),
            ),
            ApiError::Storage(msg) => sentence(StatusCode::INSUFFICIENT_STORAGE, msg),
            ApiError::Unavailable(msg) | ApiError::Busy(msg) => sentence(StatusCode::SERVICE_UNAVAILABLE, msg),
            ApiError::Internal(msg) => sentence(StatusCode::INTERNAL_SERVER_ERROR, msg),
        };
        if busy {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if response.status() == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
