//! The `fornax` subcommands other than `serve`. Each returns `Err(message)` for the
//! user; `main` prints it and exits non-zero.

pub mod clean;
pub mod doctor;
pub mod predict;
pub mod profile;
pub mod train;

use std::path::Path;

use fornax_core::data::Table;

/// Reads and parses a CSV, with the file name in any error.
pub fn read_table(path: &Path) -> Result<Table, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Table::from_csv_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}
