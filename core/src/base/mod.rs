//! The floor every stage stands on: small tools with no knowledge of data, models or
//! training.

mod argmax;
mod read_limited;
mod rng;

pub use argmax::argmax;
pub use read_limited::read_limited;
pub use rng::SplitMix64;
