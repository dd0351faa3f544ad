//! The models directory, versioned.
//!
//! ```text
//! models/wine.fornax      a bundle dropped in by hand: model `wine`, version 1
//! models/wine/2.fornax    uploads: one file per version
//! models/wine/latest      the version served by default ("2")
//! ```
//!
//! An upload is loaded and must answer a smoke prediction before it is written; it is
//! written under a new version number (never over an existing file), and only then
//! does `latest` move. Every write is atomic, so a crash leaves either the old
//! `latest` or the new one, each pointing at a whole bundle. Replicas that share the
//! directory see each other's uploads: a request re-reads a model's `latest` at most
//! once a second.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fornax_core::bundle::{Bundle, Manifest};
use fornax_core::predict::Predictor;

use super::batcher::BatchSettings;
use super::metrics::Metrics;
use super::put_error::PutError;
use super::served::Served;

/// What the registry knows of one model name.
struct Model {
    latest: Option<u32>,
    /// When `latest` was last read from disk.
    checked: Instant,
    loaded: BTreeMap<u32, Arc<Served>>,
}

pub struct Registry {
    dir: PathBuf,
    settings: BatchSettings,
    metrics: Arc<Metrics>,
    models: Mutex<BTreeMap<String, Model>>,
    /// Serializes this process's uploads (other replicas are kept apart by
    /// [`crate::atomic_file::create_new`]).
    writing: Mutex<()>,
}

/// Why a model could not be found.
pub enum Missing {
    NotFound(String),
    /// It is on disk but does not load (written by hand, or by a newer Fornax).
    Unloadable(String),
}

/// How long a model's `latest` is trusted before the directory is read again.
const RECHECK: Duration = Duration::from_secs(1);
/// A temporary upload file older than this was left by a killed process, not one
/// being written now by a replica that shares the directory.
const STALE_TEMPORARY: Duration = Duration::from_secs(600);
const LATEST: &str = "latest";

pub use fornax_core::limits::valid_name;

impl Registry {
    /// Opens `dir` (removing temporaries that killed processes left) and loads the
    /// latest version of every model; returns the models that failed to load, with
    /// why. Those are skipped, never fatal.
    pub fn open(dir: &Path, settings: BatchSettings, metrics: Arc<Metrics>) -> (Self, Vec<(String, String)>) {
        let registry = Registry {
            dir: dir.to_path_buf(),
            settings,
            metrics,
            models: Mutex::new(BTreeMap::new()),
            writing: Mutex::new(()),
        };
        remove_stale_temporaries(dir);
        let mut problems = Vec::new();
        for name in registry.names() {
            remove_stale_temporaries(&dir.join(&name));
            match registry.latest(&name) {
                Ok(_) => {}
                Err(Missing::NotFound(why) | Missing::Unloadable(why)) => problems.push((name, why)),
            }
        }
        (registry, problems)
    }

    /// Every model name in the directory, whether or not it loads.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let file_name = entry.file_name().into_string().ok()?;
                let name = if entry.path().is_dir() { file_name } else { file_name.strip_suffix(".fornax")?.into() };
                valid_name(&name).then_some(name)
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Whether the models directory can be read (a shared volume can go away).
    pub fn check_readable(&self) -> Result<(), String> {
        std::fs::read_dir(&self.dir)
            .map(drop)
            .map_err(|e| format!("the models directory {} cannot be read: {e}", self.dir.display()))
    }

    /// The latest version of every model that loads.
    pub fn list(&self) -> Vec<Arc<Served>> {
        self.names().iter().filter_map(|name| self.latest(name).ok()).collect()
    }

    /// The version `latest` names.
    pub fn latest(&self, name: &str) -> Result<Arc<Served>, Missing> {
        if !valid_name(name) {
            return Err(Missing::NotFound(format!("model `{name}` not found")));
        }
        match self.refresh(name) {
            Some(version) => self.loaded_or_load(name, version),
            None => Err(Missing::NotFound(format!("model `{name}` not found"))),
        }
    }

    /// The latest version number, read from disk at most once per [`RECHECK`]. A model
    /// that is gone (deleted, here or by a replica) or never was is forgotten, its
    /// loaded versions with it: unknown names must not fill memory.
    fn refresh(&self, name: &str) -> Option<u32> {
        let mut models = self.models.lock().expect("registry lock");
        if let Some(model) = models.get(name).filter(|m| m.checked.elapsed() < RECHECK) {
            return model.latest;
        }
        match self.latest_on_disk(name) {
            None => {
                models.remove(name);
                None
            }
            Some(version) => {
                let model = models.entry(name.to_string()).or_insert_with(|| Model {
                    latest: None,
                    checked: Instant::now(),
                    loaded: BTreeMap::new(),
                });
                model.latest = Some(version);
                model.checked = Instant::now();
                model.loaded.retain(|&v, _| self.version_path(name, v).is_file());
                Some(version)
            }
        }
    }

    /// One version, loaded from disk the first time it is asked for.
    pub fn version(&self, name: &str, version: u32) -> Result<Arc<Served>, Missing> {
        let not_found = || Missing::NotFound(format!("model `{name}` has no version {version}"));
        if !valid_name(name) {
            return Err(not_found());
        }
        // Drops versions deleted since the last look.
        self.refresh(name);
        self.loaded_or_load(name, version)
    }

    /// A version from memory, or from disk the first time.
    fn loaded_or_load(&self, name: &str, version: u32) -> Result<Arc<Served>, Missing> {
        let not_found = || Missing::NotFound(format!("model `{name}` has no version {version}"));
        let cached = |models: &BTreeMap<String, Model>| models.get(name).and_then(|m| m.loaded.get(&version)).cloned();
        if let Some(served) = cached(&self.models.lock().expect("registry lock")) {
            return Ok(served);
        }
        let bytes = match std::fs::read(self.version_path(name, version)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
            Err(e) => return Err(Missing::Unloadable(format!("model `{name}` version {version}: {e}"))),
        };
        let (manifest, predictor) = load(&bytes)
            .map_err(|why| Missing::Unloadable(format!("model `{name}` version {version} does not load: {why}")))?;
        Ok(self.remember(name, version, manifest, predictor))
    }

    /// Deletes a model, every version of it; `Ok(false)` when there was none. The
    /// directory is renamed away first (atomic), so a crash cannot leave half a model.
    pub fn delete(&self, name: &str) -> Result<bool, String> {
        if !valid_name(name) {
            return Ok(false);
        }
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (dir, plain) = (self.dir.join(name), self.plain_path(name));
        let existed = dir.is_dir() || plain.is_file();
        let fail = |e: std::io::Error| format!("the server could not delete model `{name}`: {e}");
        if dir.is_dir() {
            let doomed = self.dir.join(format!(".{name}.deleted-{}", std::process::id()));
            std::fs::rename(&dir, &doomed).map_err(fail)?;
            std::fs::remove_dir_all(&doomed).map_err(fail)?;
        }
        if plain.is_file() {
            std::fs::remove_file(&plain).map_err(fail)?;
        }
        self.models.lock().expect("registry lock").remove(name);
        Ok(existed)
    }

    /// The stored bytes of one version.
    pub fn bundle_bytes(&self, name: &str, version: u32) -> Result<Vec<u8>, Missing> {
        let not_found = || Missing::NotFound(format!("model `{name}` has no version {version}"));
        if !valid_name(name) {
            return Err(not_found());
        }
        std::fs::read(self.version_path(name, version)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => not_found(),
            _ => Missing::Unloadable(format!("model `{name}` version {version}: {e}")),
        })
    }

    /// Every version on disk, oldest first.
    pub fn versions(&self, name: &str) -> Vec<u32> {
        let mut versions: Vec<u32> = std::fs::read_dir(self.dir.join(name))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.strip_suffix(".fornax")?.parse().ok())
            .filter(|&v| v > 1)
            .collect();
        if self.plain_path(name).is_file() || self.dir.join(name).join("1.fornax").is_file() {
            versions.push(1);
        }
        versions.sort_unstable();
        versions
    }

    /// Loads and checks `bytes`, stores them as a new version, then makes it `latest`.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<Arc<Served>, PutError> {
        let (manifest, predictor) = load(bytes).map_err(PutError::Invalid)?;
        smoke_test(&manifest, &predictor).map_err(PutError::Invalid)?;
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let storage = |e: std::io::Error| {
            PutError::Storage(format!("the server could not save the bundle ({e}); the previous version is kept"))
        };
        let model_dir = self.dir.join(name);
        let made_dir = !model_dir.exists();
        let stored = (|| {
            let mut version = self.versions(name).last().map_or(1, |v| v + 1);
            loop {
                match crate::atomic_file::create_new(&self.version_path(name, version), bytes) {
                    Ok(()) => break,
                    // Another replica took this number a moment ago.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => version += 1,
                    Err(e) => return Err(e),
                }
            }
            crate::atomic_file::write(&model_dir.join(LATEST), format!("{version}\n").as_bytes()).inspect_err(
                |_| {
                    let _ = std::fs::remove_file(self.version_path(name, version));
                },
            )?;
            Ok(version)
        })();
        let version = stored.inspect_err(|_| {
            if made_dir {
                let _ = std::fs::remove_dir(&model_dir);
            }
        });
        let served = self.remember(name, version.map_err(storage)?, manifest, predictor);
        let mut models = self.models.lock().expect("registry lock");
        if let Some(model) = models.get_mut(name) {
            model.latest = Some(served.version);
            model.checked = Instant::now();
        }
        Ok(served)
    }

    /// Keeps a loaded version (with its batcher), unless a concurrent
    /// request loaded it first.
    fn remember(&self, name: &str, version: u32, manifest: Manifest, predictor: Predictor) -> Arc<Served> {
        let mut models = self.models.lock().expect("registry lock");
        let model = models.entry(name.to_string()).or_insert_with(|| Model {
            latest: None,
            checked: Instant::now(),
            loaded: BTreeMap::new(),
        });
        model
            .loaded
            .entry(version)
            .or_insert_with(|| {
                Arc::new(Served::new(name, version, manifest, predictor, self.settings, self.metrics.clone()))
            })
            .clone()
    }

    /// (model, version, requests waiting) for every loaded version.
    pub fn queue_depths(&self) -> Vec<(String, u32, usize)> {
        let models = self.models.lock().expect("registry lock");
        models
            .iter()
            .flat_map(|(name, model)| model.loaded.values().map(move |s| (name.clone(), s.version, s.queue_depth())))
            .collect()
    }

    /// The version `NAME/latest` names (if its file exists), else 1 for a bundle
    /// dropped in as `NAME.fornax`.
    fn latest_on_disk(&self, name: &str) -> Option<u32> {
        let pointed = std::fs::read_to_string(self.dir.join(name).join(LATEST))
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
            .filter(|&v| self.version_path(name, v).is_file());
        pointed.or_else(|| self.plain_path(name).is_file().then_some(1))
    }

    fn plain_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.fornax"))
    }

    /// Version 1 of a model first placed by hand is its plain `NAME.fornax`.
    fn version_path(&self, name: &str, version: u32) -> PathBuf {
        let in_dir = self.dir.join(name).join(format!("{version}.fornax"));
        if version == 1 && !in_dir.exists() && self.plain_path(name).is_file() { self.plain_path(name) } else { in_dir }
    }
}

fn remove_stale_temporaries(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        // A delete that a crash interrupted.
        if entry.file_name().to_str().is_some_and(|n| n.starts_with('.') && n.contains(".deleted-")) {
            let _ = std::fs::remove_dir_all(entry.path());
            continue;
        }
        if entry.file_name().to_str().is_some_and(crate::atomic_file::is_temporary) {
            let path = entry.path();
            let age = std::fs::metadata(&path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if age.is_some_and(|age| age > STALE_TEMPORARY) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

fn load(bytes: &[u8]) -> Result<(Manifest, Predictor), String> {
    let bundle = Bundle::from_bytes(bytes).map_err(|e| e.to_string())?;
    let predictor = Predictor::new(&bundle).map_err(|e| e.to_string())?;
    Ok((bundle.manifest, predictor))
}

/// A bundle can be well-formed yet unusable (weights that overflow to NaN): before it
/// goes live it must answer its own example row with finite numbers.
fn smoke_test(manifest: &Manifest, predictor: &Predictor) -> Result<(), String> {
    let failed =
        |e: fornax_core::Error| format!("the bundle loads, but its smoke prediction on a typical row failed: {e}");
    if let Some(recipe) = manifest.preprocessing.images() {
        // A mid-grey picture of the model's own size stands for a typical image.
        let (side, channels) = (recipe.side, recipe.channels);
        let pixels = vec![128u8; (side * side) as usize * channels as usize];
        let grey = fornax_core::data::images::Picture { width: side, height: side, channels, pixels };
        return pollster::block_on(predictor.predict_pictures(&[grey])).map(drop).map_err(failed);
    }
    let recipe = manifest.table_recipe().map_err(|e| e.to_string())?;
    let example = serde_json::Value::Object(recipe.example_row());
    pollster::block_on(predictor.predict_json(&[example])).map(drop).map_err(failed)
}
