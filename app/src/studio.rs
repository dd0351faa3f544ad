//! The studio's state (signals shared by every page through context), the root
//! component, and how worker messages change that state.

use fornax_core::predict::Prediction;
use fornax_core::recipe::Task;
use fornax_core::train::{EpochReport, Monitor, Progress, TrainConfig};
use leptos::prelude::*;

use crate::pages::{DataPage, DeployPage, EnvironmentPage, EvaluatePage, ResumeOffer, TrainPage};
use crate::protocol::{Backend, Dataset, FromWorker, ToWorker, TrainedModel};
use crate::{run_store, worker_bridge};

/// Everything the pages read and write. Signals are `Copy`, so this is too.
#[derive(Clone, Copy)]
pub struct Studio {
    pub backend: RwSignal<Option<Backend>>,
    pub dataset: RwSignal<Option<Dataset>>,
    /// Set while the worker parses a file.
    pub loading: RwSignal<Option<String>>,
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
        Studio {
            backend: RwSignal::new(None),
            dataset: RwSignal::new(None),
            loading: RwSignal::new(None),
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
            error: RwSignal::new(None),
            paused: RwSignal::new(false),
            checkpoint_note: RwSignal::new(None),
            unfinished: RwSignal::new(None),
        }
    }

    /// Sends a CSV to the worker, keeping a copy in case a run starts on it.
    pub fn load_csv(&self, name: &str, bytes: js_sys::ArrayBuffer) {
        run_store::remember_dataset(name, &bytes);
        self.send_bytes(&ToWorker::LoadCsv { name: name.to_string() }, bytes);
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
            // Loaded for a resumed run: the run's own target and history stay.
            FromWorker::Loaded(dataset) if self.training.get_untracked() => {
                self.loading.set(None);
                // Set again with the dataset, so the target picker shows it among the new options.
                self.target.set(self.target.get_untracked());
                self.dataset.set(Some(dataset));
            }
            FromWorker::Loaded(dataset) => {
                self.loading.set(None);
                self.error.set(None);
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
                self.end_run();
                self.set_bundle(bytes);
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
            FromWorker::Failed { message } => {
                self.loading.set(None);
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
                let metric = if self.task.get_untracked() == Some(Task::Regression) { "R²" } else { "accuracy" };
                // Time left if the remaining epochs run at this epoch's speed (early stopping
                // may end sooner).
                let seconds_per_epoch = self.train_rows.get_untracked() as f64 / report.samples_per_second.max(1e-9);
                let eta = (report.epochs - report.epoch) as f64 * seconds_per_epoch;
                // While paused the status says so (the last epoch's numbers are in the curve).
                if !self.paused.get_untracked() {
                    self.status.set(format!(
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
                ));
                }
                self.history.update(|h| h.push(report));
            }
            Progress::EarlyStop { model, epoch, best_epoch } => self
                .status
                .set(format!("{}: stopped early at epoch {epoch}; best epoch {best_epoch}.", model_label(&model))),
        }
    }
}

pub fn model_label(model: &str) -> &'static str {
    if model == "linear" { "Linear baseline" } else { "MLP" }
}

/// The whole studio, in the order a user works: environment, data, train, evaluate, deploy.
#[component]
pub fn App() -> impl IntoView {
    let studio = Studio::new();
    provide_context(studio);
    let started = worker_bridge::spawn(move |m, bytes| studio.on_message(m, bytes), move |e| studio.error.set(Some(e)));
    match started {
        Ok(()) => studio.send(&ToWorker::Init { webgpu: webgpu_wanted() }),
        Err(e) => studio.error.set(Some(e)),
    }
    leptos::task::spawn_local(studio.find_unfinished());
    view! {
        <header class="top">
            <div class="brand">"Fornax"<span class="tagline">"machine learning in your browser"</span></div>
            <EnvironmentPage/>
        </header>
        <ErrorBanner/>
        <main>
            <ResumeOffer/>
            <DataPage/>
            <TrainPage/>
            <EvaluatePage/>
            <DeployPage/>
        </main>
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
