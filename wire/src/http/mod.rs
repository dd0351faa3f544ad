//! The JSON bodies of the companion server's HTTP API (FastAPI-style), with the schemas
//! `/openapi.json` publishes when the `openapi` feature is on.

mod dataset;
mod error;
mod health;
mod job;
mod model;
mod predict;

pub use dataset::DatasetInfo;
pub use error::{ErrorBody, Message, ValidationErrors};
#[cfg(feature = "openapi")]
pub use error::{LocItem, ValidationError};
pub use health::{Health, Ready};
pub use job::{JobEnded, JobInfo, JobList, JobRequest, JobState, JobSucceeded};
pub use model::{ImageInput, InputColumn, InputKind, ModelInfo, ModelList, TaskName};
#[cfg(feature = "openapi")]
pub use predict::{ImageUpload, PredictBody, PredictionSchema};
pub use predict::{ImagesRequest, PredictRequest, PredictResponse};
