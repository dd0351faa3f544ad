//! The HTTP API (ARCHITECTURE.md, Contracts): health, model listing and upload, predict.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fornax_core::Error;
use serde_json::{Value, json};
use tower_http::catch_panic::CatchPanicLayer;

use super::api_error::ApiError;
use super::registry::{PutError, Registry, Served, valid_name};

/// Largest request body for predictions.
pub const MAX_PREDICT_BYTES: usize = 1024 * 1024;
/// Largest bundle upload.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub struct AppState {
    pub registry: Registry,
    /// Bearer token for admin routes; `None` disables them.
    pub token: Option<String>,
    /// Longest a request may take, reading its body included (so a client that sends
    /// its body slowly is cut off).
    pub request_timeout: Duration,
}

type Shared = State<Arc<AppState>>;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/models", get(list_models))
        .route("/v1/models/{name}", get(model_info).put(upload_model).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/v1/models/{name}/predict", post(predict).layer(DefaultBodyLimit::max(MAX_PREDICT_BYTES)))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// Ends a request that runs past the configured timeout with 408.
async fn time_limit(State(state): Shared, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(state.request_timeout).into_response(),
    }
}

/// A bug must not leave a client without an answer: a panic becomes a 500 whose id
/// is also in the server's log, so the two can be matched.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("{:x}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    eprintln!("error: request {id} failed with an internal error: {what}");
    ApiError::Internal(format!("internal error; the server log has the details under request id {id}")).into_response()
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": fornax_core::VERSION }))
}

fn describe(name: &str, served: &Served) -> Value {
    let m = &served.manifest;
    json!({
        "name": name,
        "task": m.task,
        "target": m.target,
        "inputs": m.inputs,
        "model": m.model,
        "metrics": m.metrics,
        "baseline_metrics": m.baseline_metrics,
        "fornax_version": m.fornax_version,
    })
}

async fn list_models(State(state): Shared) -> Json<Value> {
    let models: Vec<Value> = state.registry.list().iter().map(|(name, served)| describe(name, served)).collect();
    Json(json!({ "models": models }))
}

fn find(state: &AppState, name: &str) -> Result<Arc<Served>, ApiError> {
    state.registry.get(name).ok_or_else(|| ApiError::NotFound(format!("model `{name}` not found")))
}

async fn model_info(State(state): Shared, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let served = find(&state, &name)?;
    Ok(Json(describe(&name, &served)))
}

fn body_bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::TooLarge(format!("the request body is larger than {limit} bytes"));
    match body {
        Ok(bytes) if bytes.len() > limit => Err(too_large()),
        Ok(bytes) => Ok(bytes),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
        Err(rejection) => Err(ApiError::field(&["body"], rejection.body_text(), "body_read")),
    }
}

async fn predict(
    State(state): Shared,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let served = find(&state, &name)?;
    let bytes = body_bytes(body, MAX_PREDICT_BYTES)?;
    let rows = fornax_core::predict::parse_rows(&bytes).map_err(|e| ApiError::Validation(vec![e]))?;
    let started = std::time::Instant::now();
    let predictions = served.predictor.predict_json(&rows).await.map_err(|e| match e {
        Error::Validation(errors) => ApiError::Validation(errors),
        other => ApiError::Internal(other.to_string()),
    })?;
    Ok(Json(json!({
        "model": name,
        "predictions": predictions,
        "latency_ms": started.elapsed().as_secs_f64() * 1000.0,
    })))
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = &state.token else { return Err(ApiError::AdminDisabled) };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compare every byte so the time taken does not reveal how much matched.
    let same = given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same { Ok(()) } else { Err(ApiError::Unauthorized) }
}

async fn upload_model(
    State(state): Shared,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    authorize(&state, &headers)?;
    if !valid_name(&name) {
        return Err(ApiError::field(
            &["path", "name"],
            "model names are 1-64 letters, digits, `-` or `_`",
            "string_pattern_mismatch",
        ));
    }
    let bytes = body_bytes(body, MAX_UPLOAD_BYTES)?;
    let served = state.registry.put(&name, &bytes).map_err(|e| match e {
        PutError::Invalid(msg) => ApiError::field(&["body"], msg, "bundle_invalid"),
        PutError::Storage(msg) => ApiError::Storage(msg),
    })?;
    Ok((StatusCode::CREATED, Json(describe(&name, &served))))
}
