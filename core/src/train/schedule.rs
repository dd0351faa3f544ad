//! Learning-rate schedules, stepped once per epoch with PyTorch's semantics
//! (`torch.optim.lr_scheduler`): the tests compare them step by step with values
//! PyTorch computed (`core/tests/fixtures/schedules.json`).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// How the learning rate changes over the epochs: the config's `schedule` (tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// The starting rate every epoch (the default).
    #[default]
    Constant,
    /// `StepLR`: multiply by `gamma` every `step_size` epochs.
    Step {
        /// Epochs between two multiplications.
        step_size: usize,
        /// The factor each multiplication applies.
        gamma: f64,
    },
    /// `ExponentialLR`: multiply by `gamma` every epoch.
    Exponential {
        /// The factor each epoch applies.
        gamma: f64,
    },
    /// `CosineAnnealingLR` over `t_max` epochs (default: all of them) down to `eta_min`.
    Cosine {
        /// Epochs from the starting rate down to `eta_min`; `None`: all the run's epochs.
        #[serde(default)]
        t_max: Option<usize>,
        /// The lowest rate (default 0).
        #[serde(default)]
        eta_min: f64,
    },
    /// `LinearLR` from `start_factor` x the rate up to the rate over `warmup_epochs`, then
    /// `CosineAnnealingLR` over the remaining epochs (`SequentialLR` of the two).
    WarmupCosine {
        /// Epochs of linear warm-up, from 1 to below the run's epochs.
        warmup_epochs: usize,
        /// The first epoch's rate as a fraction of the starting rate (default 1/3).
        #[serde(default = "default_start_factor")]
        start_factor: f64,
        /// The rate the cosine part falls toward by the end of the run (default 0).
        #[serde(default)]
        eta_min: f64,
    },
    /// `ReduceLROnPlateau` on the validation loss (mode min, relative threshold).
    ReduceOnPlateau {
        /// What a reduction multiplies the rate by, between 0 and 1 (default 0.1).
        #[serde(default = "default_factor")]
        factor: f64,
        /// Epochs without improvement allowed before a reduction (default 10).
        #[serde(default = "default_plateau_patience")]
        patience: usize,
        /// Relative improvement that counts: a loss below `best * (1 - threshold)` (default 1e-4).
        #[serde(default = "default_threshold")]
        threshold: f64,
        /// The rate is never reduced below this (default 0).
        #[serde(default)]
        min_lr: f64,
    },
}

fn default_start_factor() -> f64 {
    1.0 / 3.0
}
fn default_factor() -> f64 {
    0.1
}
fn default_plateau_patience() -> usize {
    10
}
fn default_threshold() -> f64 {
    1e-4
}

impl Schedule {
    /// Checks the schedule's settings for a run of `epochs` epochs.
    pub fn validate(&self, epochs: usize) -> Result<()> {
        let bad = |msg: &str| Err(Error::InvalidConfig(format!("schedule: {msg}")));
        let unit = |x: f64| x > 0.0 && x <= 1.0;
        match *self {
            Schedule::Constant => Ok(()),
            Schedule::Step { step_size, gamma } => {
                if step_size == 0 || !unit(gamma) {
                    return bad("step needs step_size >= 1 and 0 < gamma <= 1");
                }
                Ok(())
            }
            Schedule::Exponential { gamma } if !unit(gamma) => bad("exponential needs 0 < gamma <= 1"),
            Schedule::Exponential { .. } => Ok(()),
            Schedule::Cosine { t_max, eta_min } => {
                if t_max == Some(0) || !(eta_min.is_finite() && eta_min >= 0.0) {
                    return bad("cosine needs t_max >= 1 and eta_min >= 0");
                }
                Ok(())
            }
            Schedule::WarmupCosine { warmup_epochs, start_factor, eta_min } => {
                if warmup_epochs == 0 || warmup_epochs >= epochs {
                    return bad(&format!("warmup_epochs must be from 1 to {} (below epochs)", epochs.max(2) - 1));
                }
                if !(unit(start_factor) && eta_min.is_finite() && eta_min >= 0.0) {
                    return bad("warmup_cosine needs 0 < start_factor <= 1 and eta_min >= 0");
                }
                Ok(())
            }
            Schedule::ReduceOnPlateau { factor, threshold, min_lr, .. } => {
                let fine = factor > 0.0 && factor < 1.0 && threshold.is_finite() && threshold >= 0.0 && min_lr >= 0.0;
                if !fine {
                    return bad("reduce_on_plateau needs 0 < factor < 1, threshold >= 0 and min_lr >= 0");
                }
                Ok(())
            }
        }
    }

    /// The rate of every epoch as far as it is known before training (reduce-on-plateau
    /// depends on the run: it shows the starting rate, which is its upper bound).
    pub fn preview(&self, base_lr: f64, epochs: usize) -> Vec<f64> {
        let state = ScheduleState::new(base_lr);
        (0..epochs).map(|epoch| state.lr(self, epoch, epochs)).collect()
    }
}

/// Where a run is in its schedule; saved in checkpoints so a resumed run continues it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleState {
    /// The config's starting learning rate, which the schedule moves from.
    pub base_lr: f64,
    /// Reduce-on-plateau's current rate, best loss so far and epochs without improvement.
    pub plateau_lr: f64,
    /// Reduce-on-plateau's best validation loss so far; `None` before the first epoch.
    pub plateau_best: Option<f64>,
    /// Reduce-on-plateau's epochs since the loss last improved (reset by a reduction).
    pub plateau_bad_epochs: usize,
}

impl ScheduleState {
    /// The state before the first epoch of a run starting at `base_lr`.
    pub fn new(base_lr: f64) -> Self {
        Self { base_lr, plateau_lr: base_lr, plateau_best: None, plateau_bad_epochs: 0 }
    }

    /// The learning rate for `epoch` (counted from 0) of `epochs`.
    pub fn lr(&self, schedule: &Schedule, epoch: usize, epochs: usize) -> f64 {
        let lr = self.base_lr;
        let cosine = |e: usize, t_max: usize, eta_min: f64| {
            eta_min + (lr - eta_min) * (1.0 + (std::f64::consts::PI * e as f64 / t_max as f64).cos()) / 2.0
        };
        match *schedule {
            Schedule::Constant => lr,
            Schedule::Step { step_size, gamma } => lr * gamma.powi((epoch / step_size) as i32),
            Schedule::Exponential { gamma } => lr * gamma.powi(epoch as i32),
            Schedule::Cosine { t_max, eta_min } => cosine(epoch, t_max.unwrap_or(epochs), eta_min),
            Schedule::WarmupCosine { warmup_epochs, start_factor, eta_min } => {
                if epoch < warmup_epochs {
                    lr * (start_factor + (1.0 - start_factor) * epoch as f64 / warmup_epochs as f64)
                } else {
                    cosine(epoch - warmup_epochs, (epochs - warmup_epochs).max(1), eta_min)
                }
            }
            Schedule::ReduceOnPlateau { .. } => self.plateau_lr,
        }
    }

    /// Tells the schedule an epoch's validation loss (only reduce-on-plateau listens).
    pub fn observe(&mut self, schedule: &Schedule, valid_loss: f64) {
        let Schedule::ReduceOnPlateau { factor, patience, threshold, min_lr } = *schedule else { return };
        // PyTorch's `rel` threshold in `min` mode: better means below best * (1 - threshold).
        let better = self.plateau_best.is_none_or(|best| valid_loss < best * (1.0 - threshold));
        if better {
            self.plateau_best = Some(valid_loss);
            self.plateau_bad_epochs = 0;
        } else {
            self.plateau_bad_epochs += 1;
        }
        if self.plateau_bad_epochs > patience {
            let reduced = (self.plateau_lr * factor).max(min_lr);
            // PyTorch ignores changes smaller than eps = 1e-8.
            if self.plateau_lr - reduced > 1e-8 {
                self.plateau_lr = reduced;
            }
            self.plateau_bad_epochs = 0;
        }
    }
}
