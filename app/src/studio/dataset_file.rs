//! The file the loaded dataset came from. The studio holds it once: a run on a server
//! uploads it, the project keeps it, a replaced worker reads it again, and a resumable
//! run stores it, each from this one buffer (a copy is made only for what is
//! transferred to the worker, which takes its buffer away from the tab).

use js_sys::ArrayBuffer;
use leptos::prelude::*;

use super::Studio;

/// A dataset's file: its name and bytes.
#[derive(Clone)]
pub struct DatasetFile {
    /// The file's name, as the user gave it.
    pub name: String,
    /// Its bytes (without the ragged rows the user chose to skip).
    pub bytes: ArrayBuffer,
}

impl Studio {
    /// The loaded dataset's file: its name and the held buffer (not a copy).
    pub fn dataset_file(&self) -> Option<DatasetFile> {
        self.file.with_value(Clone::clone)
    }

    /// The file sent last parsed: it is the dataset a run starts on. `kept` replaces its
    /// bytes when the worker kept less of it (ragged rows skipped). A file that failed
    /// leaves the dataset before it in place, as the worker does.
    pub(super) fn file_loaded(&self, kept: Option<ArrayBuffer>) {
        if let Some(mut file) = self.pending_file.try_update_value(Option::take).flatten() {
            if let Some(kept) = kept {
                file.bytes = kept;
            }
            self.file.set_value(Some(file));
        }
    }
}
