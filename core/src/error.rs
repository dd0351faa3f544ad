//! One error type for the crate; every message says what went wrong and where.

use serde::{Deserialize, Serialize};

/// The crate's result type: its error is always an [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// One problem with one input field, shaped like FastAPI's validation errors so the
/// server can return it as-is: `loc` is the path to the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    /// The path to the field, keys and indices: `["body", "rows", 0, "age"]`.
    pub loc: Vec<serde_json::Value>,
    /// What is wrong with the field, for people to read.
    pub msg: String,
    /// A machine-readable code (`type` in JSON), such as `finite_number` or `dict_type`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Everything that can go wrong in Fornax; the message (`Display`) says what and where.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The CSV holds nothing but whitespace (after any byte-order mark), or no header.
    #[error("the file is empty: a CSV needs a header row and at least one data row")]
    EmptyCsv,
    /// The CSV has a header row and nothing after it.
    #[error("the CSV has a header but no data rows")]
    NoRows,
    /// A problem on one line of a CSV: unreadable, ragged, not UTF-8, a bad header, a value
    /// the recipe cannot encode, or a row the model gives no finite prediction for.
    #[error("line {line}: {msg}")]
    Csv {
        /// The line in the file, from 1 (the header is line 1); 0 when it is not known.
        line: u64,
        /// What is wrong on that line.
        msg: String,
    },
    /// A column named in a config, step or request is not in the table.
    #[error("column `{name}` does not exist; the columns are: {available}")]
    UnknownColumn {
        /// The name asked for.
        name: String,
        /// The table's column names, joined with `, `.
        available: String,
    },
    /// The target cannot be used as given: the only column, one class, text for a regression,
    /// too few labelled rows, or a row's value that is unseen in training or not a number.
    #[error("{0}")]
    InvalidTarget(String),
    /// A training config, data plan or step that cannot work as given.
    #[error("{0}")]
    InvalidConfig(String),
    /// The bytes are not a bundle at all (wrong signature).
    #[error("this is not a Fornax bundle (.fornax): {0}")]
    NotABundle(String),
    /// A bundle that is damaged, from another format version, or does not validate.
    #[error("the bundle is corrupt: {0}")]
    CorruptBundle(String),
    /// Input fields that fail validation (a prediction request); the server returns them as-is.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", loc_text(&e.loc), e.msg)).collect::<Vec<_>>().join("; "))]
    Validation(Vec<FieldError>),
    /// Input beyond one of the [`crate::limits`].
    #[error("{0}")]
    Limit(String),
    /// The compute backend (Burn, or the device under it) failed.
    #[error("compute backend: {0}")]
    Backend(String),
    /// The training loss stopped being finite: the learning rate is likely too large.
    #[error(
        "the training loss became {loss} at epoch {epoch} (learning rate {learning_rate}); \
         try a smaller learning rate, such as {}",
        learning_rate / 10.0
    )]
    Diverged {
        /// The epoch it happened in, from 1.
        epoch: usize,
        /// The epoch's mean training loss: NaN or infinite.
        loss: f64,
        /// The learning rate the schedule gave that epoch.
        learning_rate: f64,
    },
    /// A training checkpoint that cannot be read, or does not fit the run resuming it.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// Pretrained weights that cannot be read or do not fit the model: what and where.
    #[error("pretrained weights {0}")]
    Pretrained(String),
    /// Training stopped because the user cancelled it.
    #[error("training was cancelled")]
    Cancelled,
}

/// `["body","rows",0,"age"]` -> `rows[0].age`, for messages meant for people.
fn loc_text(loc: &[serde_json::Value]) -> String {
    let mut out = String::new();
    for part in loc {
        match part {
            serde_json::Value::Number(n) => out.push_str(&format!("[{n}]")),
            serde_json::Value::String(s) if s == "body" => {}
            serde_json::Value::String(s) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(s);
            }
            other => out.push_str(&other.to_string()),
        }
    }
    out
}
