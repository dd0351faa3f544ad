//! Optimizers: SGD (momentum, Nesterov), Adam (in one pass per parameter on the CPU:
//! [`FusedAdam`]) and AdamW on Burn's optimizers, with
//! PyTorch's defaults (Adam's epsilon 1e-8, SGD without dampening), weight decay and
//! gradient-norm clipping. Each builds one `ModuleOptimizer`, whose state a checkpoint
//! can save and restore.

#[cfg(feature = "compute")]
use burn::grad_clipping::GradientClippingConfig;
#[cfg(feature = "compute")]
use burn::optim::decay::WeightDecayConfig;
#[cfg(feature = "compute")]
use burn::optim::momentum::MomentumConfig;
#[cfg(feature = "compute")]
use burn::optim::{AdamWConfig, ModuleOptimizer, SgdConfig};

#[cfg(feature = "compute")]
use super::fused_adam::FusedAdam;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The optimizer: the config's `optimizer` (tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OptimizerKind {
    /// Stochastic gradient descent, with optional momentum (no dampening); `weight_decay` is L2.
    Sgd {
        /// Momentum factor, from 0 up to 1; 0 (the default) is plain SGD.
        #[serde(default)]
        momentum: f64,
        /// Nesterov momentum instead of the classic kind; needs `momentum` above 0.
        #[serde(default)]
        nesterov: bool,
    },
    /// Adam; `weight_decay` is an L2 penalty added to the gradient.
    Adam(AdamParams),
    /// Adam with decoupled weight decay (`weight_decay` is its decay rate).
    Adamw(AdamParams),
}

/// Adam's and AdamW's moment decay rates and epsilon (PyTorch's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamParams {
    /// Decay rate of the first moment (the gradient's running mean); default 0.9.
    #[serde(default = "beta1")]
    pub beta1: f64,
    /// Decay rate of the second moment (the squared gradient's running mean); default 0.999.
    #[serde(default = "beta2")]
    pub beta2: f64,
    /// Added to the denominator for numerical stability; default 1e-8.
    #[serde(default = "epsilon")]
    pub epsilon: f64,
}

impl Default for AdamParams {
    fn default() -> Self {
        Self { beta1: beta1(), beta2: beta2(), epsilon: epsilon() }
    }
}

fn beta1() -> f64 {
    0.9
}
fn beta2() -> f64 {
    0.999
}
fn epsilon() -> f64 {
    1e-8
}

impl Default for OptimizerKind {
    fn default() -> Self {
        OptimizerKind::Adam(AdamParams::default())
    }
}

impl OptimizerKind {
    /// Checks that momentum, betas and epsilon are in range and that Nesterov has momentum.
    pub fn validate(&self) -> Result<()> {
        let ok = match *self {
            OptimizerKind::Sgd { momentum, nesterov } => {
                (0.0..1.0).contains(&momentum) && !(nesterov && momentum == 0.0)
            }
            OptimizerKind::Adam(p) | OptimizerKind::Adamw(p) => {
                (0.0..1.0).contains(&p.beta1) && (0.0..1.0).contains(&p.beta2) && p.epsilon > 0.0
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidConfig(format!(
                "optimizer: {self:?} is not valid (momentum and betas are from 0 up to 1, epsilon is positive, \
                 Nesterov needs momentum)"
            )))
        }
    }
}

#[cfg(feature = "compute")]
impl OptimizerKind {
    /// The optimizer for a run: `weight_decay` (0: none) as this kind applies it, and the
    /// gradient's global norm clipped to `grad_clip_norm` when given.
    pub fn build(&self, weight_decay: f64, grad_clip_norm: Option<f64>) -> ModuleOptimizer {
        let clip = grad_clip_norm.map(|c| GradientClippingConfig::Norm(c as f32));
        let decay = (weight_decay > 0.0).then_some(WeightDecayConfig { penalty: weight_decay as f32 });
        match *self {
            OptimizerKind::Sgd { momentum, nesterov } => SgdConfig::new()
                .with_momentum((momentum > 0.0).then_some(MomentumConfig { momentum, dampening: 0.0, nesterov }))
                .with_weight_decay(decay)
                .with_gradient_clipping(clip)
                .init(),
            OptimizerKind::Adam(p) => {
                let optimizer = ModuleOptimizer::from(FusedAdam::new(p, decay.map(|d| d.penalty)));
                match clip {
                    Some(clip) => optimizer.with_grad_clipping(clip.init()),
                    None => optimizer,
                }
            }
            OptimizerKind::Adamw(p) => AdamWConfig::new()
                .with_beta_1(p.beta1 as f32)
                .with_beta_2(p.beta2 as f32)
                .with_epsilon(p.epsilon as f32)
                .with_weight_decay(weight_decay as f32)
                .with_grad_clipping(clip)
                .init(),
        }
    }
}
