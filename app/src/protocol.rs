//! Messages between the UI and the training worker. Each message travels (see [`pack`]) as a JS object
//! `{json, bytes?}`: the JSON of one of these enums, plus an optional transferred
//! ArrayBuffer for file contents (so large files are not copied into JSON).

use fornax_core::FieldError;
use fornax_core::data::{ColumnSummary, RaggedRows};
use fornax_core::metrics::Metrics;
use fornax_core::predict::Prediction;
use fornax_core::recipe::InputField;
use fornax_core::recipe::benchmark::DataBenchmark;
use fornax_core::task::Task;
use fornax_core::train::{BenchmarkReport, BenchmarkSpec, DataReport, Progress, TrainConfig};
use js_sys::{Array, ArrayBuffer, Object, Reflect};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Pick the compute backend; `webgpu: false` forces the CPU, for `cpu_reason` when
    /// the UI gives one.
    Init {
        webgpu: bool,
        #[serde(default)]
        cpu_reason: Option<String>,
    },
    /// Parse the CSV in the message's bytes.
    LoadCsv {
        name: String,
    },
    /// The answer to [`FromWorker::Ragged`]: load the file without its ragged rows, or
    /// forget it.
    RaggedChoice {
        skip: bool,
    },
    Train {
        target: String,
        config: TrainConfig,
    },
    Cancel,
    /// Stop after the current epoch (with a checkpoint) until `Continue` or `Cancel`.
    Pause,
    Continue,
    /// Resume the run of the checkpoint in the message's bytes, on the loaded dataset.
    Resume,
    Predict {
        row: Map<String, Value>,
    },
    /// Use the bundle in the message's bytes, trained elsewhere (a server job) in
    /// `seconds`, as if this worker had trained it.
    UseBundle {
        seconds: f64,
    },
    /// Split and clean the loaded dataset as `config` says, and report on it (the data page).
    Inspect {
        target: String,
        config: TrainConfig,
    },
    /// The loaded dataset after `config`'s cleaning steps, as CSV bytes.
    ExportCsv {
        target: String,
        config: TrainConfig,
    },
    /// Train one model as the browser benchmark compares it with TensorFlow.js
    /// (`bench/browser/`) on the CSV in the message's bytes, and report its timing.
    Benchmark(BenchmarkSpec),
    /// Run the data benchmark's workload (`bench/data/`) on the CSV in the message's bytes.
    DataBenchmark,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's message handler is installed; messages sent before this would be lost.
    Alive,
    Ready {
        backend: Backend,
    },
    /// How far parsing the file has come, 0 to 1.
    Reading {
        fraction: f64,
    },
    /// Some rows of the file have more or fewer fields than its header; the worker keeps
    /// the file until [`ToWorker::RaggedChoice`].
    Ragged {
        name: String,
        rows: RaggedRows,
    },
    /// The dataset is in; when ragged rows were skipped, the file without them travels
    /// in the message's bytes (that is the dataset a run keeps).
    Loaded(Dataset),
    Progress {
        progress: Progress,
    },
    /// A checkpoint of the run (its bytes travel with the message), for the UI to store.
    Checkpoint {
        /// `mlp, epoch 12 of 60`.
        description: String,
    },
    Trained(TrainedModel),
    /// The data page's report; `key` says which inspect request it answers.
    Inspected {
        key: String,
        report: Box<DataReport>,
    },
    /// The cleaned dataset as CSV (in the message's bytes).
    Exported {
        name: String,
    },
    Predicted {
        prediction: Prediction,
    },
    PredictRejected {
        errors: Vec<FieldError>,
    },
    Benchmarked {
        report: BenchmarkReport,
        /// The worker's Wasm memory at the end (it only grows: the peak).
        wasm_memory_bytes: f64,
    },
    DataBenchmarked {
        report: DataBenchmark,
        wasm_memory_bytes: f64,
    },
    /// Something failed; the worker stays usable.
    Failed {
        message: String,
    },
    /// The worker panicked (a GPU that refuses an allocation panics inside Burn), or
    /// its GPU was lost: it is unusable from here on, and the UI replaces it.
    Crashed {
        message: String,
    },
}

/// Which inspect request a report answers: the target and the parts of the config that
/// shape the data, so the page ignores reports for settings it has since changed.
pub fn inspect_key(target: &str, config: &TrainConfig) -> String {
    let prep = serde_json::to_string(&config.prep).unwrap_or_default();
    format!("{target}|{}|{}|{}|{prep}", config.valid_fraction, config.test_fraction, config.seed)
}

/// What the environment panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backend {
    /// `WebGPU (adapter)` or `CPU (Flex)`.
    pub name: String,
    /// Why this backend was chosen, in words.
    pub reason: String,
    /// Selected adapter limits, for WebGPU.
    pub limits: Vec<(String, f64)>,
}

impl Backend {
    /// Training runs on WebGPU (the name is `WebGPU (adapter)`).
    pub fn is_webgpu(&self) -> bool {
        self.name.starts_with("WebGPU")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub name: String,
    pub rows: usize,
    pub columns: Vec<ColumnSummary>,
    /// The last column: a common place for the label.
    pub suggested_target: String,
    /// The ragged rows left out, when the user chose to skip them.
    #[serde(default)]
    pub skipped: Option<RaggedRows>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    pub task: Task,
    pub target: String,
    pub metrics: Metrics,
    pub baseline: Metrics,
    pub epochs_run: usize,
    pub inputs: Vec<InputField>,
    /// The first row of the dataset, to prefill the prediction form.
    pub example: Map<String, Value>,
    /// Size of the `.fornax` bundle, which travels as the message's bytes.
    pub bundle_bytes: usize,
    pub seconds: f64,
}

/// Packs a message for `postMessage`: the object `{json, bytes?}` and its transfer list.
pub fn pack(message: &impl Serialize, bytes: Option<ArrayBuffer>) -> (Object, Array) {
    let object = Object::new();
    let json = serde_json::to_string(message).expect("messages serialize");
    let _ = Reflect::set(&object, &"json".into(), &json.into());
    let transfer = Array::new();
    if let Some(bytes) = bytes {
        let _ = Reflect::set(&object, &"bytes".into(), &bytes);
        transfer.push(&bytes);
    }
    (object, transfer)
}

/// Reads what [`pack`] made: the message and its bytes, if any.
pub fn unpack<T: DeserializeOwned>(data: &JsValue) -> (serde_json::Result<T>, Option<ArrayBuffer>) {
    let json = Reflect::get(data, &"json".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let bytes = Reflect::get(data, &"bytes".into()).ok().and_then(|v| v.dyn_into::<ArrayBuffer>().ok());
    (serde_json::from_str(&json), bytes)
}
