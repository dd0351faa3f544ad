//! The data benchmark's workload (`cargo xtask bench data`), here so that the native
//! binary and the tab's worker time exactly the same code: load a CSV, profile it, fill
//! missing values (mean; most frequent for categories), one-hot encode and standardize.

use serde::{Deserialize, Serialize};

use super::Recipe;
use crate::data::clean::Fill;
use crate::data::{Column, ColumnData, ColumnKind, DatasetProfile, Prep, Split, Step, Table, clean};
use crate::task::Task;
use crate::{Error, Result};

/// Seconds per stage, in order (`load`, `profile`, `impute`, `one_hot_and_standardize`),
/// and the encoded matrix's width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataBenchmark {
    /// `(stage, seconds)` for each stage, in the order they ran.
    pub seconds: Vec<(String, f64)>,
    /// Model inputs per row of the encoded matrix.
    pub width: usize,
}

/// Runs the workload on CSV `bytes`; `now()` reads a clock in seconds.
pub fn prepare_everything(bytes: &[u8], now: &mut dyn FnMut() -> f64) -> Result<DataBenchmark> {
    let mut seconds = Vec::new();
    let mut start = now();
    let mut lap = |name: &str, now: &mut dyn FnMut() -> f64| {
        let t = now();
        seconds.push((name.to_string(), t - start));
        start = t;
    };
    let table = Table::from_csv_bytes(bytes)?;
    lap("load", now);
    let profile = DatasetProfile::of(&table, None);
    std::hint::black_box(&profile);
    lap("profile", now);
    let steps: Vec<Step> = table
        .columns()
        .iter()
        .map(|c| Step::FillMissing {
            column: c.name.clone(),
            with: if c.kind() == ColumnKind::Numeric { Fill::Mean } else { Fill::Mode },
            value: None,
        })
        .collect();
    let all = Split { train: (0..table.rows()).collect(), valid: Vec::new(), test: Vec::new() };
    let cleaned = clean(&table, &steps, &all)?;
    drop(table);
    lap("impute", now);
    // The recipe needs a target; a constant column stands in, so every real column is a feature.
    let rows = cleaned.table.rows();
    let mut columns = cleaned.table.into_columns();
    columns.push(Column { name: "target".into(), data: ColumnData::Numeric(vec![Some(0.0); rows]) });
    let table = Table::new(columns)?;
    let recipe = Recipe::fit_with(&table, "target", Task::Regression, &all.train, &Prep::default(), Vec::new())?;
    let encoded: Vec<f32> = recipe.encode_table(&table, &all.train)?;
    std::hint::black_box(&encoded);
    lap("one_hot_and_standardize", now);
    if encoded.len() != rows * recipe.width() {
        return Err(Error::InvalidConfig("the encoded matrix has the wrong size".into()));
    }
    Ok(DataBenchmark { seconds, width: recipe.width() })
}
