//! The floor every stage stands on: small tools with no knowledge of data, models or
//! training.

mod argmax;
mod rng;

pub use argmax::argmax;
pub use rng::SplitMix64;
