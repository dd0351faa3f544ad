//! One module per step of the user's path through the studio.

mod confusion;
mod data;
mod deploy;
mod environment;
mod evaluate;
mod ledger;
mod loss_curve;
mod lr_curve;
mod scatter;
mod settings;
mod train;

pub use data::DataPage;
pub use deploy::DeployPage;
pub use environment::EnvironmentPage;
pub use evaluate::EvaluatePage;
pub use ledger::NetworkLedger;
pub use train::{ResumeOffer, TrainPage};
