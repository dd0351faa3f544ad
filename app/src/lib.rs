//! The browser studio: a Leptos UI (`bin/app.rs`, no Burn: small and quick to start)
//! and a training Web Worker (`bin/worker.rs`, Burn on WebGPU or the CPU) that talk
//! through the typed messages of [`protocol`].

pub mod pages;
pub mod protocol;
pub mod studio;
pub mod worker;
mod worker_bridge;
