//! The shape of a network: what a bundle records and `fornax train --config` reads,
//! without Burn, so the UI and the wire types can carry it. [`ModelSpec::init`] (with
//! the `compute` feature) builds it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::network::{self, Block};
use super::{Activation, ConvSpec, EfficientNetSpec, ModelFamily, NamedNet, ResNetSpec};
use crate::limits::{MAX_LAYERS, MAX_PARAMETERS};
use crate::{Error, Result};

/// The shape of an MLP: `inputs -> hidden... -> outputs`. Serialized in every bundle;
/// the fields after `outputs` default so older bundles still load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Inputs per row: the recipe's width.
    pub inputs: usize,
    /// Width of each hidden layer, first first; empty for the linear baseline.
    pub hidden: Vec<usize>,
    /// Outputs per row: one per class (one logit for a binary classifier trained with
    /// binary cross-entropy), or one value for a regression.
    pub outputs: usize,
    /// The activation after every hidden layer and convolution (absent: ReLU).
    #[serde(default)]
    pub activation: Activation,
    /// Dropout probability after each hidden layer (empty: none).
    #[serde(default)]
    pub dropout: Vec<f64>,
    /// Whether each hidden layer is batch-normalized before its activation (absent: no).
    #[serde(default)]
    pub batch_norm: bool,
    /// Convolutional blocks before the dense layers (absent: a plain MLP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conv: Option<ConvSpec>,
    /// A custom network's blocks before the dense layers (absent: none; the `custom`
    /// family). Exclusive with `conv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Vec<Block>>,
    /// A ResNet's stages before the output layer (absent: none; the `resnet` family).
    /// Exclusive with `conv` and `network`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resnet: Option<ResNetSpec>,
    /// An EfficientNet's or MobileNetV2's stages before the output layer (absent: none;
    /// the `efficientnet` family). Exclusive with `conv`, `network` and `resnet`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efficientnet: Option<EfficientNetSpec>,
}

impl ModelSpec {
    /// ReLU, no dropout, no batch normalization.
    pub fn new(inputs: usize, hidden: Vec<usize>, outputs: usize) -> Self {
        Self {
            inputs,
            hidden,
            outputs,
            activation: Activation::Relu,
            dropout: Vec::new(),
            batch_norm: false,
            conv: None,
            network: None,
            resnet: None,
            efficientnet: None,
        }
    }

    /// Its ResNet or EfficientNet, if it is one (the first when, wrongly, both are set:
    /// [`ModelSpec::validate`] refuses that).
    pub fn named(&self) -> Option<NamedNet<'_>> {
        NamedNet::pick(false, false, self.resnet.as_ref(), self.efficientnet.as_ref())
            .unwrap_or_else(|_| self.resnet.as_ref().map(NamedNet::ResNet))
    }

    /// Sets the image a CNN or named network reads to `side x side` (for pictures, whose
    /// side the data decides).
    pub fn set_image_side(&mut self, side: usize) {
        if let Some(conv) = &mut self.conv {
            conv.image = [side, side];
        }
        if let Some(resnet) = &mut self.resnet {
            resnet.image = [side, side];
        }
        if let Some(efficientnet) = &mut self.efficientnet {
            efficientnet.image = [side, side];
        }
    }

    /// The blocks before the dense layers: a custom network's, or a named network's expanded.
    pub fn blocks(&self) -> Option<Cow<'_, [Block]>> {
        match (&self.network, self.named()) {
            (Some(blocks), _) => Some(Cow::Borrowed(blocks)),
            (None, Some(named)) => Some(Cow::Owned(named.blocks())),
            (None, None) => None,
        }
    }

    /// The family this shape belongs to: custom with blocks, a CNN with convolutions,
    /// the linear baseline without hidden layers, an MLP otherwise.
    pub fn family(&self) -> ModelFamily {
        let named = self.named().map(NamedNet::family);
        ModelFamily::of(named, self.network.is_some(), self.conv.is_some(), self.hidden.len())
    }

    /// `linear` for the baseline, `cnn` with convolutions, `mlp` otherwise.
    pub fn name(&self) -> &'static str {
        self.family().name()
    }

    /// Widths of the dense layers' inputs and outputs: the convolutions' or blocks'
    /// output (or the row's inputs), the hidden layers, the outputs.
    pub(super) fn widths(&self) -> Vec<usize> {
        let first = match (&self.conv, self.blocks()) {
            (Some(conv), _) => conv.outputs().unwrap_or(usize::MAX),
            (None, Some(blocks)) => network::output(self.inputs, &blocks).map_or(usize::MAX, |s| s.values()),
            (None, None) => self.inputs,
        };
        std::iter::once(first).chain(self.hidden.iter().copied()).chain(std::iter::once(self.outputs)).collect()
    }

    /// Weights and biases of every layer (and batch norms); `None` when it overflows.
    pub fn parameters(&self) -> Option<usize> {
        let linear = self
            .widths()
            .windows(2)
            .try_fold(0usize, |sum, w| w[0].checked_add(1)?.checked_mul(w[1])?.checked_add(sum))?;
        let norms =
            if self.batch_norm { self.hidden.iter().try_fold(0usize, |s, &h| s.checked_add(h * 2)) } else { Some(0) };
        let convs = match &self.conv {
            Some(conv) => conv.parameters(self.inputs)?,
            None => 0,
        };
        let blocks = match self.blocks() {
            Some(blocks) => network::parameters(self.inputs, &blocks)?,
            None => 0,
        };
        linear.checked_add(norms?)?.checked_add(convs)?.checked_add(blocks)
    }

    /// Refuses shapes that cannot be built: a zero width, dropout that does not fit,
    /// or more layers or parameters than [`crate::limits`] allow (which would exhaust
    /// memory first).
    pub fn validate(&self) -> Result<()> {
        if let Some(conv) = &self.conv {
            conv.validate(self.inputs)?;
        }
        if let Some(blocks) = &self.network {
            if self.conv.is_some() {
                return Err(Error::InvalidConfig(
                    "a network of blocks replaces `conv`: write its convolutions as conv2d blocks".into(),
                ));
            }
            if blocks.is_empty() {
                return Err(Error::InvalidConfig("a custom network needs at least one block".into()));
            }
            network::stack(self.inputs, blocks)?;
        }
        let named = NamedNet::pick(
            self.conv.is_some(),
            self.network.is_some(),
            self.resnet.as_ref(),
            self.efficientnet.as_ref(),
        )?;
        if let Some(named) = named {
            named.validate()?;
            network::stack(self.inputs, &named.blocks())?;
        }
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
        let layers = self.hidden.len() + 1 + self.conv.as_ref().map_or(0, |c| c.channels.len());
        if layers > MAX_LAYERS {
            return Err(Error::Limit(format!("a model has at most {MAX_LAYERS} layers, got {layers}")));
        }
        match self.parameters() {
            Some(n) if n <= MAX_PARAMETERS => Ok(()),
            n => Err(Error::Limit(format!(
                "this model would have {} parameters; Fornax builds at most {MAX_PARAMETERS}",
                n.map_or("too many".to_string(), |n| n.to_string())
            ))),
        }
    }
}
