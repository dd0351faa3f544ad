//! The body of a prediction request, `{"rows": [{"column": value, ...}, ...]}`, checked
//! for shape and size before any row reaches the recipe, then encoded by it.

use serde_json::Value;

use crate::FieldError;
use crate::data::Cell;
use crate::limits::MAX_PREDICT_ROWS;
use crate::recipe::Recipe;

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

/// Encodes JSON objects `{column: value}` with `recipe` into a row-major matrix; every
/// problem is reported with its location (`["body", "rows", i, column]`), all at once.
pub fn encode_json(recipe: &Recipe, rows: &[Value]) -> Result<Vec<f32>, Vec<FieldError>> {
    let mut x = Vec::with_capacity(rows.len() * recipe.width());
    let mut errors = Vec::new();
    let inputs = recipe.schema();
    for (i, row) in rows.iter().enumerate() {
        let loc = |column: &str| vec![Value::from("body"), Value::from("rows"), Value::from(i), Value::from(column)];
        let Some(object) = row.as_object() else {
            errors.push(FieldError {
                loc: loc("")[..3].to_vec(),
                msg: "each row must be an object of column names to values".into(),
                kind: "dict_type".into(),
            });
            continue;
        };
        // A list or object is never a cell value: say so rather than guess.
        let nested: Vec<FieldError> = inputs
            .iter()
            .filter(|f| matches!(object.get(&f.name), Some(Value::Array(_) | Value::Object(_))))
            .map(|f| FieldError {
                loc: loc(&f.name),
                msg: "input should be a single value, not a list or object".into(),
                kind: "value_type".into(),
            })
            .collect();
        if !nested.is_empty() {
            errors.extend(nested);
            continue;
        }
        let cell = |name: &str| -> Option<Cell<'_>> {
            object.get(name).map(|v| match v {
                Value::Null => Cell::Missing,
                Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(f64::NAN)),
                Value::String(s) => Cell::Text(s),
                Value::Bool(true) => Cell::Text("true"),
                Value::Bool(false) => Cell::Text("false"),
                Value::Array(_) | Value::Object(_) => Cell::Missing,
            })
        };
        if let Err(field_errors) = recipe.encode_row(cell, &mut x) {
            errors.extend(field_errors.into_iter().map(|(column, msg, kind)| FieldError {
                loc: loc(&column),
                msg,
                kind: kind.into(),
            }));
        }
    }
    if errors.is_empty() { Ok(x) } else { Err(errors) }
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
