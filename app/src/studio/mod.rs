//! The studio's state: signals shared by every page through context, and the one copy
//! of the loaded dataset's file. How worker messages change the state is in [`reducer`],
//! runs on a server in [`remote`], recovering from a crash or reload in [`recovery`],
//! what pages ask for in [`actions`], and the page itself in [`root`].

mod actions;
mod dataset_file;
mod recovery;
mod reducer;
mod remote;
mod root;

use fornax_core::data::RaggedRows;
use fornax_core::data::images::{BadFile, ImageOptions, SplitStats};
use fornax_core::predict::Prediction;
use fornax_core::project::Run;
use fornax_core::task::Task;
use fornax_core::train::{DataReport, EpochReport, TrainConfig};
use fornax_wire::worker::{AugmentedImage, Backend, Dataset, ToWorker, TrainedModel, inspect_key};
use leptos::prelude::*;

pub use dataset_file::DatasetFile;
pub use recovery::Unfinished;
pub use remote::RemoteRun;
pub use root::{App, own_origin, webgpu_wanted};

use crate::projects::ProjectState;
use crate::{run_store, worker_bridge};

/// Everything the pages read and write. Signals are `Copy`, so this is too.
#[derive(Clone, Copy)]
pub struct Studio {
    pub backend: RwSignal<Option<Backend>>,
    pub dataset: RwSignal<Option<Dataset>>,
    /// Set while the worker parses a file.
    pub loading: RwSignal<Option<String>>,
    /// How far the worker has parsed it, 0 to 1.
    pub load_fraction: RwSignal<f64>,
    /// A file with ragged rows, waiting for the user to skip them or stop.
    pub ragged: RwSignal<Option<(String, RaggedRows)>>,
    /// A folder of pictures with files that cannot be used, waiting for the same choice.
    pub bad_images: RwSignal<Option<(String, Vec<BadFile>)>>,
    /// How pictures are fitted when a folder of them loads (the data page sets them).
    pub image_options: RwSignal<ImageOptions>,
    pub target: RwSignal<String>,
    /// The settings of the next run (the train page edits them).
    pub config: RwSignal<TrainConfig>,
    /// Training rows of the run in progress, for the time estimate.
    pub train_rows: RwSignal<usize>,
    pub training: RwSignal<bool>,
    pub status: RwSignal<String>,
    pub history: RwSignal<Vec<EpochReport>>,
    /// The task of the run in progress (known once training starts).
    pub task: RwSignal<Option<Task>>,
    pub trained: RwSignal<Option<TrainedModel>>,
    /// An object URL of the trained model's `.fornax` bundle, for download.
    pub bundle_url: RwSignal<Option<String>>,
    /// The row in the prediction form: predicted in the tab, or by a server it was
    /// deployed to.
    pub predict_row: RwSignal<serde_json::Map<String, serde_json::Value>>,
    pub prediction: RwSignal<Option<Result<Prediction, String>>>,
    /// The picture last predicted with an image model (its file's bytes).
    pub predict_picture: RwSignal<Option<Vec<u8>>>,
    pub error: RwSignal<Option<String>>,
    /// The run holds after its current epoch.
    pub paused: RwSignal<bool>,
    /// What the checkpoint stored in this browser holds, during a run.
    pub checkpoint_note: RwSignal<Option<String>>,
    /// A run found in storage at start, offered for resuming.
    pub unfinished: RwSignal<Option<Unfinished>>,
    /// The `fornax serve` to deploy to and train on (this studio's own by default), and
    /// its admin token (kept only in this page's memory).
    pub server_url: RwSignal<String>,
    pub server_token: RwSignal<String>,
    /// The run in progress is a job on a server.
    pub remote: RwSignal<Option<RemoteRun>>,
    /// The open project, where datasets and finished runs are kept.
    pub projects: ProjectState,
    /// A run of the project being opened (its bundle is on its way to the worker).
    pub opening: RwSignal<Option<Run>>,
    /// The data page's report on the loaded dataset as the current settings prepare it.
    pub report: RwSignal<Option<DataReport>>,
    /// For pictures: the training and test images compared, as the settings split them.
    pub image_split: RwSignal<Option<SplitStats>>,
    /// For pictures: the first picture of each class with augmented draws of it, as the
    /// config's augmentation settings make them.
    pub augment_preview: RwSignal<Option<Vec<AugmentedImage>>>,
    /// Which settings the report above answers ([`inspect_key`]).
    pub report_key: RwSignal<String>,
    /// The dataset is on its way to a worker that replaced a crashed one: the target
    /// and settings stay as they are.
    restoring: RwSignal<bool>,
    /// The file the loaded dataset came from, held here once (see [`DatasetFile`]).
    file: StoredValue<Option<DatasetFile>, LocalStorage>,
    /// A file sent to the worker that has not parsed yet.
    pending_file: StoredValue<Option<DatasetFile>, LocalStorage>,
}

impl Studio {
    pub(super) fn new() -> Self {
        let error = RwSignal::new(None);
        Studio {
            backend: RwSignal::new(None),
            dataset: RwSignal::new(None),
            loading: RwSignal::new(None),
            load_fraction: RwSignal::new(0.0),
            ragged: RwSignal::new(None),
            bad_images: RwSignal::new(None),
            image_options: RwSignal::new(ImageOptions::default()),
            target: RwSignal::new(String::new()),
            config: RwSignal::new(TrainConfig::default()),
            train_rows: RwSignal::new(0),
            training: RwSignal::new(false),
            status: RwSignal::new("Load a dataset to start.".into()),
            history: RwSignal::new(Vec::new()),
            task: RwSignal::new(None),
            trained: RwSignal::new(None),
            bundle_url: RwSignal::new(None),
            predict_row: RwSignal::new(serde_json::Map::new()),
            prediction: RwSignal::new(None),
            predict_picture: RwSignal::new(None),
            error,
            paused: RwSignal::new(false),
            checkpoint_note: RwSignal::new(None),
            unfinished: RwSignal::new(None),
            server_url: RwSignal::new(own_origin()),
            server_token: RwSignal::new(String::new()),
            remote: RwSignal::new(None),
            projects: ProjectState::new(error),
            opening: RwSignal::new(None),
            report: RwSignal::new(None),
            image_split: RwSignal::new(None),
            augment_preview: RwSignal::new(None),
            report_key: RwSignal::new(String::new()),
            restoring: RwSignal::new(false),
            file: StoredValue::new_local(None),
            pending_file: StoredValue::new_local(None),
        }
    }

    /// Asks the worker for a new data report whenever the dataset, the target or the
    /// data-shaping settings change (not the model's settings: they leave the data as it is).
    fn inspect_on_change(self) {
        let wanted = Memo::new(move |_| {
            let dataset = self.dataset.get();
            let target = self.target.get();
            let key = self.config.with(|c| inspect_key(&target, c));
            dataset.filter(|d| d.images.is_some() || d.columns.iter().any(|c| c.name == target)).map(|d| (d, key))
        });
        Effect::new(move |_| {
            // The worker answers in order, so the last report to arrive is the latest.
            if let Some((_, key)) = wanted.get() {
                self.report_key.set(key);
                let (target, config) = (self.target.get_untracked(), self.config.get_untracked());
                self.send(&ToWorker::Inspect { target, config });
            }
        });
    }

    /// Opens a run kept in the project: its dataset and model go to the worker, and the
    /// evaluation, curves and prediction form come back as they were.
    pub fn open_run(self, run: Run) {
        self.status.set(format!("Opening run {}...", run.id));
        self.projects.read_run(run.clone(), move |name, dataset, bundle| {
            self.opening.set(Some(run.clone()));
            self.load_file(&name, js_sys::Uint8Array::from(&dataset[..]).buffer());
            self.send_bytes(
                &ToWorker::UseBundle { seconds: run.seconds },
                js_sys::Uint8Array::from(&bundle[..]).buffer(),
            );
        });
    }

    /// Sends a dataset file (a CSV, or a `.zip` of class folders) to the worker, keeping
    /// a copy in case a run starts on it (the one sent is transferred, so the worker
    /// takes it without a copy and the tab loses it).
    pub fn load_file(&self, name: &str, bytes: js_sys::ArrayBuffer) {
        self.forget_offers();
        self.pending_file.set_value(Some(DatasetFile { name: name.to_string(), bytes: bytes.slice(0) }));
        let images = self.image_options.get_untracked();
        self.send_bytes(&ToWorker::LoadFile { name: name.to_string(), images }, bytes);
    }

    /// Sends a picked folder's files (path inside the folder, contents one after the
    /// other in `bytes`) to the worker, which sends them back as one `.zip`: that is the
    /// dataset's file from then on.
    pub fn load_folder(&self, name: &str, files: Vec<(String, usize)>, bytes: js_sys::ArrayBuffer) {
        self.forget_offers();
        let empty = js_sys::ArrayBuffer::new(0);
        self.pending_file.set_value(Some(DatasetFile { name: format!("{name}.zip"), bytes: empty }));
        let images = self.image_options.get_untracked();
        self.send_bytes(&ToWorker::LoadFolder { name: name.to_string(), files, images }, bytes);
    }

    fn forget_offers(&self) {
        self.ragged.set(None);
        self.bad_images.set(None);
        self.load_fraction.set(0.0);
    }

    /// Resets what the previous run showed, for a new or resumed one.
    pub fn start_run(&self, status: String) {
        self.error.set(None);
        self.history.set(Vec::new());
        self.trained.set(None);
        self.prediction.set(None);
        self.paused.set(false);
        self.checkpoint_note.set(None);
        self.training.set(true);
        self.status.set(status);
    }

    fn end_run(&self) {
        self.training.set(false);
        self.paused.set(false);
        self.checkpoint_note.set(None);
        run_store::clear();
    }

    pub fn send(&self, message: &ToWorker) {
        worker_bridge::send(message, None);
    }

    pub fn send_bytes(&self, message: &ToWorker, bytes: js_sys::ArrayBuffer) {
        worker_bridge::send(message, Some(bytes));
    }
}

/// How the studio names a model (`mlp` -> `MLP`), from the family registry.
pub fn model_label(model: &str) -> &'static str {
    fornax_core::model::ModelFamily::from_name(model).map_or("Model", |family| family.info().label)
}

/// A dataset's file name made a valid model or dataset name (`wine.csv` -> `wine`).
pub fn model_name(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .take(fornax_core::limits::MAX_NAME_LEN)
        .collect();
    if name.is_empty() { "model".into() } else { name }
}
