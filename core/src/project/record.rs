//! The project record: names, datasets and runs. Bytes are referred to by SHA-256.

use serde::{Deserialize, Serialize};

use super::ProjectError;
use crate::metrics::Metrics;
use crate::train::{EpochReport, TrainConfig};

/// Longest project or file name kept.
pub const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub name: String,
    /// Milliseconds since 1970 (the browser's `Date.now()`).
    pub created_ms: u64,
    pub updated_ms: u64,
    pub datasets: Vec<BlobRef>,
    pub runs: Vec<Run>,
}

/// Bytes kept in the project: a dataset file or a trained bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    /// The file name the user knows it by (`wine.csv`).
    pub name: String,
    /// Lowercase hex SHA-256 of the bytes; also where they are stored.
    pub sha256: String,
    pub bytes: u64,
}

/// One finished training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// 1, 2, ... within the project.
    pub id: u32,
    pub created_ms: u64,
    /// The dataset's SHA-256 (one of the project's datasets).
    pub dataset: String,
    pub target: String,
    pub config: TrainConfig,
    /// Every epoch of every model the run trained, as the live view drew them.
    pub history: Vec<EpochReport>,
    pub epochs_run: usize,
    pub seconds: f64,
    /// Test metrics of the model and of the linear baseline.
    pub test: Metrics,
    pub baseline: Metrics,
    /// Where it trained: the backend's name, or the server's address.
    pub trained_on: String,
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

pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn valid_sha256(hex: &str) -> bool {
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
