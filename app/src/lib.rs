//! The browser studio's UI: Leptos, small and quick to start. Training runs in a
//! separate Web Worker binary (`app/worker`, Burn on WebGPU or the CPU); the two talk
//! through the typed messages of `fornax_wire::worker`.

mod ledger;
mod net;
pub mod offline;
mod opfs;
pub mod pages;
mod project_store;
mod projects;
mod remote_job;
mod run_store;
pub mod studio;
mod worker_bridge;
