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

    /// The user's answer to a file with ragged rows: load it without them, or forget it.
    pub fn choose_ragged(self, skip: bool) {
        let Some((name, _)) = self.ragged.get_untracked() else { return };
        self.ragged.set(None);
        if skip {
            self.load_fraction.set(0.0);
            self.loading.set(Some(name));
        }
        self.send(&ToWorker::RaggedChoice { skip });
    }
}
