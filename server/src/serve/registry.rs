//! The models directory: every `NAME.fornax` in it is loaded and served as `NAME`.
//! Uploads are written atomically, so a crash never leaves a half-written bundle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use fornax_core::bundle::{Bundle, Manifest};
use fornax_core::predict::Predictor;

pub struct Served {
    pub manifest: Manifest,
    pub predictor: Predictor,
}

pub struct Registry {
    dir: PathBuf,
    models: RwLock<BTreeMap<String, Arc<Served>>>,
    /// Serializes uploads, so the file on disk and the model served always agree.
    writing: Mutex<()>,
    load_errors: Vec<(String, String)>,
}

/// Why an upload was not stored.
pub enum PutError {
    /// The bytes are not a usable bundle (the client's fault).
    Invalid(String),
    /// The server could not write it (disk full, permissions); nothing changed.
    Storage(String),
}

/// A temporary upload file older than this was left by a killed process, not one
/// being written now by a replica that shares the directory.
const STALE_TEMPORARY: Duration = Duration::from_secs(600);

/// Model names become file names: keep them to a safe alphabet.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Registry {
    /// Loads every bundle in `dir`; ones that fail are skipped and reported by
    /// [`Registry::load_errors`], never fatal.
    pub fn open(dir: &Path) -> Self {
        let mut models = BTreeMap::new();
        let mut load_errors = Vec::new();
        let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
        for entry in entries {
            let path = entry.path();
            if entry.file_name().to_str().is_some_and(crate::atomic_file::is_temporary) {
                remove_if_stale(&path);
                continue;
            }
            let (Some(name), Some("fornax")) =
                (path.file_stem().and_then(|s| s.to_str()), path.extension().and_then(|e| e.to_str()))
            else {
                continue;
            };
            match std::fs::read(&path).map_err(|e| e.to_string()).and_then(|bytes| load(&bytes)) {
                Ok(served) => {
                    models.insert(name.to_string(), Arc::new(served));
                }
                Err(problem) => load_errors.push((name.to_string(), problem)),
            }
        }
        Registry { dir: dir.to_path_buf(), models: RwLock::new(models), writing: Mutex::new(()), load_errors }
    }

    pub fn load_errors(&self) -> &[(String, String)] {
        &self.load_errors
    }

    pub fn get(&self, name: &str) -> Option<Arc<Served>> {
        self.models.read().expect("registry lock").get(name).cloned()
    }

    pub fn list(&self) -> Vec<(String, Arc<Served>)> {
        self.models.read().expect("registry lock").iter().map(|(n, s)| (n.clone(), s.clone())).collect()
    }

    /// Checks the bundle loads, writes it atomically, then starts serving it.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<Arc<Served>, PutError> {
        let served = Arc::new(load(bytes).map_err(PutError::Invalid)?);
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        crate::atomic_file::write(&self.dir.join(format!("{name}.fornax")), bytes).map_err(|e| {
            PutError::Storage(format!("the server could not save the bundle ({e}); the previous version is kept"))
        })?;
        self.models.write().expect("registry lock").insert(name.to_string(), served.clone());
        Ok(served)
    }
}

fn remove_if_stale(path: &Path) {
    let age = std::fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
    if age.is_some_and(|age| age > STALE_TEMPORARY) {
        let _ = std::fs::remove_file(path);
    }
}

fn load(bytes: &[u8]) -> Result<Served, String> {
    let bundle = Bundle::from_bytes(bytes).map_err(|e| e.to_string())?;
    let predictor = Predictor::new(&bundle).map_err(|e| e.to_string())?;
    Ok(Served { manifest: bundle.manifest, predictor })
}
