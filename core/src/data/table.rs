//! A table of typed columns with missing values.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The values of one column. Numbers are parsed once at import; everything that is
/// not a number in every non-missing cell stays text and is treated as a category.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers, one per row; `None` where the cell is missing.
    Numeric(Vec<Option<f64>>),
    /// Texts (trimmed at import), one per row; `None` where the cell is missing.
    Categorical(Vec<Option<String>>),
}

/// Whether a column holds numbers or categories (`numeric` or `categorical` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Every value is a number.
    Numeric,
    /// Values are texts, each one a category.
    Categorical,
}

/// A named column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name, from the CSV header (trimmed).
    pub name: String,
    /// The values, one per row.
    pub data: ColumnData,
}

/// One cell, borrowed: what a recipe reads, whether it came from a CSV or a JSON request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// No value: an empty cell, a missing marker, or JSON `null`.
    Missing,
    /// A number, from a numeric column or a JSON number.
    Number(f64),
    /// A text, from a categorical column or a JSON string or boolean.
    Text(&'a str),
}

/// What the column table in the tab shows for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// The column's name.
    pub name: String,
    /// Numeric or categorical.
    pub kind: ColumnKind,
    /// Cells with no value.
    pub missing: usize,
    /// Distinct values, missing not counted (numbers compared as formatted text).
    pub unique: usize,
    /// Up to three distinct example values, as text.
    pub examples: Vec<String>,
}

/// Named columns of equal length: row `r` is index `r` of every column.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
}

impl Column {
    /// Numeric or categorical, from the values the column holds.
    pub fn kind(&self) -> ColumnKind {
        match self.data {
            ColumnData::Numeric(_) => ColumnKind::Numeric,
            ColumnData::Categorical(_) => ColumnKind::Categorical,
        }
    }

    /// Number of cells (rows), missing ones included.
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Categorical(v) => v.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell in `row`, borrowed; panics when `row` is past the end.
    pub fn cell(&self, row: usize) -> Cell<'_> {
        match &self.data {
            ColumnData::Numeric(v) => v[row].map_or(Cell::Missing, Cell::Number),
            ColumnData::Categorical(v) => v[row].as_deref().map_or(Cell::Missing, Cell::Text),
        }
    }

    /// The cell as text (numbers formatted as [`format_number`] does), `None` when missing.
    pub fn text(&self, row: usize) -> Option<String> {
        match self.cell(row) {
            Cell::Missing => None,
            Cell::Number(x) => Some(format_number(x)),
            Cell::Text(s) => Some(s.to_string()),
        }
    }

    /// Counts and up to three examples, for the column table in the tab.
    pub fn summary(&self) -> ColumnSummary {
        let mut distinct: Vec<String> = (0..self.len()).filter_map(|r| self.text(r)).collect();
        let missing = self.len() - distinct.len();
        let mut examples = Vec::new();
        for value in &distinct {
            if examples.len() == 3 {
                break;
            }
            if !examples.contains(value) {
                examples.push(value.clone());
            }
        }
        distinct.sort_unstable();
        distinct.dedup();
        ColumnSummary { name: self.name.clone(), kind: self.kind(), missing, unique: distinct.len(), examples }
    }
}

impl Table {
    /// Builds a table from columns of equal length.
    pub fn new(columns: Vec<Column>) -> Result<Self> {
        let rows = columns.first().map_or(0, Column::len);
        if let Some(c) = columns.iter().find(|c| c.len() != rows) {
            return Err(Error::InvalidConfig(format!(
                "column `{}` has {} values but the table has {rows} rows",
                c.name,
                c.len()
            )));
        }
        Ok(Self { columns, rows })
    }

    /// Number of data rows (the header not counted).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The columns, by value, taking the table apart.
    pub fn into_columns(self) -> Vec<Column> {
        self.columns
    }

    /// The columns, to change their values in place; their lengths must stay the same.
    pub(crate) fn columns_mut(&mut self) -> &mut [Column] {
        &mut self.columns
    }

    /// The column names, in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The column called `name`, or an error that lists the columns there are.
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::UnknownColumn { name: name.to_string(), available: self.column_names().join(", ") })
    }

    /// One [`ColumnSummary`] per column, in order.
    pub fn summaries(&self) -> Vec<ColumnSummary> {
        self.columns.iter().map(Column::summary).collect()
    }

    /// SHA-256 (hex) of the names, kinds and values: equal for the same data read twice,
    /// so a checkpoint can tell it is resumed on the data it was made from.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for column in &self.columns {
            hash.update((column.name.len() as u64).to_le_bytes());
            hash.update(column.name.as_bytes());
            match &column.data {
                ColumnData::Numeric(values) => {
                    hash.update([0]);
                    for v in values {
                        // Missing hashes apart from every number (NaN is never a value).
                        hash.update(v.unwrap_or(f64::NAN).to_le_bytes());
                    }
                }
                ColumnData::Categorical(values) => {
                    hash.update([1]);
                    for v in values {
                        match v {
                            Some(text) => {
                                hash.update([1]);
                                hash.update((text.len() as u64).to_le_bytes());
                                hash.update(text.as_bytes());
                            }
                            None => hash.update([0]),
                        }
                    }
                }
            }
        }
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Numbers as people write them: `3` rather than `3.0`, full precision otherwise.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_missing_and_unique() {
        let table = Table::from_csv_bytes(b"a,b\n1,x\n,y\n1,x\n").unwrap();
        let s = table.summaries();
        assert_eq!(s[0].kind, ColumnKind::Numeric);
        assert_eq!((s[0].missing, s[0].unique), (1, 1));
        assert_eq!(s[1].kind, ColumnKind::Categorical);
        assert_eq!((s[1].missing, s[1].unique), (0, 2));
        assert_eq!(s[1].examples, vec!["x", "y"]);
    }

    #[test]
    fn numbers_format_like_people_write_them() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-2.5), "-2.5");
    }
}
