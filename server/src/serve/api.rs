//! The HTTP API (ARCHITECTURE.md, Contracts): health, the model registry, predict.
//! Each handler's `#[utoipa::path]` is what `/openapi.json` says about it.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;

use super::api_error::ApiError;
use super::datasets::Datasets;
use fornax_wire::http::{Health, ModelInfo, ModelList, PredictResponse, Ready};
use serde_json::Value;

use super::jobs::Jobs;
use super::metrics::{Gauges, Metrics};
use super::model_info;
use super::path_params::{ApiPath, NamePath, VersionPath};
use super::prediction_log::{Entry, PredictionLog};
use super::registry::{Missing, Registry, valid_name};
use super::served::{PredictError, Served};

/// Largest request body for predictions.
pub const MAX_PREDICT_BYTES: usize = 1024 * 1024;
/// Largest bundle upload.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub struct AppState {
    pub registry: Arc<Registry>,
    pub datasets: Arc<Datasets>,
    pub jobs: Jobs,
    pub metrics: Arc<Metrics>,
    /// Where every prediction is recorded; `None` with `--no-prediction-log`.
    pub log: Option<PredictionLog>,
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
        .route("/readyz", get(readyz))
        .route("/v1/models", get(list_models))
        .route(
            "/v1/models/{name}",
            get(model_info).put(upload_model).delete(delete_model).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/v1/models/{name}/versions/{version}", get(version_info))
        .route("/v1/models/{name}/predict", post(predict).layer(DefaultBodyLimit::max(MAX_PREDICT_BYTES)))
        .route(
            "/v1/models/{name}/versions/{version}/predict",
            post(predict_version).layer(DefaultBodyLimit::max(MAX_PREDICT_BYTES)),
        )
        .route("/metrics", get(metrics))
        .merge(super::jobs_api::router())
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(CatchPanicLayer::custom(panic_response))
        .route_layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Records every routed request's status and latency in the metrics, labelled by its
/// route template and model (unknown model names are not labels: a scan of random names
/// must not grow the metrics without bound), and logs it.
async fn observe(State(state): Shared, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or("", |p| p.as_str()).to_string();
    let model = if route.contains("{name}") {
        request.uri().path().split('/').nth(3).unwrap_or("").to_string()
    } else {
        String::new()
    };
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let model = if status == 404 { "" } else { &model };
    let took = started.elapsed();
    state.metrics.observe_request(&route, model, status, took);
    tracing::info!(%method, %path, %route, %model, status, latency_ms = took.as_secs_f64() * 1000.0, "request");
    response
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
    let what = fornax_core::train::panic_text(&*panic);
    tracing::error!(request_id = %id, panic = %what, "a request failed with an internal error");
    ApiError::Internal(format!("internal error; the server log has the details under request id {id}")).into_response()
}

/// Whether the process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The server is up", body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into(), version: fornax_core::VERSION.into() })
}

/// Whether this server can serve: its models directory is readable.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready to serve", body = Ready),
    (status = 503, description = "The models directory cannot be read", body = fornax_wire::http::Message),
))]
async fn readyz(State(state): Shared) -> Result<Json<Ready>, ApiError> {
    state.registry.check_readable().map_err(ApiError::Unavailable)?;
    Ok(Json(Ready { status: "ready".into(), models: state.registry.list().len() }))
}

/// Prometheus metrics: requests and latency per route, model and status; micro-batch
/// sizes; prediction-cache hits and misses; queue depths; jobs by state.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"),
))]
async fn metrics(State(state): Shared) -> impl IntoResponse {
    let text = state.metrics.render(&Gauges {
        queues: state.registry.queue_depths(),
        log_dropped: state.log.as_ref().map(PredictionLog::dropped),
        jobs: state.jobs.counts(),
    });
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
}

fn info(state: &AppState, name: &str, served: &Served) -> ModelInfo {
    model_info::describe(name, served.version, state.registry.versions(name), &served.manifest)
}

/// Every model whose latest version loads.
#[utoipa::path(get, path = "/v1/models", tag = "models", responses((status = 200, description = "The models", body = ModelList)))]
async fn list_models(State(state): Shared) -> Json<ModelList> {
    let names = state.registry.names();
    let models = names
        .iter()
        .filter_map(|name| state.registry.latest(name).ok().map(|served| info(&state, name, &served)))
        .collect();
    Json(ModelList { models })
}

impl From<Missing> for ApiError {
    fn from(missing: Missing) -> Self {
        match missing {
            Missing::NotFound(msg) => ApiError::NotFound(msg),
            Missing::Unloadable(msg) => ApiError::Unavailable(msg),
        }
    }
}

/// A model's latest version: its input schema, an example row, classes and metrics.
#[utoipa::path(get, path = "/v1/models/{name}", tag = "models",
    params(("name" = String, Path, description = "Model name")),
    responses(
        (status = 200, description = "The model", body = ModelInfo),
        (status = 404, description = "No such model or version", body = fornax_wire::http::Message),
        (status = 422, description = "A path parameter is not valid UTF-8", body = fornax_wire::http::ValidationErrors),
    ))]
async fn model_info(
    State(state): Shared,
    ApiPath(NamePath { name }): ApiPath<NamePath>,
) -> Result<Json<ModelInfo>, ApiError> {
    let served = state.registry.latest(&name)?;
    Ok(Json(info(&state, &name, &served)))
}

/// One version of a model.
#[utoipa::path(get, path = "/v1/models/{name}/versions/{version}", tag = "models",
    params(("name" = String, Path, description = "Model name"), ("version" = u32, Path, description = "Version number")),
    responses(
        (status = 200, description = "The model", body = ModelInfo),
        (status = 404, description = "No such model or version", body = fornax_wire::http::Message),
        (status = 422, description = "The version is not a non-negative integer", body = fornax_wire::http::ValidationErrors),
    ))]
async fn version_info(
    State(state): Shared,
    ApiPath(VersionPath { name, version }): ApiPath<VersionPath>,
) -> Result<Json<ModelInfo>, ApiError> {
    let served = state.registry.version(&name, version)?;
    Ok(Json(info(&state, &name, &served)))
}

pub(super) fn body_bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::TooLarge(format!("the request body is larger than {limit} bytes"));
    match body {
        Ok(bytes) if bytes.len() > limit => Err(too_large()),
        Ok(bytes) => Ok(bytes),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
        Err(rejection) => Err(ApiError::field(&["body"], rejection.body_text(), "body_read")),
    }
}

/// Predicts rows, or images for a model that reads them, with a model's latest version.
/// The model's recipe turns each row or picture into its inputs, exactly as in training.
#[utoipa::path(post, path = "/v1/models/{name}/predict", tag = "predict",
    params(("name" = String, Path, description = "Model name")),
    request_body(content(
        (fornax_wire::http::PredictBody = "application/json"),
        (fornax_wire::http::ImageUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "One prediction per row or image", body = PredictResponse),
        (status = 404, description = "No such model or version", body = fornax_wire::http::Message),
        (status = 413, description = "Body over 1 MiB", body = fornax_wire::http::Message),
        (status = 422, description = "A row or image is invalid: each problem located", body = fornax_wire::http::ValidationErrors),
        (status = 503, description = "The model's queue is full (see `Retry-After`)", body = fornax_wire::http::Message),
    ))]
async fn predict(
    State(state): Shared,
    ApiPath(NamePath { name }): ApiPath<NamePath>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PredictResponse>, ApiError> {
    let served = state.registry.latest(&name)?;
    answer(&state, name, &served, &headers, body).await
}

/// Predicts rows, or images, with one version of a model.
#[utoipa::path(post, path = "/v1/models/{name}/versions/{version}/predict", tag = "predict",
    params(("name" = String, Path, description = "Model name"), ("version" = u32, Path, description = "Version number")),
    request_body(content(
        (fornax_wire::http::PredictBody = "application/json"),
        (fornax_wire::http::ImageUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "One prediction per row or image", body = PredictResponse),
        (status = 404, description = "No such model or version", body = fornax_wire::http::Message),
        (status = 413, description = "Body over 1 MiB", body = fornax_wire::http::Message),
        (status = 422, description = "A row or image is invalid, or the version is not a non-negative integer: each problem located", body = fornax_wire::http::ValidationErrors),
        (status = 503, description = "The model's queue is full (see `Retry-After`)", body = fornax_wire::http::Message),
    ))]
async fn predict_version(
    State(state): Shared,
    ApiPath(VersionPath { name, version }): ApiPath<VersionPath>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PredictResponse>, ApiError> {
    let served = state.registry.version(&name, version)?;
    answer(&state, name, &served, &headers, body).await
}

async fn answer(
    state: &AppState,
    name: String,
    served: &Served,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PredictResponse>, ApiError> {
    let bytes = body_bytes(body, MAX_PREDICT_BYTES)?;
    let started = std::time::Instant::now();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let upload = super::image_upload::upload_boundary(content_type);
    // What each input is logged as: a row as sent, a picture by its size.
    let (predictions, inputs) = if served.manifest.preprocessing.images().is_some() {
        let pictures = match upload {
            Some(boundary) => {
                let boundary = boundary.map_err(|e| ApiError::Validation(vec![e]))?;
                super::image_upload::parse_upload(bytes, boundary).await
            }
            None => super::image_request::parse_images(&bytes),
        }
        .map_err(ApiError::Validation)?;
        let predictions = served.predict_pictures(&pictures).await.map_err(|e| predict_error(e, &name, served))?;
        let inputs = pictures
            .iter()
            .map(|p| format!(r#"{{"image":{{"width":{},"height":{},"channels":{}}}}}"#, p.width, p.height, p.channels))
            .collect();
        (predictions, inputs)
    } else if upload.is_some() {
        let msg =
            "this model reads table rows, sent as JSON {\"rows\": [...]}; file uploads are for models that read images";
        return Err(ApiError::field(&["body"], msg, "json_type"));
    } else {
        let rows = fornax_core::predict::parse_rows(&bytes).map_err(|e| ApiError::Validation(vec![e]))?;
        let predictions = served.predict(&rows).await.map_err(|e| predict_error(e, &name, served))?;
        (predictions, rows.iter().map(Value::to_string).collect::<Vec<_>>())
    };
    if let Some(log) = &state.log {
        let time_ms = super::prediction_log::now_ms();
        log.append(inputs.into_iter().zip(&predictions).map(|(input, prediction)| Entry {
            time_ms,
            model: name.clone(),
            version: served.version,
            input,
            output: serde_json::to_string(prediction).unwrap_or_default(),
        }));
    }
    Ok(Json(PredictResponse {
        model: name,
        version: served.version,
        predictions,
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
    }))
}

fn predict_error(e: PredictError, name: &str, served: &Served) -> ApiError {
    match e {
        PredictError::Invalid(errors) => ApiError::Validation(errors),
        PredictError::Busy => ApiError::Busy(format!(
            "model `{name}` has {} requests waiting, its limit: retry shortly",
            served.queue_depth()
        )),
        PredictError::Failed(why) => ApiError::Internal(why),
    }
}

/// Names become file names: 422 at `loc` unless it is 1-64 letters, digits, `-` or `_`.
pub(super) fn check_name(name: &str, loc: &[&str]) -> Result<(), ApiError> {
    if valid_name(name) {
        Ok(())
    } else {
        Err(ApiError::field(loc, "names are 1-64 letters, digits, `-` or `_`", "string_pattern_mismatch"))
    }
}

pub(super) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
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

/// Uploads a `.fornax` bundle as the model's next version. It becomes `latest` once it
/// loads and answers a smoke prediction; until then the previous version serves.
#[utoipa::path(put, path = "/v1/models/{name}", tag = "models",
    params(("name" = String, Path, description = "Model name: 1-64 letters, digits, `-` or `_`")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "A .fornax bundle"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored as a new version and now latest", body = ModelInfo),
        (status = 401, description = "Missing or wrong token", body = fornax_wire::http::Message),
        (status = 403, description = "The server has no admin token", body = fornax_wire::http::Message),
        (status = 413, description = "Bundle over 64 MiB", body = fornax_wire::http::Message),
        (status = 422, description = "Not a usable bundle", body = fornax_wire::http::ValidationErrors),
        (status = 507, description = "The server could not store it; nothing changed", body = fornax_wire::http::Message),
    ))]
async fn upload_model(
    State(state): Shared,
    ApiPath(NamePath { name }): ApiPath<NamePath>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ModelInfo>), ApiError> {
    authorize(&state, &headers)?;
    check_name(&name, &["path", "name"])?;
    let bytes = body_bytes(body, MAX_UPLOAD_BYTES)?;
    // Loading and the smoke prediction take a while on big bundles: off the async threads.
    let registry_state = state.clone();
    let stored = tokio::task::spawn_blocking(move || registry_state.registry.put(&name, &bytes).map(|s| (name, s)))
        .await
        .map_err(|e| ApiError::Internal(format!("the upload failed: {e}")))?;
    let (name, served) = stored.map_err(|e| e.into_api("bundle_invalid"))?;
    Ok((StatusCode::CREATED, Json(info(&state, &name, &served))))
}

/// Deletes a model and every version of it (on every replica sharing the directory
/// within a second).
#[utoipa::path(delete, path = "/v1/models/{name}", tag = "models",
    params(("name" = String, Path, description = "Model name")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or wrong token", body = fornax_wire::http::Message),
        (status = 404, description = "No such model", body = fornax_wire::http::Message),
        (status = 507, description = "The server could not delete it", body = fornax_wire::http::Message),
        (status = 422, description = "A path parameter is not valid UTF-8", body = fornax_wire::http::ValidationErrors),
    ))]
async fn delete_model(
    State(state): Shared,
    ApiPath(NamePath { name }): ApiPath<NamePath>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    authorize(&state, &headers)?;
    match state.registry.delete(&name) {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(ApiError::NotFound(format!("model `{name}` not found"))),
        Err(msg) => Err(ApiError::Storage(msg)),
    }
}
