//! A dataset of any kind, as training reads it: one variant per [`DataKind`]. Training,
//! its checkpoints and its bundle take this, so a new kind is a new variant here and in
//! the places that match on it, never a second training function.

use super::images::ImageSet;
use super::{DataKind, Table};

/// A loaded dataset, borrowed: the caller keeps it (the worker between runs, a server
/// job for one run).
#[derive(Debug, Clone, Copy)]
pub enum Dataset<'a> {
    /// Rows and typed columns; the target is one of the columns.
    Tabular(&'a Table),
    /// Labelled images fitted to one square size; the target is their class.
    Images(&'a ImageSet),
}

impl Dataset<'_> {
    /// Its kind.
    pub fn kind(&self) -> DataKind {
        match self {
            Dataset::Tabular(_) => DataKind::Tabular,
            Dataset::Images(_) => DataKind::Images,
        }
    }

    /// A SHA-256 over its contents: a checkpoint resumes only on the data it was made
    /// from.
    pub fn fingerprint(&self) -> String {
        match self {
            Dataset::Tabular(table) => table.fingerprint(),
            Dataset::Images(set) => set.fingerprint(),
        }
    }

    /// How pictures were fitted into this set (`None` for a table): importing them
    /// again with these options gives the same set.
    pub fn image_options(&self) -> Option<super::images::ImageOptions> {
        match self {
            Dataset::Tabular(_) => None,
            Dataset::Images(set) => Some(super::images::ImageOptions { side: set.side, aspect: set.aspect }),
        }
    }
}

impl<'a> From<&'a Table> for Dataset<'a> {
    fn from(table: &'a Table) -> Self {
        Dataset::Tabular(table)
    }
}

impl<'a> From<&'a ImageSet> for Dataset<'a> {
    fn from(set: &'a ImageSet) -> Self {
        Dataset::Images(set)
    }
}
