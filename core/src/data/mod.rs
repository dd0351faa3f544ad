//! Tabular data: import, typed columns, profiles, cleaning steps, seeded splits and
//! distribution checks.

pub mod clean;
mod csv_export;
mod csv_import;
pub mod drift;
pub mod prep;
pub mod profile;
pub(crate) mod split;
mod table;

pub use clean::{Cleaned, Step, StepReport, clean};
pub use prep::{Encoding, Prep, Scaling};
pub use profile::{DatasetProfile, DetectedType};
pub use split::{Split, split_rows};
pub use table::{Cell, Column, ColumnData, ColumnKind, ColumnSummary, Table, format_number};

/// Cell texts that mean "no value", compared case-insensitively after trimming.
pub const MISSING_MARKERS: [&str; 6] = ["", "na", "n/a", "nan", "null", "?"];

/// Whether a cell's text is one of the [`MISSING_MARKERS`].
pub fn is_missing(text: &str) -> bool {
    let t = text.trim();
    MISSING_MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m))
}
