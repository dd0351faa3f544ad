//! Model architectures, one per file, each built from a serializable spec.

mod activation;
#[cfg(feature = "compute")]
mod block_net;
pub mod block_place;
mod conv;
mod efficientnet;
mod family;
#[cfg(feature = "compute")]
mod halving_pool;
#[cfg(feature = "compute")]
mod layers;
#[cfg(feature = "compute")]
mod mlp;
mod named_net;
pub mod network;
#[cfg(all(feature = "compute", not(target_family = "wasm")))]
pub mod pretrained;
#[cfg(feature = "compute")]
mod relu6;
mod resnet;
mod spec;

pub use activation::Activation;
pub use conv::ConvSpec;
pub use efficientnet::{EfficientNetSpec, Layout, PRESETS as EFFICIENTNET_PRESETS};
pub use family::{FAMILIES, FamilyInfo, ModelFamily};
#[cfg(feature = "compute")]
pub use mlp::Mlp;
pub use named_net::NamedNet;
pub use network::{BLOCKS, Block, BlockInfo, Shape};
pub use resnet::{PRESETS as RESNET_PRESETS, ResNetSpec, Stem};
pub use spec::ModelSpec;
