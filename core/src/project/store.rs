//! Where projects are kept: bytes in a [`BlobStore`], records in a [`MetaStore`].
//! The browser implements them with OPFS and IndexedDB (app/src/project_store.rs);
//! [`FsStore`] keeps both in a directory natively.

/// A record's version: 0 is "not stored", each write adds one.
pub type Revision = u64;

/// Why a store could not do what was asked.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum StoreError {
    /// Nothing is stored under this key.
    #[error("{0} is not stored")]
    NotFound(String),
    /// The record under this key is no longer at the revision the writer expected.
    #[error("{0} was changed elsewhere (another tab or window) since it was read")]
    Conflict(String),
    /// The browser's storage quota has no room for the write.
    #[error(
        "not enough storage in this browser: {needed} bytes are needed and {available} are free. Nothing was changed; delete or export old projects to make room"
    )]
    QuotaExceeded {
        /// Bytes the write needs (0 when the browser did not say).
        needed: u64,
        /// Bytes still free (0 when the browser did not say).
        available: u64,
    },
    /// Anything else (an I/O error, a key that is not valid); the message says what.
    #[error("storage failed: {0}")]
    Failed(String),
}

/// Bytes by key (`PROJECT/SHA256`). Single-threaded in the browser, so its futures
/// need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait BlobStore {
    /// Stores the bytes whole or not at all: a failed write leaves what was there.
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// The bytes under `key`; [`StoreError::NotFound`] when there are none.
    async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError>;
    /// Removes every key that starts with `dir/`.
    async fn delete_dir(&self, dir: &str) -> Result<(), StoreError>;
}

/// JSON records by key, each with a revision so two writers cannot silently overwrite
/// each other.
#[allow(async_fn_in_trait)]
pub trait MetaStore {
    /// The record under `key` with its revision; `None` when there is none.
    async fn get(&self, key: &str) -> Result<Option<(Revision, String)>, StoreError>;
    /// Writes `json` only if the stored revision is still `expected` (0: absent);
    /// returns the new revision, or [`StoreError::Conflict`].
    async fn put(&self, key: &str, expected: Revision, json: &str) -> Result<Revision, StoreError>;
    /// Removes the record under `key`; removing one that is absent is no error.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Every record whose key starts with `prefix`.
    async fn list(&self, prefix: &str) -> Result<Vec<(String, Revision, String)>, StoreError>;
}

#[cfg(not(target_family = "wasm"))]
pub use fs::FsStore;

#[cfg(not(target_family = "wasm"))]
mod fs {
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    use super::{BlobStore, MetaStore, Revision, StoreError};

    /// Both stores in one directory: `blobs/KEY` and `meta/KEY.json` (first line the
    /// revision). Writes go to a temporary file that is renamed into place. Revisions
    /// are compared under a lock held by this process: one process per directory.
    pub struct FsStore {
        root: PathBuf,
        lock: Mutex<()>,
    }

    fn failed(path: &Path, e: std::io::Error) -> StoreError {
        StoreError::Failed(format!("{}: {e}", path.display()))
    }

    fn check_key(key: &str) -> Result<(), StoreError> {
        let ok = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            });
        if ok { Ok(()) } else { Err(StoreError::Failed(format!("{key:?} is not a storage key"))) }
    }

    fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        let dir = path.parent().expect("store paths have a parent");
        std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
        let temp = path.with_extension("tmp");
        std::fs::write(&temp, bytes).map_err(|e| failed(&temp, e))?;
        std::fs::rename(&temp, path).map_err(|e| failed(path, e))
    }

    impl FsStore {
        /// Both stores under `root`; its directories are made on the first write.
        pub fn new(root: impl Into<PathBuf>) -> Self {
            FsStore { root: root.into(), lock: Mutex::new(()) }
        }

        fn meta_path(&self, key: &str) -> Result<PathBuf, StoreError> {
            check_key(key)?;
            if key.contains('/') {
                return Err(StoreError::Failed(format!("{key:?} is not a record key")));
            }
            Ok(self.root.join("meta").join(format!("{key}.json")))
        }

        fn read_meta(path: &Path) -> Result<Option<(Revision, String)>, StoreError> {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(failed(path, e)),
            };
            let (revision, json) = text.split_once('\n').unwrap_or(("", ""));
            let revision =
                revision.parse().map_err(|_| StoreError::Failed(format!("{} is damaged", path.display())))?;
            Ok(Some((revision, json.to_string())))
        }
    }

    impl BlobStore for FsStore {
        async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
            check_key(key)?;
            write_atomic(&self.root.join("blobs").join(key), bytes)
        }

        async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
            check_key(key)?;
            let path = self.root.join("blobs").join(key);
            std::fs::read(&path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => StoreError::NotFound(key.to_string()),
                _ => failed(&path, e),
            })
        }

        async fn delete_dir(&self, dir: &str) -> Result<(), StoreError> {
            check_key(dir)?;
            let path = self.root.join("blobs").join(dir);
            match std::fs::remove_dir_all(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(failed(&path, e)),
                _ => Ok(()),
            }
        }
    }

    impl MetaStore for FsStore {
        async fn get(&self, key: &str) -> Result<Option<(Revision, String)>, StoreError> {
            Self::read_meta(&self.meta_path(key)?)
        }

        async fn put(&self, key: &str, expected: Revision, json: &str) -> Result<Revision, StoreError> {
            let path = self.meta_path(key)?;
            let _held = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let current = Self::read_meta(&path)?.map_or(0, |(revision, _)| revision);
            if current != expected {
                return Err(StoreError::Conflict(key.to_string()));
            }
            write_atomic(&path, format!("{}\n{json}", current + 1).as_bytes())?;
            Ok(current + 1)
        }

        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            let path = self.meta_path(key)?;
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(failed(&path, e)),
                _ => Ok(()),
            }
        }

        async fn list(&self, prefix: &str) -> Result<Vec<(String, Revision, String)>, StoreError> {
            let dir = self.root.join("meta");
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(failed(&dir, e)),
            };
            let mut records = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| failed(&dir, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(key) = name.strip_suffix(".json") else { continue };
                if !key.starts_with(prefix) {
                    continue;
                }
                if let Some((revision, json)) = Self::read_meta(&entry.path())? {
                    records.push((key.to_string(), revision, json));
                }
            }
            records.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(records)
        }
    }
}
