//! Which loss to train with, as the config names it; [`super::Objective`] computes it.

use serde::{Deserialize, Serialize};

use crate::task::Task;
use crate::{Error, Result};

/// The loss to train with: the config's `loss` (tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Loss {
    /// Softmax cross-entropy over the classes, with optional class weights and label smoothing.
    CrossEntropy(CrossEntropy),
    /// For two classes: the model has one output, the logit of the second class.
    BinaryCrossEntropy,
    /// Mean squared error.
    Mse,
    /// Mean absolute error.
    Mae,
    /// Huber loss (PyTorch's `HuberLoss`): quadratic within `delta` of the target, linear beyond.
    Huber {
        /// Where quadratic turns linear, in standard deviations of the target (the model learns
        /// standardized values); default 1.
        #[serde(default = "one")]
        delta: f64,
    },
}

fn one() -> f64 {
    1.0
}

/// Cross-entropy's options (PyTorch's `weight` and `label_smoothing`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrossEntropy {
    /// How much each class's rows count; `None`: all the same.
    pub class_weights: Option<ClassWeights>,
    /// Mixes the one-hot target with the uniform distribution: 0 (off) to below 1.
    pub label_smoothing: f64,
}

/// `"balanced"` (scikit-learn's: n_rows / (n_classes x rows of the class), from the
/// training rows) or one weight per class, in the order of the recipe's classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ClassWeights {
    /// `"balanced"`: weights from the class counts of the training rows.
    Named(Balanced),
    /// One weight (0 or more) per class, in the order of the recipe's classes.
    Given(Vec<f64>),
}

/// The one named weighting, `"balanced"` in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Balanced {
    /// n_rows / (n_classes x rows of the class) for each class.
    Balanced,
}

impl Loss {
    /// Checks the loss's own settings: label smoothing, class weights, Huber's `delta`.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidConfig(format!("loss: {msg}")));
        match self {
            Loss::CrossEntropy(ce) => {
                if !(0.0..1.0).contains(&ce.label_smoothing) {
                    return bad(format!("label_smoothing is from 0 up to 1, got {}", ce.label_smoothing));
                }
                if let Some(ClassWeights::Given(w)) = &ce.class_weights
                    && w.iter().any(|x| !(x.is_finite() && *x >= 0.0))
                {
                    return bad("class weights must be numbers of 0 or more".into());
                }
                Ok(())
            }
            Loss::Huber { delta } if !(delta.is_finite() && *delta > 0.0) => {
                bad(format!("huber's delta must be positive, got {delta}"))
            }
            _ => Ok(()),
        }
    }

    /// The name the config gives it as its `kind`.
    pub fn name(&self) -> &'static str {
        match self {
            Loss::CrossEntropy(_) => "cross_entropy",
            Loss::BinaryCrossEntropy => "binary_cross_entropy",
            Loss::Mse => "mse",
            Loss::Mae => "mae",
            Loss::Huber { .. } => "huber",
        }
    }

    /// Refuses a loss that does not fit the task (and class count).
    pub fn check_task(&self, task: Task, classes: usize) -> Result<()> {
        let fits = match self {
            Loss::CrossEntropy(ce) => {
                if let Some(ClassWeights::Given(w)) = &ce.class_weights
                    && w.len() != classes
                {
                    return Err(Error::InvalidConfig(format!(
                        "loss: {} class weights given for {classes} classes",
                        w.len()
                    )));
                }
                task == Task::Classification
            }
            Loss::BinaryCrossEntropy => {
                if task == Task::Classification && classes != 2 {
                    return Err(Error::InvalidConfig(format!(
                        "loss: binary_cross_entropy needs exactly 2 classes, the target has {classes}; use cross_entropy"
                    )));
                }
                task == Task::Classification
            }
            Loss::Mse | Loss::Mae | Loss::Huber { .. } => task == Task::Regression,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::InvalidConfig(format!(
                "loss: {} does not fit a {} task",
                self.name(),
                match task {
                    Task::Classification => "classification",
                    Task::Regression => "regression",
                }
            )))
        }
    }

    /// Model outputs for `classes` classes under this loss (1 for binary cross-entropy).
    pub fn outputs(&self, classes: usize) -> usize {
        if *self == Loss::BinaryCrossEntropy { 1 } else { classes }
    }
}
