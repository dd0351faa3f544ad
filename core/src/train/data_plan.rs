//! The data a run trains on, decided before any model exists: the rows with a target
//! split (seeded and stratified, or by time), then cleaned by the config's steps fitted
//! on the training part. Training and the studio's data page both start here, so what
//! the page shows is what the model gets.

use serde::{Deserialize, Serialize};

use super::TrainConfig;
use crate::data::drift::{ColumnDrift, compare};
use crate::data::{
    Cell, Cleaned, Column, ColumnData, DatasetProfile, Split, Step, StepReport, Table, clean, split_rows,
};
use crate::task::Task;
use crate::{Error, Result};

/// The split and cleaned rows of a table, for the task they will be trained for.
pub struct DataPlan {
    /// The task given, or the one inferred from the target as the steps read it.
    pub task: Task,
    /// The cleaned table, its split (renumbered past dropped rows) and the steps as fitted.
    pub cleaned: Cleaned,
}

/// What the studio's data page shows: the cleaned data's profile, what each step did,
/// the sizes of the parts, and whether train and test follow the same distributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataReport {
    /// The task the data will be trained for.
    pub task: Task,
    /// Profile of the whole cleaned table (every part, and rows without a target value).
    pub profile: DatasetProfile,
    /// What each cleaning step did, in order.
    pub steps: Vec<StepReport>,
    /// The steps as fitted, as they will be saved in the model's recipe.
    pub fitted: Vec<Step>,
    /// Rows in the training part, after cleaning.
    pub train_rows: usize,
    /// Rows in the validation part, after cleaning.
    pub valid_rows: usize,
    /// Rows in the test part, after cleaning.
    pub test_rows: usize,
    /// Train against test, per feature.
    pub drift: Vec<ColumnDrift>,
}

impl DataPlan {
    /// Splits the rows of `table` that have a `target` and cleans them as `config` says.
    pub fn new(table: &Table, target: &str, task: Option<Task>, config: &TrainConfig) -> Result<DataPlan> {
        config.prep.validate()?;
        for step in &config.prep.steps {
            if let Step::DropColumns { columns } = step
                && columns.iter().any(|c| c == target)
            {
                return Err(Error::InvalidConfig(format!("`{target}` is the target: it cannot be dropped")));
            }
        }
        let column = &target_as_read(table, target, &config.prep.steps)?;
        let task = task.unwrap_or_else(|| Task::infer(column));
        let labeled: Vec<usize> = (0..table.rows()).filter(|&r| column.cell(r) != Cell::Missing).collect();
        if labeled.len() < 2 {
            return Err(Error::InvalidTarget(format!(
                "target `{target}` has a value in {} rows; a split needs at least 2",
                labeled.len()
            )));
        }
        let split = match &config.prep.order_by {
            Some(order) => split_in_order(table, order, &labeled, config)?,
            None => {
                // Stratify classification splits by class so every part keeps the class balance.
                let strata: Option<Vec<usize>> = (task == Task::Classification).then(|| {
                    let mut classes: Vec<String> = labeled.iter().filter_map(|&r| column.text(r)).collect();
                    classes.sort_unstable();
                    classes.dedup();
                    labeled
                        .iter()
                        .map(|&r| classes.binary_search(&column.text(r).unwrap_or_default()).unwrap_or(0))
                        .collect()
                });
                let split = split_rows(
                    labeled.len(),
                    config.valid_fraction,
                    config.test_fraction,
                    strata.as_deref(),
                    config.seed,
                );
                let rows = |part: &[usize]| part.iter().map(|&i| labeled[i]).collect::<Vec<_>>();
                Split { train: rows(&split.train), valid: rows(&split.valid), test: rows(&split.test) }
            }
        };
        let cleaned = clean(table, &config.prep.steps, &split)?;
        if cleaned.split.train.is_empty() {
            return Err(Error::InvalidConfig("the cleaning steps leave no training rows".into()));
        }
        Ok(DataPlan { task, cleaned })
    }

    /// What the data page shows for this plan; `target` is the column the plan was made for.
    pub fn report(&self, target: &str) -> DataReport {
        let Cleaned { table, split, steps, reports } = &self.cleaned;
        DataReport {
            task: self.task,
            profile: DatasetProfile::of(table, Some(target)),
            steps: reports.clone(),
            fitted: steps.clone(),
            train_rows: split.train.len(),
            valid_rows: split.valid.len(),
            test_rows: split.test.len(),
            drift: compare(table, &split.train, &split.test, Some(target)),
        }
    }
}

/// The target as the steps that change how cells read (missing markers, its type)
/// leave it: which rows have a label, and the task, are decided on that.
fn target_as_read(table: &Table, target: &str, steps: &[Step]) -> Result<Column> {
    let reading: Vec<Step> = steps
        .iter()
        .filter(|s| match s {
            Step::MissingMarkers { .. } => true,
            Step::AsCategory { column } | Step::AsNumber { column } => column == target,
            _ => false,
        })
        .cloned()
        .collect();
    let alone = Table::new(vec![table.column(target)?.clone()])?;
    let none = Split { train: Vec::new(), valid: Vec::new(), test: Vec::new() };
    Ok(clean(&alone, &reading, &none)?.table.into_columns().remove(0))
}

/// Time-ordered data: the latest rows (by `order`) are the test part, the ones before
/// them validation, the rest training; rows without an `order` value come first.
fn split_in_order(table: &Table, order: &str, labeled: &[usize], config: &TrainConfig) -> Result<Split> {
    let column = table.column(order)?;
    let mut rows = labeled.to_vec();
    match &column.data {
        ColumnData::Numeric(v) => rows.sort_by(|&a, &b| match (v[a], v[b]) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        }),
        // ISO dates and times sort as text.
        ColumnData::Categorical(v) => rows.sort_by(|&a, &b| v[a].cmp(&v[b])),
    }
    let n = rows.len() as f64;
    let n_test = (n * config.test_fraction).round() as usize;
    let n_valid = ((n * config.valid_fraction).round() as usize).min(rows.len() - n_test);
    let n_train = rows.len() - n_test - n_valid;
    Ok(Split {
        train: rows[..n_train].to_vec(),
        valid: rows[n_train..n_train + n_valid].to_vec(),
        test: rows[n_train + n_valid..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::clean::Fill;

    fn table() -> Table {
        let rows: String = (0..100).map(|i| format!("{i},{},{}\n", if i % 7 == 0 { "" } else { "5" }, i % 2)).collect();
        Table::from_csv_bytes(format!("t,x,y\n{rows}").as_bytes()).unwrap()
    }

    #[test]
    fn a_time_split_puts_the_latest_rows_in_test_and_is_flagged() {
        let mut config = TrainConfig::default();
        config.prep.order_by = Some("t".into());
        let plan = DataPlan::new(&table(), "y", None, &config).unwrap();
        assert_eq!(plan.cleaned.split.test, (85..100).collect::<Vec<_>>());
        let report = plan.report("y");
        assert_eq!((report.train_rows, report.valid_rows, report.test_rows), (70, 15, 15));
        let t = report.drift.iter().find(|d| d.column == "t").unwrap();
        assert!(t.shifted && t.p_value < 1e-6, "{t:?}");
    }

    #[test]
    fn counts_always_sum_to_the_labeled_rows() {
        let mut config = TrainConfig::default();
        config.prep.steps = vec![Step::FillMissing { column: "x".into(), with: Fill::Mean, value: None }];
        let report = DataPlan::new(&table(), "y", None, &config).unwrap().report("y");
        assert_eq!(report.train_rows + report.valid_rows + report.test_rows, 100);
        assert_eq!(report.profile.missing_cells(), 0);
        assert_eq!(report.steps[0].missing_before, 15);
        config.prep.steps = vec![Step::DropColumns { columns: vec!["y".into()] }];
        assert!(DataPlan::new(&table(), "y", None, &config).is_err());
    }

    #[test]
    fn labels_and_the_task_come_from_the_target_as_the_steps_read_it() {
        let t = Table::from_csv_bytes(b"x,y\n1,1.5\n2,?\n3,none\n4,2.5\n5,3.5\n").unwrap();
        let mut config = TrainConfig { valid_fraction: 0.0, test_fraction: 0.25, ..TrainConfig::default() };
        config.prep.steps = vec![Step::MissingMarkers { markers: vec!["none".into()] }];
        let plan = DataPlan::new(&t, "y", None, &config).unwrap();
        assert_eq!(plan.task, Task::Regression);
        assert_eq!(plan.report("y").train_rows + plan.report("y").test_rows, 3);
        config.prep.steps.push(Step::AsCategory { column: "y".into() });
        assert_eq!(DataPlan::new(&t, "y", None, &config).unwrap().task, Task::Classification);
    }
}
