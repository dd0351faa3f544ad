//! The `fornax` subcommands other than `serve`. Each returns `Err(message)` for the
//! user; `main` prints it and exits non-zero.

pub mod clean;
pub mod doctor;
pub mod images;
pub mod predict;
pub mod profile;
pub mod train;

use std::path::Path;

use fornax_core::data::{Table, without_ragged_rows};

/// Reads and parses a CSV, with the file name in any error. With `skip_ragged`, rows
/// with more or fewer fields than the header are left out (and counted on stderr)
/// instead of stopping the read.
pub fn read_table(path: &Path, skip_ragged: bool) -> Result<Table, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let error = |e: fornax_core::Error| format!("{}: {e}", path.display());
    if skip_ragged && let Some((kept, ragged)) = without_ragged_rows(&bytes).map_err(error)? {
        eprintln!("{}: left out {}", path.display(), ragged.describe());
        return Table::from_csv_bytes(&kept).map_err(error);
    }
    Table::from_csv_bytes(&bytes).map_err(error)
}
