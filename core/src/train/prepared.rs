//! A table made ready to train on: split and cleaned ([`DataPlan`]), the recipe fitted
//! on the training rows only, every part encoded, and the model and loss
//! the config describes. `train` trains a table on it; benchmarks time `train_model` on it.

use burn::tensor::Device;

use super::evaluate::evaluate;
use super::{DataPlan, Encoded, Objective, TrainConfig};
use crate::data::{Cell, Table};
use crate::metrics::Metrics;
use crate::model::{Mlp, ModelSpec};
use crate::recipe::Recipe;
use crate::task::Task;
use crate::{Error, Result};

/// Fewest rows with a target value that a run accepts: below this the validation and
/// test parts are too small to mean anything.
const MIN_ROWS: usize = 20;

/// A table ready to train on: the parts encoded, the fitted recipe, the model and the loss.
pub struct Prepared {
    /// The task given, or inferred from the target.
    pub task: Task,
    /// The recipe fitted on the training rows: cleaning steps, features and target encoding.
    pub recipe: Recipe,
    /// The table rows of each part.
    pub train_rows: Vec<usize>,
    /// The validation part's table rows.
    pub valid_rows: Vec<usize>,
    /// The test part's table rows.
    pub test_rows: Vec<usize>,
    /// The training rows, encoded.
    pub train: Encoded,
    /// The validation rows, encoded.
    pub valid: Encoded,
    /// The test rows, encoded.
    pub test: Encoded,
    /// The model the config describes, sized for the recipe.
    pub spec: ModelSpec,
    /// The loss to train with, its class weights resolved from the training labels.
    pub objective: Objective,
}

impl Prepared {
    /// Prepares `table` to predict `target`; `task` overrides the inferred one.
    pub fn new(table: &Table, target: &str, task: Option<Task>, config: &TrainConfig) -> Result<Self> {
        config.validate()?;
        let column = table.column(target)?;
        let labeled = (0..table.rows()).filter(|&r| column.cell(r) != Cell::Missing).count();
        if labeled < MIN_ROWS {
            return Err(Error::InvalidTarget(format!(
                "target `{target}` has a value in {labeled} rows; training needs at least {MIN_ROWS}"
            )));
        }
        let DataPlan { task, cleaned } = DataPlan::new(table, target, task, config)?;
        let (table, split) = (&cleaned.table, cleaned.split);
        let (train_rows, valid_rows, test_rows) = (split.train, split.valid, split.test);

        let recipe = Recipe::fit_with(table, target, task, &train_rows, &config.prep, cleaned.steps)?;
        let loss = config.loss_for(task, recipe.outputs())?;
        let outputs = loss.outputs(recipe.outputs());
        let spec = config.model_spec(recipe.width(), outputs);
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
        evaluate(model, &self.test, &self.recipe.target_encoding, device).await
    }
}
