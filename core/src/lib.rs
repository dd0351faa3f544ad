//! Fornax's pure logic: the same code runs in the browser (Wasm) and natively.
//!
//! The data path goes one way:
//! bytes -> [`data::Table`] -> [`recipe::Recipe`] (fitted on the training split)
//! -> tensors -> [`model::Mlp`] -> [`predict::Prediction`]s,
//! and [`bundle::Bundle`] carries the model with its recipe so every place that
//! loads it transforms inputs identically.
//!
//! ```
//! use fornax_core::data::Table;
//! let table = Table::from_csv_bytes(b"x,y\n1,a\n2,b\n").unwrap();
//! assert_eq!(table.rows(), 2);
//! assert_eq!(table.column_names(), vec!["x", "y"]);
//! ```

#![warn(missing_docs)]

pub mod base;
#[cfg(feature = "compute")]
pub mod bundle;
pub mod data;
#[cfg(feature = "compute")]
pub mod device;
mod error;
#[cfg(feature = "compute")]
mod flex_values;
mod framed;
#[doc(hidden)]
pub mod invariants;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod predict;
pub mod project;
pub mod recipe;
pub mod task;
pub mod train;

pub use error::{Error, FieldError, Result};

/// The version of this crate, shown by `fornax doctor` and the environment page.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
