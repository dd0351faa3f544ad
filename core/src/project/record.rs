//! The project record: names, datasets and runs. Bytes are referred to by SHA-256.

use serde::{Deserialize, Serialize};

use super::ProjectError;
use crate::metrics::Metrics;
use crate::train::{EpochReport, TrainConfig};

/// Longest project or file name kept.
pub const MAX_NAME_CHARS: usize = 120;

/// One project's record: its name, datasets and runs. Stored as JSON, and written into
/// every `.fornax-project` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// 1-64 ASCII letters, digits, `-` or `_`, unique in its store; part of storage keys.
    pub id: String,
    /// The name the user gave it: not blank, at most 120 characters.
    pub name: String,
    /// Milliseconds since 1970 (the browser's `Date.now()`).
    pub created_ms: u64,
    /// When it last changed, in milliseconds since 1970; lists show the newest first.
    pub updated_ms: u64,
    /// The dataset files loaded into it, each once.
    pub datasets: Vec<BlobRef>,
    /// Its finished runs, in the order they were added.
    pub runs: Vec<Run>,
}

/// Bytes kept in the project: a dataset file or a trained bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    /// The file name the user knows it by (`wine.csv`).
    pub name: String,
    /// Lowercase hex SHA-256 of the bytes; also where they are stored.
    pub sha256: String,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// One finished training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// 1, 2, ... within the project.
    pub id: u32,
    /// When it was kept, in milliseconds since 1970.
    pub created_ms: u64,
    /// The dataset's SHA-256 (one of the project's datasets).
    pub dataset: String,
    /// The column it was trained to predict.
    pub target: String,
    /// The settings it trained with.
    pub config: TrainConfig,
    /// Every epoch of every model the run trained, as the live view drew them.
    pub history: Vec<EpochReport>,
    /// Epochs the model trained (fewer than configured when early stopping ended it).
    pub epochs_run: usize,
    /// Seconds the training took.
    pub seconds: f64,
    /// Test metrics of the model and of the linear baseline.
    pub test: Metrics,
    /// Test metrics of the linear baseline trained beside the model.
    pub baseline: Metrics,
    /// Where it trained: the backend's name, or the server's address.
    pub trained_on: String,
    /// The trained `.fornax` bundle; [`crate::project::Projects::add_run`] sets its
    /// checksum and size.
    pub bundle: BlobRef,
}

impl Project {
    /// Bytes the project's files take (each stored once).
    pub fn bytes(&self) -> u64 {
        self.blobs().map(|b| b.bytes).sum()
    }

    /// Every file the project refers to, each once.
    pub fn blobs(&self) -> impl Iterator<Item = &BlobRef> {
        let mut seen = std::collections::HashSet::new();
        self.datasets.iter().chain(self.runs.iter().map(|r| &r.bundle)).filter(move |b| seen.insert(b.sha256.clone()))
    }

    /// The project's dataset with this SHA-256, if it holds one.
    pub fn dataset(&self, sha256: &str) -> Option<&BlobRef> {
        self.datasets.iter().find(|d| d.sha256 == sha256)
    }

    /// Checks what another program (or a damaged file) could get wrong.
    pub fn validate(&self) -> Result<(), ProjectError> {
        let invalid = |m: String| Err(ProjectError::Invalid(m));
        if !valid_id(&self.id) {
            return invalid(format!("the project id {:?} is not 1-64 letters, digits, '-' or '_'", self.id));
        }
        check_name("project name", &self.name)?;
        for blob in self.datasets.iter().chain(self.runs.iter().map(|r| &r.bundle)) {
            check_name("file name", &blob.name)?;
            if !valid_sha256(&blob.sha256) {
                return invalid(format!("{:?} has no valid SHA-256", blob.name));
            }
        }
        for run in &self.runs {
            if self.dataset(&run.dataset).is_none() {
                return invalid(format!("run {} refers to a dataset the project does not hold", run.id));
            }
        }
        let mut ids: Vec<u32> = self.runs.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return invalid("two runs have the same number".into());
        }
        Ok(())
    }
}

/// Refuses a name that, trimmed, is empty, longer than [`MAX_NAME_CHARS`] characters or
/// holds control characters; `what` names it in the message.
pub fn check_name(what: &str, name: &str) -> Result<(), ProjectError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(ProjectError::Invalid(format!("the {what} is empty")));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(ProjectError::Invalid(format!("the {what} is longer than {MAX_NAME_CHARS} characters")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ProjectError::Invalid(format!("the {what} has control characters")));
    }
    Ok(())
}

/// Whether `id` can be a project id: 1-64 ASCII letters, digits, `-` or `_`, so it is
/// safe in storage keys and paths.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `hex` is a SHA-256 as [`sha256_hex`] writes it: 64 lowercase hex digits.
pub fn valid_sha256(hex: &str) -> bool {
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
