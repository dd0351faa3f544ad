//! Training: one async loop used by the browser worker, `fornax train` and the server;
//! only the [`TrainSink`] that receives progress differs.

mod benchmark;
mod checkpoint;
mod config;
mod data_plan;
mod device_failure;
mod early_stop;
#[cfg(feature = "compute")]
mod entry;
#[cfg(feature = "compute")]
mod evaluate;
#[cfg(feature = "compute")]
mod fused_adam;
#[cfg(feature = "compute")]
mod image_run;
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
#[cfg(feature = "compute")]
pub use entry::{StartWeights, TrainOutcome, fine_tune, resume, train};
#[cfg(feature = "compute")]
pub use image_run::{IMAGE_TARGET, image_split};
pub use loss::{Balanced, ClassWeights, CrossEntropy, Loss};
#[cfg(feature = "compute")]
pub use objective::Objective;
pub use optim::{AdamParams, OptimizerKind};
#[cfg(feature = "compute")]
pub use prepared::Prepared;
pub use schedule::{Schedule, ScheduleState};
#[cfg(feature = "compute")]
pub use train_loop::{Augmenter, Encoded, Run, Trained, train_model};

use serde::{Deserialize, Serialize};

use crate::task::Task;

/// One finished epoch of one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// `linear` (the baseline) or `mlp`.
    pub model: String,
    /// This epoch's number, counted from 1.
    pub epoch: usize,
    /// The most epochs the config allows; early stopping may end the model sooner.
    pub epochs: usize,
    /// Mean loss per training row over the epoch, taken as the weights changed.
    pub train_loss: f64,
    /// Mean loss per validation row after the epoch.
    pub valid_loss: f64,
    /// Validation accuracy (classification) or R2 (regression).
    pub valid_metric: f64,
    /// The learning rate this epoch trained with.
    pub learning_rate: f64,
    /// Training rows divided by the epoch's wall time (validation included).
    pub samples_per_second: f64,
}

/// What the loop tells its sink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    /// A model starts (or resumes) training. A resumed model's earlier epochs follow, replayed.
    Started {
        /// `linear` (the baseline), `mlp` or `cnn`.
        model: String,
        /// What it predicts.
        task: Task,
        /// The most epochs it may train.
        epochs: usize,
        /// Rows in the training part.
        train_rows: usize,
        /// Rows in the validation part.
        valid_rows: usize,
    },
    /// An epoch finished (or, when resuming, one from before the checkpoint is replayed).
    Epoch(EpochReport),
    /// Early stopping ended a model.
    EarlyStop {
        /// The model that stopped.
        model: String,
        /// The last epoch it trained.
        epoch: usize,
        /// Its best epoch by the monitored value (whose weights it keeps with `restore_best`).
        best_epoch: usize,
    },
}

/// What the sink answers after each report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Go on training.
    Continue,
    /// Stop: training returns `Error::Cancelled`.
    Cancel,
}

/// Receives progress. Its futures are where the loop yields: the browser worker lets
/// its event loop run there (so cancel and pause messages arrive and the tab stays live).
pub trait TrainSink {
    /// Receives one event; answering `Control::Cancel` ends training with `Error::Cancelled`.
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

    /// Receives the checkpoint [`TrainSink::wants_checkpoint`] asked for; the default drops it.
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
