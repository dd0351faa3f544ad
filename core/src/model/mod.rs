//! Model architectures, one per file, each built from a serializable spec.

mod mlp;

pub use mlp::{Mlp, ModelSpec};
