//! Writes that never leave a half-written file: write a temporary file beside the
//! target, flush it to disk, rename it over the target, then flush the directory so
//! the rename itself survives a power cut. Missing parent directories are created.
//! On any failure (a full disk included) the temporary file is removed and the
//! previous file, if any, is untouched.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Temporary files end with this; [`is_temporary`] recognizes them.
const TEMP_SUFFIX: &str = ".tmp";

pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    put(path, bytes, Put::Replace)
}

/// Like [`write`], but fails with `AlreadyExists` (and changes nothing) when `path`
/// exists, even if another process creates it at the same moment.
pub fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    put(path, bytes, Put::CreateNew)
}

enum Put {
    Replace,
    CreateNew,
}

fn put(path: &Path, bytes: &[u8], how: Put) -> std::io::Result<()> {
    // Unique per process and per call, so concurrent writes never share a temp file.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp =
        dir.join(format!(".{name}.{}-{}{TEMP_SUFFIX}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
    let result = (|| {
        std::fs::create_dir_all(dir)?;
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        match how {
            Put::Replace => std::fs::rename(&temp, path)?,
            // A hard link, unlike a rename, refuses to replace an existing file.
            Put::CreateNew => {
                std::fs::hard_link(&temp, path)?;
                std::fs::remove_file(&temp)?;
            }
        }
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Whether `file_name` is one of [`write`]'s temporary files (left behind only when
/// the process was killed mid-write).
pub fn is_temporary(file_name: &str) -> bool {
    file_name.starts_with('.') && file_name.ends_with(TEMP_SUFFIX)
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("fornax-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.txt");
        super::write(&path, b"one").unwrap();
        super::write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn create_new_never_replaces() {
        let dir = std::env::temp_dir().join(format!("fornax-atomic-new-{}", std::process::id()));
        let path = dir.join("1.fornax");
        super::create_new(&path, b"one").unwrap();
        let again = super::create_new(&path, b"two").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary is left");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporary_names_are_recognized() {
        assert!(super::is_temporary(".wine.fornax.123-0.tmp"));
        assert!(!super::is_temporary("wine.fornax"));
    }
}
