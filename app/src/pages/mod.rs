//! One module per step of the user's path through the studio.

mod confusion;
mod data;
mod deploy;
mod environment;
mod evaluate;
mod ledger;
mod loss_curve;
mod lr_curve;
mod projects;
mod scatter;
mod settings;
mod train;

pub use data::DataPage;
pub use deploy::DeployPage;
pub use environment::EnvironmentPage;
pub use evaluate::EvaluatePage;
pub use ledger::NetworkLedger;
pub use projects::ProjectsPage;
pub use train::{ResumeOffer, TrainPage};

/// A byte count as people read it.
fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b if b < 1024 * 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b => format!("{:.1} GB", b as f64 / (1024.0 * 1024.0 * 1024.0)),
    }
}
