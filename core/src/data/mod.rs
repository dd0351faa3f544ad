//! Tabular data: import, typed columns, and seeded splits.

mod csv_import;
pub(crate) mod split;
mod table;

pub use split::{Split, split_rows};
pub use table::{Cell, Column, ColumnData, ColumnKind, ColumnSummary, Table, format_number};

/// Cell texts that mean "no value", compared case-insensitively after trimming.
pub const MISSING_MARKERS: [&str; 6] = ["", "na", "n/a", "nan", "null", "?"];

/// Whether a cell's text is one of the [`MISSING_MARKERS`].
pub fn is_missing(text: &str) -> bool {
    let t = text.trim();
    MISSING_MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m))
}
