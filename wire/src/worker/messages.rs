//! The messages themselves: what the UI asks of the worker, and what the worker tells it.

use fornax_core::FieldError;
use fornax_core::data::RaggedRows;
use fornax_core::data::images::{BadFile, ImageOptions, SplitStats};
use fornax_core::predict::Prediction;
use fornax_core::recipe::Augment;
use fornax_core::recipe::benchmark::DataBenchmark;
use fornax_core::train::{BenchmarkReport, BenchmarkSpec, DataReport, Progress, TrainConfig};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{AugmentedImage, Backend, Dataset, TrainedModel};

/// What the UI asks of the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Pick the compute backend; `webgpu: false` forces the CPU, for `cpu_reason` when
    /// the UI gives one.
    Init {
        /// Whether WebGPU may be used.
        webgpu: bool,
        /// Why the CPU is forced, in words.
        #[serde(default)]
        cpu_reason: Option<String>,
    },
    /// Load the file in the message's bytes: a CSV, or a `.zip` whose subfolders are the
    /// classes of its pictures (told apart by the zip's first bytes, not the name).
    LoadFile {
        /// The file's name.
        name: String,
        /// How pictures are fitted, when the file is a `.zip` of them.
        #[serde(default)]
        images: ImageOptions,
    },
    /// Load a picked folder of pictures: the files' contents, one after the other, are
    /// the message's bytes. The worker keeps them as a `.zip` (sent back with
    /// [`FromWorker::Loaded`]), so the folder is one file like any other dataset.
    LoadFolder {
        /// The folder's name.
        name: String,
        /// Each file's path inside the folder and its length in bytes, in the bytes' order.
        files: Vec<(String, usize)>,
        /// How pictures are fitted.
        images: ImageOptions,
    },
    /// The answer to [`FromWorker::Ragged`] or [`FromWorker::BadImages`]: load the file
    /// without the rows or files that cannot be used, or forget it.
    SkipChoice {
        /// Load it without them (`true`) or forget it.
        skip: bool,
    },
    /// Train on the loaded dataset.
    Train {
        /// The column to predict.
        target: String,
        /// Every training setting.
        config: TrainConfig,
    },
    /// Stop the run; it ends as cancelled.
    Cancel,
    /// Stop after the current epoch (with a checkpoint) until `Continue` or `Cancel`.
    Pause,
    /// Go on after [`ToWorker::Pause`].
    Continue,
    /// Resume the run of the checkpoint in the message's bytes, on the loaded dataset.
    Resume,
    /// Predict one row with the trained model.
    Predict {
        /// Column name to value.
        row: Map<String, Value>,
    },
    /// Predict the picture in the message's bytes with the trained image model.
    PredictImage {
        /// The file's name, for messages.
        name: String,
    },
    /// Use the bundle in the message's bytes, trained elsewhere (a server job) in
    /// `seconds`, as if this worker had trained it.
    UseBundle {
        /// How long the run took where it ran.
        seconds: f64,
    },
    /// Split and clean the loaded dataset as `config` says, and report on it (the data
    /// page): [`FromWorker::Inspected`] for a table, [`FromWorker::ImagesInspected`]
    /// for pictures.
    Inspect {
        /// The column to predict.
        target: String,
        /// The settings that shape the data (split, cleaning).
        config: TrainConfig,
    },
    /// Show the loaded pictures augmented as `augment` says, drawn from `seed`:
    /// [`FromWorker::AugmentPreview`].
    PreviewAugment {
        /// The augmentation settings.
        augment: Augment,
        /// The run's seed: the same seed shows the same preview.
        seed: u64,
    },
    /// The loaded dataset after `config`'s cleaning steps, as CSV bytes.
    ExportCsv {
        /// The column to predict.
        target: String,
        /// The settings that shape the data (split, cleaning).
        config: TrainConfig,
    },
    /// Train one model as the browser benchmark compares it with TensorFlow.js
    /// (`bench/browser/`) on the CSV in the message's bytes, and report its timing.
    Benchmark(BenchmarkSpec),
    /// Run the data benchmark's workload (`bench/data/`) on the CSV in the message's bytes.
    DataBenchmark,
}

/// What the worker tells the UI.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's message handler is installed; messages sent before this would be lost.
    Alive,
    /// The backend is chosen; the worker takes work.
    Ready {
        /// Which one, and why.
        backend: Backend,
    },
    /// How far parsing the file has come, 0 to 1.
    Reading {
        /// 0 to 1.
        fraction: f64,
    },
    /// Some rows of the file have more or fewer fields than its header; the worker keeps
    /// the file until [`ToWorker::SkipChoice`].
    Ragged {
        /// The file's name.
        name: String,
        /// Which rows, and how many.
        rows: RaggedRows,
    },
    /// Some files of a folder of pictures cannot be used; the worker keeps the rest
    /// until [`ToWorker::SkipChoice`].
    BadImages {
        /// The folder's or `.zip`'s name.
        name: String,
        /// Each file left out, with why.
        bad: Vec<BadFile>,
    },
    /// The dataset is in; when ragged rows were skipped, the file without them travels
    /// in the message's bytes (that is the dataset a run keeps), as does the `.zip` a
    /// picked folder became.
    Loaded(Dataset),
    /// How training goes.
    Progress {
        /// One event of the training loop.
        progress: Progress,
    },
    /// A checkpoint of the run (its bytes travel with the message), for the UI to store.
    Checkpoint {
        /// `mlp, epoch 12 of 60`.
        description: String,
    },
    /// The run finished; the bundle travels in the message's bytes.
    Trained(TrainedModel),
    /// The data page's report; `key` says which inspect request it answers.
    Inspected {
        /// The [`inspect_key`] of the request.
        key: String,
        /// What the split and cleaning did.
        report: Box<DataReport>,
    },
    /// The data page's comparison of the training and test pictures.
    ImagesInspected {
        /// The [`inspect_key`] of the request.
        key: String,
        /// Each channel's statistics over both parts, and the channels that differ.
        stats: SplitStats,
    },
    /// The answer to [`ToWorker::PreviewAugment`].
    AugmentPreview {
        /// The settings it shows, so a late answer to older settings is told apart.
        augment: Augment,
        /// The first picture of each class with its augmented draws.
        images: Vec<AugmentedImage>,
    },
    /// The cleaned dataset as CSV (in the message's bytes).
    Exported {
        /// The file name to save it as.
        name: String,
    },
    /// The answer to [`ToWorker::Predict`].
    Predicted {
        /// The row's prediction.
        prediction: Prediction,
    },
    /// The row given to [`ToWorker::Predict`] does not fit the model.
    PredictRejected {
        /// One per bad field.
        errors: Vec<FieldError>,
    },
    /// The answer to [`ToWorker::Benchmark`].
    Benchmarked {
        /// Its timings.
        report: BenchmarkReport,
        /// The worker's Wasm memory at the end (it only grows: the peak).
        wasm_memory_bytes: f64,
    },
    /// The answer to [`ToWorker::DataBenchmark`].
    DataBenchmarked {
        /// Its timings.
        report: DataBenchmark,
        /// The worker's Wasm memory at the end.
        wasm_memory_bytes: f64,
    },
    /// Something failed; the worker stays usable.
    Failed {
        /// What failed, in words.
        message: String,
    },
    /// The worker panicked (a GPU that refuses an allocation panics inside Burn), or
    /// its GPU was lost: it is unusable from here on, and the UI replaces it.
    Crashed {
        /// What happened, in words.
        message: String,
    },
}

/// Which inspect request a report answers: the target and the parts of the config that
/// shape the data, so the page ignores reports for settings it has since changed.
pub fn inspect_key(target: &str, config: &TrainConfig) -> String {
    let prep = serde_json::to_string(&config.prep).unwrap_or_default();
    format!("{target}|{}|{}|{}|{prep}", config.valid_fraction, config.test_fraction, config.seed)
}
