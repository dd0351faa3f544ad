//! Training: one async loop used by the browser worker, `fornax train` and the server;
//! only the [`TrainSink`] that receives progress differs.

mod metrics;
#[cfg(feature = "compute")]
mod table_run;
#[cfg(feature = "compute")]
mod train_loop;

pub use metrics::{Metrics, argmax, classification_metrics, regression_metrics};
#[cfg(feature = "compute")]
pub use table_run::{TrainOutcome, train_table};
#[cfg(feature = "compute")]
pub use train_loop::{Encoded, Trained, train_model};

use serde::{Deserialize, Serialize};

use crate::recipe::Task;

/// Everything that controls a run; the same JSON in the tab, the CLI and the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Most epochs to run; early stopping may end sooner.
    pub epochs: usize,
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Hidden layer widths of the MLP.
    pub hidden: Vec<usize>,
    /// Stop after this many epochs without a better validation loss; keep the best.
    pub patience: usize,
    pub valid_fraction: f64,
    pub test_fraction: f64,
    /// Same seed + same backend = same split, same initialization, same result.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 100,
            batch_size: 32,
            learning_rate: 1e-3,
            hidden: vec![64, 32],
            patience: 15,
            valid_fraction: 0.15,
            test_fraction: 0.15,
            seed: 42,
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |msg: String| Err(crate::Error::InvalidConfig(msg));
        if self.epochs == 0 {
            return bad("epochs must be at least 1".into());
        }
        if self.batch_size == 0 {
            return bad("batch_size must be at least 1".into());
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!("learning_rate must be a positive number, got {}", self.learning_rate));
        }
        let held_out = self.valid_fraction + self.test_fraction;
        if !(self.valid_fraction > 0.0 && self.test_fraction > 0.0 && held_out < 0.9) {
            return bad("valid_fraction and test_fraction must be above 0 and together below 0.9".into());
        }
        if self.hidden.contains(&0) {
            return bad("hidden layer widths must be at least 1".into());
        }
        Ok(())
    }
}

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

/// Receives progress. Its future is where the loop yields: the browser worker lets
/// its event loop run there (so cancel messages arrive and the tab stays live).
pub trait TrainSink {
    fn report(&mut self, progress: &Progress) -> impl Future<Output = Control>;
}

/// A sink that ignores progress, for tests and batch jobs.
pub struct Quiet;

impl TrainSink for Quiet {
    async fn report(&mut self, _progress: &Progress) -> Control {
        Control::Continue
    }
}
