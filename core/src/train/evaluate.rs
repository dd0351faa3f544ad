//! A trained model's metrics on held-out rows, whatever the data kind: accuracy and
//! per-class scores for classes, errors in the target's own units for a regression.

use burn::tensor::Device;

use super::Encoded;
use super::train_loop::outputs;
use crate::metrics::{Metrics, classification_metrics, predicted_class, regression_metrics};
use crate::model::Mlp;
use crate::recipe::{TargetEncoding, Targets};
use crate::{Error, Result};

/// The model's metrics on `test`, its outputs read through `encoding`.
pub async fn evaluate(model: &Mlp, test: &Encoded, encoding: &TargetEncoding, device: &Device) -> Result<Metrics> {
    let raw = outputs(model, test, device).await?;
    Ok(match &test.targets {
        Targets::Classes(truth) => {
            let TargetEncoding::Classes { classes } = encoding else {
                return Err(Error::InvalidTarget("a classification recipe must encode classes".into()));
            };
            let per_row = (raw.len() / truth.len().max(1)).max(1);
            let predicted: Vec<i64> = raw.chunks(per_row).map(|o| predicted_class(o) as i64).collect();
            // The second class's probability, for ROC-AUC: sigmoid of a single logit, or
            // softmax of two, which is the sigmoid of their difference.
            let scores: Vec<f64> = raw
                .chunks(per_row)
                .map(|o| match o {
                    [z] => sigmoid(*z as f64),
                    [a, b] => sigmoid((*b - *a) as f64),
                    _ => f64::NAN,
                })
                .collect();
            classification_metrics(truth, &predicted, classes, Some(&scores))
        }
        Targets::Values(truth) => {
            // Back to the target's own units, so MAE and RMSE mean something to people.
            let unscale = |values: &[f32]| -> Result<Vec<f64>> {
                values
                    .iter()
                    .map(|&v| encoding.unscale(v))
                    .collect::<Option<_>>()
                    .ok_or_else(|| Error::InvalidTarget("a regression recipe must standardize its target".into()))
            };
            regression_metrics(&unscale(truth)?, &unscale(&raw)?)
        }
    })
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}
