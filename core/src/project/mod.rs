//! Projects: what a user made, kept together so it survives reloads and can move to
//! another browser or machine. A project holds datasets and runs (settings, metric
//! history, test metrics, the trained bundle). Bytes live in a [`BlobStore`] and the
//! project record in a [`MetaStore`]: OPFS and IndexedDB in the browser, the file
//! system natively ([`FsStore`]).

pub(crate) mod archive;
mod projects;
mod record;
mod store;

pub use archive::{FORMAT, FORMAT_VERSION, MAX_ARCHIVE_BYTES};
pub use projects::Projects;
pub use record::{BlobRef, Project, Run, sha256_hex};
#[cfg(not(target_family = "wasm"))]
pub use store::FsStore;
pub use store::{BlobStore, MetaStore, Revision, StoreError};

/// What can go wrong with a project, said so the user knows what happened and that
/// nothing they had was changed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProjectError {
    /// The store failed; its error says how.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// No project has this id.
    #[error("no project with id {0} (it may have been deleted in another tab)")]
    Missing(String),
    /// The file is not a project file at all (not a zip, no manifest, another format); why.
    #[error("this is not a Fornax project file: {0}")]
    NotAProject(String),
    /// A project file, or a stored record or file, is damaged (missing, altered or
    /// unreadable); the message says which.
    #[error("the project file is damaged: {0}")]
    Damaged(String),
    /// Something that breaks a rule (a bad name or id, an id already taken, a file too
    /// large or from a newer Fornax); the whole message.
    #[error("{0}")]
    Invalid(String),
}
