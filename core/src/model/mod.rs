//! Model architectures, one per file, each built from a serializable spec.

mod activation;
mod conv;
mod family;
#[cfg(feature = "compute")]
mod halving_pool;
#[cfg(feature = "compute")]
mod mlp;
mod spec;

pub use activation::Activation;
pub use conv::ConvSpec;
pub use family::{FAMILIES, FamilyInfo, ModelFamily};
#[cfg(feature = "compute")]
pub use mlp::Mlp;
pub use spec::ModelSpec;
