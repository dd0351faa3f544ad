//! Errors, in FastAPI's shape: `{"detail": "a sentence"}`, or for a 422
//! `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`.

use fornax_core::FieldError;
use serde::{Deserialize, Serialize};

/// An error: a sentence saying what went wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    /// What went wrong and, where it helps, what to do.
    pub detail: String,
}

/// A 422: one entry per problem, each locating its field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationErrors {
    /// The problems, in the order they were found.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ValidationError>))]
    pub detail: Vec<FieldError>,
}

/// One problem, located.
// The schema of `FieldError`, which lives in core without a schema derive.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only its schema is used.
pub struct ValidationError {
    /// Where: e.g. `["body", "rows", 0, "alcohol"]`.
    #[schema(value_type = Vec<LocItem>)]
    loc: Vec<serde_json::Value>,
    /// What is wrong, for people to read.
    msg: String,
    /// A machine-readable kind, e.g. `missing`, `float_parsing`, `too_long`.
    #[serde(rename = "type")]
    kind: String,
}

/// One step of a problem's `loc`: a key or an index.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Only its schema is used.
pub enum LocItem {
    /// An object's key, such as `body` or a column's name.
    Key(String),
    /// A row's index.
    Index(usize),
}

/// Either error body, as a client reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorBody {
    /// Any status but 422.
    Message(Message),
    /// A 422.
    Validation(ValidationErrors),
}

impl ErrorBody {
    /// The error as one sentence: the message, or each problem as `field: msg`, joined
    /// with `; `.
    pub fn sentence(&self) -> String {
        match self {
            ErrorBody::Message(m) => m.detail.clone(),
            ErrorBody::Validation(v) => v
                .detail
                .iter()
                .map(|p| {
                    let field = match p.loc.last() {
                        Some(serde_json::Value::String(key)) => key.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    format!("{field}: {}", p.msg)
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_422_reads_as_each_field_and_its_problem() {
        let body = r#"{"detail": [
            {"loc": ["body", "rows", 0, "alcohol"], "msg": "expected a number", "type": "float_parsing"},
            {"loc": ["path", "version"], "msg": "must be >= 0", "type": "greater_than_equal"},
            {"loc": ["body", "rows", 3], "msg": "not an object", "type": "dict_type"}
        ]}"#;
        let error: ErrorBody = serde_json::from_str(body).unwrap();
        assert_eq!(error.sentence(), "alcohol: expected a number; version: must be >= 0; 3: not an object");
    }

    #[test]
    fn a_sentence_reads_as_itself() {
        let error: ErrorBody = serde_json::from_str(r#"{"detail": "no job `x` on this server"}"#).unwrap();
        assert_eq!(error, ErrorBody::Message(Message { detail: "no job `x` on this server".into() }));
    }
}
