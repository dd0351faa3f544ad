//! The studio's state (signals shared by every page through context), the root
//! component, and how worker messages change that state.

use fornax_core::data::RaggedRows;
use fornax_core::predict::Prediction;
use fornax_core::project::{BlobRef, Run};
use fornax_core::task::Task;
use fornax_core::train::{DataReport, EpochReport, Monitor, Progress, TrainConfig};
use leptos::prelude::*;

use crate::offline::{self, Offline, UpdateBanner};
use crate::pages::{
    DataPage, DeployPage, EnvironmentPage, EvaluatePage, NetworkLedger, ProjectsPage, ResumeOffer, TrainPage,
};
use crate::projects::ProjectState;
use crate::protocol::{Backend, Dataset, FromWorker, ToWorker, TrainedModel, inspect_key};
use crate::{net, remote_job, run_store, worker_bridge};

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
    /// Which settings the report above answers ([`inspect_key`]).
    pub report_key: RwSignal<String>,
    /// The dataset is on its way to a worker that replaced a crashed one: the target
    /// and settings stay as they are.
    restoring: RwSignal<bool>,
}

/// A training job this tab started on a server and follows.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteRun {
    pub base: String,
    pub model: String,
    /// Known once the server accepted the job.
    pub job: Option<String>,
    /// The version the finished job registered.
    pub version: Option<u64>,
    /// `Date.now()` when the job was submitted.
    pub started: f64,
}

/// What the resume offer says about a stored run.
#[derive(Debug, Clone, PartialEq)]
pub enum Unfinished {
    Resumable {
        dataset: String,
        target: String,
        description: String,
        optimizer_restarts: bool,
    },
    /// Stored, but its checkpoint cannot be read.
    Unreadable(String),
}

impl Studio {
    fn new() -> Self {
        let error = RwSignal::new(None);
        Studio {
            backend: RwSignal::new(None),
            dataset: RwSignal::new(None),
            loading: RwSignal::new(None),
            load_fraction: RwSignal::new(0.0),
            ragged: RwSignal::new(None),
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
            report_key: RwSignal::new(String::new()),
            restoring: RwSignal::new(false),
        }
    }

    /// Asks the worker for a new data report whenever the dataset, the target or the
    /// data-shaping settings change (not the model's settings: they leave the data as it is).
    fn inspect_on_change(self) {
        let wanted = Memo::new(move |_| {
            let dataset = self.dataset.get();
            let target = self.target.get();
            let key = self.config.with(|c| inspect_key(&target, c));
            dataset.filter(|d| d.columns.iter().any(|c| c.name == target)).map(|d| (d, key))
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
            self.load_csv(&name, js_sys::Uint8Array::from(&dataset[..]).buffer());
            self.send_bytes(
                &ToWorker::UseBundle { seconds: run.seconds },
                js_sys::Uint8Array::from(&bundle[..]).buffer(),
            );
        });
    }

    /// The model the worker sent back belongs to a run opened from the project.
    fn opened(self, run: Run, model: TrainedModel, bytes: Option<js_sys::ArrayBuffer>) {
        self.set_bundle(bytes);
        self.config.set(run.config.clone());
        self.target.set(run.target.clone());
        self.task.set(Some(model.task));
        self.history.set(run.history.clone());
        self.prediction.set(None);
        self.error.set(None);
        self.status.set(format!(
            "Run {} opened from the project: trained on {} for {} epochs in {:.1} s.",
            run.id, run.trained_on, run.epochs_run, run.seconds
        ));
        self.predict_row.set(model.example.clone());
        self.trained.set(Some(model));
    }

    /// Keeps a finished run, with its model, in the open project.
    fn keep_run(self, model: &TrainedModel, bundle: Vec<u8>) {
        let Some((file, dataset)) = run_store::loaded_dataset() else { return };
        let dataset = js_sys::Uint8Array::new(&dataset).to_vec();
        let trained_on = match self.remote.get_untracked() {
            Some(remote) => remote.base,
            None => self.backend.with_untracked(|b| b.as_ref().map_or("this browser".into(), |b| b.name.clone())),
        };
        let run = Run {
            id: 0,
            created_ms: js_sys::Date::now() as u64,
            // Set when the project keeps the dataset (its SHA-256, computed there once).
            dataset: String::new(),
            target: model.target.clone(),
            config: self.config.get_untracked(),
            history: self.history.get_untracked(),
            epochs_run: model.epochs_run,
            seconds: model.seconds,
            test: model.metrics.clone(),
            baseline: model.baseline.clone(),
            trained_on,
            bundle: BlobRef { name: format!("{}.fornax", model_name(&file)), ..BlobRef::default() },
        };
        self.projects.keep_run((file, dataset), run, bundle);
    }

    /// Trains on the server in `server_url` instead of in the tab: uploads the dataset,
    /// starts a job with this tab's settings, and follows it like a local run.
    pub fn train_on_server(self) {
        let base = self.server_url.get_untracked().trim().trim_end_matches('/').to_string();
        let token = self.server_token.get_untracked().trim().to_string();
        let Some((file, bytes)) = run_store::loaded_dataset() else {
            return self.error.set(Some("load a dataset first".into()));
        };
        if let Err(problem) = net::check_server(&base, &token) {
            return self.error.set(Some(problem));
        }
        let name = model_name(&file);
        self.start_run(format!("Uploading {file} to {base}..."));
        self.remote.set(Some(RemoteRun {
            base: base.clone(),
            model: name.clone(),
            job: None,
            version: None,
            started: js_sys::Date::now(),
        }));
        let job = serde_json::json!({
            "dataset": name,
            "target": self.target.get_untracked(),
            "config": self.config.get_untracked(),
            "model": name,
        });
        leptos::task::spawn_local(async move {
            match start_job(&base, &token, &name, bytes, job).await {
                Ok(id) => self.follow_job(base, token, id),
                Err(problem) => self.remote_failed(problem),
            }
        });
    }

    fn follow_job(self, base: String, token: String, id: String) {
        self.remote.update(|r| {
            if let Some(r) = r {
                r.job = Some(id.clone());
            }
        });
        self.status.set(format!("Queued on {base} as job {id}..."));
        let url = format!("{base}/v1/jobs/{id}/events");
        let on_progress = move |batch: Vec<String>| {
            let parsed: Result<Vec<Progress>, _> = batch.iter().map(|data| serde_json::from_str(data)).collect();
            match parsed {
                Ok(batch) => self.on_progress_batch(batch),
                Err(e) => self.remote_failed(format!("the server sent progress this studio cannot read: {e}")),
            }
        };
        let followed = remote_job::follow(&url, on_progress, move |kind, data| {
            let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
            match kind {
                "succeeded" => {
                    let (model, version) = (
                        data["model"].as_str().unwrap_or_default().to_string(),
                        data["version"].as_u64().unwrap_or_default(),
                    );
                    self.remote.update(|r| {
                        if let Some(r) = r {
                            r.version = Some(version);
                        }
                    });
                    self.status.set(format!("Trained on {base}: downloading the model..."));
                    let (base, token) = (base.clone(), token.clone());
                    leptos::task::spawn_local(async move {
                        let url = format!("{base}/v1/models/{model}/versions/{version}/bundle");
                        match net::download(&url, Some(&token), "bring the model trained on the server into the tab")
                            .await
                        {
                            Ok(bytes) => {
                                let seconds = self.remote.with_untracked(|r| {
                                    r.as_ref().map_or(0.0, |r| (js_sys::Date::now() - r.started) / 1000.0)
                                });
                                self.send_bytes(&ToWorker::UseBundle { seconds }, bytes);
                            }
                            Err(problem) => self.remote_failed(problem),
                        }
                    });
                }
                "cancelled" => {
                    self.remote.set(None);
                    self.end_run();
                    self.status.set(format!("Cancelled on {base}."));
                }
                _ => self.remote_failed(format!(
                    "the job failed on {base}: {}",
                    data["message"].as_str().unwrap_or("no reason given")
                )),
            }
        });
        if let Err(problem) = followed {
            self.remote_failed(problem);
        }
    }

    fn remote_failed(self, problem: String) {
        remote_job::stop();
        self.remote.set(None);
        self.end_run();
        self.status.set(format!("Stopped: {problem}"));
        self.error.set(Some(problem));
    }

    /// Cancels the run in progress, here or on its server.
    pub fn cancel_run(self) {
        let Some(remote) = self.remote.get_untracked() else {
            return self.send(&ToWorker::Cancel);
        };
        let Some(job) = remote.job else { return };
        let token = self.server_token.get_untracked().trim().to_string();
        self.status.set("Cancelling on the server...".into());
        leptos::task::spawn_local(async move {
            let url = format!("{}/v1/jobs/{job}", remote.base);
            match net::send(
                "DELETE",
                &url,
                Some(&token),
                net::Body::Json(serde_json::Value::Null),
                "cancel the training job",
            )
            .await
            {
                Ok(answer) if answer.status == 200 => {}
                Ok(answer) => {
                    self.error.set(Some(format!("the server did not cancel the job: {}", net::detail(&answer.body))))
                }
                Err(problem) => self.error.set(Some(problem)),
            }
        });
    }

    /// Sends a CSV to the worker, keeping a copy in case a run starts on it.
    pub fn load_csv(&self, name: &str, bytes: js_sys::ArrayBuffer) {
        self.ragged.set(None);
        self.load_fraction.set(0.0);
        run_store::remember_dataset(name, &bytes);
        self.send_bytes(&ToWorker::LoadCsv { name: name.to_string() }, bytes);
    }

    /// The worker died: a GPU that fails (out of memory, a lost device) panics inside
    /// Burn, and so does anything else the worker did not expect. A fresh worker on the
    /// CPU takes its place with the same dataset; a run in progress stops, and its last
    /// checkpoint, if one was saved, is offered for resuming there.
    fn worker_crashed(self, message: String) {
        if !worker_bridge::was_alive() {
            return self.error.set(Some(format!("the training worker failed to start: {message}")));
        }
        let on_webgpu = self.backend.with_untracked(|b| b.as_ref().is_some_and(Backend::is_webgpu));
        let cause = if on_webgpu { "WebGPU failed" } else { "The training worker failed" };
        let message = message.trim();
        let mut text = format!("{cause}: {}", message.chars().take(400).collect::<String>());
        if message.chars().count() > 400 {
            text.push_str("...");
        }
        if on_webgpu {
            text.push_str(
                ". A model or batch too large for the GPU's memory is the usual cause: use a smaller batch or \
                 narrower layers. Training now runs on the CPU (Flex); reload the page to use the GPU again.",
            );
        }
        self.backend.set(None);
        if let Err(e) = worker_bridge::restart() {
            return self.error.set(Some(format!("{text} The worker could not be restarted: {e}")));
        }
        let reason = if on_webgpu { "WebGPU failed in this session" } else { "the worker was restarted" };
        self.send(&ToWorker::Init { webgpu: false, cpu_reason: Some(reason.into()) });
        self.loading.set(None);
        self.opening.set(None);
        // The old worker held the trained model, so predictions need a new one.
        self.trained.set(None);
        if let Some((name, bytes)) = run_store::loaded_dataset() {
            self.restoring.set(true);
            self.send_bytes(&ToWorker::LoadCsv { name }, bytes);
        }
        if self.training.get_untracked() && self.remote.get_untracked().is_none() {
            // The stored run stays (unlike `end_run`), for the resume offer.
            self.training.set(false);
            self.paused.set(false);
            self.checkpoint_note.set(None);
            self.status.set(format!("Stopped: {cause}."));
            leptos::task::spawn_local(self.find_unfinished());
        }
        self.error.set(Some(text));
    }

    /// Looks for a run a reload or crash interrupted.
    async fn find_unfinished(self) {
        match run_store::load().await {
            Ok(Some(saved)) => {
                let h = &saved.checkpoint.header;
                self.unfinished.set(Some(Unfinished::Resumable {
                    dataset: saved.dataset_name.clone(),
                    target: h.run.target.clone(),
                    description: saved.checkpoint.describe(),
                    optimizer_restarts: saved.checkpoint.optimizer.is_none(),
                }));
                run_store::keep_found(saved);
            }
            Ok(None) => {}
            Err(e) => self.unfinished.set(Some(Unfinished::Unreadable(e))),
        }
    }

    /// Continues the stored run: its dataset goes to the worker, then its checkpoint.
    pub fn resume_unfinished(&self) {
        let Some(saved) = run_store::take_found() else { return };
        self.unfinished.set(None);
        let h = &saved.checkpoint.header;
        self.config.set(h.run.config.clone());
        self.target.set(h.run.target.clone());
        self.start_run(format!("Resuming {} from its checkpoint...", saved.checkpoint.describe()));
        self.load_csv(&saved.dataset_name, saved.dataset);
        self.send_bytes(&ToWorker::Resume, saved.checkpoint_bytes);
    }

    pub fn discard_unfinished(&self) {
        run_store::take_found();
        run_store::clear();
        self.unfinished.set(None);
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

    fn on_message(self, message: FromWorker, bytes: Option<js_sys::ArrayBuffer>) {
        match message {
            FromWorker::Alive => {}
            FromWorker::Ready { backend } => self.backend.set(Some(backend)),
            // Loaded for a resumed run, or again after a crash: the target and history stay.
            FromWorker::Loaded(dataset) if self.training.get_untracked() || self.restoring.get_untracked() => {
                self.restoring.set(false);
                self.loading.set(None);
                run_store::dataset_loaded(bytes.as_ref());
                // Set again with the dataset, so the target picker shows it among the new options.
                self.target.set(self.target.get_untracked());
                self.dataset.set(Some(dataset));
            }
            FromWorker::Reading { fraction } => self.load_fraction.set(fraction),
            FromWorker::Ragged { name, rows } => {
                self.loading.set(None);
                self.ragged.set(Some((name, rows)));
            }
            FromWorker::Loaded(dataset) => {
                self.loading.set(None);
                self.error.set(None);
                // With ragged rows skipped, the file without them is the dataset to keep.
                run_store::dataset_loaded(bytes.as_ref());
                if self.opening.get_untracked().is_none()
                    && let Some((name, bytes)) = run_store::loaded_dataset()
                {
                    self.projects.keep_dataset(name, js_sys::Uint8Array::new(&bytes).to_vec());
                }
                self.target.set(dataset.suggested_target.clone());
                self.trained.set(None);
                self.history.set(Vec::new());
                self.prediction.set(None);
                self.status.set(format!("{} loaded: pick the target column and train.", dataset.name));
                self.dataset.set(Some(dataset));
            }
            FromWorker::Progress { progress } => self.on_progress(progress),
            FromWorker::Checkpoint { description } => {
                let Some(bytes) = bytes else { return };
                run_store::save_checkpoint(bytes, move |saved| match saved {
                    Ok(()) if self.training.get_untracked() => {
                        self.checkpoint_note.set(Some(format!("Checkpoint saved in this browser: {description}.")));
                        if self.paused.get_untracked() {
                            self.status.set(format!(
                                "Paused at {description}. The checkpoint is saved: continue now, or close the tab and resume later."
                            ));
                        }
                    }
                    Ok(()) => {}
                    Err(e) => self.checkpoint_note.set(Some(format!("The checkpoint could not be saved: {e}"))),
                });
            }
            FromWorker::Trained(model) => {
                if let Some(run) = self.opening.get_untracked() {
                    self.opening.set(None);
                    return self.opened(run, model, bytes);
                }
                if let Some(bytes) = &bytes {
                    self.keep_run(&model, js_sys::Uint8Array::new(bytes).to_vec());
                }
                self.end_run();
                self.set_bundle(bytes);
                if let Some(remote) = self.remote.get_untracked() {
                    self.remote.set(None);
                    self.status.set(format!(
                        "Done on {}: the model trained for {} epochs; it is registered there as `{}` version {}.",
                        remote.base,
                        model.epochs_run,
                        remote.model,
                        remote.version.unwrap_or_default()
                    ));
                    self.predict_row.set(model.example.clone());
                    self.trained.set(Some(model));
                    return;
                }
                let kept =
                    self.config.with_untracked(|c| match (c.early_stopping.restore_best, c.early_stopping.monitor) {
                        (false, _) => "the last epoch's weights were kept",
                        (true, Monitor::ValidLoss) => "the weights with the best validation loss were kept",
                        (true, Monitor::ValidMetric) => "the weights with the best validation score were kept",
                    });
                self.status.set(format!(
                    "Done: the model trained for {} epochs in {:.1} s; {kept}.",
                    model.epochs_run, model.seconds
                ));
                self.predict_row.set(model.example.clone());
                self.trained.set(Some(model));
            }
            FromWorker::Predicted { prediction } => self.prediction.set(Some(Ok(prediction))),
            FromWorker::PredictRejected { errors } => {
                let text = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.loc.last().map(|l| l.to_string()).unwrap_or_default(), e.msg));
                self.prediction.set(Some(Err(text.collect::<Vec<_>>().join("; "))));
            }
            // Only the benchmark pages ask for these.
            FromWorker::Benchmarked { .. } | FromWorker::DataBenchmarked { .. } => {}
            FromWorker::Inspected { key, report } => {
                // A report for settings changed since is dropped: a newer one is coming.
                if key == self.report_key.get_untracked() {
                    self.report.set(Some(*report));
                }
            }
            FromWorker::Exported { name } => {
                if let Some(bytes) = bytes {
                    crate::pages::download(&js_sys::Array::of1(&bytes), &name, "text/csv");
                }
            }
            FromWorker::Crashed { message } => self.worker_crashed(message),
            FromWorker::Failed { message } => {
                self.loading.set(None);
                self.opening.set(None);
                if self.training.get_untracked() {
                    self.end_run();
                    self.status.set(format!("Stopped: {message}"));
                }
                self.error.set(Some(message));
            }
        }
    }

    /// Replaces the downloadable bundle, releasing the previous object URL.
    fn set_bundle(self, bytes: Option<js_sys::ArrayBuffer>) {
        if let Some(old) = self.bundle_url.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&old);
        }
        let url = bytes.and_then(|bytes| {
            let parts = js_sys::Array::of1(&bytes);
            let options = web_sys::BlobPropertyBag::new();
            options.set_type("application/octet-stream");
            let blob = web_sys::Blob::new_with_buffer_source_sequence_and_options(&parts, &options).ok()?;
            web_sys::Url::create_object_url_with_blob(&blob).ok()
        });
        self.bundle_url.set(url);
    }

    fn on_progress(self, progress: Progress) {
        self.on_progress_batch(vec![progress]);
    }

    /// Applies progress events in order, with one update of the history for all their
    /// epochs (a server can send thousands a second; drawing each would freeze the tab).
    fn on_progress_batch(self, batch: Vec<Progress>) {
        let mut epochs = Vec::new();
        let mut last_epoch_status = None;
        for progress in batch {
            last_epoch_status = None;
            match progress {
                Progress::Started { model, task, epochs, train_rows, valid_rows } => {
                    self.task.set(Some(task));
                    self.train_rows.set(train_rows);
                    self.status.set(format!(
                        "Training {} for up to {epochs} epochs on {train_rows} rows ({valid_rows} for validation)...",
                        model_label(&model)
                    ));
                }
                Progress::Epoch(report) => {
                    last_epoch_status = Some(self.epoch_status(&report));
                    epochs.push(report);
                }
                Progress::EarlyStop { model, epoch, best_epoch } => self
                    .status
                    .set(format!("{}: stopped early at epoch {epoch}; best epoch {best_epoch}.", model_label(&model))),
            }
        }
        // While paused the status says so (the last epoch's numbers are in the curve).
        if let Some(status) = last_epoch_status
            && !self.paused.get_untracked()
        {
            self.status.set(status);
        }
        if !epochs.is_empty() {
            self.history.update(|h| h.extend(epochs));
        }
    }

    fn epoch_status(self, report: &EpochReport) -> String {
        let metric = if self.task.get_untracked() == Some(Task::Regression) { "R²" } else { "accuracy" };
        // Time left if the remaining epochs run at this epoch's speed (early stopping
        // may end sooner).
        let seconds_per_epoch = self.train_rows.get_untracked() as f64 / report.samples_per_second.max(1e-9);
        let eta = (report.epochs - report.epoch) as f64 * seconds_per_epoch;
        format!(
            "{}: epoch {}/{} · loss {:.4} · validation loss {:.4} · validation {metric} {:.3} · lr {:.2e} · {:.0} samples/s · about {:.0} s left",
            model_label(&report.model),
            report.epoch,
            report.epochs,
            report.train_loss,
            report.valid_loss,
            report.valid_metric,
            report.learning_rate,
            report.samples_per_second,
            eta.ceil()
        )
    }
}

pub fn model_label(model: &str) -> &'static str {
    match model {
        "linear" => "Linear baseline",
        "cnn" => "CNN",
        _ => "MLP",
    }
}

/// The whole studio, in the order a user works: environment, data, train, evaluate, deploy.
#[component]
pub fn App() -> impl IntoView {
    let studio = Studio::new();
    provide_context(studio);
    studio.inspect_on_change();
    let started = worker_bridge::spawn(move |m, bytes| studio.on_message(m, bytes), move |e| studio.worker_crashed(e));
    match started {
        Ok(()) => studio.send(&ToWorker::Init { webgpu: webgpu_wanted(), cpu_reason: None }),
        Err(e) => studio.error.set(Some(e)),
    }
    leptos::task::spawn_local(studio.find_unfinished());
    studio.projects.start();
    leptos::task::spawn_local(crate::ledger::load());
    let offline = Offline { ready: RwSignal::new(false), update_waiting: RwSignal::new(false) };
    provide_context(offline);
    offline::start(offline);
    view! {
        <header class="top">
            <div class="brand">"Fornax"<span class="tagline">"machine learning in your browser"</span></div>
            <EnvironmentPage/>
        </header>
        <UpdateBanner/>
        <ErrorBanner/>
        <main>
            <ResumeOffer/>
            <ProjectsPage/>
            <DataPage/>
            <TrainPage/>
            <EvaluatePage/>
            <DeployPage/>
            <NetworkLedger/>
        </main>
    }
}

/// The address this studio was loaded from: its own `fornax serve`.
pub fn own_origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
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

/// Uploads the dataset and submits the job; the job's id.
async fn start_job(
    base: &str,
    token: &str,
    name: &str,
    dataset: js_sys::ArrayBuffer,
    job: serde_json::Value,
) -> Result<String, String> {
    let upload = net::send(
        "PUT",
        &format!("{base}/v1/datasets/{name}"),
        Some(token),
        net::Body::Bytes(dataset),
        "send the dataset to train on the server",
    )
    .await;
    let answer = upload.map_err(|e| net::unreachable(&e))?;
    if answer.status != 201 {
        return Err(net::refusal("the dataset upload", &answer));
    }
    let answer =
        net::send("POST", &format!("{base}/v1/jobs"), Some(token), net::Body::Json(job), "start the training job")
            .await
            .map_err(|e| net::unreachable(&e))?;
    match answer.body["id"].as_str() {
        Some(id) if answer.status == 202 => Ok(id.to_string()),
        _ => Err(net::refusal("the training job", &answer)),
    }
}

/// `?backend=cpu` in the URL switches WebGPU off.
pub fn webgpu_wanted() -> bool {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    !search.contains("backend=cpu")
}

#[component]
fn ErrorBanner() -> impl IntoView {
    let studio = expect_context::<Studio>();
    move || {
        studio.error.get().map(|message| {
            view! {
                <div class="error" role="alert" data-testid="error-banner">
                    <span>{message}</span>
                    <button class="link" on:click=move |_| studio.error.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}
