//! The datasets directory: CSVs uploaded for training jobs, one `NAME.csv` each. An
//! upload is parsed before it is stored (a ragged or non-UTF-8 file is refused with
//! where it went wrong) and written atomically over any previous one.

use std::path::{Path, PathBuf};

use fornax_core::data::Table;

use super::put_error::PutError;

pub struct Datasets {
    dir: PathBuf,
}

impl Datasets {
    pub fn new(dir: &Path) -> Self {
        Datasets { dir: dir.to_path_buf() }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.csv"))
    }

    /// Checks the CSV parses, then stores it; returns the parsed table.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<Table, PutError> {
        let table = Table::from_csv_bytes(bytes).map_err(|e| PutError::Invalid(e.to_string()))?;
        crate::atomic_file::write(&self.path(name), bytes)
            .map_err(|e| PutError::Storage(format!("the server could not save the dataset ({e}); nothing changed")))?;
        Ok(table)
    }

    /// Reads and parses a stored dataset.
    pub fn table(&self, name: &str) -> Result<Table, String> {
        let bytes = std::fs::read(self.path(name)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("there is no dataset `{name}` on this server: upload it with PUT /v1/datasets/{name}")
            }
            _ => format!("cannot read dataset `{name}`: {e}"),
        })?;
        Table::from_csv_bytes(&bytes).map_err(|e| format!("dataset `{name}`: {e}"))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).is_file()
    }
}
