//! A multilayer perceptron for tabular data; with no hidden layers it is the
//! linear/logistic baseline that a bigger model has to beat.
//!
//! ```
//! use burn::tensor::{Device, Tensor, TensorData};
//! use fornax_core::model::ModelSpec;
//! let device = Device::flex();
//! let model = ModelSpec { inputs: 4, hidden: vec![8], outputs: 3 }.init(&device);
//! let logits = model.forward(Tensor::<2>::zeros([5, 4], &device));
//! assert_eq!(logits.dims(), [5, 3]);
//! ```

use burn::module::{Module, Param};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::limits::{MAX_LAYERS, MAX_PARAMETERS};
use crate::{Error, Result};

/// The shape of an MLP: `inputs -> hidden... -> outputs`, ReLU between layers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub inputs: usize,
    pub hidden: Vec<usize>,
    pub outputs: usize,
}

#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
}

impl ModelSpec {
    /// `linear` for the baseline, `mlp` otherwise.
    pub fn name(&self) -> &'static str {
        if self.hidden.is_empty() { "linear" } else { "mlp" }
    }

    fn widths(&self) -> Vec<usize> {
        std::iter::once(self.inputs).chain(self.hidden.iter().copied()).chain(std::iter::once(self.outputs)).collect()
    }

    /// Weights and biases of every layer; `None` when the count overflows.
    pub fn parameters(&self) -> Option<usize> {
        self.widths().windows(2).try_fold(0usize, |sum, w| w[0].checked_add(1)?.checked_mul(w[1])?.checked_add(sum))
    }

    /// Refuses shapes that cannot be built: a zero width, or more layers or
    /// parameters than [`crate::limits`] allow (which would exhaust memory first).
    pub fn validate(&self) -> Result<()> {
        if self.widths().contains(&0) {
            return Err(Error::InvalidConfig(format!("every layer needs a width of at least 1, got {self:?}")));
        }
        if self.hidden.len() + 1 > MAX_LAYERS {
            return Err(Error::Limit(format!(
                "a model has at most {MAX_LAYERS} layers, got {}",
                self.hidden.len() + 1
            )));
        }
        match self.parameters() {
            Some(n) if n <= MAX_PARAMETERS => Ok(()),
            n => Err(Error::Limit(format!(
                "this model would have {} parameters; Fornax builds at most {MAX_PARAMETERS}",
                n.map_or("too many".to_string(), |n| n.to_string())
            ))),
        }
    }

    /// Builds the model with fresh weights; call [`ModelSpec::validate`] first for
    /// shapes that came from outside.
    pub fn init(&self, device: &Device) -> Mlp {
        let layers = self.widths().windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect();
        Mlp { layers }
    }
}

impl Mlp {
    /// `[batch, inputs] -> [batch, outputs]` (logits or standardized values).
    pub fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                x = relu(x);
            }
        }
        x
    }

    /// Whether every weight and bias is a finite number. Reads synchronously, so only
    /// for models on the CPU (a loaded bundle's, before it answers anything).
    pub fn is_finite(&self) -> bool {
        let finite = |t: Tensor<2>| t.is_finite().all().into_scalar::<bool>();
        self.layers.iter().all(|layer| {
            finite(layer.weight.val()) && layer.bias.as_ref().is_none_or(|b| finite(b.val().unsqueeze::<2>()))
        })
    }

    /// A copy of this model on `device`, read back asynchronously so it works for a
    /// WebGPU model in the browser, where synchronous reads are impossible.
    pub async fn copy_to(&self, device: &Device) -> Result<Mlp> {
        let mut layers = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let weight = read_param(layer.weight.val(), device).await?;
            let bias = match &layer.bias {
                Some(b) => Some(Param::from_tensor(read_param(b.val(), device).await?)),
                None => None,
            };
            layers.push(Linear { weight: Param::from_tensor(weight), bias });
        }
        Ok(Mlp { layers })
    }
}

async fn read_param<const D: usize>(tensor: Tensor<D>, device: &Device) -> Result<Tensor<D>> {
    let shape = tensor.shape();
    let values = crate::device::read_floats(tensor).await?;
    Ok(Tensor::from_data(TensorData::new(values, shape), device))
}
