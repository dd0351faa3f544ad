//! A folder of pictures as one `.zip`: read back file by file ([`zip_files`]), or
//! written from the files a browser hands over for a picked folder ([`write_zip`]), so
//! a folder is kept, stored and sent like any other single dataset file.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::import::{MAX_FILE_BYTES, MAX_IMAGES};
use crate::{Error, Result};

/// A zip's first bytes: how a dataset file is told to be a folder of pictures, whatever
/// its name says.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// The files of a `.zip` (path, bytes), directories left out; each file's size is
/// checked as it is inflated, so a zip bomb stops at the limit.
pub fn zip_files(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let bad = |e: zip::result::ZipError| Error::InvalidConfig(format!("the .zip cannot be read: {e}"));
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    if archive.len() > MAX_IMAGES {
        return Err(Error::Limit(format!("the .zip holds {} files; Fornax reads at most {MAX_IMAGES}", archive.len())));
    }
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(bad)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(bad)?.to_string();
        let data = crate::base::read_limited(entry, MAX_FILE_BYTES)
            .map_err(|e| Error::InvalidConfig(format!("`{name}` in the .zip cannot be inflated: {e}")))?
            .ok_or_else(|| {
                Error::Limit(format!(
                    "`{name}` in the .zip is larger than {} MiB, the most Fornax reads per image",
                    MAX_FILE_BYTES >> 20
                ))
            })?;
        files.push((name, data));
    }
    Ok(files)
}

/// The files (path inside the folder, bytes) as a `.zip`, stored without compression:
/// pictures are compressed already.
pub fn write_zip(files: &[(String, &[u8])]) -> Result<Vec<u8>> {
    let failed = |e: zip::result::ZipError| Error::InvalidConfig(format!("cannot write the folder as a .zip: {e}"));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (path, bytes) in files {
        zip.start_file(path.as_str(), stored.large_file(bytes.len() as u64 >= u32::MAX as u64)).map_err(failed)?;
        zip.write_all(bytes).map_err(|e| Error::InvalidConfig(e.to_string()))?;
    }
    Ok(zip.finish().map_err(failed)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::{is_zip, write_zip, zip_files};

    #[test]
    fn a_written_folder_reads_back_as_it_was() {
        let files = [("cats/1.png".to_string(), &b"one"[..]), ("dogs/2.png".to_string(), &b""[..])];
        let bytes = write_zip(&files).unwrap();
        assert!(is_zip(&bytes));
        let read = zip_files(&bytes).unwrap();
        let expected: Vec<(String, Vec<u8>)> = files.iter().map(|(p, b)| (p.clone(), b.to_vec())).collect();
        assert_eq!(read, expected);
        assert!(!is_zip(b"a,b\n1,2\n"));
    }
}
