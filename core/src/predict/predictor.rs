//! A bundle's model loaded on the CPU, answering rows from a CSV table or JSON, or
//! pictures for an image model.

use burn::tensor::activation::{sigmoid, softmax};
use burn::tensor::{Device, Tensor, TensorData};
use serde_json::Value;

use super::Prediction;
use super::encode_json;
use crate::bundle::Bundle;
use crate::data::Table;
use crate::data::images::Picture;
use crate::model::Mlp;
use crate::recipe::{Preprocessing, Recipe, TargetEncoding};
use crate::{Error, FieldError, Result};

/// A loaded model ready to answer, on the CPU.
pub struct Predictor {
    preprocessing: Preprocessing,
    encoding: TargetEncoding,
    model: Mlp,
    device: Device,
}

impl Predictor {
    /// Loads the bundle's model onto the CPU; errors when its weights do not load.
    pub fn new(bundle: &Bundle) -> Result<Self> {
        let model = bundle.model()?;
        let preprocessing = bundle.manifest.preprocessing.clone();
        let encoding = preprocessing.target_encoding();
        Ok(Predictor { preprocessing, encoding, model, device: crate::device::cpu() })
    }

    /// The table recipe that encodes every row; an error for a model of another kind.
    fn recipe(&self) -> Result<&Recipe> {
        self.preprocessing.table().ok_or_else(|| {
            Error::InvalidConfig(format!("this model reads {}, not table rows", self.preprocessing.kind().name()))
        })
    }

    /// Predicts every row of a table (the target column, if present, is ignored).
    pub async fn predict_table(&self, table: &Table) -> Result<Vec<Prediction>> {
        let rows: Vec<usize> = (0..table.rows()).collect();
        let x = self.recipe()?.encode_table(table, &rows)?;
        let predictions = self.predict_encoded(x, rows.len()).await?;
        match predictions.iter().position(Option::is_none) {
            Some(row) => Err(Error::Csv { line: row as u64 + 2, msg: NOT_FINITE.to_string() }),
            None => Ok(predictions.into_iter().flatten().collect()),
        }
    }

    /// Predicts JSON objects `{column: value}`; problems are reported per field with
    /// their location (`["body", "rows", i, column]`), all of them at once.
    pub async fn predict_json(&self, rows: &[Value]) -> Result<Vec<Prediction>> {
        let x = encode_json(self.recipe()?, rows).map_err(Error::Validation)?;
        let predictions = self.predict_encoded(x, rows.len()).await?;
        match predictions.iter().position(Option::is_none) {
            Some(row) => Err(Error::Validation(vec![not_finite(row)])),
            None => Ok(predictions.into_iter().flatten().collect()),
        }
    }

    /// Predicts decoded pictures of any size, fitted and standardized as in training;
    /// an error for a model that reads tables.
    pub async fn predict_pictures(&self, pictures: &[Picture]) -> Result<Vec<Prediction>> {
        let recipe = self
            .preprocessing
            .images()
            .ok_or_else(|| Error::InvalidConfig("this model reads table rows, not images: give it a CSV".into()))?;
        let mut x = Vec::with_capacity(pictures.len() * recipe.width());
        for picture in pictures {
            recipe.encode_picture(picture, &mut x);
        }
        let predictions = self.predict_encoded(x, pictures.len()).await?;
        match predictions.iter().position(Option::is_none) {
            Some(i) => Err(Error::InvalidConfig(format!("image {}: {NOT_FINITE}", i + 1))),
            None => Ok(predictions.into_iter().flatten().collect()),
        }
    }

    /// Predicts `rows` rows already encoded by the recipe (row-major); a row whose
    /// output is not a finite number gets `None`.
    pub async fn predict_encoded(&self, x: Vec<f32>, rows: usize) -> Result<Vec<Option<Prediction>>> {
        if rows == 0 {
            return Ok(Vec::new());
        }
        let input = Tensor::<2>::from_data(TensorData::new(x, [rows, self.preprocessing.width()]), &self.device);
        let output = self.model.forward(input);
        let output = match &self.encoding {
            // One output: a binary model's logit of the second class.
            TargetEncoding::Classes { .. } if output.dims()[1] == 1 => {
                let p = sigmoid(output);
                Tensor::cat(vec![p.clone().neg() + 1.0, p], 1)
            }
            TargetEncoding::Classes { .. } => softmax(output, 1),
            TargetEncoding::Standardize { .. } => output,
        };
        let values = crate::device::read_floats(output).await?;
        Ok(decode(&self.encoding, &values, rows))
    }
}

/// The 422 entry for request row `row` whose output is not finite.
pub fn not_finite(row: usize) -> FieldError {
    FieldError {
        loc: vec![Value::from("body"), Value::from("rows"), Value::from(row)],
        msg: NOT_FINITE.into(),
        kind: "finite_number".into(),
    }
}

/// Why a row can have no prediction: inputs far outside what the model saw can
/// overflow its arithmetic, and a NaN must never reach a client as an answer.
const NOT_FINITE: &str =
    "the model's output for this row is not a finite number (are its values far outside the training data?)";

/// Model outputs (probabilities or standardized values) -> predictions; `None` for a
/// row whose output is not finite.
fn decode(encoding: &TargetEncoding, values: &[f32], rows: usize) -> Vec<Option<Prediction>> {
    let per_row = values.len() / rows.max(1);
    values
        .chunks(per_row.max(1))
        .take(rows)
        .map(|p| {
            let prediction = match encoding {
                TargetEncoding::Classes { classes } => Prediction::Class {
                    label: classes[crate::base::argmax(p)].clone(),
                    probabilities: classes.iter().cloned().zip(p.iter().map(|&v| v as f64)).collect(),
                },
                TargetEncoding::Standardize { .. } => {
                    Prediction::Value { value: encoding.unscale(p[0]).expect("a standardized target") }
                }
            };
            prediction.is_finite().then_some(prediction)
        })
        .collect()
}
