//! A training checkpoint: where a run stands after an epoch, enough to continue it as if
//! it had never stopped (weights, best weights, optimizer state, schedule and
//! early-stopping memory, the shuffling generator and row order), plus what the run
//! was (target, config, a fingerprint of the data) so it is resumed on the same data.
//!
//! Layout ([`crate::framed`]): `FXCKPT\r\n`, version, sections: the header JSON, the
//! weights, the best weights, the optimizer state (either may be empty), then the
//! weights of each model the run already finished. The header is readable without
//! Burn, so the UI can describe a checkpoint it cannot train.

use serde::{Deserialize, Serialize};

use super::{EpochReport, ScheduleState, StopState, TrainConfig};
use crate::data::images::ImageOptions;
use crate::framed::{self, FrameError};
use crate::task::Task;
use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"FXCKPT\r\n";
/// The format version this Fornax writes, and the only one it reads.
pub const CHECKPOINT_VERSION: u32 = 1;

/// What a run is: resuming needs the same target, config and data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunKey {
    /// The column the run predicts.
    pub target: String,
    /// The task the user forced, if any (else it is inferred from the target again).
    pub task: Option<Task>,
    /// The run's config, as it started.
    pub config: TrainConfig,
    /// [`crate::data::Table::fingerprint`] of the data.
    pub data: String,
    /// For pictures: how they were fitted, so a resume (after a reload of the tab) can
    /// fit them again the same way. Checkpoints from before it read as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<ImageOptions>,
}

/// A model the run already finished (the linear baseline, while the MLP trains).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinishedModel {
    /// Its name: `linear`, `mlp` or `cnn`.
    pub model: String,
    /// Epochs it trained (fewer than configured when early stopping ended it).
    pub epochs_run: usize,
}

/// A checkpoint's JSON header: what the run is and where it stands; readable without Burn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointHeader {
    /// The Fornax version that wrote it.
    pub fornax_version: String,
    /// What the run is; a resumed run takes its target, task and config from here.
    pub run: RunKey,
    /// The models the run already finished, in order; their weights are `Checkpoint::finished`.
    pub finished: Vec<FinishedModel>,
    /// The model in training (`linear` or `mlp`) and how many of its epochs are done.
    pub model: String,
    /// Epochs of `model` done: the resumed run continues with epoch `epoch + 1`.
    pub epoch: usize,
    /// Every epoch of the run so far, all models, so curves can be drawn again.
    pub history: Vec<EpochReport>,
    /// The learning-rate schedule's state after this epoch.
    pub schedule: ScheduleState,
    /// Early stopping's state after this epoch.
    pub stopping: StopState,
    /// The generator's state after this epoch (it shuffles rows and draws dropout masks).
    pub rng: u64,
    /// The row order after this epoch's shuffle: the next epoch shuffles it again.
    pub order: Vec<usize>,
}

/// A whole checkpoint in memory: the header and the weights and optimizer state it describes.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// What the run is and where it stands.
    pub header: CheckpointHeader,
    /// The model's weights after the last epoch (burnpack).
    pub weights: Vec<u8>,
    /// The best epoch's weights so far, when early stopping has seen one.
    pub best: Option<Vec<u8>>,
    /// The optimizer's state (burnpack). `None` from the browser (see
    /// [`crate::device::checkpoints_optimizer_state`]): resuming then restarts the
    /// optimizer's moments.
    pub optimizer: Option<Vec<u8>>,
    /// The weights of each model in `header.finished`, in order.
    pub finished: Vec<Vec<u8>>,
}

impl Checkpoint {
    /// The checkpoint as a file, laid out as this module's docs describe.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).expect("a checkpoint header always serializes");
        let mut sections: Vec<&[u8]> = vec![
            &header,
            &self.weights,
            self.best.as_deref().unwrap_or_default(),
            self.optimizer.as_deref().unwrap_or_default(),
        ];
        sections.extend(self.finished.iter().map(Vec::as_slice));
        framed::write(MAGIC, CHECKPOINT_VERSION, &sections)
    }

    /// Reads a checkpoint file, refusing one that is foreign, corrupt, of another format version
    /// or with a config that is not valid.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let corrupt = |msg: String| Error::Checkpoint(format!("it is corrupt: {msg}"));
        let sections = framed::read(bytes, MAGIC, CHECKPOINT_VERSION, 4).map_err(|e| match e {
            FrameError::Foreign(msg) => Error::Checkpoint(format!("this is not a Fornax checkpoint: {msg}")),
            FrameError::Corrupt(msg) => corrupt(msg),
        })?;
        let header: CheckpointHeader =
            serde_json::from_slice(sections[0]).map_err(|e| corrupt(format!("the header is not valid: {e}")))?;
        if sections.len() != 4 + header.finished.len() {
            return Err(corrupt("its parts do not match its header".into()));
        }
        header.run.config.validate()?;
        let present = |bytes: &[u8]| (!bytes.is_empty()).then(|| bytes.to_vec());
        Ok(Checkpoint {
            weights: sections[1].to_vec(),
            best: present(sections[2]),
            optimizer: present(sections[3]),
            finished: sections[4..].iter().map(|s| s.to_vec()).collect(),
            header,
        })
    }

    /// One line for people: `mlp, epoch 12 of 60`.
    pub fn describe(&self) -> String {
        let h = &self.header;
        format!("{}, epoch {} of {}", h.model, h.epoch, h.run.config.epochs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            header: CheckpointHeader {
                fornax_version: crate::VERSION.into(),
                run: RunKey {
                    target: "y".into(),
                    task: None,
                    config: TrainConfig::default(),
                    data: "abc".into(),
                    images: None,
                },
                finished: vec![FinishedModel { model: "linear".into(), epochs_run: 7 }],
                model: "mlp".into(),
                epoch: 3,
                history: Vec::new(),
                schedule: ScheduleState::new(0.01),
                stopping: StopState::default(),
                rng: 42,
                order: vec![2, 0, 1],
            },
            weights: vec![1, 2, 3],
            best: None,
            optimizer: Some(vec![9; 10]),
            finished: vec![vec![4, 5]],
        }
    }

    #[test]
    fn round_trips_and_names_what_is_wrong() {
        let checkpoint = sample();
        let bytes = checkpoint.to_bytes();
        assert_eq!(Checkpoint::from_bytes(&bytes).unwrap(), checkpoint);
        assert_eq!(checkpoint.describe(), "mlp, epoch 3 of 100");
        let error = Checkpoint::from_bytes(&bytes[..bytes.len() - 3]).unwrap_err().to_string();
        assert!(error.contains("corrupt") && error.contains("checksum"), "{error}");
        let error = Checkpoint::from_bytes(b"FORNAX\r\nnot a checkpoint").unwrap_err().to_string();
        assert!(error.contains("not a Fornax checkpoint"), "{error}");
    }
}
