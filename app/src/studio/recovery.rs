//! Coming back from a crashed worker or a reloaded tab: a fresh worker takes the dataset,
//! and a run that a checkpoint was saved for is offered for resuming.

use fornax_wire::worker::{Backend, ToWorker};
use leptos::prelude::*;

use super::Studio;
use crate::{run_store, worker_bridge};

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
    /// The worker died: a GPU that fails (out of memory, a lost device) panics inside
    /// Burn, and so does anything else the worker did not expect. A fresh worker on the
    /// CPU takes its place with the same dataset; a run in progress stops, and its last
    /// checkpoint, if one was saved, is offered for resuming there.
    pub(super) fn worker_crashed(self, message: String) {
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
        if let Some(file) = self.dataset_file() {
            self.restoring.set(true);
            // A copy: the one sent is transferred away from the tab.
            let images = self.image_options.get_untracked();
            self.send_bytes(&ToWorker::LoadFile { name: file.name, images }, file.bytes.slice(0));
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
    pub(super) async fn find_unfinished(self) {
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
        // Pictures are fitted again as the run fitted them, or its data would differ.
        if let Some(images) = h.run.images {
            self.image_options.set(images);
        }
        self.start_run(format!("Resuming {} from its checkpoint...", saved.checkpoint.describe()));
        self.load_file(&saved.dataset_name, saved.dataset);
        self.send_bytes(&ToWorker::Resume, saved.checkpoint_bytes);
    }

    pub fn discard_unfinished(&self) {
        run_store::take_found();
        run_store::clear();
        self.unfinished.set(None);
    }
}
