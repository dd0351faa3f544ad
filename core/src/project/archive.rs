//! The `.fornax-project` file: a zip with `manifest.json` (format, version, the project
//! record) and each stored file as `blobs/SHA256`. Reading checks everything (format,
//! record, every file's size and checksum, the total size) before anything is stored.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use serde::{Deserialize, Serialize};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::record::sha256_hex;
use super::{Project, ProjectError};

/// What the manifest's `format` says, telling a project file from any other zip.
pub const FORMAT: &str = "fornax-project";
/// Bumped when a reader of the previous version would misread the file.
pub const FORMAT_VERSION: u32 = 1;
/// Largest project file read, and largest total of the files inside it.
pub const MAX_ARCHIVE_BYTES: u64 = 1 << 30;
const MANIFEST: &str = "manifest.json";
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    format_version: u32,
    /// The Fornax that wrote it, for the user's information.
    written_by: String,
    project: Project,
}

/// The project and its files as one zip. `blobs` maps SHA-256 to bytes.
pub fn write(project: &Project, blobs: &HashMap<String, Vec<u8>>) -> Result<Vec<u8>, ProjectError> {
    let failed = |e: zip::result::ZipError| ProjectError::Invalid(format!("cannot write the project file: {e}"));
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        written_by: format!("Fornax {}", crate::VERSION),
        project: project.clone(),
    };
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).large_file(false);
    zip.start_file(MANIFEST, deflated).map_err(failed)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest).expect("projects serialize"))
        .map_err(|e| ProjectError::Invalid(e.to_string()))?;
    for blob in project.blobs() {
        let bytes =
            blobs.get(&blob.sha256).ok_or_else(|| ProjectError::Damaged(format!("{} is missing", blob.name)))?;
        // Bundles are mostly float weights, which deflate barely shrinks: stored as is.
        let options = if blob.name.ends_with(".fornax") {
            deflated.compression_method(CompressionMethod::Stored)
        } else {
            deflated
        };
        zip.start_file(format!("blobs/{}", blob.sha256), options.large_file(blob.bytes >= u32::MAX as u64))
            .map_err(failed)?;
        zip.write_all(bytes).map_err(|e| ProjectError::Invalid(e.to_string()))?;
    }
    Ok(zip.finish().map_err(failed)?.into_inner())
}

/// Reads a project file: the record and every file it refers to, all checked.
pub fn read(bytes: &[u8]) -> Result<(Project, HashMap<String, Vec<u8>>), ProjectError> {
    if bytes.len() as u64 > MAX_ARCHIVE_BYTES {
        return Err(ProjectError::Invalid(format!(
            "the file is {} MiB; project files up to {} MiB can be imported",
            bytes.len() >> 20,
            MAX_ARCHIVE_BYTES >> 20
        )));
    }
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ProjectError::NotAProject(format!("it is not a zip archive ({e})")))?;
    let manifest = {
        let entry = zip.by_name(MANIFEST).map_err(|_| ProjectError::NotAProject(format!("it has no {MANIFEST}")))?;
        let text = read_entry(entry, MAX_MANIFEST_BYTES, MANIFEST)?;
        let value: serde_json::Value = serde_json::from_slice(&text)
            .map_err(|e| ProjectError::NotAProject(format!("its {MANIFEST} is not JSON ({e})")))?;
        if value["format"] != FORMAT {
            return Err(ProjectError::NotAProject(format!("its {MANIFEST} does not say format \"{FORMAT}\"")));
        }
        match value["format_version"].as_u64() {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) if v > u64::from(FORMAT_VERSION) => {
                return Err(ProjectError::Invalid(format!(
                    "it was written by a newer Fornax (project format {v}); this one reads format {FORMAT_VERSION}"
                )));
            }
            _ => return Err(ProjectError::Damaged(format!("its {MANIFEST} has no valid format_version"))),
        }
        serde_json::from_value::<Manifest>(value)
            .map_err(|e| ProjectError::Damaged(format!("its {MANIFEST} does not describe a project ({e})")))?
    };
    let project = manifest.project;
    project.validate()?;
    if project.bytes() > MAX_ARCHIVE_BYTES {
        return Err(ProjectError::Invalid(format!("its files add up to more than {} MiB", MAX_ARCHIVE_BYTES >> 20)));
    }
    let mut blobs = HashMap::new();
    for blob in project.blobs() {
        let path = format!("blobs/{}", blob.sha256);
        let entry =
            zip.by_name(&path).map_err(|_| ProjectError::Damaged(format!("{} is missing from it", blob.name)))?;
        if entry.size() != blob.bytes {
            return Err(ProjectError::Damaged(format!(
                "{} should be {} bytes but is {}",
                blob.name,
                blob.bytes,
                entry.size()
            )));
        }
        let bytes = read_entry(entry, blob.bytes, &blob.name)?;
        if bytes.len() as u64 != blob.bytes || sha256_hex(&bytes) != blob.sha256 {
            return Err(ProjectError::Damaged(format!("{} does not match its checksum", blob.name)));
        }
        blobs.insert(blob.sha256.clone(), bytes);
    }
    Ok((project, blobs))
}

/// An entry's bytes, never more than `limit` whatever its header claims.
fn read_entry(entry: impl Read, limit: u64, name: &str) -> Result<Vec<u8>, ProjectError> {
    crate::base::read_limited(entry, limit)
        .map_err(|e| ProjectError::Damaged(format!("{name} cannot be read ({e})")))?
        .ok_or_else(|| ProjectError::Damaged(format!("{name} is larger than it says")))
}
