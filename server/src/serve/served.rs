//! One loaded model version: its manifest, its batcher, and a cache of recent
//! rows, answering prediction requests.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use fornax_core::FieldError;
use fornax_core::bundle::Manifest;
use fornax_core::data::images::Picture;
use fornax_core::predict::{Prediction, Predictor, encode_json, not_finite};
use lru::LruCache;
use serde_json::Value;

use super::batcher::{BatchError, BatchSettings, Batcher};
use super::metrics::Metrics;

pub struct Served {
    pub name: String,
    pub version: u32,
    pub manifest: Manifest,
    batcher: Batcher,
    /// A row's JSON text (keys sorted) -> its prediction.
    cache: Option<Mutex<LruCache<String, Prediction>>>,
    metrics: Arc<Metrics>,
}

pub enum PredictError {
    /// 422: the rows, located.
    Invalid(Vec<FieldError>),
    /// 503: the queue is full.
    Busy,
    Failed(String),
}

impl Served {
    pub fn new(
        name: &str,
        version: u32,
        manifest: Manifest,
        predictor: Predictor,
        settings: BatchSettings,
        metrics: Arc<Metrics>,
    ) -> Self {
        let batcher = Batcher::new(predictor, settings, metrics.clone(), name.to_string());
        let cache = NonZeroUsize::new(settings.cache_rows).map(|rows| Mutex::new(LruCache::new(rows)));
        Served { name: name.to_string(), version, manifest, batcher, cache, metrics }
    }

    pub fn queue_depth(&self) -> usize {
        self.batcher.depth()
    }

    /// Fits and standardizes decoded pictures as in training and answers them from the
    /// model, in order, batched with other requests like rows (no cache: pictures are
    /// seldom sent twice byte for byte).
    pub async fn predict_pictures(&self, pictures: &[Picture]) -> Result<Vec<Prediction>, PredictError> {
        let Some(recipe) = self.manifest.preprocessing.images() else {
            return Err(PredictError::Invalid(vec![reads_rows()]));
        };
        let mut x = Vec::with_capacity(pictures.len() * recipe.width());
        for picture in pictures {
            recipe.encode_picture(picture, &mut x);
        }
        let computed = self.batcher.predict(x, pictures.len()).await.map_err(batch_error)?;
        computed
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                p.ok_or_else(|| {
                    let loc = vec![Value::from("body"), Value::from("images"), Value::from(i)];
                    PredictError::Invalid(vec![FieldError { loc, ..not_finite(i) }])
                })
            })
            .collect()
    }

    /// Validates every row (all problems at once), answers the ones seen before from
    /// the cache and the rest from the model, in order.
    pub async fn predict(&self, rows: &[Value]) -> Result<Vec<Prediction>, PredictError> {
        let Ok(recipe) = self.manifest.table_recipe() else {
            return Err(PredictError::Invalid(vec![reads_images()]));
        };
        let x = encode_json(recipe, rows).map_err(PredictError::Invalid)?;
        let width = recipe.width();
        // Cache keys cost a serialization per row: only with a cache.
        let keys: Vec<String> = match &self.cache {
            Some(_) => rows.iter().map(Value::to_string).collect(),
            None => Vec::new(),
        };
        let mut answers: Vec<Option<Prediction>> = match &self.cache {
            Some(cache) => {
                let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                keys.iter().map(|key| cache.get(key).cloned()).collect()
            }
            None => vec![None; rows.len()],
        };
        let missing: Vec<usize> = (0..rows.len()).filter(|&i| answers[i].is_none()).collect();
        if self.cache.is_some() {
            self.metrics.observe_cache(&self.name, rows.len() - missing.len(), missing.len());
        }
        if missing.is_empty() {
            return Ok(answers.into_iter().flatten().collect());
        }
        let to_compute: Vec<f32> =
            missing.iter().flat_map(|&i| x[i * width..(i + 1) * width].iter().copied()).collect();
        let computed = self.batcher.predict(to_compute, missing.len()).await.map_err(batch_error)?;
        for (&i, prediction) in missing.iter().zip(computed) {
            answers[i] = Some(prediction.ok_or_else(|| PredictError::Invalid(vec![not_finite(i)]))?);
        }
        if let Some(cache) = &self.cache {
            let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for &i in &missing {
                cache.put(keys[i].clone(), answers[i].clone().expect("computed above"));
            }
        }
        Ok(answers.into_iter().flatten().collect())
    }
}

fn batch_error(e: BatchError) -> PredictError {
    match e {
        BatchError::Full => PredictError::Busy,
        BatchError::Failed(why) => PredictError::Failed(why),
    }
}

/// 422 for rows sent to a model that reads images.
fn reads_images() -> FieldError {
    FieldError {
        loc: vec![Value::from("body"), Value::from("images")],
        msg: "field required: this model reads images, sent as {\"images\": [\"<base64 of an image file>\"]}".into(),
        kind: "missing".into(),
    }
}

/// 422 for images sent to a model that reads table rows.
fn reads_rows() -> FieldError {
    FieldError {
        loc: vec![Value::from("body"), Value::from("rows")],
        msg: "field required: this model reads table rows, sent as {\"rows\": [{column: value}]}".into(),
        kind: "missing".into(),
    }
}
