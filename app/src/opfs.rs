//! The origin-private file system (OPFS): the browser's file storage for bytes.
//! A writable file is committed only when it is closed, so a write that fails or a tab
//! closed mid-write leaves the previous contents whole.

use js_sys::ArrayBuffer;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions, FileSystemGetFileOptions,
    FileSystemRemoveOptions, FileSystemWritableFileStream,
};

/// A JavaScript error's message.
pub fn text(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"))
}

/// Whether a JavaScript error is a `DOMException` of this name (`NotFoundError`,
/// `QuotaExceededError`).
pub fn is(e: &JsValue, name: &str) -> bool {
    e.dyn_ref::<js_sys::Error>().is_some_and(|e| e.name() == name) || format!("{e:?}").contains(name)
}

pub async fn root() -> Result<FileSystemDirectoryHandle, String> {
    let window = web_sys::window().ok_or("no window")?;
    let root = JsFuture::from(window.navigator().storage().get_directory()).await.map_err(text)?;
    Ok(root.unchecked_into())
}

/// The directory `name` in `parent`, created when `create`.
pub async fn dir(
    parent: &FileSystemDirectoryHandle,
    name: &str,
    create: bool,
) -> Result<FileSystemDirectoryHandle, JsValue> {
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(create);
    Ok(JsFuture::from(parent.get_directory_handle_with_options(name, &options)).await?.unchecked_into())
}

/// Removes `name` (a file, or a directory with everything in it); absent is fine.
pub async fn remove(parent: &FileSystemDirectoryHandle, name: &str) -> Result<(), String> {
    let options = FileSystemRemoveOptions::new();
    options.set_recursive(true);
    match JsFuture::from(parent.remove_entry_with_options(name, &options)).await {
        Ok(_) => Ok(()),
        Err(e) if is(&e, "NotFoundError") => Ok(()),
        Err(e) => Err(text(e)),
    }
}

/// Writes the whole file or, on failure, leaves it as it was. Each part (an
/// `ArrayBuffer` or a typed array) is made only when its turn comes, so a large file
/// written from wasm memory in slices needs one slice's copy at a time, not the file's.
pub async fn write(
    dir: &FileSystemDirectoryHandle,
    name: &str,
    parts: impl IntoIterator<Item = js_sys::Object>,
) -> Result<(), JsValue> {
    let options = FileSystemGetFileOptions::new();
    options.set_create(true);
    let file: FileSystemFileHandle =
        JsFuture::from(dir.get_file_handle_with_options(name, &options)).await?.unchecked_into();
    let stream: FileSystemWritableFileStream = JsFuture::from(file.create_writable()).await?.unchecked_into();
    for part in parts {
        let written = match stream.write_with_buffer_source(&part) {
            Ok(promise) => JsFuture::from(promise).await,
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            // Abandon the write: the file keeps its previous contents.
            let _ = JsFuture::from(stream.abort()).await;
            return Err(e);
        }
    }
    JsFuture::from(stream.close()).await?;
    Ok(())
}

pub async fn read(dir: &FileSystemDirectoryHandle, name: &str) -> Result<ArrayBuffer, JsValue> {
    let file: FileSystemFileHandle = JsFuture::from(dir.get_file_handle(name)).await?.unchecked_into();
    let file: web_sys::File = JsFuture::from(file.get_file()).await?.unchecked_into();
    Ok(JsFuture::from(file.array_buffer()).await?.unchecked_into())
}
