//! A network composed block by block (the `custom` family): the blocks the registry
//! offers, the shape of what each puts out, and the error that names the block that does
//! not fit. No Burn here: the studio shows the shapes as the user stacks blocks, and
//! [`super::ModelSpec::init`] builds the blocks with the `compute` feature.
//!
//! A row comes in as a vector of the recipe's width. `image` reads it as a
//! `height x width` image of as many channels as fit; convolutions and pools work on images; `flatten` (or any
//! vector block after an image: linear, layer norm) turns it back into a vector. After
//! the last block, Fornax flattens what is left and adds the hidden layers (if any) and
//! the output layer the task needs.

use serde::{Deserialize, Serialize};

use super::{Activation, efficientnet, resnet};
use crate::limits::{MAX_CONV_VALUES_PER_ROW, MAX_IMAGE_CHANNELS, MAX_LAYERS};
use crate::{Error, Result};

/// One block of a custom network, as the config JSON writes it:
/// `{"block": "linear", "units": 64}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "block", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// A fully connected layer: `units` outputs, each a weighted sum of every input plus
    /// a bias.
    Linear {
        /// Outputs.
        units: usize,
    },
    /// Reads the row's vector as an image of `height x width` pixels, channel first
    /// (one grey channel when the row has `height x width` values, three for RGB),
    /// each channel row-major.
    Image {
        /// Pixels per column.
        height: usize,
        /// Pixels per row.
        width: usize,
    },
    /// A 2-D convolution, `kernel x kernel`, padded by `kernel / 2` on each side: at
    /// stride 1 the image keeps its size, at stride 2 it halves (rounding up).
    Conv2d {
        /// Output channels.
        channels: usize,
        /// Kernel height and width (odd: 1, 3, 5, 7).
        kernel: usize,
        /// Step between windows (absent: 1).
        #[serde(default = "one", skip_serializing_if = "is_one")]
        stride: usize,
        /// Whether each output channel adds a bias (absent: yes; a batch norm after it
        /// makes one redundant).
        #[serde(default = "yes", skip_serializing_if = "is_yes")]
        bias: bool,
    },
    /// Keeps the largest value of each `size x size` window.
    MaxPool2d {
        /// Window height and width.
        size: usize,
        /// Step between windows (absent: the window's size).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stride: Option<usize>,
        /// Pixels added on each side first, which no window picks (absent: 0).
        #[serde(default, skip_serializing_if = "is_zero")]
        padding: usize,
    },
    /// Averages each `size x size` window (stride `size`).
    AvgPool2d {
        /// Window height and width.
        size: usize,
    },
    /// An image's channels, height and width as one vector (channel first, as PyTorch's
    /// `Flatten`).
    Flatten,
    /// Batch normalization: per feature of a vector, or per channel of an image.
    BatchNorm,
    /// Layer normalization over a vector's values.
    LayerNorm,
    /// A nonlinearity applied to every value.
    Activation {
        /// Which one.
        function: Activation,
    },
    /// Zeroes each value with probability `p` while training (scaling the rest by
    /// `1 / (1 - p)`); does nothing at prediction.
    Dropout {
        /// Probability of zeroing a value, in `[0, 1)`.
        p: f64,
    },
    /// `x + f(x)`: its blocks must put out the shape they take in.
    Residual {
        /// The sub-sequence `f`.
        blocks: Vec<Block>,
    },
    /// ResNet's basic block ([`super::resnet`]): two batch-normalized 3x3 convolutions
    /// with the input added back (through a 1x1 convolution where the shape changes),
    /// then ReLU.
    BasicBlock {
        /// Output channels.
        channels: usize,
        /// 1 keeps the image's size, 2 halves it.
        #[serde(default = "one", skip_serializing_if = "is_one")]
        stride: usize,
    },
    /// The mean of each channel over the whole image: one value per channel.
    GlobalAvgPool,
    /// MobileNetV2's inverted residual and EfficientNet's MBConv
    /// ([`super::efficientnet`]): a 1x1 convolution widening to `expand` times the input's
    /// channels, a depthwise `kernel x kernel` convolution, squeeze-and-excitation if
    /// asked, and a 1x1 projection to `channels`, each batch-normalized; the input is
    /// added back when the shape stays the same.
    MbConv {
        /// Output channels.
        channels: usize,
        /// The depthwise convolution's height and width (odd: 3, 5).
        kernel: usize,
        /// 1 keeps the image's size, 2 halves it.
        #[serde(default = "one", skip_serializing_if = "is_one")]
        stride: usize,
        /// Channels inside the block, as a multiple of its input's (1: no widening convolution).
        expand: usize,
        /// Whether the channels are reweighted from their means (squeeze-and-excitation).
        squeeze_excite: bool,
        /// The activation after the widening and depthwise convolutions.
        activation: Activation,
    },
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What flows between blocks: a vector of values per row, or an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `n` values per row.
    Vector(usize),
    /// `channels x height x width` per row.
    Image {
        /// Channels.
        channels: usize,
        /// Height in pixels.
        height: usize,
        /// Width in pixels.
        width: usize,
    },
}

impl Shape {
    /// Values per row.
    pub fn values(self) -> usize {
        match self {
            Shape::Vector(n) => n,
            Shape::Image { channels, height, width } => channels.saturating_mul(height).saturating_mul(width),
        }
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shape::Vector(n) => write!(f, "{n} values"),
            Shape::Image { channels, height, width } => write!(f, "{channels} x {height} x {width}"),
        }
    }
}

/// What the registry says about one kind of block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockInfo {
    /// Its `block` name in the config JSON.
    pub name: &'static str,
    /// What it does, in a few words.
    pub what: &'static str,
}

/// Every kind of block, in the order a builder offers them.
pub static BLOCKS: [BlockInfo; 14] = [
    BlockInfo { name: "linear", what: "fully connected layer of `units` outputs" },
    BlockInfo { name: "image", what: "read the row as `height x width` images, channel first" },
    BlockInfo { name: "conv2d", what: "2-D convolution, `channels` out, odd `kernel`, `stride` 1 or 2" },
    BlockInfo { name: "max_pool2d", what: "largest value of each `size x size` window" },
    BlockInfo { name: "avg_pool2d", what: "mean of each `size x size` window" },
    BlockInfo { name: "flatten", what: "an image as one vector, channel first" },
    BlockInfo { name: "batch_norm", what: "batch normalization per feature or channel" },
    BlockInfo { name: "layer_norm", what: "layer normalization over a vector" },
    BlockInfo { name: "activation", what: "relu, gelu, tanh, swish or relu6 on every value" },
    BlockInfo { name: "dropout", what: "zero values with probability `p` while training" },
    BlockInfo { name: "residual", what: "x + f(x) around a sub-sequence of blocks" },
    BlockInfo { name: "basic_block", what: "ResNet's residual block: `channels` out, `stride` 1 or 2" },
    BlockInfo { name: "global_avg_pool", what: "the mean of each channel: one value per channel" },
    BlockInfo { name: "mb_conv", what: "MobileNet's and EfficientNet's inverted residual: `channels` out" },
];

impl Block {
    /// Its `block` name in the config JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Block::Linear { .. } => "linear",
            Block::Image { .. } => "image",
            Block::Conv2d { .. } => "conv2d",
            Block::MaxPool2d { .. } => "max_pool2d",
            Block::AvgPool2d { .. } => "avg_pool2d",
            Block::Flatten => "flatten",
            Block::BatchNorm => "batch_norm",
            Block::LayerNorm => "layer_norm",
            Block::Activation { .. } => "activation",
            Block::Dropout { .. } => "dropout",
            Block::Residual { .. } => "residual",
            Block::BasicBlock { .. } => "basic_block",
            Block::GlobalAvgPool => "global_avg_pool",
            Block::MbConv { .. } => "mb_conv",
        }
    }

    /// The block as a user reads it in a message: `conv2d 16 channels 3x3`.
    pub fn describe(&self) -> String {
        match self {
            Block::Linear { units } => format!("linear {units}"),
            Block::Image { height, width } => format!("image {height}x{width}"),
            Block::Conv2d { channels, kernel, stride, bias } => format!(
                "conv2d {channels} channels {kernel}x{kernel}{}{}",
                stride_words(*stride),
                if *bias { "" } else { " no bias" }
            ),
            Block::MaxPool2d { size, stride, padding } => format!(
                "max_pool2d {size}x{size}{}{}",
                stride.filter(|s| s != size).map_or(String::new(), stride_words),
                if *padding > 0 { format!(" padding {padding}") } else { String::new() }
            ),
            Block::BasicBlock { channels, stride } => {
                format!("basic block {channels} channels{}", stride_words(*stride))
            }
            Block::MbConv { channels, kernel, stride, expand, squeeze_excite, activation } => format!(
                "mb_conv {channels} channels {kernel}x{kernel}{} expand {expand}{} {}",
                stride_words(*stride),
                if *squeeze_excite { " squeeze-excite" } else { "" },
                activation.name()
            ),
            Block::AvgPool2d { size } => format!("avg_pool2d {size}x{size}"),
            Block::Activation { function } => format!("activation {}", function.name()),
            Block::Dropout { p } => format!("dropout {p}"),
            Block::Residual { blocks } => format!("residual of {} blocks", blocks.len()),
            Block::Flatten | Block::BatchNorm | Block::LayerNorm | Block::GlobalAvgPool => self.name().to_string(),
        }
    }

    /// The shape this block puts out for `input`, or why it cannot take it.
    fn output(&self, input: Shape) -> std::result::Result<Shape, String> {
        let vector = |shape: Shape| Shape::Vector(shape.values());
        match (self, input) {
            (Block::Linear { units: 0 }, _) => Err("needs at least 1 unit".into()),
            (Block::Linear { units }, _) => Ok(Shape::Vector(*units)),
            (Block::Image { height, width }, Shape::Vector(n)) => {
                let pixels = height.checked_mul(*width).filter(|&p| p > 0);
                match pixels.map(|p| (n % p, n / p)) {
                    Some((0, channels @ 1..=MAX_IMAGE_CHANNELS)) => {
                        Ok(Shape::Image { channels, height: *height, width: *width })
                    }
                    _ => Err(format!(
                        "a {height}x{width} image has {} pixels per channel but it gets {n} values \
                         (1 to {MAX_IMAGE_CHANNELS} channels of {height}x{width} fit)",
                        height.saturating_mul(*width)
                    )),
                }
            }
            (Block::Image { .. }, image) => Err(format!("needs a vector, got an image of {image}")),
            (Block::Conv2d { channels, kernel, stride, .. }, Shape::Image { height, width, .. }) => {
                if *channels == 0 {
                    return Err("needs at least 1 channel".into());
                }
                if kernel % 2 == 0 || *kernel > 15 {
                    return Err(format!(
                        "needs an odd kernel from 1 to 15 (so the image keeps its size), got {kernel}"
                    ));
                }
                check_stride(*stride)?;
                Ok(Shape::Image {
                    channels: *channels,
                    height: strided(height, *stride),
                    width: strided(width, *stride),
                })
            }
            (Block::BasicBlock { channels, stride }, Shape::Image { height, width, .. }) => {
                if *channels == 0 {
                    return Err("needs at least 1 channel".into());
                }
                check_stride(*stride)?;
                Ok(Shape::Image {
                    channels: *channels,
                    height: strided(height, *stride),
                    width: strided(width, *stride),
                })
            }
            (Block::MbConv { channels, kernel, stride, expand, .. }, Shape::Image { height, width, .. }) => {
                if *channels == 0 || *expand == 0 {
                    return Err(format!(
                        "needs at least 1 channel and an expansion of at least 1, got {channels} and {expand}"
                    ));
                }
                if kernel % 2 == 0 || *kernel > 15 {
                    return Err(format!("needs an odd kernel from 1 to 15, got {kernel}"));
                }
                check_stride(*stride)?;
                Ok(Shape::Image {
                    channels: *channels,
                    height: strided(height, *stride),
                    width: strided(width, *stride),
                })
            }
            (Block::MaxPool2d { size, stride, padding }, Shape::Image { channels, height, width }) => {
                let stride = stride.unwrap_or(*size);
                if *size < 2 {
                    return Err(format!("needs a window of at least 2, got {size}"));
                }
                if stride == 0 || stride > *size {
                    return Err(format!("needs a stride from 1 to the window's size, got {stride}"));
                }
                if padding * 2 > *size {
                    return Err(format!("pads at most half the window ({}), got {padding}", size / 2));
                }
                let (padded_h, padded_w) = (height + 2 * padding, width + 2 * padding);
                if padded_h < *size || padded_w < *size {
                    return Err(format!("a {size}x{size} window does not fit a {height}x{width} image"));
                }
                let out = |side: usize| (side - size) / stride + 1;
                Ok(Shape::Image { channels, height: out(padded_h), width: out(padded_w) })
            }
            (Block::AvgPool2d { size }, Shape::Image { channels, height, width }) => {
                if *size < 2 {
                    return Err(format!("needs a window of at least 2, got {size}"));
                }
                if height < *size || width < *size {
                    return Err(format!("a {size}x{size} window does not fit a {height}x{width} image"));
                }
                Ok(Shape::Image { channels, height: height / size, width: width / size })
            }
            (Block::GlobalAvgPool, Shape::Image { channels, .. }) => Ok(Shape::Vector(channels)),
            (
                Block::Conv2d { .. }
                | Block::MaxPool2d { .. }
                | Block::AvgPool2d { .. }
                | Block::BasicBlock { .. }
                | Block::MbConv { .. }
                | Block::GlobalAvgPool,
                Shape::Vector(n),
            ) => Err(format!("needs an image, got a vector of {n} values: put an `image` block before it")),
            (Block::Flatten, shape) => Ok(vector(shape)),
            (Block::LayerNorm, Shape::Vector(n)) => Ok(Shape::Vector(n)),
            (Block::LayerNorm, image) => {
                Err(format!("normalizes a vector, got an image of {image}: put `flatten` before it"))
            }
            (Block::BatchNorm | Block::Activation { .. }, shape) => Ok(shape),
            (Block::Dropout { p }, shape) => {
                if !(0.0..1.0).contains(p) {
                    return Err(format!("needs a probability from 0 up to (not including) 1, got {p}"));
                }
                Ok(shape)
            }
            (Block::Residual { blocks }, _) if blocks.is_empty() => Err("needs at least one block inside".into()),
            // The inner blocks are checked by the caller, which knows their place.
            (Block::Residual { .. }, shape) => Ok(shape),
        }
    }

    /// Weights and biases for `input`; `None` when it overflows.
    fn parameters(&self, input: Shape) -> Option<usize> {
        match (self, input) {
            (Block::Linear { units }, shape) => shape.values().checked_add(1)?.checked_mul(*units),
            (Block::Conv2d { channels, kernel, bias, .. }, Shape::Image { channels: c_in, .. }) => {
                c_in.checked_mul(kernel.checked_mul(*kernel)?)?.checked_add(usize::from(*bias))?.checked_mul(*channels)
            }
            (Block::BasicBlock { channels, stride }, Shape::Image { channels: c_in, .. }) => {
                resnet::basic_block_parameters(c_in, *channels, *stride)
            }
            (Block::MbConv { channels, kernel, expand, squeeze_excite, .. }, Shape::Image { channels: c_in, .. }) => {
                efficientnet::mb_conv_parameters(c_in, *channels, *kernel, *expand, *squeeze_excite)
            }
            (Block::BatchNorm, Shape::Vector(n) | Shape::Image { channels: n, .. }) => n.checked_mul(2),
            (Block::LayerNorm, shape) => shape.values().checked_mul(2),
            _ => Some(0),
        }
    }
}

/// ` stride 2`, or nothing for stride 1.
fn stride_words(stride: usize) -> String {
    if stride == 1 { String::new() } else { format!(" stride {stride}") }
}

fn check_stride(stride: usize) -> std::result::Result<(), String> {
    if (1..=2).contains(&stride) { Ok(()) } else { Err(format!("needs a stride of 1 or 2, got {stride}")) }
}

/// A side after a window of odd kernel `k`, padded by `k / 2`, stepping by `stride`:
/// PyTorch's `(side + 2 * (k / 2) - k) / stride + 1`, which is the side divided by the
/// stride, rounded up.
fn strided(side: usize, stride: usize) -> usize {
    side.div_ceil(stride)
}

/// One block's place and shapes, as the studio lists them while the user stacks blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stacked {
    /// `3`, or `3.2` for the second block inside the third (a residual).
    pub place: String,
    /// The block in words.
    pub block: String,
    /// What it takes in.
    pub input: Shape,
    /// What it puts out.
    pub output: Shape,
    /// Its weights and biases.
    pub parameters: usize,
}

/// Every block's shapes for rows of `inputs` values, depth first (a residual before its
/// blocks); the error names the first block that does not fit and why.
pub fn stack(inputs: usize, blocks: &[Block]) -> Result<Vec<Stacked>> {
    let (stacked, problem) = stack_so_far(inputs, blocks);
    problem.map_or(Ok(stacked), Err)
}

/// The blocks that fit, as [`stack`] lists them, and the first problem, if any: what the
/// studio's builder shows while a network is half built (a residual with nothing inside
/// yet, a block the user is about to remove).
pub fn stack_so_far(inputs: usize, blocks: &[Block]) -> (Vec<Stacked>, Option<Error>) {
    let mut out = Vec::new();
    if let Err(e) = walk(Shape::Vector(inputs), blocks, "", &mut out) {
        return (out, Some(e));
    }
    if out.len() > MAX_LAYERS * 4 {
        let e = Error::Limit(format!("a network has at most {} blocks, got {}", MAX_LAYERS * 4, out.len()));
        return (out, Some(e));
    }
    if let Some(widest) = out.iter().map(|s| s.output.values()).max()
        && widest > MAX_CONV_VALUES_PER_ROW
    {
        let e = Error::Limit(format!(
            "a block would turn each row into {widest} values; Fornax allows at most {MAX_CONV_VALUES_PER_ROW}: \
             use fewer channels or units, or pool sooner"
        ));
        return (out, Some(e));
    }
    (out, None)
}

/// What the blocks put out for rows of `inputs` values (check with [`stack`] first).
pub fn output(inputs: usize, blocks: &[Block]) -> Result<Shape> {
    walk(Shape::Vector(inputs), blocks, "", &mut Vec::new())
}

fn walk(mut shape: Shape, blocks: &[Block], prefix: &str, out: &mut Vec<Stacked>) -> Result<Shape> {
    for (i, block) in blocks.iter().enumerate() {
        let place = format!("{prefix}{}", i + 1);
        let fail =
            |why: String| Error::InvalidConfig(format!("block {place} ({}) does not fit: {why}", block.describe()));
        let output = block.output(shape).map_err(fail)?;
        let parameters = block.parameters(shape).ok_or_else(|| fail("it has too many parameters".into()))?;
        out.push(Stacked { place: place.clone(), block: block.describe(), input: shape, output, parameters });
        if let Block::Residual { blocks } = block {
            let inner = walk(shape, blocks, &format!("{place}."), out)?;
            if inner != shape {
                return Err(fail(format!(
                    "its blocks turn {shape} into {inner}; a residual adds its input to its output, so they must match"
                )));
            }
        }
        shape = output;
    }
    Ok(shape)
}

/// Weights and biases of every block; `None` when it overflows.
pub fn parameters(inputs: usize, blocks: &[Block]) -> Option<usize> {
    stack(inputs, blocks).ok()?.iter().try_fold(0usize, |sum, s| sum.checked_add(s.parameters))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(json: &str) -> Vec<Block> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn shapes_and_parameters_follow_pytorch() {
        let net = blocks(
            r#"[{"block":"image","height":8,"width":8},
                {"block":"conv2d","channels":8,"kernel":3},{"block":"batch_norm"},
                {"block":"activation","function":"relu"},{"block":"max_pool2d","size":2},
                {"block":"residual","blocks":[{"block":"conv2d","channels":8,"kernel":3},{"block":"activation","function":"gelu"}]},
                {"block":"avg_pool2d","size":2},{"block":"flatten"},
                {"block":"linear","units":16},{"block":"layer_norm"},{"block":"dropout","p":0.1}]"#,
        );
        let stacked = stack(64, &net).unwrap();
        let places: Vec<_> = stacked.iter().map(|s| s.place.as_str()).collect();
        assert_eq!(places, ["1", "2", "3", "4", "5", "6", "6.1", "6.2", "7", "8", "9", "10", "11"]);
        assert_eq!(stacked[4].output, Shape::Image { channels: 8, height: 4, width: 4 });
        assert_eq!(stacked[8].output, Shape::Image { channels: 8, height: 2, width: 2 });
        assert_eq!(stacked[9].output, Shape::Vector(32));
        assert_eq!(output(64, &net).unwrap(), Shape::Vector(16));
        // PyTorch: Conv2d(1, 8, 3) 80, BatchNorm2d(8) 16, Conv2d(8, 8, 3) 584,
        // Linear(32, 16) 528, LayerNorm(16) 32.
        assert_eq!(parameters(64, &net), Some(80 + 16 + 584 + 528 + 32));
    }

    #[test]
    fn strides_and_padding_follow_pytorch() {
        let net = blocks(
            r#"[{"block":"image","height":7,"width":7},
                {"block":"conv2d","channels":4,"kernel":3,"stride":2,"bias":false},
                {"block":"max_pool2d","size":3,"stride":2,"padding":1},
                {"block":"basic_block","channels":8,"stride":2},{"block":"global_avg_pool"}]"#,
        );
        let stacked = stack(49, &net).unwrap();
        assert_eq!(stacked[1].block, "conv2d 4 channels 3x3 stride 2 no bias");
        assert_eq!(stacked[2].block, "max_pool2d 3x3 stride 2 padding 1");
        // 7 -> conv: (7 + 2 - 3) / 2 + 1 = 4 -> pool: (4 + 2 - 3) / 2 + 1 = 2 -> block: 1.
        let shapes: Vec<_> = stacked.iter().map(|s| s.output).collect();
        assert_eq!(
            shapes[1..],
            [
                Shape::Image { channels: 4, height: 4, width: 4 },
                Shape::Image { channels: 4, height: 2, width: 2 },
                Shape::Image { channels: 8, height: 1, width: 1 },
                Shape::Vector(8),
            ]
        );
        // Conv2d(1, 4, 3, bias=False) 36; the block: 4*9*8 + 8*9*8, two BatchNorm2d(8),
        // and the projection Conv2d(4, 8, 1, bias=False) + BatchNorm2d(8).
        assert_eq!(parameters(49, &net), Some(36 + 288 + 576 + 32 + 48));
        // Defaults are left out when written back, so configs written before read the same.
        let plain = r#"{"block":"conv2d","channels":8,"kernel":3}"#;
        assert_eq!(serde_json::to_string(&serde_json::from_str::<Block>(plain).unwrap()).unwrap(), plain);
        let fails = |json: &str, expected: &str| {
            let err = stack(16, &blocks(json)).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        };
        fails(
            r#"[{"block":"image","height":4,"width":4},{"block":"conv2d","channels":2,"kernel":3,"stride":3}]"#,
            "stride of 1 or 2",
        );
        fails(
            r#"[{"block":"image","height":4,"width":4},{"block":"max_pool2d","size":2,"padding":2}]"#,
            "pads at most half",
        );
        fails(r#"[{"block":"global_avg_pool"}]"#, "needs an image");
    }

    #[test]
    fn the_block_that_does_not_fit_is_named() {
        let fails = |json: &str, inputs: usize, expected: &str| {
            let err = stack(inputs, &blocks(json)).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        };
        fails(
            r#"[{"block":"conv2d","channels":8,"kernel":3}]"#,
            64,
            "block 1 (conv2d 8 channels 3x3) does not fit: needs an image, got a vector of 64 values",
        );
        fails(
            r#"[{"block":"image","height":7,"width":9}]"#,
            64,
            "a 7x9 image has 63 pixels per channel but it gets 64 values",
        );
        fails(
            r#"[{"block":"linear","units":32},{"block":"residual","blocks":[{"block":"linear","units":16}]}]"#,
            13,
            "block 2 (residual of 1 blocks) does not fit: its blocks turn 32 values into 16 values",
        );
        fails(
            r#"[{"block":"image","height":4,"width":4},{"block":"residual","blocks":[{"block":"max_pool2d","size":8}]}]"#,
            16,
            "block 2.1 (max_pool2d 8x8) does not fit: a 8x8 window does not fit a 4x4 image",
        );
        fails(r#"[{"block":"image","height":4,"width":4},{"block":"layer_norm"}]"#, 16, "put `flatten` before it");
        fails(
            r#"[{"block":"image","height":4,"width":4},{"block":"conv2d","channels":2,"kernel":2}]"#,
            16,
            "odd kernel",
        );
        fails(r#"[{"block":"dropout","p":1.0}]"#, 4, "block 1 (dropout 1) does not fit");
        fails(r#"[{"block":"linear","units":0}]"#, 4, "needs at least 1 unit");
        fails(r#"[{"block":"residual","blocks":[]}]"#, 4, "needs at least one block inside");
        fails(r#"[{"block":"linear","units":2000000}]"#, 4, "at most 1048576");
        assert!(serde_json::from_str::<Vec<Block>>(r#"[{"block":"lstm"}]"#).is_err());
        assert!(serde_json::from_str::<Vec<Block>>(r#"[{"block":"linear","units":4,"bias":false}]"#).is_err());
    }

    #[test]
    fn a_half_built_network_shows_the_blocks_that_fit() {
        let net = blocks(
            r#"[{"block":"image","height":8,"width":8},{"block":"conv2d","channels":4,"kernel":3},
                {"block":"layer_norm"},{"block":"linear","units":8}]"#,
        );
        let (rows, problem) = stack_so_far(64, &net);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].output, Shape::Image { channels: 4, height: 8, width: 8 });
        assert!(problem.unwrap().to_string().contains("block 3 (layer_norm) does not fit"));
        let (rows, problem) = stack_so_far(64, &net[..2]);
        assert_eq!((rows.len(), problem.is_none()), (2, true));
    }

    #[test]
    fn every_block_is_registered_under_its_json_name() {
        let one_of_each = blocks(
            r#"[{"block":"linear","units":1},{"block":"image","height":1,"width":1},
                {"block":"conv2d","channels":1,"kernel":1},{"block":"max_pool2d","size":2},
                {"block":"avg_pool2d","size":2},{"block":"flatten"},{"block":"batch_norm"},{"block":"layer_norm"},
                {"block":"activation","function":"tanh"},{"block":"dropout","p":0},{"block":"residual","blocks":[]},
                {"block":"basic_block","channels":1},{"block":"global_avg_pool"},
                {"block":"mb_conv","channels":1,"kernel":3,"expand":1,"squeeze_excite":false,"activation":"relu6"}]"#,
        );
        let names: Vec<_> = one_of_each.iter().map(Block::name).collect();
        assert_eq!(names, BLOCKS.iter().map(|b| b.name).collect::<Vec<_>>());
    }
}
