//! One cleaning step as the recipe stores it, its label, and its effect on one cell
//! at prediction time.

use serde::{Deserialize, Serialize};

use crate::data::{Cell, format_number, is_one_of, parse_number};

/// One step of the data plan. In JSON, an object tagged by `step`, such as
/// `{"step": "as_number", "column": "price"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Drops rows equal in every column to an earlier row.
    DropDuplicates,
    /// Drops columns (their role is "ignore").
    DropColumns {
        /// Names of the columns to drop.
        columns: Vec<String>,
    },
    /// Drops rows missing a value in any of `columns` (in any column when empty).
    DropMissing {
        /// Columns to check; empty checks every column.
        #[serde(default)]
        columns: Vec<String>,
    },
    /// Fills missing values of `column`; `value` is fitted, or given for `constant`.
    FillMissing {
        /// The column to fill.
        column: String,
        /// How the value is chosen.
        with: Fill,
        /// The value: fitted on the training rows, or given for `constant`; `None` until fitted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<FillValue>,
    },
    /// Clips (or drops the rows of) values of `column` outside `bounds`, fitted as
    /// `[q1 - k iqr, q3 + k iqr]` or `mean -/+ k std` (population std, as scipy's zscore).
    Outliers {
        /// The numeric column to check.
        column: String,
        /// How the bounds are fitted.
        method: OutlierMethod,
        /// k; 1.5 for IQR and 3 for z-scores when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        threshold: Option<f64>,
        /// What happens to a value outside the bounds.
        action: OutlierAction,
        /// `[low, high]`, fitted on the training rows; `None` until fitted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bounds: Option<[f64; 2]>,
    },
    /// Reads a numeric column as categories (a zip code, a class number).
    AsCategory {
        /// The column to read as categories.
        column: String,
    },
    /// Reads a text column as numbers; cells that are not a number become missing.
    AsNumber {
        /// The column to read as numbers.
        column: String,
    },
    /// Reads these texts (trimmed, any ASCII case) as missing in every column, beside
    /// the built-in [`super::MISSING_MARKERS`]. A text column whose other cells are all
    /// numbers becomes numeric, as the import would have read it.
    MissingMarkers {
        /// The texts; one that is a number also matches equal numbers (`-999` matches `-999.0`).
        markers: Vec<String>,
    },
}

/// How [`Step::FillMissing`] chooses its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fill {
    /// The mean of the training rows' values (numeric columns only).
    Mean,
    /// The median of the training rows' values (numeric columns only).
    Median,
    /// The most frequent value (the smallest of equally frequent ones, as scikit-learn).
    Mode,
    /// A value the user gives, converted to the column's type when fitted.
    Constant,
}

/// A fill value; untagged in JSON, so a bare number or string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FillValue {
    /// Fills a numeric column.
    Number(f64),
    /// Fills a categorical column.
    Text(String),
}

/// How [`Step::Outliers`] fits its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierMethod {
    /// Tukey's fences: `[q1 - k iqr, q3 + k iqr]`.
    Iqr,
    /// `mean -/+ k std`, with the population std.
    Zscore,
}

/// What [`Step::Outliers`] does with a value outside its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierAction {
    /// Replaces it with the nearer bound, in the dataset and at prediction time.
    Clip,
    /// Drops its row from the dataset; at prediction time the value is left as it is.
    Drop,
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
    pub(super) fn columns(&self) -> Vec<&str> {
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
    /// The value as text, numbers as [`format_number`] writes them (for the step's label).
    pub fn text(&self) -> String {
        match self {
            FillValue::Number(x) => format_number(*x),
            FillValue::Text(t) => t.clone(),
        }
    }
}

/// Whether a text cell is one of `markers`, as text or as the same number (`-999.0`).
pub(super) fn is_marker(text: &str, markers: &[String]) -> bool {
    is_one_of(text, markers) || parse_number(text).is_some_and(|x| numeric_markers(markers).any(|m| m == x))
}

/// The markers that are numbers (`-999`), to compare with numeric cells.
pub(super) fn numeric_markers(markers: &[String]) -> impl Iterator<Item = f64> + '_ {
    markers.iter().filter_map(|m| parse_number(m))
}

fn plural<T>(items: &[T]) -> &'static str {
    if items.len() == 1 { "" } else { "s" }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}
