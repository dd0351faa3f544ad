//! The kinds of data a dataset can hold. Each kind brings its own import, profile,
//! recipe and batcher; a model family says which kinds it reads, and a bundle records the
//! kind its model was trained on.

use serde::{Deserialize, Serialize};

/// What a dataset holds. Only tables exist today: images, text and time series join as
/// their imports are built, so no part of Fornax offers a kind it cannot load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// Rows and typed columns, from a CSV.
    #[default]
    Tabular,
}

impl DataKind {
    /// The kind's name in JSON and in messages.
    pub fn name(self) -> &'static str {
        match self {
            DataKind::Tabular => "tabular",
        }
    }
}
