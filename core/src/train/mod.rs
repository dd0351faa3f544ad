//! Training: one async loop used by the browser worker, `fornax train` and the server;
//! only the [`TrainSink`] that receives progress differs.

mod benchmark;
mod checkpoint;
mod config;
mod data_plan;
mod device_failure;
mod early_stop;
#[cfg(feature = "compute")]
mod fused_adam;
mod loss;
#[cfg(feature = "compute")]
mod objective;
mod optim;
#[cfg(feature = "compute")]
mod prepared;
mod schedule;
#[cfg(feature = "compute")]
mod table_run;
#[cfg(feature = "compute")]
mod train_loop;

#[cfg(feature = "compute")]
pub use benchmark::benchmark;
pub use benchmark::{BenchmarkReport, BenchmarkSpec, Split};
pub use checkpoint::{CHECKPOINT_VERSION, Checkpoint, CheckpointHeader, FinishedModel, RunKey};
pub use config::TrainConfig;
pub use data_plan::{DataPlan, DataReport};
pub use device_failure::{DEVICE_ADVICE, contain_device_failure, panic_text};
pub use early_stop::{EarlyStopping, Mode, Monitor, StopState, Verdict};
pub use loss::{Balanced, ClassWeights, CrossEntropy, Loss};
#[cfg(feature = "compute")]
pub use objective::Objective;
pub use optim::{AdamParams, OptimizerKind};
#[cfg(feature = "compute")]
pub use prepared::Prepared;
pub use schedule::{Schedule, ScheduleState};
#[cfg(feature = "compute")]
pub use table_run::{TrainOutcome, resume_table, train_table};
#[cfg(feature = "compute")]
pub use train_loop::{Encoded, Run, Trained, train_model};

use serde::{Deserialize, Serialize};

use crate::task::Task;

/// One finished epoch of one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// `linear` (the baseline) or `mlp`.
    pub model: String,
    pub epoch: usize,
    pub epochs: usize,
    pub train_loss: f64,
    pub valid_loss: f64,
    /// Validation accuracy (classification) or R2 (regression).
    pub valid_metric: f64,
    /// The learning rate this epoch trained with.
    pub learning_rate: f64,
    pub samples_per_second: f64,
}

/// What the loop tells its sink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    Started { model: String, task: Task, epochs: usize, train_rows: usize, valid_rows: usize },
    Epoch(EpochReport),
    EarlyStop { model: String, epoch: usize, best_epoch: usize },
}

/// What the sink answers after each report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    Cancel,
}

/// Receives progress. Its futures are where the loop yields: the browser worker lets
/// its event loop run there (so cancel and pause messages arrive and the tab stays live).
pub trait TrainSink {
    fn report(&mut self, progress: &Progress) -> impl Future<Output = Control>;

    /// Called before every batch, so a long epoch can be cancelled.
    fn between_batches(&mut self) -> impl Future<Output = Control> {
        async { Control::Continue }
    }

    /// Whether to make a checkpoint after this epoch (it reads the weights back, which
    /// costs time on a GPU), handed to [`TrainSink::checkpoint`] before the epoch's report.
    fn wants_checkpoint(&mut self) -> bool {
        false
    }

    fn checkpoint(&mut self, checkpoint: Checkpoint) -> impl Future<Output = ()> {
        let _ = checkpoint;
        async {}
    }
}

/// A sink that ignores progress, for tests and batch jobs.
pub struct Quiet;

impl TrainSink for Quiet {
    async fn report(&mut self, _progress: &Progress) -> Control {
        Control::Continue
    }
}
