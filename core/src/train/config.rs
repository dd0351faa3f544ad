//! Everything that controls a run: one JSON object, the same in the tab ("copy as
//! config"), `fornax train --config` and server jobs. Every field has a default, unknown
//! fields are refused, and [`TrainConfig::validate`] says what is wrong in words.

use serde::{Deserialize, Serialize};

use super::early_stop::EarlyStopping;
use super::loss::Loss;
use super::optim::OptimizerKind;
use super::schedule::Schedule;
use crate::data::Prep;
use crate::model::network::{self, Block};
use crate::model::{Activation, ConvSpec, EfficientNetSpec, ModelFamily, ModelSpec, NamedNet, ResNetSpec};
use crate::recipe::{Augment, ChannelStatistics};
use crate::task::Task;
use crate::{Error, Result};

/// Every setting of a run: the config JSON, where a missing field takes its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Most epochs to run; early stopping may end sooner.
    pub epochs: usize,
    /// Rows per step; `None` picks 32, 64 or 128 by the size of the training split.
    pub batch_size: Option<usize>,
    /// The starting learning rate; the schedule moves it from there.
    pub learning_rate: f64,
    /// Hidden layer widths of the MLP (empty: the linear model alone).
    pub hidden: Vec<usize>,
    /// The activation of every hidden layer (and convolution).
    pub activation: Activation,
    /// Dropout probability after each hidden layer: none, one for all, or one per layer.
    pub dropout: Vec<f64>,
    /// Batch normalization after each hidden layer's linear transform.
    pub batch_norm: bool,
    /// Convolutional blocks before the hidden layers, for rows that are images.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conv: Option<ConvSpec>,
    /// A custom network's blocks before the hidden layers (the `custom` family):
    /// `[{"block": "linear", "units": 64}, {"block": "activation", "function": "relu"}]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<Vec<Block>>,
    /// A ResNet-style network before the output layer (the `resnet` family):
    /// `{"image": [32, 32], "widths": [16, 32, 64], "depths": [1, 1, 1]}`; for pictures,
    /// training sets `image` to their size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resnet: Option<ResNetSpec>,
    /// An EfficientNet-style network or MobileNetV2 before the output layer (the
    /// `efficientnet` family): `{"image": [224, 224], "layout": "b0", "width": 1.0,
    /// "depth": 1.0}`; for pictures, training sets `image` to their size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efficientnet: Option<EfficientNetSpec>,
    /// `None`: cross-entropy for classification, mean squared error for regression.
    pub loss: Option<Loss>,
    /// The optimizer and its settings (default: Adam).
    pub optimizer: OptimizerKind,
    /// L2 penalty (SGD, Adam) or decoupled weight decay (AdamW).
    pub weight_decay: f64,
    /// Clip the gradient's global norm to this value.
    pub grad_clip_norm: Option<f64>,
    /// How the learning rate changes from epoch to epoch (default: constant).
    pub schedule: Schedule,
    /// When to end training before `epochs`, and which epoch's weights to keep.
    pub early_stopping: EarlyStopping,
    /// Share of the labeled rows held out for validation; above 0, with `test_fraction` below 0.9.
    pub valid_fraction: f64,
    /// Share of the labeled rows held out to test the finished models; above 0.
    pub test_fraction: f64,
    /// Same seed + same backend = same split, same initialization, same result.
    pub seed: u64,
    /// The data plan: cleaning steps, scaling, encoding, split order.
    #[serde(skip_serializing_if = "Prep::is_default")]
    pub prep: Prep,
    /// How the training images are varied from batch to batch (images only; off by default).
    #[serde(skip_serializing_if = "Augment::is_none")]
    pub augment: Augment,
    /// What standardizes the pictures' channels (images only): `fitted` on the training
    /// images (default), or `imagenet`, which weights pretrained on ImageNet expect.
    #[serde(skip_serializing_if = "ChannelStatistics::is_fitted")]
    pub channel_statistics: ChannelStatistics,
    /// The first epochs in which only the dense layers learn (for a named network, its
    /// output layer): fine-tuning pretrained weights trains the new head first, then
    /// everything. 0 (default): every layer learns from the start.
    #[serde(skip_serializing_if = "is_zero")]
    pub freeze_epochs: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 100,
            batch_size: None,
            learning_rate: 1e-3,
            hidden: vec![64, 32],
            activation: Activation::Relu,
            dropout: Vec::new(),
            batch_norm: false,
            conv: None,
            network: None,
            resnet: None,
            efficientnet: None,
            loss: None,
            optimizer: OptimizerKind::default(),
            weight_decay: 0.0,
            grad_clip_norm: None,
            schedule: Schedule::Constant,
            early_stopping: EarlyStopping::default(),
            valid_fraction: 0.15,
            test_fraction: 0.15,
            seed: 42,
            prep: Prep::default(),
            augment: Augment::default(),
            channel_statistics: ChannelStatistics::Fitted,
            freeze_epochs: 0,
        }
    }
}

impl TrainConfig {
    /// Checks every setting; the error says in words which one is wrong and what it takes.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidConfig(msg));
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if self.epochs == 0 {
            return bad("epochs must be at least 1".into());
        }
        if self.batch_size == Some(0) {
            return bad("batch_size must be at least 1".into());
        }
        if !positive(self.learning_rate) {
            return bad(format!("learning_rate must be a positive number, got {}", self.learning_rate));
        }
        let held_out = self.valid_fraction + self.test_fraction;
        if !(self.valid_fraction > 0.0 && self.test_fraction > 0.0 && held_out < 0.9) {
            return bad("valid_fraction and test_fraction must be above 0 and together below 0.9".into());
        }
        self.prep.validate()?;
        self.augment.validate()?;
        if self.freeze_epochs > self.epochs {
            return bad(format!(
                "freeze_epochs ({}) is more than epochs ({}): nothing would train the frozen layers",
                self.freeze_epochs, self.epochs
            ));
        }
        if self.hidden.contains(&0) {
            return bad("hidden layer widths must be at least 1".into());
        }
        if self.network.is_some() && self.conv.is_some() {
            return bad("a network of blocks replaces `conv`: write its convolutions as conv2d blocks".into());
        }
        let named = NamedNet::pick(
            self.conv.is_some(),
            self.network.is_some(),
            self.resnet.as_ref(),
            self.efficientnet.as_ref(),
        )?;
        if let Some(named) = named {
            named.validate()?;
        }
        if !(self.dropout.len() <= 1 || self.dropout.len() == self.hidden.len()) {
            return bad(format!(
                "dropout takes one probability for all hidden layers or one per layer ({}), got {}",
                self.hidden.len(),
                self.dropout.len()
            ));
        }
        if let Some(p) = self.dropout.iter().find(|p| !(0.0..1.0).contains(*p)) {
            return bad(format!("dropout probabilities are from 0 up to (not including) 1, got {p}"));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!("weight_decay must be 0 or more, got {}", self.weight_decay));
        }
        if let Some(clip) = self.grad_clip_norm.filter(|&c| !positive(c)) {
            return bad(format!("grad_clip_norm must be a positive number, got {clip}"));
        }
        self.optimizer.validate()?;
        self.schedule.validate(self.epochs)?;
        self.early_stopping.validate()?;
        if let Some(loss) = &self.loss {
            loss.validate()?;
        }
        Ok(())
    }

    /// The family of the model this config trains besides the baseline.
    pub fn family(&self) -> ModelFamily {
        let named = NamedNet::pick(false, false, self.resnet.as_ref(), self.efficientnet.as_ref());
        let named = named.ok().flatten().map(NamedNet::family);
        ModelFamily::of(named, self.network.is_some(), self.conv.is_some(), self.hidden.len())
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

    /// The shape of the model this config trains, for `inputs` values per row and
    /// `outputs` outputs.
    pub fn model_spec(&self, inputs: usize, outputs: usize) -> ModelSpec {
        let dropout = match self.dropout.is_empty() {
            true => Vec::new(),
            false => (0..self.hidden.len()).map(|layer| self.dropout_after(layer)).collect(),
        };
        ModelSpec {
            inputs,
            hidden: self.hidden.clone(),
            outputs,
            activation: self.activation,
            dropout,
            batch_norm: self.batch_norm,
            conv: self.conv.clone(),
            network: self.network.clone(),
            resnet: self.resnet.clone(),
            efficientnet: self.efficientnet.clone(),
        }
    }

    /// The batch size to use for `train_rows` rows: the configured one (refused when
    /// larger than the data), or 32/64/128 by size.
    pub fn batch_size_for(&self, train_rows: usize) -> Result<usize> {
        match self.batch_size {
            Some(b) if b > train_rows => Err(Error::InvalidConfig(format!(
                "batch_size {b} is larger than the {train_rows} training rows; use at most {train_rows}"
            ))),
            Some(b) => Ok(b),
            None if train_rows < 2_000 => Ok(32),
            None if train_rows < 20_000 => Ok(64),
            None => Ok(128),
        }
    }

    /// The largest single buffer a training step of a model with these settings needs,
    /// in bytes, and what it holds. A WebGPU adapter refuses to bind a buffer larger than
    /// its `maxStorageBufferBindingSize`, so the tab warns before such a run starts.
    pub fn largest_buffer(&self, inputs: usize, outputs: usize, train_rows: usize) -> Option<(u64, String)> {
        let batch = self.batch_size_for(train_rows).ok()? as u64;
        let spec = self.model_spec(inputs, outputs);
        let stacked = spec.blocks().map(|b| network::stack(inputs, &b).unwrap_or_default()).unwrap_or_default();
        let dense_inputs = match (&self.conv, stacked.last()) {
            (Some(conv), _) => conv.outputs().unwrap_or(inputs),
            (None, Some(last)) => last.output.values(),
            (None, None) => inputs,
        };
        let widths: Vec<u64> = std::iter::once(dense_inputs)
            .chain(self.hidden.iter().copied())
            .chain([outputs])
            .map(|w| w as u64)
            .collect();
        let activations = widths.iter().map(|&w| (batch * w * 4, format!("a batch of {batch} rows x {w} values")));
        let weights =
            widths.windows(2).map(|p| (p[0] * p[1] * 4, format!("the {} x {} weights of a layer", p[0], p[1])));
        let images = self.conv.iter().flat_map(|conv| {
            conv.blocks(inputs).enumerate().map(move |(i, [_, channels])| {
                let [h, w] = conv.image.map(|side| (side >> i) as u64);
                let bytes = batch * channels as u64 * h * w * 4;
                (bytes, format!("a batch of {batch} images x {channels} channels of {h}x{w}"))
            })
        });
        let blocks = stacked.iter().map(|s| {
            (
                batch * s.output.values() as u64 * 4,
                format!("a batch of {batch} rows x {} (block {})", s.output, s.place),
            )
        });
        activations.chain(weights).chain(images).chain(blocks).max_by_key(|(bytes, _)| *bytes)
    }

    /// Dropout probability after hidden layer `layer`.
    pub fn dropout_after(&self, layer: usize) -> f64 {
        match self.dropout.as_slice() {
            [] => 0.0,
            [all] => *all,
            each => each[layer],
        }
    }

    /// The loss to train with for `task` (the configured one, checked against the task).
    pub fn loss_for(&self, task: Task, classes: usize) -> Result<Loss> {
        let loss = self.loss.clone().unwrap_or(match task {
            Task::Classification => Loss::CrossEntropy(Default::default()),
            Task::Regression => Loss::Mse,
        });
        loss.check_task(task, classes)?;
        Ok(loss)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn largest_buffer_is_the_widest_activation_or_weight() {
        let config = TrainConfig { hidden: vec![1000, 1000], batch_size: Some(50), ..TrainConfig::default() };
        let (bytes, what) = config.largest_buffer(20, 3, 500).unwrap();
        assert_eq!((bytes, what.as_str()), (1000 * 1000 * 4, "the 1000 x 1000 weights of a layer"));
        let config = TrainConfig { hidden: vec![4000], batch_size: Some(64), ..TrainConfig::default() };
        let (bytes, what) = config.largest_buffer(5, 2, 500).unwrap();
        assert_eq!((bytes, what.as_str()), (64 * 4000 * 4, "a batch of 64 rows x 4000 values"));
        assert_eq!(config.largest_buffer(5, 2, 10), None, "a batch larger than the data is refused elsewhere");
        let conv = Some(ConvSpec { image: [28, 28], channels: vec![32, 64] });
        let config = TrainConfig { hidden: vec![128], batch_size: Some(64), conv, ..TrainConfig::default() };
        let (bytes, what) = config.largest_buffer(784, 10, 5000).unwrap();
        assert_eq!((bytes, what.as_str()), (64 * 32 * 28 * 28 * 4, "a batch of 64 images x 32 channels of 28x28"));
    }

    use super::*;

    #[test]
    fn defaults_fill_missing_fields_and_unknown_fields_are_refused() {
        let config: TrainConfig = serde_json::from_str(r#"{"epochs": 5}"#).unwrap();
        assert_eq!(config, TrainConfig { epochs: 5, ..TrainConfig::default() });
        let err = serde_json::from_str::<TrainConfig>(r#"{"epoch": 5}"#).unwrap_err().to_string();
        assert!(err.contains("unknown field `epoch`"), "{err}");
        let full = serde_json::to_string(&TrainConfig::default()).unwrap();
        assert_eq!(serde_json::from_str::<TrainConfig>(&full).unwrap(), TrainConfig::default());
    }

    #[test]
    fn bad_values_are_explained() {
        let check = |config: TrainConfig, expected: &str| {
            let err = config.validate().unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        };
        let base = TrainConfig::default;
        check(TrainConfig { learning_rate: 0.0, ..base() }, "learning_rate must be a positive number, got 0");
        check(TrainConfig { learning_rate: -1.0, ..base() }, "got -1");
        check(TrainConfig { batch_size: Some(0), ..base() }, "batch_size must be at least 1");
        check(TrainConfig { dropout: vec![0.1, 0.2, 0.3], ..base() }, "one per layer (2), got 3");
        check(TrainConfig { dropout: vec![1.0], ..base() }, "got 1");
        check(TrainConfig { grad_clip_norm: Some(0.0), ..base() }, "grad_clip_norm");
        let err = base()
            .batch_size_for(10)
            .map(|_| ())
            .and(TrainConfig { batch_size: Some(11), ..base() }.batch_size_for(10).map(|_| ()));
        assert!(err.unwrap_err().to_string().contains("larger than the 10 training rows"));
    }

    #[test]
    fn batch_size_grows_with_the_data() {
        let config = TrainConfig::default();
        assert_eq!(config.batch_size_for(150).unwrap(), 32);
        assert_eq!(config.batch_size_for(5_000).unwrap(), 64);
        assert_eq!(config.batch_size_for(50_000).unwrap(), 128);
    }
}
