//! Core's project stores in the browser: bytes in OPFS (`projects/ID/SHA256`), records
//! in IndexedDB (database `fornax`, object store `records`, values `{revision, json}`).

use std::cell::RefCell;

use fornax_core::project::{BlobStore, MetaStore, Revision, StoreError};
use js_sys::{Array, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use crate::opfs;

const ROOT: &str = "projects";
const DATABASE: &str = "fornax";
const RECORDS: &str = "records";
/// How much of a blob is copied out of wasm memory per OPFS write call.
const WRITE_SLICE: usize = 8 << 20;

fn failed(e: JsValue) -> StoreError {
    StoreError::Failed(opfs::text(e))
}

/// How much this origin stores and may store, as the browser estimates it.
pub async fn estimate() -> Result<(u64, u64), StoreError> {
    let storage = web_sys::window().ok_or(StoreError::Failed("no window".into()))?.navigator().storage();
    let estimate: web_sys::StorageEstimate =
        JsFuture::from(storage.estimate().map_err(failed)?).await.map_err(failed)?.unchecked_into();
    Ok((estimate.get_usage().unwrap_or(0.0) as u64, estimate.get_quota().unwrap_or(0.0) as u64))
}

pub struct OpfsBlobs;

impl OpfsBlobs {
    fn split(key: &str) -> Result<(&str, &str), StoreError> {
        key.split_once('/').ok_or_else(|| StoreError::Failed(format!("{key:?} is not a storage key")))
    }
}

impl BlobStore for OpfsBlobs {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let (dir, file) = Self::split(key)?;
        // Refused before writing when it cannot fit: nothing half-written to clean up.
        let (usage, quota) = estimate().await?;
        if quota > 0 && usage + bytes.len() as u64 > quota {
            return Err(StoreError::QuotaExceeded {
                needed: bytes.len() as u64,
                available: quota.saturating_sub(usage),
            });
        }
        let root = opfs::root().await.map_err(StoreError::Failed)?;
        let projects = opfs::dir(&root, ROOT, true).await.map_err(failed)?;
        let dir = opfs::dir(&projects, dir, true).await.map_err(failed)?;
        opfs::write(&dir, file, bytes.chunks(WRITE_SLICE).map(|s| Uint8Array::from(s).into())).await.map_err(|e| {
            if opfs::is(&e, "QuotaExceededError") {
                StoreError::QuotaExceeded { needed: bytes.len() as u64, available: quota.saturating_sub(usage) }
            } else {
                failed(e)
            }
        })
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let (dir, file) = Self::split(key)?;
        let missing =
            |e: JsValue| if opfs::is(&e, "NotFoundError") { StoreError::NotFound(key.to_string()) } else { failed(e) };
        let root = opfs::root().await.map_err(StoreError::Failed)?;
        let projects = opfs::dir(&root, ROOT, false).await.map_err(missing)?;
        let dir = opfs::dir(&projects, dir, false).await.map_err(missing)?;
        let buffer = opfs::read(&dir, file).await.map_err(missing)?;
        Ok(Uint8Array::new(&buffer).to_vec())
    }

    async fn delete_dir(&self, dir: &str) -> Result<(), StoreError> {
        let root = opfs::root().await.map_err(StoreError::Failed)?;
        match opfs::dir(&root, ROOT, false).await {
            Ok(projects) => opfs::remove(&projects, dir).await.map_err(StoreError::Failed),
            Err(e) if opfs::is(&e, "NotFoundError") => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}

pub struct IdbMeta;

thread_local! {
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// A request's result, once it succeeded.
async fn done(request: &IdbRequest) -> Result<JsValue, StoreError> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(|_| {
        let error = request.error().ok().flatten();
        match error {
            Some(e) if e.name() == "QuotaExceededError" => StoreError::QuotaExceeded { needed: 0, available: 0 },
            Some(e) => StoreError::Failed(format!("{}: {}", e.name(), e.message())),
            None => StoreError::Failed("an IndexedDB request failed".into()),
        }
    })?;
    request.result().map_err(failed)
}

async fn database() -> Result<IdbDatabase, StoreError> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| StoreError::Failed("this browser offers no IndexedDB (a private window may block it)".into()))?;
    let open: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1).map_err(failed)?;
    let upgrade = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let request: IdbOpenDbRequest = event.target().expect("an open request").unchecked_into();
        if let Ok(db) = request.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(RECORDS) {
                let _ = db.create_object_store(RECORDS);
            }
        }
    });
    open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db: IdbDatabase = done(&open).await?.unchecked_into();
    drop(upgrade);
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

async fn records(mode: IdbTransactionMode) -> Result<IdbObjectStore, StoreError> {
    let db = database().await?;
    let transaction = db.transaction_with_str_and_mode(RECORDS, mode).map_err(failed)?;
    transaction.object_store(RECORDS).map_err(failed)
}

fn record(value: &JsValue) -> Option<(Revision, String)> {
    let revision = Reflect::get(value, &"revision".into()).ok()?.as_f64()? as Revision;
    let json = Reflect::get(value, &"json".into()).ok()?.as_string()?;
    Some((revision, json))
}

impl MetaStore for IdbMeta {
    async fn get(&self, key: &str) -> Result<Option<(Revision, String)>, StoreError> {
        let store = records(IdbTransactionMode::Readonly).await?;
        let value = done(&store.get(&key.into()).map_err(failed)?).await?;
        Ok(record(&value))
    }

    /// Reads and writes in one transaction, so no other tab can write in between.
    async fn put(&self, key: &str, expected: Revision, json: &str) -> Result<Revision, StoreError> {
        let store = records(IdbTransactionMode::Readwrite).await?;
        let current = done(&store.get(&key.into()).map_err(failed)?).await?;
        let revision = record(&current).map_or(0, |(r, _)| r);
        if revision != expected {
            return Err(StoreError::Conflict(key.to_string()));
        }
        let value = js_sys::Object::new();
        let _ = Reflect::set(&value, &"revision".into(), &((revision + 1) as f64).into());
        let _ = Reflect::set(&value, &"json".into(), &json.into());
        done(&store.put_with_key(&value, &key.into()).map_err(failed)?).await?;
        Ok(revision + 1)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let store = records(IdbTransactionMode::Readwrite).await?;
        done(&store.delete(&key.into()).map_err(failed)?).await?;
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, Revision, String)>, StoreError> {
        let store = records(IdbTransactionMode::Readonly).await?;
        let keys = store.get_all_keys().map_err(failed)?;
        let values = store.get_all().map_err(failed)?;
        let keys: Array = done(&keys).await?.unchecked_into();
        let values: Array = done(&values).await?.unchecked_into();
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(key, value)| {
                let key = key.as_string()?;
                let (revision, json) = record(&value)?;
                key.starts_with(prefix).then_some((key, revision, json))
            })
            .collect())
    }
}
