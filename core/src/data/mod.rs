//! Datasets ([`Dataset`], one variant per [`DataKind`]). For tables: import, typed
//! columns, profiles, cleaning steps, seeded splits and distribution checks; for
//! images ([`images`]): folder import, decoding, fitting and channel statistics.

pub mod clean;
mod csv_export;
mod csv_import;
mod dataset;
pub mod drift;
pub mod images;
mod kind;
pub mod prep;
pub mod profile;
pub mod ragged;
mod reading;
pub(crate) mod split;
mod table;

pub use clean::{Cleaned, Step, StepReport, clean};
pub use dataset::Dataset;
pub use kind::DataKind;
pub use prep::{Encoding, Prep, Scaling};
pub use profile::{DatasetProfile, DetectedType};
pub use ragged::{RaggedRows, without_ragged_rows};
pub use split::{Split, split_rows};
pub use table::{Cell, Column, ColumnData, ColumnKind, ColumnSummary, Table, format_number};

/// Cell texts that mean "no value", compared case-insensitively after trimming.
pub const MISSING_MARKERS: [&str; 6] = ["", "na", "n/a", "nan", "null", "?"];

/// Whether a cell's text is one of the [`MISSING_MARKERS`].
pub fn is_missing(text: &str) -> bool {
    is_one_of(text, &MISSING_MARKERS)
}

/// Whether a cell's text, trimmed, is one of `markers` (trimmed already), ignoring ASCII case.
pub fn is_one_of<S: AsRef<str>>(text: &str, markers: &[S]) -> bool {
    let t = text.trim();
    markers.iter().any(|m| t.eq_ignore_ascii_case(m.as_ref()))
}

/// A cell's text as a number, as the CSV import reads one: trimmed, finite.
pub fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}
