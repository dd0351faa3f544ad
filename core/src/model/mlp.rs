//! A multilayer perceptron for tabular data: linear layers, each hidden one optionally
//! batch-normalized, then activated (ReLU, GELU or tanh), then dropped out while
//! training. With no hidden layers it is the linear/logistic baseline that a bigger
//! model has to beat. For rows that are images, convolutional blocks
//! ([`ConvSpec`]) can come before the dense layers, which makes it a small CNN.
//!
//! ```
//! use burn::tensor::{Device, Tensor};
//! use fornax_core::model::ModelSpec;
//! let device = Device::flex();
//! let model = ModelSpec::new(4, vec![8], 3).init(&device);
//! let logits = model.forward(Tensor::<2>::zeros([5, 4], &device));
//! assert_eq!(logits.dims(), [5, 3]);
//! ```

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::{Bytes, Device, Tensor, TensorData};

use super::block_net::BlockNet;
use super::halving_pool::halving_max_pool;
use super::{Activation, ConvSpec, ModelSpec, layers};
use crate::base::SplitMix64;
use crate::{Error, Result};

/// The network a [`ModelSpec`] builds: its convolutional blocks or custom blocks, if
/// any, then its dense layers. Save its weights with [`Mlp::weights`] and load them with [`ModelSpec::load`].
#[derive(Module, Debug)]
pub struct Mlp {
    /// One per convolutional block, else empty.
    convs: Vec<Conv2d>,
    /// The image the convolutions read each row as: channels, height, width.
    #[module(skip)]
    image: Option<[usize; 3]>,
    layers: Vec<Linear>,
    /// One per hidden layer with batch normalization, else empty.
    norms: Vec<BatchNorm>,
    #[module(skip)]
    activation: Activation,
    #[module(skip)]
    dropout: Vec<f64>,
    /// A custom network's blocks, before the dense layers.
    network: Option<BlockNet>,
}

impl ModelSpec {
    /// Builds the model with fresh weights; call [`ModelSpec::validate`] first for
    /// shapes that came from outside.
    pub fn init(&self, device: &Device) -> Mlp {
        let layers = self.widths().windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect();
        let norms = if self.batch_norm {
            self.hidden.iter().map(|&h| BatchNormConfig::new(h).init(device)).collect()
        } else {
            Vec::new()
        };
        let convs = self.conv.iter().flat_map(|conv| conv.blocks(self.inputs)).map(|channels| {
            Conv2dConfig::new(channels, [ConvSpec::KERNEL; 2]).with_padding(PaddingConfig2d::Same).init(device)
        });
        Mlp {
            convs: convs.collect(),
            image: self.conv.as_ref().map(|c| [c.input_channels(self.inputs), c.image[0], c.image[1]]),
            layers,
            norms,
            activation: self.activation,
            dropout: self.dropout.clone(),
            network: self.blocks().map(|blocks| BlockNet::init(self.inputs, &blocks, device)),
        }
    }

    /// Builds the model with the fresh weights `seed` gives, the same on every run.
    /// Burn's generator is one per process and its parameters draw from it when first
    /// read, so the seeding and every draw happen under one lock: another run in the
    /// process (a test thread, a second server job) cannot draw in between.
    pub fn init_seeded(&self, device: &Device, seed: u64) -> Mlp {
        static SEEDED_INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _only_this_run = SEEDED_INIT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        device.seed(seed);
        let model = self.init(device);
        for conv in &model.convs {
            let _ = (conv.weight.val(), conv.bias.as_ref().map(Param::val));
        }
        for layer in &model.layers {
            let _ = (layer.weight.val(), layer.bias.as_ref().map(Param::val));
        }
        if let Some(network) = &model.network {
            network.draw_weights();
        }
        model
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
    /// exporting the model to other runtimes; `None` for a model with convolutions or
    /// custom blocks, which the dense layers alone do not describe.
    pub fn linear_layers(&self) -> Option<&[Linear]> {
        (self.convs.is_empty() && self.network.is_none()).then_some(&self.layers)
    }

    /// Its convolutions, batch norms and linear layers (a network's blocks', then the
    /// dense layers), each in the order the forward pass uses them, for pretrained
    /// weights to fill.
    // Only pretrained loading uses it, which reads files: natively.
    #[cfg_attr(target_family = "wasm", allow(dead_code))]
    pub(crate) fn parts_mut(&mut self) -> (Vec<&mut Conv2d>, Vec<&mut BatchNorm>, Vec<&mut Linear>) {
        let (mut convs, mut norms, mut linears) = match &mut self.network {
            Some(network) => network.layers_mut(),
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        convs.extend(self.convs.iter_mut());
        norms.extend(self.norms.iter_mut());
        linears.extend(self.layers.iter_mut());
        (convs, norms, linears)
    }

    /// The output layer and any dense layers before it: what a frozen backbone leaves
    /// to train.
    pub fn dense_layers(&self) -> &Vec<Linear> {
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

    /// The image blocks: `[batch, c * h * w] -> [batch, channels * h' * w']`, or a custom
    /// network's blocks, or `x` as it is without either.
    fn features(&self, x: Tensor<2>, rng: Option<&mut SplitMix64>) -> Tensor<2> {
        if let Some(network) = &self.network {
            return network.forward(x, rng);
        }
        let Some([channels, height, width]) = self.image else { return x };
        let [batch, _] = x.dims();
        let mut image = x.reshape([batch, channels, height, width]);
        for conv in &self.convs {
            image = halving_max_pool(self.activate(conv.forward(image)));
        }
        image.flatten(1, 3)
    }

    fn activate<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        self.activation.apply(x)
    }

    fn run(&self, x: Tensor<2>, mut rng: Option<&mut SplitMix64>) -> Tensor<2> {
        let mut x = self.features(x, rng.as_deref_mut());
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i == last {
                break;
            }
            if let Some(norm) = self.norms.get(i) {
                x = norm.forward(x);
            }
            x = self.activate(x);
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
        self.convs.iter().all(layers::conv_is_finite)
            && self.layers.iter().all(layers::linear_is_finite)
            && self.norms.iter().all(layers::batch_norm_is_finite)
            && self.network.as_ref().is_none_or(BlockNet::is_finite)
    }

    /// A copy of this model on `device`, read back asynchronously so it works for a
    /// WebGPU model in the browser, where synchronous reads are impossible. Parameters
    /// keep their ids, which an optimizer's saved state is keyed by.
    pub async fn copy_to(&self, device: &Device) -> Result<Mlp> {
        let mut convs = Vec::with_capacity(self.convs.len());
        for conv in &self.convs {
            convs.push(layers::copy_conv(conv, device).await?);
        }
        let mut dense = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            dense.push(layers::copy_linear(layer, device).await?);
        }
        let mut norms = Vec::with_capacity(self.norms.len());
        for norm in &self.norms {
            norms.push(layers::copy_batch_norm(norm, device).await?);
        }
        let network = match &self.network {
            Some(network) => Some(network.copy_to(device).await?),
            None => None,
        };
        Ok(Mlp {
            convs,
            image: self.image,
            layers: dense,
            norms,
            activation: self.activation,
            dropout: self.dropout.clone(),
            network,
        })
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
