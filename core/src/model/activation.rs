//! The nonlinearity between a network's layers.

use serde::{Deserialize, Serialize};

/// The activation every hidden layer (and convolution) applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `max(0, x)`.
    #[default]
    Relu,
    /// The Gaussian error linear unit (exact, with erf).
    Gelu,
    /// The hyperbolic tangent.
    Tanh,
}

#[cfg(feature = "compute")]
impl Activation {
    /// Applies the activation to every value of `x`.
    pub fn apply<const D: usize>(self, x: burn::tensor::Tensor<D>) -> burn::tensor::Tensor<D> {
        use burn::tensor::activation::{gelu, relu};
        match self {
            Activation::Relu => relu(x),
            Activation::Gelu => gelu(x),
            Activation::Tanh => x.tanh(),
        }
    }
}
