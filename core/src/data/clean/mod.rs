//! Cleaning steps, applied in the order the user added them. A step that needs numbers
//! from the data (a fill value, outlier bounds) is fitted on the training rows only and
//! keeps them, so applying it again, to a new file or to one prediction, gives the same
//! result. Steps that drop rows clean the dataset; a prediction is never dropped.

mod apply;
mod fit;
mod step;

use serde::{Deserialize, Serialize};

pub use step::{Fill, FillValue, OutlierAction, OutlierMethod, Step};

use crate::data::{Column, ColumnData, Split, Table};
use crate::{Error, Result};

/// What one step did: the preview the studio shows beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// The step's [`Step::label`].
    pub step: String,
    /// Rows in the table before the step.
    pub rows_before: usize,
    /// Rows after it: fewer when it drops rows.
    pub rows_after: usize,
    /// Missing cells in the whole table before the step.
    pub missing_before: usize,
    /// Missing cells in the whole table after it.
    pub missing_after: usize,
}

/// A table after cleaning, with its split carried through the dropped rows and the
/// steps as fitted.
#[derive(Debug, Clone)]
pub struct Cleaned {
    /// The table after every step.
    pub table: Table,
    /// The split given, without the dropped rows and renumbered to match `table`.
    pub split: Split,
    /// The steps with their fitted values, for the recipe to keep and replay.
    pub steps: Vec<Step>,
    /// What each step did, one report per step, in order.
    pub reports: Vec<StepReport>,
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
        let step = fit::fit(step, &table, &split.train)?;
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
        apply::apply(&step, &mut table, &mut split)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Cell, ColumnKind};

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
