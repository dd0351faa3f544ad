//! The unfinished run, kept in the browser's origin-private file system (OPFS) so a
//! reload or a crashed tab can resume it: the dataset it trains on and its latest
//! checkpoint. Writes go through one queue, in order; a newer checkpoint replaces one
//! still waiting. OPFS commits a writable file only when it is closed, so a tab closed
//! mid-write keeps the previous checkpoint whole.

use std::cell::RefCell;
use std::collections::VecDeque;

use fornax_core::train::Checkpoint;
use js_sys::{ArrayBuffer, Uint8Array};
use web_sys::FileSystemDirectoryHandle;

use crate::opfs;

const DIR: &str = "unfinished-run";
const DATASET: &str = "dataset.csv";
const DATASET_NAME: &str = "dataset-name.txt";
const CHECKPOINT: &str = "checkpoint.fxck";

/// A run found in storage.
pub struct SavedRun {
    pub dataset_name: String,
    pub dataset: ArrayBuffer,
    pub checkpoint: Checkpoint,
    /// The checkpoint as stored, for the worker.
    pub checkpoint_bytes: ArrayBuffer,
}

enum Op {
    /// A new run starts: forget the old one, keep this dataset.
    Begin {
        name: String,
        dataset: ArrayBuffer,
    },
    Checkpoint {
        bytes: ArrayBuffer,
        on_saved: Box<dyn FnOnce(Result<(), String>)>,
    },
    Clear,
}

#[derive(Default)]
struct Queue {
    ops: VecDeque<Op>,
    running: bool,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
    /// The run [`load`] found, until the user resumes or discards it.
    static FOUND: RefCell<Option<SavedRun>> = const { RefCell::new(None) };
}

pub fn keep_found(run: SavedRun) {
    FOUND.with(|f| *f.borrow_mut() = Some(run));
}

pub fn take_found() -> Option<SavedRun> {
    FOUND.with(|f| f.borrow_mut().take())
}

/// A run starts on the dataset `name`: it replaces any stored run. `dataset` is the
/// studio's own buffer, not a copy: writing it to storage leaves it intact.
pub fn begin_run(name: String, dataset: ArrayBuffer) {
    push(Op::Begin { name, dataset });
}

pub fn save_checkpoint(bytes: ArrayBuffer, on_saved: impl FnOnce(Result<(), String>) + 'static) {
    QUEUE.with(|q| q.borrow_mut().ops.retain(|op| !matches!(op, Op::Checkpoint { .. })));
    push(Op::Checkpoint { bytes, on_saved: Box::new(on_saved) });
}

/// The run ended (finished, failed or discarded): nothing is left to resume.
pub fn clear() {
    push(Op::Clear);
}

fn push(op: Op) {
    let start = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.ops.push_back(op);
        !std::mem::replace(&mut q.running, true)
    });
    if start {
        wasm_bindgen_futures::spawn_local(drain());
    }
}

async fn drain() {
    loop {
        let Some(op) = QUEUE.with(|q| {
            let mut q = q.borrow_mut();
            let op = q.ops.pop_front();
            q.running = op.is_some();
            op
        }) else {
            return;
        };
        match op {
            Op::Begin { name, dataset } => {
                let result = async {
                    remove_dir().await?;
                    let dir = dir().await?;
                    write(&dir, DATASET, &dataset).await?;
                    write(&dir, DATASET_NAME, &Uint8Array::from(name.as_bytes()).buffer()).await
                }
                .await;
                if let Err(e) = result {
                    web_sys::console::warn_1(&format!("could not keep the dataset for resuming: {e}").into());
                }
            }
            Op::Checkpoint { bytes, on_saved } => {
                let result = async { write(&dir().await?, CHECKPOINT, &bytes).await }.await;
                on_saved(result);
            }
            Op::Clear => {
                if let Err(e) = remove_dir().await {
                    web_sys::console::warn_1(&format!("could not remove the finished run: {e}").into());
                }
            }
        }
    }
}

/// The stored run, if there is a whole one. A checkpoint that cannot be read is
/// reported as an error (and left in place, so nothing is lost by looking).
pub async fn load() -> Result<Option<SavedRun>, String> {
    let Ok(dir) = existing_dir().await else { return Ok(None) };
    let (Ok(dataset), Ok(name), Ok(checkpoint)) =
        (read(&dir, DATASET).await, read(&dir, DATASET_NAME).await, read(&dir, CHECKPOINT).await)
    else {
        return Ok(None);
    };
    let checkpoint_bytes = checkpoint;
    let checkpoint = Checkpoint::from_bytes(&Uint8Array::new(&checkpoint_bytes).to_vec()).map_err(|e| e.to_string())?;
    let dataset_name = String::from_utf8_lossy(&Uint8Array::new(&name).to_vec()).into_owned();
    Ok(Some(SavedRun { dataset_name, dataset, checkpoint, checkpoint_bytes }))
}

async fn dir() -> Result<FileSystemDirectoryHandle, String> {
    opfs::dir(&opfs::root().await?, DIR, true).await.map_err(opfs::text)
}

async fn existing_dir() -> Result<FileSystemDirectoryHandle, String> {
    opfs::dir(&opfs::root().await?, DIR, false).await.map_err(opfs::text)
}

async fn remove_dir() -> Result<(), String> {
    opfs::remove(&opfs::root().await?, DIR).await
}

async fn write(dir: &FileSystemDirectoryHandle, name: &str, bytes: &ArrayBuffer) -> Result<(), String> {
    opfs::write(dir, name, [js_sys::Object::from(bytes.clone())]).await.map_err(opfs::text)
}

async fn read(dir: &FileSystemDirectoryHandle, name: &str) -> Result<ArrayBuffer, String> {
    opfs::read(dir, name).await.map_err(opfs::text)
}
