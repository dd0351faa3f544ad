//! The HTTP side of datasets and training jobs: upload a CSV, start a job on it,
//! follow it live (Server-Sent Events), cancel it, fetch the bundle it registered.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use fornax_core::limits::MAX_TAB_CSV_BYTES;
use fornax_wire::http::{DatasetInfo, JobInfo, JobList, JobRequest, Message};
use futures_lite::Stream;

use super::api::{AppState, authorize, body_bytes, check_name};
use super::api_error::ApiError;
use super::path_params::{ApiPath, JobPath, NamePath, VersionPath};

type Shared = State<Arc<AppState>>;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/datasets/{name}", put(upload_dataset).layer(DefaultBodyLimit::max(MAX_TAB_CSV_BYTES)))
        .route("/v1/jobs", get(list_jobs).post(submit_job))
        .route("/v1/jobs/{id}", get(job_info).delete(cancel_job))
        .route("/v1/jobs/{id}/events", get(job_events))
        .route("/v1/models/{name}/versions/{version}/bundle", get(download_bundle))
}

/// Uploads a CSV for training jobs (replacing one of the same name). It is parsed first:
/// a file that does not parse is refused with the line that broke it.
#[utoipa::path(put, path = "/v1/datasets/{name}", tag = "jobs",
    params(("name" = String, Path, description = "Dataset name: 1-64 letters, digits, `-` or `_`")),
    request_body(content = String, content_type = "text/csv", description = "The CSV, with a header row"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = DatasetInfo),
        (status = 401, description = "Missing or wrong token", body = Message),
        (status = 413, description = "Over 512 MiB", body = Message),
        (status = 422, description = "Not a CSV Fornax can read", body = fornax_wire::http::ValidationErrors),
    ))]
async fn upload_dataset(
    State(state): Shared,
    ApiPath(NamePath { name }): ApiPath<NamePath>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<DatasetInfo>), ApiError> {
    authorize(&state, &headers)?;
    check_name(&name, &["path", "name"])?;
    let bytes = body_bytes(body, MAX_TAB_CSV_BYTES)?;
    let datasets = state.datasets.clone();
    let stored = tokio::task::spawn_blocking(move || datasets.put(&name, &bytes).map(|t| (name, t)))
        .await
        .map_err(|e| ApiError::Internal(format!("the upload failed: {e}")))?;
    let (name, table) = stored.map_err(|e| e.into_api("csv_invalid"))?;
    let columns = table.columns().iter().map(|c| c.name.clone()).collect();
    Ok((StatusCode::CREATED, Json(DatasetInfo { name, rows: table.rows(), columns })))
}

/// Starts training a dataset on the server's device. The job is queued (one runs at a
/// time); its result is registered as the next version of `model`.
#[utoipa::path(post, path = "/v1/jobs", tag = "jobs",
    request_body = JobRequest,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued; follow it at /v1/jobs/{id}/events", body = JobInfo),
        (status = 401, description = "Missing or wrong token", body = Message),
        (status = 422, description = "The request is invalid", body = fornax_wire::http::ValidationErrors),
    ))]
async fn submit_job(
    State(state): Shared,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let bytes = body_bytes(body, 1024 * 1024)?;
    let request: JobRequest = serde_json::from_slice(&bytes).map_err(|e| {
        let kind = if e.is_syntax() || e.is_eof() { "json_invalid" } else { "value_error" };
        ApiError::field(&["body"], e.to_string(), kind)
    })?;
    check_name(&request.model, &["body", "model"])?;
    check_name(&request.dataset, &["body", "dataset"])?;
    if !state.datasets.exists(&request.dataset) {
        return Err(ApiError::field(
            &["body", "dataset"],
            format!("there is no dataset `{0}` on this server: upload it with PUT /v1/datasets/{0}", request.dataset),
            "not_found",
        ));
    }
    request.config.validate().map_err(|e| ApiError::field(&["body", "config"], e.to_string(), "value_error"))?;
    let info = state.jobs.submit(request).map_err(ApiError::Internal)?;
    let location = format!("/v1/jobs/{}", info.id);
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(info)).into_response())
}

/// Every job this server has recorded (across restarts), oldest first.
#[utoipa::path(get, path = "/v1/jobs", tag = "jobs", security(("bearer" = [])),
    responses(
        (status = 200, description = "The jobs", body = JobList),
        (status = 401, description = "Missing or wrong token", body = Message),
    ))]
async fn list_jobs(State(state): Shared, headers: HeaderMap) -> Result<Json<JobList>, ApiError> {
    authorize(&state, &headers)?;
    Ok(Json(JobList { jobs: state.jobs.list() }))
}

fn find(state: &AppState, id: &str) -> Result<Arc<super::jobs::Job>, ApiError> {
    state.jobs.get(id).ok_or_else(|| ApiError::NotFound(format!("no job `{id}` on this server")))
}

/// A job's state. The id is the credential: it is unguessable and given only to who
/// started the job.
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobInfo),
        (status = 404, description = "No such job", body = Message),
        (status = 422, description = "A path parameter is not valid UTF-8", body = fornax_wire::http::ValidationErrors),
    ))]
async fn job_info(State(state): Shared, ApiPath(JobPath { id }): ApiPath<JobPath>) -> Result<Json<JobInfo>, ApiError> {
    Ok(Json(find(&state, &id)?.info()))
}

/// Cancels a job: a queued one never starts, a running one stops after its current batch.
#[utoipa::path(delete, path = "/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelling (or already finished)", body = JobInfo),
        (status = 401, description = "Missing or wrong token", body = Message),
        (status = 404, description = "No such job", body = Message),
        (status = 422, description = "A path parameter is not valid UTF-8", body = fornax_wire::http::ValidationErrors),
    ))]
async fn cancel_job(
    State(state): Shared,
    ApiPath(JobPath { id }): ApiPath<JobPath>,
    headers: HeaderMap,
) -> Result<Json<JobInfo>, ApiError> {
    authorize(&state, &headers)?;
    let job = find(&state, &id)?;
    job.cancel();
    Ok(Json(job.info()))
}

/// The job's events as Server-Sent Events, from the first (so a late client sees the
/// whole run) or after `Last-Event-ID`: `progress` events (the studio's own progress
/// messages), then one of `succeeded` (model, version, metrics), `failed` or `cancelled`,
/// after which the stream ends.
#[utoipa::path(get, path = "/v1/jobs/{id}/events", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "An event stream", content_type = "text/event-stream", body = String),
        (status = 404, description = "No such job", body = Message),
        (status = 422, description = "A path parameter is not valid UTF-8", body = fornax_wire::http::ValidationErrors),
    ))]
async fn job_events(
    State(state): Shared,
    ApiPath(JobPath { id }): ApiPath<JobPath>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let job = find(&state, &id)?;
    let next = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(0, |last| last + 1);
    let changes = job.subscribe();
    let batches =
        futures_lite::stream::unfold((job, changes, next, false), |(job, mut changes, next, ended)| async move {
            if ended {
                return None;
            }
            loop {
                let events = job.events_from(next);
                if !events.is_empty() {
                    let ended = events.iter().any(|e| e.kind != "progress");
                    let batch: Vec<Result<Event, Infallible>> = events
                        .iter()
                        .enumerate()
                        .map(|(i, e)| {
                            Ok(Event::default().id((next + i).to_string()).event(e.kind).data(e.data.to_string()))
                        })
                        .collect();
                    let after = next + batch.len();
                    return Some((futures_lite::stream::iter(batch), (job, changes, after, ended)));
                }
                if changes.changed().await.is_err() {
                    return None;
                }
            }
        });
    Ok(Sse::new(futures_lite::StreamExt::flatten(batches))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// A stored version's `.fornax` bundle, e.g. the one a job made, to use in the studio
/// or with `fornax predict`.
#[utoipa::path(get, path = "/v1/models/{name}/versions/{version}/bundle", tag = "models",
    params(("name" = String, Path, description = "Model name"), ("version" = u32, Path, description = "Version number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The bundle", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "Missing or wrong token", body = Message),
        (status = 403, description = "The server has no admin token", body = Message),
        (status = 404, description = "No such model or version", body = Message),
        (status = 422, description = "The version is not a non-negative integer", body = fornax_wire::http::ValidationErrors),
    ))]
async fn download_bundle(
    State(state): Shared,
    ApiPath(VersionPath { name, version }): ApiPath<VersionPath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let bytes = state.registry.bundle_bytes(&name, version)?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}
