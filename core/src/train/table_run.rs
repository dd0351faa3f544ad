//! A table's run, from [`super::train`]: prepare the data ([`Prepared`]), train the
//! linear baseline and the configured model, evaluate both on the held-out test rows.

use burn::tensor::Device;

use super::{Prepared, Run, TrainOutcome, TrainSink, train_model};
use crate::bundle::{Bundle, FORMAT_VERSION, Manifest};
use crate::data::{DataKind, Table};
use crate::model::ModelSpec;
use crate::recipe::Preprocessing;
use crate::{Error, Result};

/// Trains a table's baseline and model for `run` and bundles the model.
pub(super) async fn run_table<S: TrainSink>(
    device: &Device,
    table: &Table,
    mut run: Run,
    sink: &mut S,
) -> Result<TrainOutcome> {
    let config = run.key.config.clone();
    if !config.augment.is_none() {
        return Err(Error::InvalidConfig("`augment` varies pictures; a table takes none".into()));
    }
    let p = Prepared::new(table, &run.key.target, run.key.task, &config)?;
    let baseline_spec = ModelSpec::new(p.spec.inputs, vec![], p.spec.outputs);
    let baseline =
        train_model(device, &baseline_spec, &config, &p.objective, &p.train, &p.valid, None, sink, &mut run).await?;
    let mlp = train_model(device, &p.spec, &config, &p.objective, &p.train, &p.valid, None, sink, &mut run).await?;

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
        preprocessing: Preprocessing::Table(p.recipe),
        metrics: metrics.clone(),
        baseline_metrics: baseline_metrics.clone(),
        epochs_run: mlp.epochs_run,
    };
    let bundle = Bundle::new(manifest, &mlp.model).await?;
    Ok(TrainOutcome { bundle, metrics, baseline: baseline_metrics, epochs_run: mlp.epochs_run })
}
