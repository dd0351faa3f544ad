//! A served model's description ([`ModelInfo`]), read from its bundle's manifest.

use fornax_core::bundle::Manifest;
use fornax_core::data::ColumnKind;
use fornax_core::recipe::TargetEncoding;
use fornax_core::task::Task;
use fornax_wire::http::{ImageInput, InputColumn, InputKind, ModelInfo, TaskName};

/// What `GET /v1/models/{name}` says about `version` of `name`, one of `versions`.
pub fn describe(name: &str, version: u32, versions: Vec<u32>, manifest: &Manifest) -> ModelInfo {
    let m = manifest;
    ModelInfo {
        name: name.to_string(),
        version,
        versions,
        task: match m.task {
            Task::Classification => TaskName::Classification,
            Task::Regression => TaskName::Regression,
        },
        target: m.target.clone(),
        classes: match m.preprocessing.target_encoding() {
            TargetEncoding::Classes { classes } => Some(classes),
            TargetEncoding::Standardize { .. } => None,
        },
        inputs: m
            .inputs
            .iter()
            .map(|f| InputColumn {
                name: f.name.clone(),
                kind: match f.kind {
                    ColumnKind::Numeric => InputKind::Numeric,
                    ColumnKind::Categorical => InputKind::Categorical,
                },
                categories: f.categories.clone(),
            })
            .collect(),
        images: m.preprocessing.images().map(|r| ImageInput {
            side: r.side,
            channels: r.channels,
            aspect: r.aspect.name().to_string(),
        }),
        example: m.preprocessing.table().map(|r| r.example_row()).unwrap_or_default(),
        model: m.model.clone(),
        metrics: m.metrics.clone(),
        baseline_metrics: m.baseline_metrics.clone(),
        epochs_run: m.epochs_run,
        fornax_version: m.fornax_version.clone(),
    }
}
