//! Training jobs: `POST /v1/jobs`, `GET /v1/jobs[/{id}]` and the final events of
//! `GET /v1/jobs/{id}/events` (whose `progress` events carry core's `Progress`).

use fornax_core::metrics::Metrics;
use fornax_core::task::Task;
use fornax_core::train::TrainConfig;
use serde::{Deserialize, Serialize};

/// What to train: the body of `POST /v1/jobs`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    /// A dataset uploaded with `PUT /v1/datasets/{name}`.
    #[cfg_attr(feature = "openapi", schema(example = "wine"))]
    pub dataset: String,
    /// The column to predict.
    #[cfg_attr(feature = "openapi", schema(example = "cultivar"))]
    pub target: String,
    /// `classification` or `regression`; inferred from the target when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub task: Option<Task>,
    /// The training config the studio's "Copy as config" gives (every key optional).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub config: TrainConfig,
    /// The model name the result is registered under (a new version).
    #[cfg_attr(feature = "openapi", schema(example = "wine"))]
    pub model: String,
}

/// Where a job is in its life; the last three are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for the job before it.
    Queued,
    /// Training.
    Running,
    /// Trained and registered.
    Succeeded,
    /// Stopped by an error (or by the server stopping under it).
    Failed,
    /// Stopped by `DELETE /v1/jobs/{id}`.
    Cancelled,
}

impl JobState {
    /// Its name in JSON, which is also the name of the stream's final event.
    pub fn name(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// What `GET /v1/jobs/{id}` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobInfo {
    /// Unguessable: who knows it may follow the job.
    pub id: String,
    /// Where the job is.
    pub state: JobState,
    /// What it was asked to train.
    pub request: JobRequest,
    /// `cpu`, `vulkan` or `cuda`.
    pub device: String,
    /// When it was submitted, in milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// When it started training.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<u64>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_ms: Option<u64>,
    /// Epochs finished so far, over both models (the baseline, then the MLP).
    pub epochs_done: usize,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The model version it registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

/// Every job a server has recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobList {
    /// Oldest first.
    pub jobs: Vec<JobInfo>,
}

/// The data of a job stream's `succeeded` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobSucceeded {
    /// The model the result was registered under.
    pub model: String,
    /// Its new version.
    pub version: u32,
    /// Test metrics of the model (absent when a restarted server replays the job).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// Test metrics of the linear baseline (absent as `metrics` is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Metrics>,
    /// Epochs the model trained (absent as `metrics` is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs_run: Option<usize>,
}

/// The data of a job stream's `failed` or `cancelled` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobEnded {
    /// Why it ended.
    pub message: String,
}
