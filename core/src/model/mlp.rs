//! A multilayer perceptron for tabular data: linear layers, each hidden one optionally
//! batch-normalized, then activated (ReLU, GELU or tanh), then dropped out while
//! training. With no hidden layers it is the linear/logistic baseline that a bigger
//! model has to beat.
//!
//! ```
//! use burn::tensor::{Device, Tensor};
//! use fornax_core::model::ModelSpec;
//! let device = Device::flex();
//! let model = ModelSpec::new(4, vec![8], 3).init(&device);
//! let logits = model.forward(Tensor::<2>::zeros([5, 4], &device));
//! assert_eq!(logits.dims(), [5, 3]);
//! ```

use burn::module::{Module, Param, RunningState};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::activation::{gelu, relu};
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::data::split::SplitMix64;
use crate::limits::{MAX_LAYERS, MAX_PARAMETERS};
use crate::train::Activation;
use crate::{Error, Result};

/// The shape of an MLP: `inputs -> hidden... -> outputs`. Serialized in every bundle;
/// the fields after `outputs` default so older bundles still load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub inputs: usize,
    pub hidden: Vec<usize>,
    pub outputs: usize,
    #[serde(default)]
    pub activation: Activation,
    /// Dropout probability after each hidden layer (empty: none).
    #[serde(default)]
    pub dropout: Vec<f64>,
    #[serde(default)]
    pub batch_norm: bool,
}

#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    /// One per hidden layer with batch normalization, else empty.
    norms: Vec<BatchNorm>,
    #[module(skip)]
    activation: Activation,
    #[module(skip)]
    dropout: Vec<f64>,
}

impl ModelSpec {
    /// ReLU, no dropout, no batch normalization.
    pub fn new(inputs: usize, hidden: Vec<usize>, outputs: usize) -> Self {
        Self { inputs, hidden, outputs, activation: Activation::Relu, dropout: Vec::new(), batch_norm: false }
    }

    /// `linear` for the baseline, `mlp` otherwise.
    pub fn name(&self) -> &'static str {
        if self.hidden.is_empty() { "linear" } else { "mlp" }
    }

    fn widths(&self) -> Vec<usize> {
        std::iter::once(self.inputs).chain(self.hidden.iter().copied()).chain(std::iter::once(self.outputs)).collect()
    }

    /// Weights and biases of every layer (and batch norms); `None` when it overflows.
    pub fn parameters(&self) -> Option<usize> {
        let linear = self
            .widths()
            .windows(2)
            .try_fold(0usize, |sum, w| w[0].checked_add(1)?.checked_mul(w[1])?.checked_add(sum))?;
        let norms =
            if self.batch_norm { self.hidden.iter().try_fold(0usize, |s, &h| s.checked_add(h * 2)) } else { Some(0) };
        linear.checked_add(norms?)
    }

    /// Refuses shapes that cannot be built: a zero width, dropout that does not fit,
    /// or more layers or parameters than [`crate::limits`] allow (which would exhaust
    /// memory first).
    pub fn validate(&self) -> Result<()> {
        if self.widths().contains(&0) {
            return Err(Error::InvalidConfig(format!("every layer needs a width of at least 1, got {self:?}")));
        }
        if !(self.dropout.is_empty() || self.dropout.len() == self.hidden.len())
            || self.dropout.iter().any(|p| !(0.0..1.0).contains(p))
        {
            return Err(Error::InvalidConfig(format!(
                "dropout must be one probability in [0, 1) per hidden layer, got {:?}",
                self.dropout
            )));
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
        let norms = if self.batch_norm {
            self.hidden.iter().map(|&h| BatchNormConfig::new(h).init(device)).collect()
        } else {
            Vec::new()
        };
        Mlp { layers, norms, activation: self.activation, dropout: self.dropout.clone() }
    }

    /// Builds the model with `weights` (burnpack bytes from [`Mlp::weights`]) on `device`.
    /// The error is plain text: the caller says which file was bad.
    pub fn load(&self, weights: &[u8], device: &Device) -> std::result::Result<Mlp, String> {
        // Cast every tensor to the model's own dtype: a record that declares another one
        // (say integers where floats belong) would otherwise stop Burn with a panic.
        let record = burn::store::ModuleRecord::from_bytes(Bytes::from_bytes_vec(weights.to_vec()))
            .map_err(|e| format!("the weights cannot be read: {e:?}"))?
            .cast_to_module_dtype();
        let model = self
            .init(device)
            .try_load_record(record)
            .map_err(|e| format!("the weights do not fit the model: {e:?}"))?;
        if !model.is_finite() {
            return Err("the weights hold NaN or infinite values".into());
        }
        Ok(model)
    }
}

impl Mlp {
    /// The dense layers, input first (Burn's `Linear`: weight `[inputs, outputs]`), for
    /// exporting the model to other runtimes.
    pub fn linear_layers(&self) -> &[Linear] {
        &self.layers
    }

    /// `[batch, inputs] -> [batch, outputs]` (logits or standardized values), for
    /// evaluation and prediction: no dropout, batch norm with its running statistics.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.run(x, None)
    }

    /// The training forward pass: dropout masks come from `rng` (not the backend's
    /// generator), so a resumed run draws exactly the masks an uninterrupted one would.
    pub fn forward_train(&self, x: Tensor<2>, rng: &mut SplitMix64) -> Tensor<2> {
        self.run(x, Some(rng))
    }

    fn run(&self, mut x: Tensor<2>, mut rng: Option<&mut SplitMix64>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i == last {
                break;
            }
            if let Some(norm) = self.norms.get(i) {
                x = norm.forward(x);
            }
            x = match self.activation {
                Activation::Relu => relu(x),
                Activation::Gelu => gelu(x),
                Activation::Tanh => x.tanh(),
            };
            let p = self.dropout.get(i).copied().unwrap_or(0.0);
            if let Some(rng) = rng.as_deref_mut().filter(|_| p > 0.0) {
                // Inverted dropout: keep with probability 1 - p, scale by 1 / (1 - p).
                let [rows, width] = x.dims();
                let keep = (1.0 / (1.0 - p)) as f32;
                let mask: Vec<f32> = (0..rows * width).map(|_| if rng.next_f64() < p { 0.0 } else { keep }).collect();
                x = x.clone() * Tensor::from_data(TensorData::new(mask, [rows, width]), &x.device());
            }
        }
        x
    }

    /// Whether every weight and bias is a finite number. Reads synchronously, so only
    /// for models on the CPU (a loaded bundle's, before it answers anything).
    pub fn is_finite(&self) -> bool {
        let finite = |t: Tensor<1>| t.is_finite().all().into_scalar::<bool>();
        self.layers.iter().all(|layer| {
            finite(layer.weight.val().flatten(0, 1)) && layer.bias.as_ref().is_none_or(|b| finite(b.val()))
        }) && self.norms.iter().all(|n| {
            finite(n.gamma.val())
                && finite(n.beta.val())
                && finite(n.running_mean.value_sync())
                && finite(n.running_var.value_sync())
        })
    }

    /// A copy of this model on `device`, read back asynchronously so it works for a
    /// WebGPU model in the browser, where synchronous reads are impossible. Parameters
    /// keep their ids, which an optimizer's saved state is keyed by.
    pub async fn copy_to(&self, device: &Device) -> Result<Mlp> {
        let mut layers = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let weight = read_param(layer.weight.val(), device).await?;
            let bias = match &layer.bias {
                Some(b) => Some(Param::initialized(b.id, read_param(b.val(), device).await?)),
                None => None,
            };
            layers.push(Linear { weight: Param::initialized(layer.weight.id, weight), bias });
        }
        let mut norms = Vec::with_capacity(self.norms.len());
        for norm in &self.norms {
            let [features] = norm.gamma.shape().dims();
            let mut copy =
                BatchNormConfig::new(features).with_momentum(norm.momentum).with_epsilon(norm.epsilon).init(device);
            copy.gamma = Param::initialized(norm.gamma.id, read_param(norm.gamma.val(), device).await?);
            copy.beta = Param::initialized(norm.beta.id, read_param(norm.beta.val(), device).await?);
            copy.running_mean = RunningState::new(read_param(norm.running_mean.value_sync(), device).await?);
            copy.running_var = RunningState::new(read_param(norm.running_var.value_sync(), device).await?);
            norms.push(copy);
        }
        Ok(Mlp { layers, norms, activation: self.activation, dropout: self.dropout.clone() })
    }

    /// The weights in Burn's burnpack format, read back from any device.
    pub async fn weights(&self) -> Result<Vec<u8>> {
        let cpu = self.copy_to(&crate::device::cpu()).await?;
        let bytes = cpu
            .into_record()
            .into_bytes()
            .map_err(|e| Error::Backend(format!("could not record the weights: {e:?}")))?;
        Ok(bytes.to_vec())
    }
}

async fn read_param<const D: usize>(tensor: Tensor<D>, device: &Device) -> Result<Tensor<D>> {
    let shape = tensor.shape();
    let values = crate::device::read_floats(tensor).await?;
    Ok(Tensor::from_data(TensorData::new(values, shape), device))
}
