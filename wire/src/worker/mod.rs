//! Messages between the studio's UI and its training worker. Each message travels (see
//! [`pack`]) as a JS object `{json, bytes?}`: the JSON of [`ToWorker`] or [`FromWorker`],
//! plus an optional transferred ArrayBuffer for file contents (so large files are not
//! copied into JSON).

#[cfg(feature = "js")]
mod js;
mod messages;
mod report;

#[cfg(feature = "js")]
pub use js::{pack, unpack};
pub use messages::{FromWorker, ToWorker, inspect_key};
pub use report::{AugmentedImage, Backend, Dataset, ImageSummary, Mistake, Thumbnail, TrainedModel};
