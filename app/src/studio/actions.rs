//! What the pages ask the studio to do. Pages read its signals and bind form fields to
//! its settings; changes of state that a run or a load goes through happen here.

use fornax_wire::worker::ToWorker;
use leptos::prelude::*;

use super::Studio;
use crate::run_store;

impl Studio {
    /// Trains on the loaded dataset in the tab, replacing any stored unfinished run.
    pub fn train(self) {
        self.start_run("Starting...".into());
        match self.dataset_file() {
            Some(file) => run_store::begin_run(file.name, file.bytes),
            None => run_store::clear(),
        }
        self.unfinished.set(None);
        let config = self.config.get_untracked();
        self.send(&ToWorker::Train { target: self.target.get_untracked(), config });
    }

    /// Makes `column` the target. The target is never ignored: picking it brings it back.
    pub fn choose_target(self, column: String) {
        self.config.update(|c| c.prep.set_ignored(&column, false));
        self.target.set(column);
    }

    /// Holds the run after its current epoch, or lets a held one go on.
    pub fn toggle_pause(self) {
        if self.paused.get_untracked() {
            self.paused.set(false);
            self.status.set("Continuing...".into());
            self.send(&ToWorker::Continue);
        } else {
            self.paused.set(true);
            self.status.set("Pausing after this epoch...".into());
            self.send(&ToWorker::Pause);
        }
    }

    /// A file (`name`) is being read, before it goes to the worker.
    pub fn reading(self, name: String) {
        self.loading.set(Some(name));
    }

    /// Reading a file failed before it reached the worker.
    pub fn read_failed(self, problem: String) {
        self.loading.set(None);
        self.show_error(problem);
    }

    /// Shows `problem` in the error banner.
    pub fn show_error(self, problem: String) {
        self.error.set(Some(problem));
    }

    /// The user's answer to a file with ragged rows or a folder with bad files: load it
    /// without them, or forget it.
    pub fn choose_skip(self, skip: bool) {
        let ragged = self.ragged.get_untracked().map(|(name, _)| name);
        let Some(name) = ragged.or_else(|| self.bad_images.get_untracked().map(|(name, _)| name)) else { return };
        self.ragged.set(None);
        self.bad_images.set(None);
        if skip {
            self.load_fraction.set(0.0);
            self.loading.set(Some(name));
        }
        self.send(&ToWorker::SkipChoice { skip });
    }

    /// Asks the worker for the loaded pictures augmented as the config says, drawn from
    /// the run's seed.
    pub fn preview_augment(self) {
        let (augment, seed) = self.config.with_untracked(|c| (c.augment.clone(), c.seed));
        self.send(&ToWorker::PreviewAugment { augment, seed });
    }

    /// Loads the held folder of pictures again, fitted as [`Studio::image_options`] now say.
    pub fn refit_images(self) {
        let Some(file) = self.dataset_file() else { return };
        self.reading(file.name.clone());
        self.load_file(&file.name, file.bytes.slice(0));
    }
}
