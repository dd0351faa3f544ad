//! A table made ready to train on: split (seeded, stratified for classification), the
//! recipe fitted on the training rows only, every part encoded, and the model and loss
//! the config describes. `train_table` trains on it; benchmarks time `train_model` on it.

use burn::tensor::Device;

use super::train_loop::outputs;
use super::{Encoded, Metrics, Objective, TrainConfig, classification_metrics, predicted_class, regression_metrics};
use crate::data::{Cell, Table, split_rows};
use crate::model::{Mlp, ModelSpec};
use crate::recipe::{Recipe, TargetEncoding, Targets, Task};
use crate::{Error, Result};

/// Fewest rows with a target value that a run accepts: below this the validation and
/// test parts are too small to mean anything.
const MIN_ROWS: usize = 20;

pub struct Prepared {
    pub task: Task,
    pub recipe: Recipe,
    /// The table rows of each part.
    pub train_rows: Vec<usize>,
    pub valid_rows: Vec<usize>,
    pub test_rows: Vec<usize>,
    pub train: Encoded,
    pub valid: Encoded,
    pub test: Encoded,
    /// The model the config describes, sized for the recipe.
    pub spec: ModelSpec,
    pub objective: Objective,
}

impl Prepared {
    /// Prepares `table` to predict `target`; `task` overrides the inferred one.
    pub fn new(table: &Table, target: &str, task: Option<Task>, config: &TrainConfig) -> Result<Self> {
        config.validate()?;
        let column = table.column(target)?;
        let labeled: Vec<usize> = (0..table.rows()).filter(|&r| column.cell(r) != Cell::Missing).collect();
        if labeled.len() < MIN_ROWS {
            return Err(Error::InvalidTarget(format!(
                "target `{target}` has a value in {} rows; training needs at least {MIN_ROWS}",
                labeled.len()
            )));
        }
        let task = task.unwrap_or_else(|| Task::infer(column));

        // Stratify classification splits by class so every part keeps the class balance.
        let strata: Option<Vec<usize>> = (task == Task::Classification).then(|| {
            let mut classes: Vec<String> = labeled.iter().filter_map(|&r| column.text(r)).collect();
            classes.sort_unstable();
            classes.dedup();
            labeled.iter().map(|&r| classes.binary_search(&column.text(r).unwrap_or_default()).unwrap_or(0)).collect()
        });
        let split =
            split_rows(labeled.len(), config.valid_fraction, config.test_fraction, strata.as_deref(), config.seed);
        let rows = |part: &[usize]| part.iter().map(|&i| labeled[i]).collect::<Vec<_>>();
        let (train_rows, valid_rows, test_rows) = (rows(&split.train), rows(&split.valid), rows(&split.test));

        let recipe = Recipe::fit(table, target, task, &train_rows)?;
        let loss = config.loss_for(task, recipe.outputs())?;
        let outputs = loss.outputs(recipe.outputs());
        let dropout = match config.dropout.is_empty() {
            true => Vec::new(),
            false => (0..config.hidden.len()).map(|layer| config.dropout_after(layer)).collect(),
        };
        let spec = ModelSpec {
            inputs: recipe.width(),
            hidden: config.hidden.clone(),
            outputs,
            activation: config.activation,
            dropout,
            batch_norm: config.batch_norm,
            conv: config.conv.clone(),
        };
        // Before encoding: an over-wide recipe would exhaust memory in the encoded matrix.
        spec.validate()?;
        let encode = |rows: &[usize]| -> Result<Encoded> {
            Ok(Encoded {
                x: recipe.encode_table(table, rows)?,
                width: recipe.width(),
                targets: recipe.encode_targets(table, rows)?,
            })
        };
        let (train, valid, test) = (encode(&train_rows)?, encode(&valid_rows)?, encode(&test_rows)?);
        let objective = Objective::new(loss, recipe.outputs(), &train.targets);
        Ok(Prepared { task, recipe, train_rows, valid_rows, test_rows, train, valid, test, spec, objective })
    }

    /// The model's metrics on the test rows, in the target's own units for regression.
    pub async fn test_metrics(&self, model: &Mlp, device: &Device) -> Result<Metrics> {
        let (recipe, test) = (&self.recipe, &self.test);
        let raw = outputs(model, test, device).await?;
        Ok(match &test.targets {
            Targets::Classes(truth) => {
                let TargetEncoding::Classes { classes } = &recipe.target_encoding else {
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
                let unscale =
                    |values: &[f32]| -> Result<Vec<f64>> {
                        values.iter().map(|&v| recipe.target_encoding.unscale(v)).collect::<Option<_>>().ok_or_else(
                            || Error::InvalidTarget("a regression recipe must standardize its target".into()),
                        )
                    };
                regression_metrics(&unscale(truth)?, &unscale(&raw)?)
            }
        })
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}
