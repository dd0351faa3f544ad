//! One error type for the crate; every message says what went wrong and where.

use serde::{Deserialize, Serialize};

pub type Result<T> = std::result::Result<T, Error>;

/// One problem with one input field, shaped like FastAPI's validation errors so the
/// server can return it as-is: `loc` is the path to the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub loc: Vec<serde_json::Value>,
    pub msg: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the file is empty: a CSV needs a header row and at least one data row")]
    EmptyCsv,
    #[error("the CSV has a header but no data rows")]
    NoRows,
    #[error("line {line}: {msg}")]
    Csv { line: u64, msg: String },
    #[error("column `{name}` does not exist; the columns are: {available}")]
    UnknownColumn { name: String, available: String },
    #[error("{0}")]
    InvalidTarget(String),
    #[error("{0}")]
    InvalidConfig(String),
    #[error("this is not a Fornax bundle (.fornax): {0}")]
    NotABundle(String),
    #[error("the bundle is corrupt: {0}")]
    CorruptBundle(String),
    #[error("{}", .0.iter().map(|e| format!("{}: {}", loc_text(&e.loc), e.msg)).collect::<Vec<_>>().join("; "))]
    Validation(Vec<FieldError>),
    /// Input beyond one of the [`crate::limits`].
    #[error("{0}")]
    Limit(String),
    #[error("compute backend: {0}")]
    Backend(String),
    #[error(
        "the training loss became {loss} at epoch {epoch} (learning rate {learning_rate}); \
         try a smaller learning rate, such as {}",
        learning_rate / 10.0
    )]
    Diverged { epoch: usize, loss: f64, learning_rate: f64 },
    #[error("checkpoint: {0}")]
    Checkpoint(String),
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
