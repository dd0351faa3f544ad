//! The body of a prediction request, `{"rows": [{"column": value, ...}, ...]}`, checked
//! for shape and size before any row reaches the recipe.

use serde_json::Value;

use crate::FieldError;
use crate::limits::MAX_PREDICT_ROWS;

/// The rows of a request body, or the one problem that stops it being read.
pub fn parse_rows(body: &[u8]) -> Result<Vec<Value>, FieldError> {
    let problem = |loc: &[&str], msg: String, kind: &str| FieldError {
        loc: loc.iter().map(|&s| Value::from(s)).collect(),
        msg,
        kind: kind.into(),
    };
    let body: Value = serde_json::from_slice(body)
        .map_err(|e| problem(&["body"], format!("JSON decode error: {e}"), "json_invalid"))?;
    let Value::Object(mut body) = body else {
        return Err(problem(&["body"], "input should be an object with a `rows` list".into(), "dict_type"));
    };
    match body.remove("rows") {
        None => Err(problem(&["body", "rows"], "field required".into(), "missing")),
        Some(Value::Array(rows)) if rows.len() > MAX_PREDICT_ROWS => Err(problem(
            &["body", "rows"],
            format!("at most {MAX_PREDICT_ROWS} rows per request, got {}", rows.len()),
            "too_long",
        )),
        Some(Value::Array(rows)) => Ok(rows),
        Some(_) => Err(problem(&["body", "rows"], "input should be a list of rows".into(), "list_type")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_locates_problems() {
        assert_eq!(parse_rows(br#"{"rows": [{"a": 1}]}"#).unwrap().len(), 1);
        assert_eq!(parse_rows(b"{").unwrap_err().kind, "json_invalid");
        assert_eq!(parse_rows(b"[1]").unwrap_err().kind, "dict_type");
        assert_eq!(parse_rows(b"{}").unwrap_err().loc, vec![Value::from("body"), Value::from("rows")]);
        assert_eq!(parse_rows(br#"{"rows": 3}"#).unwrap_err().kind, "list_type");
        let many = format!(r#"{{"rows": [{}]}}"#, vec!["{}"; MAX_PREDICT_ROWS + 1].join(","));
        assert_eq!(parse_rows(many.as_bytes()).unwrap_err().kind, "too_long");
    }
}
