//! Early stopping: watch one validation number, stop after `patience` epochs without an
//! improvement larger than `min_delta`, and (by default) keep the best epoch's weights.
//! The rule is Keras's `EarlyStopping`; the tests replay scripted sequences.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The early-stopping rule: the config's `early_stopping`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EarlyStopping {
    /// The validation number to watch (default: the loss).
    pub monitor: Monitor,
    /// `None`: `min` for the loss, `max` for the metric.
    pub mode: Option<Mode>,
    /// Epochs without improvement before stopping; 0 never stops early.
    pub patience: usize,
    /// Smallest change that counts as an improvement.
    pub min_delta: f64,
    /// Finish with the best epoch's weights rather than the last epoch's.
    pub restore_best: bool,
}

/// Which validation number early stopping watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monitor {
    /// The loss on the validation rows.
    ValidLoss,
    /// Validation accuracy (classification) or R2 (regression).
    ValidMetric,
}

/// Whether a lower or a higher monitored value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Lower is better, as for a loss.
    Min,
    /// Higher is better, as for accuracy or R2.
    Max,
}

impl Default for EarlyStopping {
    fn default() -> Self {
        Self { monitor: Monitor::ValidLoss, mode: None, patience: 15, min_delta: 0.0, restore_best: true }
    }
}

impl EarlyStopping {
    /// Refuses a negative or non-finite `min_delta`.
    pub fn validate(&self) -> Result<()> {
        if !(self.min_delta.is_finite() && self.min_delta >= 0.0) {
            return Err(Error::InvalidConfig(format!(
                "early_stopping.min_delta must be 0 or more, got {}",
                self.min_delta
            )));
        }
        Ok(())
    }

    /// The mode in force: the configured one, else `Min` for the loss and `Max` for the metric.
    pub fn mode(&self) -> Mode {
        self.mode.unwrap_or(match self.monitor {
            Monitor::ValidLoss => Mode::Min,
            Monitor::ValidMetric => Mode::Max,
        })
    }
}

/// The rule's memory across epochs; saved in checkpoints.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StopState {
    /// The best monitored value so far; `None` until an epoch gives one that is not NaN.
    pub best: Option<f64>,
    /// The epoch (counted from 1) that gave `best`; 0 before any.
    pub best_epoch: usize,
    /// Epochs since the last improvement.
    pub epochs_without_improvement: usize,
}

/// What the rule says after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// This epoch is the best so far: keep its weights.
    Improved,
    /// No improvement, but patience is not used up yet.
    Continue,
    /// Patience is used up: stop training this model.
    Stop,
}

impl StopState {
    /// Records epoch `epoch`'s monitored value. NaN never counts as an improvement.
    pub fn observe(&mut self, rule: &EarlyStopping, epoch: usize, value: f64) -> Verdict {
        let improved = match (self.best, rule.mode()) {
            (None, _) => !value.is_nan(),
            (Some(best), Mode::Min) => value < best - rule.min_delta,
            (Some(best), Mode::Max) => value > best + rule.min_delta,
        };
        if improved {
            self.best = Some(value);
            self.best_epoch = epoch;
            self.epochs_without_improvement = 0;
            return Verdict::Improved;
        }
        self.epochs_without_improvement += 1;
        if rule.patience > 0 && self.epochs_without_improvement >= rule.patience {
            Verdict::Stop
        } else {
            Verdict::Continue
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The epoch (1-based) at which the rule stops on `values`, if it does.
    fn stop_epoch(rule: &EarlyStopping, values: &[f64]) -> Option<usize> {
        let mut state = StopState::default();
        values.iter().enumerate().find_map(|(i, &v)| (state.observe(rule, i + 1, v) == Verdict::Stop).then_some(i + 1))
    }

    #[test]
    fn stops_after_patience_epochs_without_improvement() {
        let rule = EarlyStopping { patience: 3, ..EarlyStopping::default() };
        // Best at epoch 2 (0.5); epochs 3, 4, 5 are no better: stop at 5.
        assert_eq!(stop_epoch(&rule, &[1.0, 0.5, 0.6, 0.5, 0.7, 0.1]), Some(5));
        // A steady improvement never stops.
        assert_eq!(stop_epoch(&rule, &[5.0, 4.0, 3.0, 2.0, 1.0]), None);
    }

    #[test]
    fn min_delta_ignores_tiny_improvements() {
        let rule = EarlyStopping { patience: 2, min_delta: 0.01, ..EarlyStopping::default() };
        // 0.995 and 0.991 are within 0.01 of 1.0: not improvements.
        assert_eq!(stop_epoch(&rule, &[1.0, 0.995, 0.991]), Some(3));
        let exact = EarlyStopping { patience: 2, ..EarlyStopping::default() };
        assert_eq!(stop_epoch(&exact, &[1.0, 0.995, 0.991]), None);
    }

    #[test]
    fn metric_mode_maximizes_and_zero_patience_never_stops() {
        let rule = EarlyStopping { monitor: Monitor::ValidMetric, patience: 2, ..EarlyStopping::default() };
        assert_eq!(rule.mode(), Mode::Max);
        assert_eq!(stop_epoch(&rule, &[0.5, 0.8, 0.7, 0.8]), Some(4));
        let never = EarlyStopping { patience: 0, ..EarlyStopping::default() };
        assert_eq!(stop_epoch(&never, &[1.0; 50]), None);
        let mut state = StopState::default();
        assert_eq!(state.observe(&rule, 1, f64::NAN), Verdict::Continue, "NaN is never best");
    }
}
