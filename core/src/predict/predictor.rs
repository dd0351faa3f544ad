//! A bundle's model loaded on the CPU, answering rows from a CSV table or JSON.

use burn::tensor::activation::{sigmoid, softmax};
use burn::tensor::{Device, Tensor, TensorData};
use serde_json::Value;

use super::Prediction;
use crate::bundle::Bundle;
use crate::data::{Cell, Table};
use crate::model::Mlp;
use crate::recipe::{Recipe, TargetEncoding};
use crate::{Error, FieldError, Result};

/// A loaded model ready to answer, on the CPU.
pub struct Predictor {
    recipe: Recipe,
    model: Mlp,
    device: Device,
}

impl Predictor {
    pub fn new(bundle: &Bundle) -> Result<Self> {
        let model = bundle.model()?;
        Ok(Predictor { recipe: bundle.manifest.recipe.clone(), model, device: crate::device::cpu() })
    }

    pub fn recipe(&self) -> &Recipe {
        &self.recipe
    }

    /// Predicts every row of a table (the target column, if present, is ignored).
    pub async fn predict_table(&self, table: &Table) -> Result<Vec<Prediction>> {
        let rows: Vec<usize> = (0..table.rows()).collect();
        let x = self.recipe.encode_table(table, &rows)?;
        self.predict_encoded(x, rows.len())
            .await?
            .map_err(|row| Error::Csv { line: row as u64 + 2, msg: NOT_FINITE.to_string() })
    }

    /// Predicts JSON objects `{column: value}`; problems are reported per field with
    /// their location (`["body", "rows", i, column]`), all of them at once.
    pub async fn predict_json(&self, rows: &[Value]) -> Result<Vec<Prediction>> {
        let mut x = Vec::with_capacity(rows.len() * self.recipe.width());
        let mut errors = Vec::new();
        let inputs = self.recipe.schema();
        for (i, row) in rows.iter().enumerate() {
            let loc =
                |column: &str| vec![Value::from("body"), Value::from("rows"), Value::from(i), Value::from(column)];
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
            if let Err(field_errors) = self.recipe.encode_row(cell, &mut x) {
                errors.extend(field_errors.into_iter().map(|(column, msg, kind)| FieldError {
                    loc: loc(&column),
                    msg,
                    kind: kind.into(),
                }));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        self.predict_encoded(x, rows.len()).await?.map_err(|row| {
            Error::Validation(vec![FieldError {
                loc: vec![Value::from("body"), Value::from("rows"), Value::from(row)],
                msg: NOT_FINITE.into(),
                kind: "finite_number".into(),
            }])
        })
    }

    /// Predictions, or `Err(row)` for the first row whose output is not a finite number.
    async fn predict_encoded(&self, x: Vec<f32>, rows: usize) -> Result<std::result::Result<Vec<Prediction>, usize>> {
        if rows == 0 {
            return Ok(Ok(Vec::new()));
        }
        let input = Tensor::<2>::from_data(TensorData::new(x, [rows, self.recipe.width()]), &self.device);
        let output = self.model.forward(input);
        let output = match &self.recipe.target_encoding {
            // One output: a binary model's logit of the second class.
            TargetEncoding::Classes { .. } if output.dims()[1] == 1 => {
                let p = sigmoid(output);
                Tensor::cat(vec![p.clone().neg() + 1.0, p], 1)
            }
            TargetEncoding::Classes { .. } => softmax(output, 1),
            TargetEncoding::Standardize { .. } => output,
        };
        let values = crate::device::read_floats(output).await?;
        Ok(decode(&self.recipe.target_encoding, &values, rows))
    }
}

/// Why a row can have no prediction: inputs far outside what the model saw can
/// overflow its arithmetic, and a NaN must never reach a client as an answer.
const NOT_FINITE: &str =
    "the model's output for this row is not a finite number (are its values far outside the training data?)";

/// Model outputs (probabilities or standardized values) -> predictions, or the first
/// row whose output is not finite.
fn decode(encoding: &TargetEncoding, values: &[f32], rows: usize) -> std::result::Result<Vec<Prediction>, usize> {
    let per_row = values.len() / rows.max(1);
    values
        .chunks(per_row.max(1))
        .take(rows)
        .enumerate()
        .map(|(row, p)| {
            let prediction = match encoding {
                TargetEncoding::Classes { classes } => Prediction::Class {
                    label: classes[crate::train::argmax(p)].clone(),
                    probabilities: classes.iter().cloned().zip(p.iter().map(|&v| v as f64)).collect(),
                },
                TargetEncoding::Standardize { .. } => {
                    Prediction::Value { value: encoding.unscale(p[0]).expect("a standardized target") }
                }
            };
            if prediction.is_finite() { Ok(prediction) } else { Err(row) }
        })
        .collect()
}
