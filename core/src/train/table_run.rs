//! From a table and a target column to a bundle and test metrics: prepare the data
//! ([`Prepared`]), train the linear baseline and the MLP, evaluate both on the held-out
//! test rows.

use burn::tensor::Device;

use super::{Checkpoint, Prepared, Run, RunKey, TrainConfig, TrainSink, train_model};
use crate::bundle::{Bundle, FORMAT_VERSION, Manifest};
use crate::data::{DataKind, Table};
use crate::metrics::Metrics;
use crate::model::ModelSpec;
use crate::task::Task;
use crate::{Error, Result};

/// What a finished run gives: the bundle to save and the test metrics of both models.
#[derive(Debug)]
pub struct TrainOutcome {
    /// The trained model with its recipe and manifest.
    pub bundle: Bundle,
    /// Test metrics of the MLP (also in the bundle's manifest).
    pub metrics: Metrics,
    /// Test metrics of the linear baseline, to compare the model with.
    pub baseline: Metrics,
    /// Epochs the MLP trained (fewer than configured when early stopping ended it).
    pub epochs_run: usize,
}

/// Trains on `table` to predict `target`. `task` overrides the inferred one.
pub async fn train_table<S: TrainSink>(
    device: &Device,
    table: &Table,
    target: &str,
    task: Option<Task>,
    config: &TrainConfig,
    sink: &mut S,
) -> Result<TrainOutcome> {
    let key = RunKey { target: target.to_string(), task, config: config.clone(), data: table.fingerprint() };
    run_table(device, table, Run::new(key), sink).await
}

/// Continues the run `checkpoint` was made from, on the same data, and finishes it as
/// the uninterrupted run would have.
pub async fn resume_table<S: TrainSink>(
    device: &Device,
    table: &Table,
    checkpoint: Checkpoint,
    sink: &mut S,
) -> Result<TrainOutcome> {
    if checkpoint.header.run.data != table.fingerprint() {
        return Err(Error::Checkpoint(
            "it was made from other data: resume it with the dataset the run started with".into(),
        ));
    }
    run_table(device, table, Run::resume(checkpoint), sink).await
}

async fn run_table<S: TrainSink>(device: &Device, table: &Table, mut run: Run, sink: &mut S) -> Result<TrainOutcome> {
    let config = run.key.config.clone();
    let p = Prepared::new(table, &run.key.target, run.key.task, &config)?;
    let baseline_spec = ModelSpec::new(p.spec.inputs, vec![], p.spec.outputs);
    let baseline =
        train_model(device, &baseline_spec, &config, &p.objective, &p.train, &p.valid, sink, &mut run).await?;
    let mlp = train_model(device, &p.spec, &config, &p.objective, &p.train, &p.valid, sink, &mut run).await?;

    let baseline_metrics = p.test_metrics(&baseline.model, device).await?;
    let metrics = p.test_metrics(&mlp.model, device).await?;
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        data_kind: DataKind::Tabular,
        family: Some(p.spec.family()),
        fornax_version: crate::VERSION.to_string(),
        task: p.task,
        target: run.key.target.clone(),
        inputs: p.recipe.schema(),
        model: p.spec,
        recipe: p.recipe,
        metrics: metrics.clone(),
        baseline_metrics: baseline_metrics.clone(),
        epochs_run: mlp.epochs_run,
    };
    let bundle = Bundle::new(manifest, &mlp.model).await?;
    Ok(TrainOutcome { bundle, metrics, baseline: baseline_metrics, epochs_run: mlp.epochs_run })
}
