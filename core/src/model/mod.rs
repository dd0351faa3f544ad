//! Model architectures, one per file, each built from a serializable spec.

mod conv;
#[cfg(feature = "compute")]
mod halving_pool;
#[cfg(feature = "compute")]
mod mlp;

pub use conv::ConvSpec;
#[cfg(feature = "compute")]
pub use mlp::{Mlp, ModelSpec};
