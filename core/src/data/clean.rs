//! Cleaning steps, applied in the order the user added them. A step that needs numbers
//! from the data (a fill value, outlier bounds) is fitted on the training rows only and
//! keeps them, so applying it again, to a new file or to one prediction, gives the same
//! result. Steps that drop rows clean the dataset; a prediction is never dropped.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::profile::quantile;
use super::{Cell, Column, ColumnData, Split, Table, format_number, is_one_of, parse_number};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Drops rows equal in every column to an earlier row.
    DropDuplicates,
    /// Drops columns (their role is "ignore").
    DropColumns { columns: Vec<String> },
    /// Drops rows missing a value in any of `columns` (in any column when empty).
    DropMissing {
        #[serde(default)]
        columns: Vec<String>,
    },
    /// Fills missing values of `column`; `value` is fitted, or given for `constant`.
    FillMissing {
        column: String,
        with: Fill,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<FillValue>,
    },
    /// Clips (or drops the rows of) values of `column` outside `bounds`, fitted as
    /// `[q1 - k iqr, q3 + k iqr]` or `mean -/+ k std` (population std, as scipy's zscore).
    Outliers {
        column: String,
        method: OutlierMethod,
        /// k; 1.5 for IQR and 3 for z-scores when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        threshold: Option<f64>,
        action: OutlierAction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bounds: Option<[f64; 2]>,
    },
    /// Reads a numeric column as categories (a zip code, a class number).
    AsCategory { column: String },
    /// Reads a text column as numbers; cells that are not a number become missing.
    AsNumber { column: String },
    /// Reads these texts (trimmed, any ASCII case) as missing in every column, beside
    /// the built-in [`super::MISSING_MARKERS`]. A text column whose other cells are all
    /// numbers becomes numeric, as the import would have read it.
    MissingMarkers { markers: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fill {
    Mean,
    Median,
    /// The most frequent value (the smallest of equally frequent ones, as scikit-learn).
    Mode,
    Constant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FillValue {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierMethod {
    Iqr,
    Zscore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierAction {
    Clip,
    Drop,
}

/// What one step did: the preview the studio shows beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: String,
    pub rows_before: usize,
    pub rows_after: usize,
    pub missing_before: usize,
    pub missing_after: usize,
}

/// A table after cleaning, with its split carried through the dropped rows and the
/// steps as fitted.
#[derive(Debug, Clone)]
pub struct Cleaned {
    pub table: Table,
    pub split: Split,
    pub steps: Vec<Step>,
    pub reports: Vec<StepReport>,
}

impl Step {
    /// A short description for people: "fill `age` with the mean (38.2)".
    pub fn label(&self) -> String {
        match self {
            Step::DropDuplicates => "drop duplicate rows".into(),
            Step::DropColumns { columns } => format!("drop column{} {}", plural(columns), quoted(columns)),
            Step::DropMissing { columns } if columns.is_empty() => "drop rows with a missing value".into(),
            Step::DropMissing { columns } => format!("drop rows missing {}", quoted(columns)),
            Step::FillMissing { column, with, value } => {
                let how = match with {
                    Fill::Mean => "the mean",
                    Fill::Median => "the median",
                    Fill::Mode => "the most frequent value",
                    Fill::Constant => "a constant",
                };
                let value = value.as_ref().map_or(String::new(), |v| format!(" ({})", v.text()));
                format!("fill missing `{column}` with {how}{value}")
            }
            Step::Outliers { column, method, action, bounds, .. } => {
                let method = match method {
                    OutlierMethod::Iqr => "IQR",
                    OutlierMethod::Zscore => "z-score",
                };
                let action = match action {
                    OutlierAction::Clip => "clip",
                    OutlierAction::Drop => "drop rows with",
                };
                let bounds = bounds.map_or(String::new(), |[lo, hi]| format!(" outside [{lo:.4}, {hi:.4}]"));
                format!("{action} {method} outliers of `{column}`{bounds}")
            }
            Step::AsCategory { column } => format!("read `{column}` as categories"),
            Step::AsNumber { column } => format!("read `{column}` as numbers"),
            Step::MissingMarkers { markers } => format!("read {} as missing", quoted(markers)),
        }
    }

    /// Whether the step can change cells of `column` at prediction time.
    pub fn touches(&self, column: &str) -> bool {
        match self {
            Step::FillMissing { column: c, .. } | Step::Outliers { column: c, .. } | Step::AsNumber { column: c } => {
                c == column
            }
            Step::MissingMarkers { .. } => true,
            _ => false,
        }
    }

    /// The columns the step reads, to check they exist before anything runs.
    fn columns(&self) -> Vec<&str> {
        match self {
            Step::DropDuplicates | Step::MissingMarkers { .. } => Vec::new(),
            Step::DropColumns { columns } | Step::DropMissing { columns } => {
                columns.iter().map(String::as_str).collect()
            }
            Step::FillMissing { column, .. }
            | Step::Outliers { column, .. }
            | Step::AsCategory { column }
            | Step::AsNumber { column } => vec![column.as_str()],
        }
    }

    /// The step's effect on one cell of `column` at prediction time: fills, clips,
    /// missing markers and numbers read from text; everything else leaves it as it is.
    pub fn clean_cell<'a>(&'a self, column: &str, cell: Cell<'a>) -> Cell<'a> {
        match (self, cell) {
            (Step::MissingMarkers { markers }, Cell::Text(t)) if is_marker(t, markers) => Cell::Missing,
            (Step::MissingMarkers { markers }, Cell::Number(x)) if numeric_markers(markers).any(|m| m == x) => {
                Cell::Missing
            }
            (Step::AsNumber { column: c }, Cell::Text(t)) if c == column => {
                parse_number(t).map_or(Cell::Missing, Cell::Number)
            }
            (Step::FillMissing { column: c, value: Some(v), .. }, Cell::Missing) if c == column => match v {
                FillValue::Number(x) => Cell::Number(*x),
                FillValue::Text(t) => Cell::Text(t),
            },
            (
                Step::Outliers { column: c, action: OutlierAction::Clip, bounds: Some([lo, hi]), .. },
                Cell::Number(x),
            ) if c == column => Cell::Number(x.clamp(*lo, *hi)),
            _ => cell,
        }
    }
}

impl FillValue {
    pub fn text(&self) -> String {
        match self {
            FillValue::Number(x) => format_number(*x),
            FillValue::Text(t) => t.clone(),
        }
    }
}

/// Applies `steps` in order to `table`, fitting each unfitted one on the training rows
/// of `split` as they are at that step. Rows dropped leave every part of the split.
pub fn clean(table: &Table, steps: &[Step], split: &Split) -> Result<Cleaned> {
    let mut table = table.clone();
    let mut split = split.clone();
    let mut fitted = Vec::with_capacity(steps.len());
    let mut reports = Vec::with_capacity(steps.len());
    let mut missing = missing_cells(&table);
    for step in steps {
        for name in step.columns() {
            table.column(name).map_err(|e| Error::InvalidConfig(format!("step \"{}\": {e}", step.label())))?;
        }
        let (rows_before, missing_before) = (table.rows(), missing);
        let step = fit(step, &table, &split.train)?;
        // Fills, clips and type changes touch one column: only that one is counted again.
        let one_column = match &step {
            Step::FillMissing { column, .. } | Step::AsCategory { column } | Step::AsNumber { column } => {
                Some(column.as_str())
            }
            Step::Outliers { column, action: OutlierAction::Clip, .. } => Some(column.as_str()),
            _ => None,
        };
        let column_missing = |table: &Table, name: &str| table.column(name).map_or(0, missing_in);
        let before = one_column.map(|c| column_missing(&table, c));
        apply(&step, &mut table, &mut split)?;
        missing = match (one_column, before) {
            (Some(c), Some(before)) => missing_before - before + column_missing(&table, c),
            _ => missing_cells(&table),
        };
        reports.push(StepReport {
            step: step.label(),
            rows_before,
            rows_after: table.rows(),
            missing_before,
            missing_after: missing,
        });
        fitted.push(step);
    }
    Ok(Cleaned { table, split, steps: fitted, reports })
}

/// The step with its numbers computed from `train` rows, unless it has them already.
fn fit(step: &Step, table: &Table, train: &[usize]) -> Result<Step> {
    let mut step = step.clone();
    match &mut step {
        Step::FillMissing { column, with, value } => {
            let data = &table.column(column)?.data;
            match (with, &value, data) {
                (Fill::Constant, None, _) => {
                    return Err(Error::InvalidConfig(format!("filling `{column}` with a constant needs its value")));
                }
                (Fill::Constant, Some(FillValue::Text(t)), ColumnData::Numeric(_)) => {
                    // A number typed as text in a JSON recipe is still a number.
                    let x = t.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                        Error::InvalidConfig(format!("`{column}` is numeric: fill it with a number, not `{t}`"))
                    })?;
                    *value = Some(FillValue::Number(x));
                }
                (Fill::Constant, Some(FillValue::Number(x)), ColumnData::Categorical(_)) => {
                    *value = Some(FillValue::Text(format_number(*x)));
                }
                // Fitted already, or a constant given as the column's type.
                (_, Some(_), _) => {}
                (Fill::Mean | Fill::Median, None, ColumnData::Categorical(_)) => {
                    return Err(Error::InvalidConfig(format!(
                        "`{column}` holds categories: fill it with the most frequent value or a constant"
                    )));
                }
                (Fill::Mean, None, ColumnData::Numeric(v)) => {
                    let known: Vec<f64> = train.iter().filter_map(|&r| v[r]).collect();
                    *value =
                        Some(FillValue::Number(nonempty(&known, column)?.iter().sum::<f64>() / known.len() as f64));
                }
                (Fill::Median, None, ColumnData::Numeric(v)) => {
                    let mut known: Vec<f64> = train.iter().filter_map(|&r| v[r]).collect();
                    known.sort_unstable_by(f64::total_cmp);
                    *value = Some(FillValue::Number(quantile(nonempty(&known, column)?, 0.5)));
                }
                (Fill::Mode, None, ColumnData::Numeric(v)) => {
                    let mut known: Vec<f64> = train.iter().filter_map(|&r| v[r]).collect();
                    known.sort_unstable_by(f64::total_cmp);
                    nonempty(&known, column)?;
                    *value = Some(FillValue::Number(*most_frequent(&known)));
                }
                (Fill::Mode, None, ColumnData::Categorical(v)) => {
                    let mut counts: HashMap<&str, usize> = HashMap::new();
                    for text in train.iter().filter_map(|&r| v[r].as_deref()) {
                        *counts.entry(text).or_default() += 1;
                    }
                    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
                    counts.sort_unstable();
                    nonempty(&counts, column)?;
                    // The first (smallest) of the most frequent.
                    let mode = counts.iter().fold(counts[0], |best, &c| if c.1 > best.1 { c } else { best });
                    *value = Some(FillValue::Text(mode.0.to_string()));
                }
            }
        }
        // Compared with trimmed cells, so trimmed too (a recipe written by hand may pad them).
        Step::MissingMarkers { markers } => markers.iter_mut().for_each(|m| *m = m.trim().to_string()),
        Step::Outliers { column, method, threshold, bounds, .. } if bounds.is_none() => {
            let ColumnData::Numeric(v) = &table.column(column)?.data else {
                return Err(Error::InvalidConfig(format!("`{column}` holds categories: it has no numeric outliers")));
            };
            let mut known: Vec<f64> = train.iter().filter_map(|&r| v[r]).collect();
            nonempty(&known, column)?;
            let k = threshold.unwrap_or(match method {
                OutlierMethod::Iqr => 1.5,
                OutlierMethod::Zscore => 3.0,
            });
            if !(k.is_finite() && k > 0.0) {
                return Err(Error::InvalidConfig(format!("the outlier threshold for `{column}` must be above 0")));
            }
            *threshold = Some(k);
            *bounds = Some(match method {
                OutlierMethod::Iqr => {
                    known.sort_unstable_by(f64::total_cmp);
                    let (q1, q3) = (quantile(&known, 0.25), quantile(&known, 0.75));
                    [q1 - k * (q3 - q1), q3 + k * (q3 - q1)]
                }
                OutlierMethod::Zscore => {
                    let n = known.len() as f64;
                    let mean = known.iter().sum::<f64>() / n;
                    let std = (known.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
                    [mean - k * std, mean + k * std]
                }
            });
        }
        _ => {}
    }
    Ok(step)
}

fn apply(step: &Step, table: &mut Table, split: &mut Split) -> Result<()> {
    match step {
        Step::DropDuplicates => {
            let duplicates = super::profile::duplicate_rows(table);
            let mut keep = vec![true; table.rows()];
            for r in duplicates {
                keep[r] = false;
            }
            keep_rows(table, split, &keep)
        }
        Step::DropColumns { columns } => {
            let kept: Vec<Column> = table.columns().iter().filter(|c| !columns.contains(&c.name)).cloned().collect();
            if kept.is_empty() {
                return Err(Error::InvalidConfig("dropping these columns would leave none".into()));
            }
            *table = Table::new(kept)?;
            Ok(())
        }
        Step::DropMissing { columns } => {
            let checked: Vec<&Column> =
                table.columns().iter().filter(|c| columns.is_empty() || columns.contains(&c.name)).collect();
            let keep: Vec<bool> =
                (0..table.rows()).map(|r| checked.iter().all(|c| c.cell(r) != Cell::Missing)).collect();
            keep_rows(table, split, &keep)
        }
        Step::FillMissing { column, .. } => {
            map_column(table, column, |name, data| match data {
                ColumnData::Numeric(v) => v.iter_mut().for_each(|x| {
                    if x.is_none()
                        && let Cell::Number(filled) = step.clean_cell(name, Cell::Missing)
                    {
                        *x = Some(filled);
                    }
                }),
                ColumnData::Categorical(v) => v.iter_mut().for_each(|x| {
                    if x.is_none()
                        && let Cell::Text(filled) = step.clean_cell(name, Cell::Missing)
                    {
                        *x = Some(filled.to_string());
                    }
                }),
            });
            Ok(())
        }
        Step::Outliers { column, action, bounds, .. } => {
            let [lo, hi] = bounds.expect("fitted before applied");
            match action {
                OutlierAction::Clip => {
                    map_column(table, column, |_, data| {
                        if let ColumnData::Numeric(v) = data {
                            v.iter_mut().flatten().for_each(|x| *x = x.clamp(lo, hi));
                        }
                    });
                    Ok(())
                }
                OutlierAction::Drop => {
                    let c = table.column(column)?;
                    let keep: Vec<bool> =
                        (0..table.rows()).map(|r| !matches!(c.cell(r), Cell::Number(x) if x < lo || x > hi)).collect();
                    keep_rows(table, split, &keep)
                }
            }
        }
        Step::AsCategory { column } => {
            map_column(table, column, |_, data| {
                if let ColumnData::Numeric(v) = data {
                    *data = ColumnData::Categorical(v.iter().map(|x| x.map(format_number)).collect());
                }
            });
            Ok(())
        }
        Step::AsNumber { column } => {
            map_column(table, column, |_, data| {
                if let ColumnData::Categorical(v) = data {
                    *data = numbers_of(v);
                }
            });
            Ok(())
        }
        Step::MissingMarkers { markers } => {
            let numbers: Vec<f64> = numeric_markers(markers).collect();
            for column in table.columns_mut() {
                match &mut column.data {
                    ColumnData::Numeric(v) => {
                        v.iter_mut().filter(|x| x.is_some_and(|x| numbers.contains(&x))).for_each(|x| *x = None)
                    }
                    ColumnData::Categorical(v) => {
                        v.iter_mut().filter(|x| x.as_deref().is_some_and(|t| is_marker(t, markers))).for_each(|x| {
                            *x = None;
                        });
                        let mut known = v.iter().flatten().peekable();
                        if known.peek().is_some() && known.all(|t| parse_number(t).is_some()) {
                            column.data = numbers_of(v);
                        }
                    }
                }
            }
            Ok(())
        }
    }
}

/// Text cells read as numbers; those that are not numbers become missing.
fn numbers_of(texts: &[Option<String>]) -> ColumnData {
    ColumnData::Numeric(texts.iter().map(|x| x.as_deref().and_then(parse_number)).collect())
}

/// Whether a text cell is one of `markers`, as text or as the same number (`-999.0`).
fn is_marker(text: &str, markers: &[String]) -> bool {
    is_one_of(text, markers) || parse_number(text).is_some_and(|x| numeric_markers(markers).any(|m| m == x))
}

/// The markers that are numbers (`-999`), to compare with numeric cells.
fn numeric_markers(markers: &[String]) -> impl Iterator<Item = f64> + '_ {
    markers.iter().filter_map(|m| parse_number(m))
}

/// Changes one column's values in place (same length).
fn map_column(table: &mut Table, name: &str, f: impl FnOnce(&str, &mut ColumnData)) {
    if let Some(c) = table.columns_mut().iter_mut().find(|c| c.name == name) {
        f(&c.name, &mut c.data);
    }
}

/// Keeps the rows where `keep` is true, renumbering the split's rows.
fn keep_rows(table: &mut Table, split: &mut Split, keep: &[bool]) -> Result<()> {
    let mut new_index = vec![usize::MAX; keep.len()];
    let mut next = 0;
    for (r, &k) in keep.iter().enumerate() {
        if k {
            new_index[r] = next;
            next += 1;
        }
    }
    if next == 0 {
        return Err(Error::InvalidConfig("this step would drop every row".into()));
    }
    let columns = table
        .columns()
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            data: match &c.data {
                ColumnData::Numeric(v) => ColumnData::Numeric(select(v, keep)),
                ColumnData::Categorical(v) => ColumnData::Categorical(select(v, keep)),
            },
        })
        .collect();
    *table = Table::new(columns)?;
    for part in [&mut split.train, &mut split.valid, &mut split.test] {
        *part = part.iter().filter(|&&r| keep[r]).map(|&r| new_index[r]).collect();
    }
    Ok(())
}

fn select<T: Clone>(values: &[T], keep: &[bool]) -> Vec<T> {
    values.iter().zip(keep).filter(|(_, k)| **k).map(|(v, _)| v.clone()).collect()
}

/// Missing cells in the whole table.
pub fn missing_cells(table: &Table) -> usize {
    table.columns().iter().map(missing_in).sum()
}

fn missing_in(column: &Column) -> usize {
    match &column.data {
        ColumnData::Numeric(v) => v.iter().filter(|x| x.is_none()).count(),
        ColumnData::Categorical(v) => v.iter().filter(|x| x.is_none()).count(),
    }
}

/// The most frequent of sorted values; the first (smallest) of equally frequent ones.
fn most_frequent<T: PartialEq>(sorted: &[T]) -> &T {
    let (mut best, mut best_count) = (&sorted[0], 0);
    for run in sorted.chunk_by(|a, b| a == b) {
        if run.len() > best_count {
            (best, best_count) = (&run[0], run.len());
        }
    }
    best
}

fn nonempty<'a, T>(values: &'a [T], column: &str) -> Result<&'a [T]> {
    if values.is_empty() {
        return Err(Error::InvalidConfig(format!("`{column}` has no values in the training rows to fit this step on")));
    }
    Ok(values)
}

fn plural<T>(items: &[T]) -> &'static str {
    if items.len() == 1 { "" } else { "s" }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnKind;

    fn table() -> Table {
        Table::from_csv_bytes(b"x,c,y\n1,a,p\n2,,q\n,b,p\n100,a,q\n1,a,p\n3,b,p\n").unwrap()
    }

    fn all_train(rows: usize) -> Split {
        Split { train: (0..rows).collect(), valid: Vec::new(), test: Vec::new() }
    }

    #[test]
    fn steps_apply_in_order_and_report_counts() {
        let t = table();
        let steps = vec![
            Step::DropDuplicates,
            Step::FillMissing { column: "x".into(), with: Fill::Median, value: None },
            Step::FillMissing { column: "c".into(), with: Fill::Mode, value: None },
            Step::Outliers {
                column: "x".into(),
                method: OutlierMethod::Iqr,
                threshold: None,
                action: OutlierAction::Drop,
                bounds: None,
            },
        ];
        let out = clean(&t, &steps, &all_train(6)).unwrap();
        let counts: Vec<_> =
            out.reports.iter().map(|r| (r.rows_before, r.rows_after, r.missing_before, r.missing_after)).collect();
        assert_eq!(counts, [(6, 5, 2, 2), (5, 5, 2, 1), (5, 5, 1, 0), (5, 4, 0, 0)]);
        // Median of 1, 2, 100, 3 is 2.5; the mode of a, a, b is a.
        assert_eq!(
            out.steps[1],
            Step::FillMissing { column: "x".into(), with: Fill::Median, value: Some(FillValue::Number(2.5)) }
        );
        assert_eq!(out.table.column("c").unwrap().text(1).as_deref(), Some("a"));
        assert_eq!(out.split.train, vec![0, 1, 2, 3]);
        // Applying the fitted steps again changes nothing more.
        let again = clean(&out.table, &out.steps, &out.split).unwrap();
        assert_eq!(again.table, out.table);
    }

    #[test]
    fn missing_markers_and_types_change_how_cells_read_here_and_at_prediction() {
        let t = Table::from_csv_bytes(b"age,code,price\n31,7,$5\nunknown,-999,12\n40,8,n/a\n").unwrap();
        assert_eq!(t.column("age").unwrap().kind(), ColumnKind::Categorical);
        let steps = vec![
            Step::MissingMarkers { markers: vec!["Unknown".into(), "-999".into()] },
            Step::AsNumber { column: "price".into() },
            Step::AsCategory { column: "code".into() },
        ];
        let out = clean(&t, &steps, &all_train(3)).unwrap();
        let age = out.table.column("age").unwrap();
        assert_eq!((age.kind(), age.cell(1), age.cell(2)), (ColumnKind::Numeric, Cell::Missing, Cell::Number(40.0)));
        let price = out.table.column("price").unwrap();
        assert_eq!((price.cell(0), price.cell(1)), (Cell::Missing, Cell::Number(12.0)));
        assert_eq!(out.table.column("code").unwrap().cell(0), Cell::Text("7"));
        let counts: Vec<_> = out.reports.iter().map(|r| (r.missing_before, r.missing_after)).collect();
        assert_eq!(counts, [(1, 3), (3, 4), (4, 4)]);
        assert_eq!(out.reports[0].step, "read `Unknown`, `-999` as missing");
        // One prediction's cells read the same way.
        let read = |column: &str, cell| steps.iter().fold(cell, |c, s| s.clean_cell(column, c));
        assert_eq!(read("age", Cell::Text(" UNKNOWN ")), Cell::Missing);
        assert_eq!(read("code", Cell::Number(-999.0)), Cell::Missing);
        assert_eq!(read("price", Cell::Text("12.5")), Cell::Number(12.5));
        assert_eq!(read("price", Cell::Text("$5")), Cell::Missing);
    }

    #[test]
    fn fitting_reads_only_training_rows() {
        let t = table();
        let split = Split { train: vec![0, 1], valid: vec![2], test: vec![3, 4, 5] };
        let out =
            clean(&t, &[Step::FillMissing { column: "x".into(), with: Fill::Mean, value: None }], &split).unwrap();
        assert_eq!(out.table.column("x").unwrap().cell(2), Cell::Number(1.5));
    }

    #[test]
    fn bad_steps_say_what_is_wrong() {
        let t = table();
        let err = |step: Step| clean(&t, &[step], &all_train(6)).unwrap_err().to_string();
        assert!(err(Step::AsCategory { column: "z".into() }).contains("`z` does not exist"));
        assert!(
            err(Step::FillMissing { column: "c".into(), with: Fill::Mean, value: None }).contains("holds categories")
        );
        let text = Some(FillValue::Text("abc".into()));
        assert!(
            err(Step::FillMissing { column: "x".into(), with: Fill::Constant, value: text }).contains("with a number")
        );
        assert!(err(Step::DropColumns { columns: vec!["x".into(), "c".into(), "y".into()] }).contains("leave none"));
    }

    #[test]
    fn cells_are_filled_and_clipped_at_prediction_time() {
        let clip = Step::Outliers {
            column: "x".into(),
            method: OutlierMethod::Zscore,
            threshold: Some(1.0),
            action: OutlierAction::Clip,
            bounds: Some([0.0, 10.0]),
        };
        assert_eq!(clip.clean_cell("x", Cell::Number(50.0)), Cell::Number(10.0));
        assert_eq!(clip.clean_cell("c", Cell::Number(50.0)), Cell::Number(50.0));
        let json = serde_json::to_string(&clip).unwrap();
        assert_eq!(serde_json::from_str::<Step>(&json).unwrap(), clip);
    }
}
