//! The kinds of data a dataset can hold. Each kind brings its own import, profile,
//! recipe and batcher; a model family says which kinds it reads, and a bundle records the
//! kind its model was trained on.

use serde::{Deserialize, Serialize};

/// What a dataset holds. Text and time series join as their imports are built, so no
/// part of Fornax offers a kind it cannot load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// Rows and typed columns, from a CSV.
    #[default]
    Tabular,
    /// Labelled pictures: a folder whose subfolders are the classes.
    Images,
}

impl DataKind {
    /// The kind's name in JSON and in messages.
    pub fn name(self) -> &'static str {
        match self {
            DataKind::Tabular => "tabular",
            DataKind::Images => "images",
        }
    }
}
