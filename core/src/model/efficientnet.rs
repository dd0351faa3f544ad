//! EfficientNet-style networks (Tan and Le, 2019) and MobileNetV2 (Sandler et al.,
//! 2018), the `efficientnet` family: a 3x3 stem of stride 2, stages of inverted residual
//! blocks ([`Block::MbConv`]: widen with a 1x1 convolution, filter each channel with a
//! depthwise convolution, optionally reweight the channels by squeeze-and-excitation,
//! project back down with a 1x1 convolution), a 1x1 head convolution, a global average
//! pool, dropout and the output layer. Width and depth multipliers scale every stage's
//! channels and blocks, rounded as torchvision rounds them, so the presets have
//! torchvision's layouts and parameter counts. A spec expands into the custom network's
//! blocks ([`super::network`]), so it trains, saves and predicts through the same code.
//!
//! Left out: EfficientNet's stochastic depth (torchvision drops whole blocks while
//! training with a probability rising to 0.2); Fornax keeps every block.

use serde::{Deserialize, Serialize};

use super::Activation;
use super::network::Block;
use crate::{Error, Result};

/// An EfficientNet's image, layout and multipliers: `{"image": [224, 224], "layout":
/// "b0", "width": 1.0, "depth": 1.0}` is EfficientNet-B0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EfficientNetSpec {
    /// Height and width of the image each row is (for image data, the pictures' side,
    /// which training fills in).
    pub image: [usize; 2],
    /// Whose stages it scales.
    pub layout: Layout,
    /// Multiplies every stage's channels (rounded to a multiple of 8).
    pub width: f64,
    /// Multiplies every stage's blocks (rounded up). MobileNetV2 has no depth multiplier
    /// in its paper; Fornax applies this one to it the same way.
    pub depth: f64,
}

/// The stages a spec scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// EfficientNet-B0's: MBConv blocks with squeeze-and-excitation, 3x3 and 5x5
    /// kernels, swish.
    B0,
    /// MobileNetV2's: inverted residuals with 3x3 kernels and ReLU6, no squeeze-and-excitation.
    MobilenetV2,
}

/// One stage: expansion, kernel, first block's stride, output channels, blocks.
struct Stage {
    expand: usize,
    kernel: usize,
    stride: usize,
    channels: usize,
    blocks: usize,
}

const fn stage(expand: usize, kernel: usize, stride: usize, channels: usize, blocks: usize) -> Stage {
    Stage { expand, kernel, stride, channels, blocks }
}

/// torchvision's `efficientnet_b0` stages.
const B0: [Stage; 7] = [
    stage(1, 3, 1, 16, 1),
    stage(6, 3, 2, 24, 2),
    stage(6, 5, 2, 40, 2),
    stage(6, 3, 2, 80, 3),
    stage(6, 5, 1, 112, 3),
    stage(6, 5, 2, 192, 4),
    stage(6, 3, 1, 320, 1),
];

/// torchvision's `mobilenet_v2` stages.
const MOBILENET_V2: [Stage; 7] = [
    stage(1, 3, 1, 16, 1),
    stage(6, 3, 2, 24, 2),
    stage(6, 3, 2, 32, 3),
    stage(6, 3, 2, 64, 4),
    stage(6, 3, 1, 96, 3),
    stage(6, 3, 2, 160, 3),
    stage(6, 3, 1, 320, 1),
];

/// The presets the studio and `fornax train --model` offer, by name.
pub const PRESETS: [&str; 3] = ["small", "b0", "mobilenet_v2"];

/// The multipliers' range: from a tenth of the layout to four times it.
const MULTIPLIERS: std::ops::RangeInclusive<f64> = 0.1..=4.0;

/// The dropout before the output layer, torchvision's for both layouts.
const HEAD_DROPOUT: f64 = 0.2;

impl EfficientNetSpec {
    /// A preset on `image`: `small` (B0 at a quarter of its width and depth, one block
    /// per stage, for small pictures), `b0` (EfficientNet-B0) or `mobilenet_v2`.
    pub fn preset(name: &str, image: [usize; 2]) -> Option<EfficientNetSpec> {
        let (layout, width, depth) = match name {
            "small" => (Layout::B0, 0.25, 0.25),
            "b0" => (Layout::B0, 1.0, 1.0),
            "mobilenet_v2" => (Layout::MobilenetV2, 1.0, 1.0),
            _ => return None,
        };
        Some(EfficientNetSpec { image, layout, width, depth })
    }

    /// The preset this spec is, if it is one.
    pub fn preset_name(&self) -> Option<&'static str> {
        PRESETS.into_iter().find(|name| EfficientNetSpec::preset(name, self.image).as_ref() == Some(self))
    }

    /// `EfficientNet-B0`, `MobileNetV2`, or `EfficientNet-B0 x0.25 width x0.25 depth`.
    pub fn describe(&self) -> String {
        let base = match self.layout {
            Layout::B0 => "EfficientNet-B0",
            Layout::MobilenetV2 => "MobileNetV2",
        };
        if self.width == 1.0 && self.depth == 1.0 {
            return base.to_string();
        }
        format!("{base} x{} width x{} depth", self.width, self.depth)
    }

    /// Refuses multipliers out of range; whether the image survives the halvings is
    /// [`super::network::stack`]'s to say, block by block.
    pub fn validate(&self) -> Result<()> {
        for (name, value) in [("width", self.width), ("depth", self.depth)] {
            if !MULTIPLIERS.contains(&value) {
                return Err(Error::InvalidConfig(format!(
                    "efficientnet: the {name} multiplier is from {} to {}, got {value}",
                    MULTIPLIERS.start(),
                    MULTIPLIERS.end()
                )));
            }
        }
        Ok(())
    }

    /// The network as blocks: image, stem, stages, head, pool, dropout.
    pub fn blocks(&self) -> Vec<Block> {
        let [height, width] = self.image;
        let (stages, activation, squeeze_excite) = match self.layout {
            Layout::B0 => (&B0, Activation::Swish, true),
            Layout::MobilenetV2 => (&MOBILENET_V2, Activation::Relu6, false),
        };
        let channels = |c: usize| make_divisible(c as f64 * self.width);
        let conv = |channels: usize, kernel: usize, stride: usize| {
            [
                Block::Conv2d { channels, kernel, stride, bias: false },
                Block::BatchNorm,
                Block::Activation { function: activation },
            ]
        };
        let mut blocks = vec![Block::Image { height, width }];
        blocks.extend(conv(channels(32), 3, 2));
        for s in stages {
            let repeats = (s.blocks as f64 * self.depth).ceil() as usize;
            for i in 0..repeats.max(1) {
                blocks.push(Block::MbConv {
                    channels: channels(s.channels),
                    kernel: s.kernel,
                    stride: if i == 0 { s.stride } else { 1 },
                    expand: s.expand,
                    squeeze_excite,
                    activation,
                });
            }
        }
        // B0's head is four times its last stage; MobileNetV2's is 1280, widened but never narrowed.
        let head = match self.layout {
            Layout::B0 => 4 * channels(320),
            Layout::MobilenetV2 => make_divisible(1280.0 * self.width.max(1.0)),
        };
        blocks.extend(conv(head, 1, 1));
        blocks.extend([Block::GlobalAvgPool, Block::Dropout { p: HEAD_DROPOUT }]);
        blocks
    }
}

/// torchvision's `_make_divisible(v, 8)`: the nearest multiple of 8, at least 8, and
/// never more than 10% below `v`.
fn make_divisible(v: f64) -> usize {
    let rounded = (((v + 4.0) as usize) / 8 * 8).max(8);
    if (rounded as f64) < 0.9 * v { rounded + 8 } else { rounded }
}

/// The channels of a block's squeeze-and-excitation: a quarter of its input's, as
/// torchvision's EfficientNet.
pub fn squeezed(inputs: usize) -> usize {
    (inputs / 4).max(1)
}

/// Whether an inverted residual from `inputs` to `channels` at `stride` adds its input back.
pub fn adds_input(inputs: usize, channels: usize, stride: usize) -> bool {
    stride == 1 && inputs == channels
}

/// Weights of an inverted residual: the widening convolution and its batch norm (where
/// `expand` is above 1), the depthwise convolution and its batch norm, the squeeze and
/// excitation convolutions with their biases, the projection and its batch norm; `None`
/// when it overflows.
pub fn mb_conv_parameters(
    inputs: usize,
    channels: usize,
    kernel: usize,
    expand: usize,
    squeeze_excite: bool,
) -> Option<usize> {
    let wide = inputs.checked_mul(expand)?;
    let widen = if expand == 1 { 0 } else { inputs.checked_add(2)?.checked_mul(wide)? };
    let depthwise = kernel.checked_mul(kernel)?.checked_add(2)?.checked_mul(wide)?;
    let squeeze = match squeeze_excite {
        true => {
            let s = squeezed(inputs);
            wide.checked_add(1)?.checked_mul(s)?.checked_add(s.checked_add(1)?.checked_mul(wide)?)?
        }
        false => 0,
    };
    let project = wide.checked_add(2)?.checked_mul(channels)?;
    widen.checked_add(depthwise)?.checked_add(squeeze)?.checked_add(project)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelFamily, ModelSpec, Shape, network};

    fn model(preset: &str, side: usize, classes: usize) -> ModelSpec {
        let spec = EfficientNetSpec::preset(preset, [side, side]).unwrap();
        assert_eq!(spec.preset_name(), Some(preset));
        ModelSpec { efficientnet: Some(spec), ..ModelSpec::new(3 * side * side, vec![], classes) }
    }

    #[test]
    fn b0_and_mobilenet_v2_have_torchvisions_layouts_and_parameters() {
        // torchvision.models.efficientnet_b0() and mobilenet_v2():
        // sum(p.numel() for p in model.parameters()).
        for (preset, parameters, head) in [("b0", 5_288_548, 1280), ("mobilenet_v2", 3_504_872, 1280)] {
            let model = model(preset, 224, 1000);
            assert_eq!(model.family(), ModelFamily::Efficientnet);
            model.validate().unwrap();
            assert_eq!(model.parameters(), Some(parameters), "{preset}");
            let blocks = model.blocks().unwrap();
            let stacked = network::stack(model.inputs, &blocks).unwrap();
            let last_block = stacked.iter().rfind(|s| s.block.starts_with("mb_conv")).unwrap();
            assert_eq!(last_block.output, Shape::Image { channels: 320, height: 7, width: 7 }, "{preset}");
            assert_eq!(stacked.last().unwrap().output, Shape::Vector(head));
        }
        let blocks = model("b0", 224, 1000).blocks().unwrap().into_owned();
        assert_eq!(blocks.iter().filter(|b| matches!(b, Block::MbConv { .. })).count(), 16);
    }

    #[test]
    fn multipliers_round_as_torchvision() {
        // torchvision's _make_divisible(v, 8) for 32 * 0.25, 16 * 0.25, 24 * 0.25, 40 * 0.25, 192 * 0.25.
        let rounded: Vec<_> = [8.0, 4.0, 6.0, 10.0, 48.0, 43.2].map(make_divisible).to_vec();
        assert_eq!(rounded, [8, 8, 8, 16, 48, 40]);
        // The small preset: one block per stage, a 320-channel head, 8x8 pictures down to 1x1.
        let small = model("small", 8, 10);
        small.validate().unwrap();
        let stacked = network::stack(small.inputs, &small.blocks().unwrap()).unwrap();
        let blocks: Vec<_> = stacked.iter().filter(|s| s.block.starts_with("mb_conv")).map(|s| s.output).collect();
        assert_eq!(blocks.len(), 7);
        assert_eq!(blocks[0], Shape::Image { channels: 8, height: 4, width: 4 });
        assert_eq!(blocks[6], Shape::Image { channels: 80, height: 1, width: 1 });
        assert_eq!(stacked.last().unwrap().output, Shape::Vector(320));
    }

    #[test]
    fn a_block_counts_as_pytorch() {
        // MBConv(16 -> 24, 3x3, expand 6, SE): Conv2d(16, 96, 1) + BN(96), Conv2d(96, 96, 3,
        // groups=96) + BN(96), Conv2d(96, 4, 1) + Conv2d(4, 96, 1) with biases, Conv2d(96, 24, 1) + BN(24).
        let expected = 16 * 96 + 192 + 96 * 9 + 192 + (96 * 4 + 4) + (4 * 96 + 96) + 96 * 24 + 48;
        assert_eq!(mb_conv_parameters(16, 24, 3, 6, true), Some(expected));
        // expand 1 has no widening convolution.
        assert_eq!(mb_conv_parameters(32, 16, 3, 1, false), Some(32 * 9 + 64 + 32 * 16 + 32));
    }

    #[test]
    fn bad_multipliers_are_explained() {
        let mut spec = EfficientNetSpec::preset("b0", [32, 32]).unwrap();
        spec.width = 0.0;
        assert!(spec.validate().unwrap_err().to_string().contains("width multiplier is from 0.1 to 4, got 0"));
        spec.width = 1.0;
        spec.depth = f64::NAN;
        assert!(spec.validate().unwrap_err().to_string().contains("depth multiplier"));
        assert_eq!(EfficientNetSpec::preset("b7", [32, 32]), None);
    }
}
