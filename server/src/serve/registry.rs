//! The models directory: every `NAME.fornax` in it is loaded and served as `NAME`.
//! Uploads are written atomically, so a crash never leaves a half-written bundle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use fornax_core::bundle::{Bundle, Manifest};
use fornax_core::predict::Predictor;

pub struct Served {
    pub manifest: Manifest,
    pub predictor: Predictor,
}

pub struct Registry {
    dir: PathBuf,
    models: RwLock<BTreeMap<String, Arc<Served>>>,
    load_errors: Vec<(String, String)>,
}

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
        Registry { dir: dir.to_path_buf(), models: RwLock::new(models), load_errors }
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
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<Arc<Served>, String> {
        let served = Arc::new(load(bytes)?);
        crate::atomic_file::write(&self.dir.join(format!("{name}.fornax")), bytes)
            .map_err(|e| format!("cannot save the bundle: {e}"))?;
        self.models.write().expect("registry lock").insert(name.to_string(), served.clone());
        Ok(served)
    }
}

fn load(bytes: &[u8]) -> Result<Served, String> {
    let bundle = Bundle::from_bytes(bytes).map_err(|e| e.to_string())?;
    let predictor = Predictor::new(&bundle).map_err(|e| e.to_string())?;
    Ok(Served { manifest: bundle.manifest, predictor })
}
