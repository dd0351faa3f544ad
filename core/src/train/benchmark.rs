//! One model trained the way the benchmarks compare it with peers (PyTorch natively,
//! TensorFlow.js in the browser): Adam, a fixed batch size, every epoch run (no early
//! stopping), no baseline. The same function times it in `bench/train/fornax.rs` and in
//! the browser worker, so both report the same figures the same way.

use serde::{Deserialize, Serialize};

use crate::model::{ConvSpec, ResNetSpec};

#[cfg(feature = "compute")]
pub use compute::benchmark;

/// One benchmark: the column to predict, and the model and settings to train it with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkSpec {
    /// The column to predict, always as classification.
    pub target: String,
    /// Hidden layer widths (empty: a linear model).
    pub hidden: Vec<usize>,
    /// Epochs to run, every one of them; at least 2, as the first is the warm-up.
    pub epochs: usize,
    /// Rows per step.
    pub batch_size: usize,
    /// Adam's learning rate, constant for the whole run.
    pub learning_rate: f64,
    /// Convolutional blocks before the hidden layers (a CNN on image rows).
    #[serde(default)]
    pub conv: Option<ConvSpec>,
    /// A ResNet-style network before the hidden layers, instead of `conv`.
    #[serde(default)]
    pub resnet: Option<ResNetSpec>,
}

/// Row numbers of the seeded split, for a peer to train on the same rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    /// Rows the model trains on.
    pub train: Vec<usize>,
    /// Rows held out for validation; no figure in the report depends on them.
    pub valid: Vec<usize>,
    /// Rows `test_accuracy` is measured on.
    pub test: Vec<usize>,
}

/// What a benchmark measured: the same figures, taken the same way, natively and in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkReport {
    /// The Fornax version that ran it.
    pub version: String,
    /// Rows in the training part.
    pub train_rows: usize,
    /// Epochs run (all of `BenchmarkSpec::epochs`).
    pub epochs: usize,
    /// Seconds from the start of training to the end of each epoch.
    pub epoch_seconds: Vec<f64>,
    /// Seconds from the start (model setup included) to the end of the first epoch, the warm-up.
    pub first_epoch_seconds: f64,
    /// Training rows per second over the epochs after the first (the warm-up).
    pub samples_per_second: f64,
    /// Mean training loss of each epoch.
    pub train_losses: Vec<f64>,
    /// Accuracy of the trained model on the test rows, from 0 to 1.
    pub test_accuracy: f64,
    /// The rows of each part, for a peer to train on the same ones.
    pub split: Split,
}

#[cfg(feature = "compute")]
mod compute {
    use web_time::Instant;

    use super::{BenchmarkReport, BenchmarkSpec, Split};
    use crate::data::Table;
    use crate::device::Device;
    use crate::task::Task;
    use crate::train::{
        AdamParams, Control, EarlyStopping, OptimizerKind, Prepared, Progress, Run, TrainConfig, TrainSink, train_model,
    };
    use crate::{Error, Result};

    /// When each epoch ended, and its loss.
    struct Clock {
        started: Instant,
        epochs: Vec<f64>,
        losses: Vec<f64>,
    }

    impl TrainSink for Clock {
        async fn report(&mut self, progress: &Progress) -> Control {
            if let Progress::Epoch(report) = progress {
                self.epochs.push(self.started.elapsed().as_secs_f64());
                self.losses.push(report.train_loss);
            }
            Control::Continue
        }
    }

    /// Trains and times one model on `table` as `spec` says, then measures it on the test rows.
    /// Refuses fewer than 2 epochs.
    pub async fn benchmark(device: &Device, table: &Table, spec: &BenchmarkSpec) -> Result<BenchmarkReport> {
        if spec.epochs < 2 {
            return Err(Error::InvalidConfig("a benchmark needs at least 2 epochs: the first is the warm-up".into()));
        }
        let config = TrainConfig {
            epochs: spec.epochs,
            batch_size: Some(spec.batch_size),
            learning_rate: spec.learning_rate,
            hidden: spec.hidden.clone(),
            conv: spec.conv.clone(),
            resnet: spec.resnet.clone(),
            optimizer: OptimizerKind::Adam(AdamParams::default()),
            // Every epoch runs, on both sides.
            early_stopping: EarlyStopping { patience: 0, restore_best: false, ..EarlyStopping::default() },
            ..TrainConfig::default()
        };
        let p = Prepared::new(table, &spec.target, Some(Task::Classification), &config)?;
        let mut clock = Clock { started: Instant::now(), epochs: Vec::new(), losses: Vec::new() };
        let trained = train_model(
            device,
            &p.spec,
            &config,
            &p.objective,
            &p.train,
            &p.valid,
            None,
            &mut clock,
            &mut Run::default(),
        )
        .await?;
        let metrics = p.test_metrics(&trained.model, device).await?;
        let (first, last) = (clock.epochs[0], clock.epochs[clock.epochs.len() - 1]);
        Ok(BenchmarkReport {
            version: crate::VERSION.to_string(),
            train_rows: p.train.rows(),
            epochs: clock.epochs.len(),
            first_epoch_seconds: first,
            samples_per_second: p.train.rows() as f64 * (clock.epochs.len() - 1) as f64 / (last - first),
            epoch_seconds: clock.epochs,
            train_losses: clock.losses,
            test_accuracy: metrics.headline(),
            split: Split { train: p.train_rows.clone(), valid: p.valid_rows.clone(), test: p.test_rows.clone() },
        })
    }
}
