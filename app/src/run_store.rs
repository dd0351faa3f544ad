//! The unfinished run, kept in the browser's origin-private file system (OPFS) so a
//! reload or a crashed tab can resume it: the dataset it trains on and its latest
//! checkpoint. Writes go through one queue, in order; a newer checkpoint replaces one
//! still waiting. OPFS commits a writable file only when it is closed, so a tab closed
//! mid-write keeps the previous checkpoint whole.

use std::cell::RefCell;
use std::collections::VecDeque;

use fornax_core::train::Checkpoint;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions, FileSystemGetFileOptions,
    FileSystemRemoveOptions, FileSystemWritableFileStream,
};

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
    /// The dataset the user loaded last (a copy: the original goes to the worker).
    static LOADED: RefCell<Option<(String, ArrayBuffer)>> = const { RefCell::new(None) };
    /// The run [`load`] found, until the user resumes or discards it.
    static FOUND: RefCell<Option<SavedRun>> = const { RefCell::new(None) };
}

pub fn keep_found(run: SavedRun) {
    FOUND.with(|f| *f.borrow_mut() = Some(run));
}

pub fn take_found() -> Option<SavedRun> {
    FOUND.with(|f| f.borrow_mut().take())
}

/// Keeps a copy of the dataset just loaded, to store if a run starts on it.
pub fn remember_dataset(name: &str, bytes: &ArrayBuffer) {
    LOADED.with(|l| *l.borrow_mut() = Some((name.to_string(), bytes.slice(0))));
}

/// The dataset the user loaded last: its file name and a copy of its bytes.
pub fn loaded_dataset() -> Option<(String, ArrayBuffer)> {
    LOADED.with(|l| l.borrow().as_ref().map(|(name, bytes)| (name.clone(), bytes.slice(0))))
}

/// A run starts on the remembered dataset: it replaces any stored run.
pub fn begin_run() {
    match LOADED.with(|l| l.borrow().clone()) {
        // The same buffer, not a copy: writing it to storage leaves it intact.
        Some((name, dataset)) => push(Op::Begin { name, dataset }),
        None => push(Op::Clear),
    }
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

fn text(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"))
}

async fn root() -> Result<FileSystemDirectoryHandle, String> {
    let window = web_sys::window().ok_or("no window")?;
    let root = JsFuture::from(window.navigator().storage().get_directory()).await.map_err(text)?;
    Ok(root.unchecked_into())
}

async fn dir() -> Result<FileSystemDirectoryHandle, String> {
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(true);
    let dir = JsFuture::from(root().await?.get_directory_handle_with_options(DIR, &options)).await.map_err(text)?;
    Ok(dir.unchecked_into())
}

async fn existing_dir() -> Result<FileSystemDirectoryHandle, String> {
    let dir = JsFuture::from(root().await?.get_directory_handle(DIR)).await.map_err(text)?;
    Ok(dir.unchecked_into())
}

async fn remove_dir() -> Result<(), String> {
    let options = FileSystemRemoveOptions::new();
    options.set_recursive(true);
    match JsFuture::from(root().await?.remove_entry_with_options(DIR, &options)).await {
        Ok(_) => Ok(()),
        // Nothing stored: nothing to remove.
        Err(e) if format!("{e:?}").contains("NotFoundError") => Ok(()),
        Err(e) => Err(text(e)),
    }
}

async fn write(dir: &FileSystemDirectoryHandle, name: &str, bytes: &ArrayBuffer) -> Result<(), String> {
    let options = FileSystemGetFileOptions::new();
    options.set_create(true);
    let file: FileSystemFileHandle =
        JsFuture::from(dir.get_file_handle_with_options(name, &options)).await.map_err(text)?.unchecked_into();
    let stream: FileSystemWritableFileStream =
        JsFuture::from(file.create_writable()).await.map_err(text)?.unchecked_into();
    let written = JsFuture::from(stream.write_with_buffer_source(bytes).map_err(text)?).await;
    if let Err(e) = written {
        // Abandon the write: the file keeps its previous contents.
        let _ = JsFuture::from(stream.abort()).await;
        return Err(text(e));
    }
    JsFuture::from(stream.close()).await.map_err(text)?;
    Ok(())
}

async fn read(dir: &FileSystemDirectoryHandle, name: &str) -> Result<ArrayBuffer, String> {
    let file: FileSystemFileHandle = JsFuture::from(dir.get_file_handle(name)).await.map_err(text)?.unchecked_into();
    let file: web_sys::File = JsFuture::from(file.get_file()).await.map_err(text)?.unchecked_into();
    Ok(JsFuture::from(file.array_buffer()).await.map_err(text)?.unchecked_into())
}
