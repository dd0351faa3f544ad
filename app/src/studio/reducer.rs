//! How the worker's messages change the studio's state.

use fornax_core::model::ConvSpec;
use fornax_core::project::{BlobRef, Run};
use fornax_core::task::Task;
use fornax_core::train::{EpochReport, Monitor, Progress, TrainConfig};
use fornax_wire::worker::{FromWorker, TrainedModel};
use leptos::prelude::*;

use super::{DatasetFile, Studio, model_label, model_name};
use crate::run_store;

/// An image set trains a CNN unless the user chose a convolutional, named (ResNet,
/// EfficientNet) or custom network: the model family's default for pictures. Cleaning
/// steps are for tables.
fn suit_images(config: &mut TrainConfig, side: usize) {
    config.prep = Default::default();
    config.set_image_side(side);
    let chosen = config.conv.is_some() || config.network.is_some();
    if !chosen && config.model_spec(0, 1).named().is_none() {
        config.conv = Some(ConvSpec { image: [side, side], channels: vec![8, 16] });
        if config.hidden.is_empty() {
            config.hidden = TrainConfig::default().hidden;
        }
    }
}

impl Studio {
    /// Applies one message from the worker.
    pub(super) fn on_message(self, message: FromWorker, bytes: Option<js_sys::ArrayBuffer>) {
        match message {
            FromWorker::Alive => {}
            FromWorker::Ready { backend } => self.backend.set(Some(backend)),
            // Loaded for a resumed run, or again after a crash: the target and history stay.
            FromWorker::Loaded(dataset) if self.training.get_untracked() || self.restoring.get_untracked() => {
                self.restoring.set(false);
                self.loading.set(None);
                self.file_loaded(bytes);
                // Set again with the dataset, so the target picker shows it among the new options.
                self.target.set(self.target.get_untracked());
                self.dataset.set(Some(dataset));
            }
            FromWorker::Reading { fraction } => self.load_fraction.set(fraction),
            FromWorker::Ragged { name, rows } => {
                self.loading.set(None);
                self.ragged.set(Some((name, rows)));
            }
            FromWorker::BadImages { name, bad } => {
                self.loading.set(None);
                self.bad_images.set(Some((name, bad)));
            }
            FromWorker::Loaded(dataset) => {
                self.loading.set(None);
                self.error.set(None);
                // With ragged rows skipped, the file without them is the dataset to keep.
                self.file_loaded(bytes);
                if self.opening.get_untracked().is_none()
                    && let Some(file) = self.dataset_file()
                {
                    self.projects.keep_dataset(file.name, js_sys::Uint8Array::new(&file.bytes).to_vec());
                }
                self.target.set(dataset.suggested_target.clone());
                self.trained.set(None);
                self.history.set(Vec::new());
                self.prediction.set(None);
                match &dataset.images {
                    Some(images) => {
                        // The data report is the table's; pictures have their overview.
                        self.report.set(None);
                        self.image_split.set(None);
                        self.config.update(|c| suit_images(c, images.profile.side as usize));
                        self.status.set(format!("{} loaded: choose the model and train.", dataset.name));
                    }
                    None => {
                        // Augmentation varies pictures; a table takes none.
                        self.config.update(|c| c.augment = Default::default());
                        self.status.set(format!("{} loaded: pick the target column and train.", dataset.name));
                    }
                }
                self.augment_preview.set(None);
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
            FromWorker::AugmentPreview { augment, images } => {
                if self.config.with_untracked(|c| c.augment == augment) {
                    self.augment_preview.set(Some(images));
                }
            }
            FromWorker::ImagesInspected { key, stats } => {
                if key == self.report_key.get_untracked() {
                    self.image_split.set(Some(stats));
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
        let Some(DatasetFile { name: file, bytes }) = self.dataset_file() else { return };
        let dataset = js_sys::Uint8Array::new(&bytes).to_vec();
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
    pub(super) fn on_progress_batch(self, batch: Vec<Progress>) {
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
