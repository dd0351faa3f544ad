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

use crate::Result;

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

    pub fn init(&self, device: &Device) -> Mlp {
        let widths: Vec<usize> = std::iter::once(self.inputs)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(self.outputs))
            .collect();
        let layers = widths.windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect();
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
