//! Where every run starts: [`train`] and [`resume`], called unchanged by the browser's
//! worker, `fornax train` and the server's jobs. They take a [`Dataset`] of any kind and
//! hand it to that kind's run; only the [`TrainSink`] that receives progress differs
//! between callers.

use burn::tensor::Device;

use super::{Checkpoint, Run, RunKey, TrainConfig, TrainSink, image_run, table_run};
use crate::bundle::Bundle;
use crate::data::Dataset;
use crate::metrics::Metrics;
use crate::model::{Mlp, ModelSpec};
use crate::task::Task;
use crate::{Error, Result};

/// What a finished run gives: the bundle to save and the test metrics of both models.
#[derive(Debug)]
pub struct TrainOutcome {
    /// The trained model with its recipe and manifest.
    pub bundle: Bundle,
    /// Test metrics of the model (also in the bundle's manifest).
    pub metrics: Metrics,
    /// Test metrics of the linear baseline, to compare the model with.
    pub baseline: Metrics,
    /// Epochs the model trained (fewer than configured when early stopping ended it).
    pub epochs_run: usize,
}

/// Trains on `data` to predict `target` (a column of a table; images are classified
/// by their folder, whatever `target` says). `task` overrides the inferred one.
pub async fn train<S: TrainSink>(
    device: &Device,
    data: Dataset<'_>,
    target: &str,
    task: Option<Task>,
    config: &TrainConfig,
    sink: &mut S,
) -> Result<TrainOutcome> {
    let key = RunKey {
        target: target.to_string(),
        task,
        config: config.clone(),
        data: data.fingerprint(),
        images: data.image_options(),
    };
    run(device, data, Run::new(key), None, sink).await
}

/// Builds the configured model with weights from elsewhere (pretrained) for the spec the
/// run decides on (the pictures' side, the classes), on the CPU; `seed` draws whatever
/// the weights leave fresh.
pub type StartWeights<'a> = &'a dyn Fn(&ModelSpec, u64) -> Result<Mlp>;

/// [`train`], with the configured model starting from `start`'s weights instead of fresh
/// ones (images only): fine-tuning. The baseline starts fresh as always. A checkpoint
/// of the run holds the weights it reached, so [`resume`] needs no `start`.
pub async fn fine_tune<S: TrainSink>(
    device: &Device,
    data: Dataset<'_>,
    config: &TrainConfig,
    start: StartWeights<'_>,
    sink: &mut S,
) -> Result<TrainOutcome> {
    let key = RunKey {
        target: super::IMAGE_TARGET.to_string(),
        task: None,
        config: config.clone(),
        data: data.fingerprint(),
        images: data.image_options(),
    };
    run(device, data, Run::new(key), Some(start), sink).await
}

/// Continues the run `checkpoint` was made from, on the same data, and finishes it as
/// the uninterrupted run would have.
pub async fn resume<S: TrainSink>(
    device: &Device,
    data: Dataset<'_>,
    checkpoint: Checkpoint,
    sink: &mut S,
) -> Result<TrainOutcome> {
    if checkpoint.header.run.data != data.fingerprint() {
        return Err(Error::Checkpoint(
            "it was made from other data: resume it with the dataset the run started with".into(),
        ));
    }
    run(device, data, Run::resume(checkpoint), None, sink).await
}

async fn run<S: TrainSink>(
    device: &Device,
    data: Dataset<'_>,
    run: Run,
    start: Option<StartWeights<'_>>,
    sink: &mut S,
) -> Result<TrainOutcome> {
    match (data, start) {
        (Dataset::Tabular(table), None) => table_run::run_table(device, table, run, sink).await,
        (Dataset::Tabular(_), Some(_)) => {
            Err(Error::InvalidConfig("pretrained weights are for image models; a table trains from fresh ones".into()))
        }
        (Dataset::Images(set), start) => image_run::run_images(device, set, run, start, sink).await,
    }
}
