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
    /// `x * sigmoid(x)` (SiLU): EfficientNet's.
    #[serde(alias = "silu")]
    Swish,
    /// `min(max(0, x), 6)`: MobileNetV2's.
    Relu6,
}

impl Activation {
    /// Every activation, in the order the studio offers them.
    pub const ALL: [Activation; 5] =
        [Activation::Relu, Activation::Gelu, Activation::Tanh, Activation::Swish, Activation::Relu6];

    /// Its name in JSON: `relu`, `gelu`, `tanh`, `swish` or `relu6`.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Gelu => "gelu",
            Activation::Tanh => "tanh",
            Activation::Swish => "swish",
            Activation::Relu6 => "relu6",
        }
    }

    /// The activation named `name` (or `silu` for swish), in any case.
    pub fn from_name(name: &str) -> Option<Activation> {
        let name = name.to_lowercase();
        let name = if name == "silu" { "swish" } else { name.as_str() };
        Activation::ALL.into_iter().find(|a| a.name() == name)
    }

    /// How the studio labels it.
    pub fn label(self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::Gelu => "GELU",
            Activation::Tanh => "tanh",
            Activation::Swish => "swish (SiLU)",
            Activation::Relu6 => "ReLU6",
        }
    }
}

#[cfg(feature = "compute")]
impl Activation {
    /// Applies the activation to every value of `x`.
    pub fn apply<const D: usize>(self, x: burn::tensor::Tensor<D>) -> burn::tensor::Tensor<D> {
        use burn::tensor::activation::{gelu, relu, silu};
        match self {
            Activation::Relu => relu(x),
            Activation::Gelu => gelu(x),
            Activation::Tanh => x.tanh(),
            Activation::Swish => silu(x),
            // Fornax's kernel on Flex (Burn's numbers, faster), Burn's clamp elsewhere.
            Activation::Relu6 => super::relu6::relu6(x),
        }
    }
}
