//! ResNet-style networks (He et al., 2015), the `resnet` family: a stem, then stages of
//! basic residual blocks (two 3x3 convolutions, each batch-normalized, with the input
//! added back, through a 1x1 convolution and batch norm where the block changes the
//! width or halves the image), then a global average pool and the output layer. Each
//! stage after the first halves the image in its first block. A spec expands into the
//! custom network's blocks ([`super::network`]), so it trains, saves and predicts
//! through the same code; its layout and parameter counts are torchvision's.

use serde::{Deserialize, Serialize};

use super::Activation;
use super::network::Block;
use crate::{Error, Result};

/// A ResNet's image, stem and stages: `{"image": [32, 32], "widths": [16, 32, 64],
/// "depths": [1, 1, 1]}` is the small preset on 32x32 pictures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResNetSpec {
    /// Height and width of the image each row is (for image data, the pictures' side,
    /// which training fills in).
    pub image: [usize; 2],
    /// What comes before the stages (absent: the small stem).
    #[serde(default)]
    pub stem: Stem,
    /// Channels of each stage's blocks, first stage first.
    pub widths: Vec<usize>,
    /// Basic blocks in each stage.
    pub depths: Vec<usize>,
}

/// What reads the image before the first stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stem {
    /// A 3x3 convolution to the first stage's width, batch norm, ReLU: the image keeps
    /// its size (for small pictures, as in the CIFAR ResNets).
    #[default]
    Small,
    /// ImageNet's: a 7x7 convolution of stride 2, batch norm, ReLU and a 3x3 max pool
    /// of stride 2, a quarter of the side before the first stage (ResNet-18's layout).
    Imagenet,
}

/// The presets the studio and `fornax train --model` offer, by name.
pub const PRESETS: [&str; 2] = ["small", "resnet18"];

/// Most stages, and most basic blocks in one stage.
const MAX_STAGES: usize = 6;
const MAX_DEPTH: usize = 8;

impl ResNetSpec {
    /// A preset on `image`: `small` (stages of 16, 32 and 64 channels, one block each,
    /// small stem) or `resnet18` (torchvision's ResNet-18: ImageNet stem, stages of 64
    /// to 512 channels, two blocks each).
    pub fn preset(name: &str, image: [usize; 2]) -> Option<ResNetSpec> {
        let (stem, widths, depths) = match name {
            "small" => (Stem::Small, vec![16, 32, 64], vec![1, 1, 1]),
            "resnet18" => (Stem::Imagenet, vec![64, 128, 256, 512], vec![2, 2, 2, 2]),
            _ => return None,
        };
        Some(ResNetSpec { image, stem, widths, depths })
    }

    /// The preset this spec is, if it is one.
    pub fn preset_name(&self) -> Option<&'static str> {
        PRESETS.into_iter().find(|name| ResNetSpec::preset(name, self.image).as_ref() == Some(self))
    }

    /// `ResNet 16-32-64 x1-1-1`, for summaries.
    pub fn describe(&self) -> String {
        let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join("-");
        match self.preset_name() {
            Some("resnet18") => "ResNet-18".to_string(),
            _ => format!("ResNet {} x{}", join(&self.widths), join(&self.depths)),
        }
    }

    /// Refuses stages that do not pair up or are empty; whether the image survives the
    /// halvings is [`super::network::stack`]'s to say, block by block.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| Err(Error::InvalidConfig(format!("resnet: {why}")));
        if self.widths.is_empty() || self.widths.len() != self.depths.len() {
            return bad(format!(
                "needs one width and one depth per stage, got {} widths and {} depths",
                self.widths.len(),
                self.depths.len()
            ));
        }
        if self.widths.len() > MAX_STAGES {
            return bad(format!("has at most {MAX_STAGES} stages, got {}", self.widths.len()));
        }
        if self.widths.contains(&0) {
            return bad(format!("every stage needs at least 1 channel, got widths {:?}", self.widths));
        }
        if self.depths.iter().any(|d| !(1..=MAX_DEPTH).contains(d)) {
            return bad(format!("every stage has 1 to {MAX_DEPTH} blocks, got depths {:?}", self.depths));
        }
        Ok(())
    }

    /// The network as blocks: image, stem, stages, global average pool.
    pub fn blocks(&self) -> Vec<Block> {
        let [height, width] = self.image;
        let first = self.widths.first().copied().unwrap_or(1);
        let mut blocks = vec![Block::Image { height, width }];
        let relu = Block::Activation { function: Activation::Relu };
        match self.stem {
            Stem::Small => blocks.extend([
                Block::Conv2d { channels: first, kernel: 3, stride: 1, bias: false },
                Block::BatchNorm,
                relu,
            ]),
            Stem::Imagenet => blocks.extend([
                Block::Conv2d { channels: first, kernel: 7, stride: 2, bias: false },
                Block::BatchNorm,
                relu,
                Block::MaxPool2d { size: 3, stride: Some(2), padding: 1 },
            ]),
        }
        for (stage, (&channels, &depth)) in self.widths.iter().zip(&self.depths).enumerate() {
            for i in 0..depth {
                let stride = if stage > 0 && i == 0 { 2 } else { 1 };
                blocks.push(Block::BasicBlock { channels, stride });
            }
        }
        blocks.push(Block::GlobalAvgPool);
        blocks
    }
}

/// Whether a basic block from `inputs` channels to `channels` at `stride` adds its input
/// back through a 1x1 convolution and batch norm (a projection) rather than as it is.
pub fn projects(inputs: usize, channels: usize, stride: usize) -> bool {
    stride != 1 || inputs != channels
}

/// Weights of a basic block: two 3x3 convolutions without bias, two batch norms, and the
/// projection if it has one; `None` when it overflows.
pub fn basic_block_parameters(inputs: usize, channels: usize, stride: usize) -> Option<usize> {
    let first = inputs.checked_mul(9)?.checked_mul(channels)?;
    let second = channels.checked_mul(9)?.checked_mul(channels)?;
    let norms = channels.checked_mul(4)?;
    let projection =
        if projects(inputs, channels, stride) { inputs.checked_add(2)?.checked_mul(channels)? } else { 0 };
    first.checked_add(second)?.checked_add(norms)?.checked_add(projection)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelFamily, ModelSpec, Shape, network};

    #[test]
    fn resnet18_has_torchvisions_layout_and_parameters() {
        let spec = ResNetSpec::preset("resnet18", [224, 224]).unwrap();
        assert_eq!(spec.preset_name(), Some("resnet18"));
        let stacked = network::stack(3 * 224 * 224, &spec.blocks()).unwrap();
        let out =
            |block: &str| stacked.iter().filter(|s| s.block.starts_with(block)).map(|s| s.output).collect::<Vec<_>>();
        assert_eq!(out("max_pool2d"), [Shape::Image { channels: 64, height: 56, width: 56 }]);
        assert_eq!(out("basic block").last(), Some(&Shape::Image { channels: 512, height: 7, width: 7 }));
        assert_eq!(stacked.last().unwrap().output, Shape::Vector(512));
        // torchvision.models.resnet18(): sum(p.numel() for p in model.parameters()).
        let model = ModelSpec { resnet: Some(spec), ..ModelSpec::new(3 * 224 * 224, vec![], 1000) };
        assert_eq!(model.family(), ModelFamily::Resnet);
        model.validate().unwrap();
        assert_eq!(model.parameters(), Some(11_689_512));
    }

    #[test]
    fn the_small_preset_fits_small_pictures() {
        let spec = ResNetSpec::preset("small", [32, 32]).unwrap();
        let stacked = network::stack(32 * 32, &spec.blocks()).unwrap();
        let shapes: Vec<_> = stacked.iter().filter(|s| s.block.starts_with("basic block")).map(|s| s.output).collect();
        assert_eq!(
            shapes,
            [
                Shape::Image { channels: 16, height: 32, width: 32 },
                Shape::Image { channels: 32, height: 16, width: 16 },
                Shape::Image { channels: 64, height: 8, width: 8 },
            ]
        );
        // conv 1->16 (144) + bn 32; block 16->16: 2304 * 2 + 64; block 16->32 /2: 4608 + 9216 + 128 + 576;
        // block 32->64 /2: 18432 + 36864 + 256 + 2176; then Linear(64, 10): 650.
        let model = ModelSpec { resnet: Some(spec), ..ModelSpec::new(32 * 32, vec![], 10) };
        let expected = 144 + 32 + (4608 + 64) + (4608 + 9216 + 128 + 576) + (18432 + 36864 + 256 + 2176) + 650;
        assert_eq!(model.parameters(), Some(expected));
    }

    #[test]
    fn bad_stages_are_explained() {
        let check = |widths: Vec<usize>, depths: Vec<usize>, expected: &str| {
            let spec = ResNetSpec { image: [32, 32], stem: Stem::Small, widths, depths };
            let err = spec.validate().unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        };
        check(vec![16, 32], vec![1], "2 widths and 1 depths");
        check(vec![], vec![], "0 widths");
        check(vec![16, 0], vec![1, 1], "at least 1 channel");
        check(vec![16], vec![9], "1 to 8 blocks");
    }
}
