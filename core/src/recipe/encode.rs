//! Applying a fitted recipe: rows and tables to model inputs, the target to labels.

use super::{Recipe, TargetEncoding, Targets};
use crate::data::{Cell, Step, Table};
use crate::{Error, Result};

impl Recipe {
    /// Encodes one row; `cell(name)` gives the row's value for a column, `None` when the
    /// column is absent. Appends to `out`. Errors are `(column, message, type)`.
    pub fn encode_row<'a, T: Scalar>(
        &'a self,
        cell: impl Fn(&str) -> Option<Cell<'a>>,
        out: &mut Vec<T>,
    ) -> std::result::Result<(), Vec<(String, String, &'static str)>> {
        // The fitted cleaning first: fills and clips, in the order they were added.
        let cell = |name: &str| cell(name).map(|c| self.steps.iter().fold(c, |c, step| step.clean_cell(name, c)));
        let mut errors = Vec::new();
        for feature in &self.features {
            let start = out.len();
            out.resize(start + feature.width(), T::from_f64(0.0));
            match cell(feature.name()) {
                None => errors.push((feature.name().to_string(), "field required".into(), "missing")),
                Some(c) => {
                    if let Err((msg, kind)) = feature.encode(c, &mut out[start..]) {
                        errors.push((feature.name().to_string(), msg, kind));
                    }
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Encodes `rows` of a table into a row-major `rows x width` matrix. Errors name the
    /// CSV line (row index + 2: one for the header, one because lines count from 1).
    /// Each feature's column and cleaning steps are looked up once, not per row.
    pub fn encode_table<T: Scalar>(&self, table: &Table, rows: &[usize]) -> Result<Vec<T>> {
        let width = self.width();
        let mut out = vec![T::from_f64(0.0); rows.len() * width];
        let mut plan = Vec::with_capacity(self.features.len());
        let mut offset = 0;
        for feature in &self.features {
            let name = feature.name();
            let steps: Vec<&Step> = self.steps.iter().filter(|s| s.touches(name)).collect();
            plan.push((feature, table.column(name)?, steps, offset));
            offset += feature.width();
        }
        for (i, &row) in rows.iter().enumerate() {
            let out_row = &mut out[i * width..(i + 1) * width];
            for (feature, column, steps, offset) in &plan {
                let cell = steps.iter().fold(column.cell(row), |c, step| step.clean_cell(&column.name, c));
                if let Err((msg, _)) = feature.encode(cell, &mut out_row[*offset..*offset + feature.width()]) {
                    let msg = format!("column `{}`: {msg}", column.name);
                    return Err(Error::Csv { line: row as u64 + 2, msg });
                }
            }
        }
        Ok(out)
    }

    /// The training labels of `rows`; rows must have a target value.
    pub fn encode_targets(&self, table: &Table, rows: &[usize]) -> Result<Targets> {
        let column = table.column(&self.target)?;
        match &self.target_encoding {
            TargetEncoding::Classes { classes } => rows
                .iter()
                .map(|&r| {
                    let text = column.text(r).unwrap_or_default();
                    classes.binary_search(&text).map(|i| i as i64).map_err(|_| {
                        Error::InvalidTarget(format!(
                            "line {}: class `{text}` of `{}` was not in the training rows",
                            r + 2,
                            self.target
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map(Targets::Classes),
            TargetEncoding::Standardize { mean, std } => rows
                .iter()
                .map(|&r| match column.cell(r) {
                    Cell::Number(x) => Ok(((x - mean) / std) as f32),
                    _ => Err(Error::InvalidTarget(format!("line {}: target `{}` is not a number", r + 2, self.target))),
                })
                .collect::<Result<Vec<_>>>()
                .map(Targets::Values),
        }
    }
}

/// What encoded rows are made of: f32 for models, f64 to check against other tools.
pub trait Scalar: Copy {
    /// The value in this type (an `f32` rounds it, and overflows to infinity).
    fn from_f64(x: f64) -> Self;
    /// Whether it is neither infinite nor NaN; encoding refuses a value that is not.
    fn is_finite(self) -> bool;
}

impl Scalar for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}

impl Scalar for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}
