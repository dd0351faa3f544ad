//! The Burn module a custom network's blocks build ([`super::network`]): one list of
//! layers per layer type, taken in the order the blocks name them, so the module's record
//! is plain and a block list always rebuilds the same structure.

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AvgPool2dConfig, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};

use super::halving_pool::halving_max_pool;
use super::layers;
use super::network::{Block, Shape, stack};
use super::{Activation, efficientnet, resnet};
use crate::Result;
use crate::base::SplitMix64;

/// A custom network's layers; [`BlockNet::forward`] walks its blocks.
#[derive(Module, Debug)]
pub struct BlockNet {
    linears: Vec<Linear>,
    convs: Vec<Conv2d>,
    batch_norms: Vec<BatchNorm>,
    layer_norms: Vec<LayerNorm>,
    #[module(skip)]
    blocks: Vec<Block>,
}

/// What flows between blocks: rows as vectors or as images.
#[derive(Clone)]
enum Flow {
    Vector(Tensor<2>),
    Image(Tensor<4>),
}

impl Flow {
    fn vector(self) -> Tensor<2> {
        match self {
            Flow::Vector(x) => x,
            Flow::Image(x) => x.flatten(1, 3),
        }
    }

    fn image(self) -> Tensor<4> {
        match self {
            Flow::Image(x) => x,
            Flow::Vector(_) => unreachable!("the blocks were checked: an image block comes first"),
        }
    }
}

/// Which layer of each list the next block takes.
#[derive(Default)]
struct Cursor {
    linear: usize,
    conv: usize,
    batch_norm: usize,
    layer_norm: usize,
}

impl BlockNet {
    /// Builds `blocks` for rows of `inputs` values, with fresh weights. Check them with
    /// [`stack`] first ([`super::ModelSpec::validate`] does): blocks that do not fit
    /// build no layers.
    pub(super) fn init(inputs: usize, blocks: &[Block], device: &Device) -> BlockNet {
        let mut net = BlockNet {
            linears: Vec::new(),
            convs: Vec::new(),
            batch_norms: Vec::new(),
            layer_norms: Vec::new(),
            blocks: blocks.to_vec(),
        };
        let mut flat = Vec::new();
        flatten(blocks, &mut flat);
        for (block, stacked) in flat.into_iter().zip(stack(inputs, blocks).unwrap_or_default()) {
            match (block, stacked.input) {
                (Block::Linear { units }, shape) => {
                    net.linears.push(LinearConfig::new(shape.values(), *units).init(device));
                }
                (Block::Conv2d { channels, kernel, stride, bias }, Shape::Image { channels: c_in, .. }) => {
                    net.convs.push(conv(c_in, *channels, *kernel, *stride, *bias, device));
                }
                (Block::BasicBlock { channels, stride }, Shape::Image { channels: c_in, .. }) => {
                    // The order forward takes them in: the two convolutions, then the projection.
                    net.convs.push(conv(c_in, *channels, 3, *stride, false, device));
                    net.convs.push(conv(*channels, *channels, 3, 1, false, device));
                    let projects = resnet::projects(c_in, *channels, *stride);
                    if projects {
                        net.convs.push(conv(c_in, *channels, 1, *stride, false, device));
                    }
                    for _ in 0..2 + usize::from(projects) {
                        net.batch_norms.push(BatchNormConfig::new(*channels).init(device));
                    }
                }
                (
                    Block::MbConv { channels, kernel, stride, expand, squeeze_excite, .. },
                    Shape::Image { channels: c_in, .. },
                ) => {
                    // torchvision's order, which forward takes them in: widen, depthwise,
                    // squeeze and excite, project.
                    let wide = c_in * expand;
                    if *expand != 1 {
                        net.convs.push(conv(c_in, wide, 1, 1, false, device));
                        net.batch_norms.push(BatchNormConfig::new(wide).init(device));
                    }
                    net.convs.push(depthwise(wide, *kernel, *stride, device));
                    if *squeeze_excite {
                        let squeezed = efficientnet::squeezed(c_in);
                        net.convs.push(conv(wide, squeezed, 1, 1, true, device));
                        net.convs.push(conv(squeezed, wide, 1, 1, true, device));
                    }
                    net.convs.push(conv(wide, *channels, 1, 1, false, device));
                    net.batch_norms.push(BatchNormConfig::new(wide).init(device));
                    net.batch_norms.push(BatchNormConfig::new(*channels).init(device));
                }
                (Block::BatchNorm, Shape::Vector(n) | Shape::Image { channels: n, .. }) => {
                    net.batch_norms.push(BatchNormConfig::new(n).init(device));
                }
                (Block::LayerNorm, shape) => net.layer_norms.push(LayerNormConfig::new(shape.values()).init(device)),
                _ => {}
            }
        }
        net
    }

    /// `[batch, inputs] -> [batch, values]`: the blocks, then flattened. Dropout masks
    /// come from `rng` while training (none at prediction).
    pub(super) fn forward(&self, x: Tensor<2>, rng: Option<&mut SplitMix64>) -> Tensor<2> {
        let mut rng = rng;
        self.walk(&self.blocks, Flow::Vector(x), &mut Cursor::default(), &mut rng).vector()
    }

    fn walk(&self, blocks: &[Block], mut x: Flow, at: &mut Cursor, rng: &mut Option<&mut SplitMix64>) -> Flow {
        for block in blocks {
            x = match block {
                Block::Linear { .. } => {
                    at.linear += 1;
                    Flow::Vector(self.linears[at.linear - 1].forward(x.vector()))
                }
                Block::Image { height, width } => {
                    let v = x.vector();
                    let [batch, values] = v.dims();
                    Flow::Image(v.reshape([batch, values / (height * width), *height, *width]))
                }
                Block::Conv2d { .. } => Flow::Image(self.conv(at).forward(x.image())),
                Block::BasicBlock { channels, stride } => {
                    let x = x.image();
                    let [_, c_in, _, _] = x.dims();
                    let relu = Activation::Relu;
                    let y = relu.apply(self.norm(at).forward(self.conv(at).forward(x.clone())));
                    let y = self.norm(at).forward(self.conv(at).forward(y));
                    let shortcut = match resnet::projects(c_in, *channels, *stride) {
                        true => self.norm(at).forward(self.conv(at).forward(x)),
                        false => x,
                    };
                    Flow::Image(relu.apply(y + shortcut))
                }
                Block::MbConv { channels, stride, expand, squeeze_excite, activation, .. } => {
                    let x = x.image();
                    let [_, c_in, _, _] = x.dims();
                    let mut y = x.clone();
                    if *expand != 1 {
                        y = activation.apply(self.norm(at).forward(self.conv(at).forward(y)));
                    }
                    y = activation.apply(self.norm(at).forward(self.conv(at).forward(y)));
                    if *squeeze_excite {
                        let dims = y.dims();
                        let means = y.clone().mean_dim(3).mean_dim(2);
                        let squeezed = activation.apply(self.conv(at).forward(means));
                        let scale = sigmoid(self.conv(at).forward(squeezed));
                        y = y * scale.expand(dims);
                    }
                    y = self.norm(at).forward(self.conv(at).forward(y));
                    match efficientnet::adds_input(c_in, *channels, *stride) {
                        true => Flow::Image(x + y),
                        false => Flow::Image(y),
                    }
                }
                Block::GlobalAvgPool => {
                    let x = x.image();
                    let [batch, channels, _, _] = x.dims();
                    Flow::Vector(x.mean_dim(3).mean_dim(2).reshape([batch, channels]))
                }
                // Fornax's own kernel for the common 2x2 pool (Burn's numbers, faster on Flex).
                Block::MaxPool2d { size: 2, stride: None | Some(2), padding: 0 } => {
                    Flow::Image(halving_max_pool(x.image()))
                }
                Block::MaxPool2d { size, stride, padding } => {
                    let pool = MaxPool2dConfig::new([*size; 2])
                        .with_strides([stride.unwrap_or(*size); 2])
                        .with_padding(PaddingConfig2d::Explicit(*padding, *padding, *padding, *padding))
                        .init();
                    Flow::Image(pool.forward(x.image()))
                }
                Block::AvgPool2d { size } => {
                    let pool = AvgPool2dConfig::new([*size; 2]).with_strides([*size; 2]).init();
                    Flow::Image(pool.forward(x.image()))
                }
                Block::Flatten => Flow::Vector(x.vector()),
                Block::BatchNorm => {
                    let norm = self.norm(at);
                    match x {
                        Flow::Vector(v) => Flow::Vector(norm.forward(v)),
                        Flow::Image(i) => Flow::Image(norm.forward(i)),
                    }
                }
                Block::LayerNorm => {
                    at.layer_norm += 1;
                    Flow::Vector(self.layer_norms[at.layer_norm - 1].forward(x.vector()))
                }
                Block::Activation { function } => match x {
                    Flow::Vector(v) => Flow::Vector(function.apply(v)),
                    Flow::Image(i) => Flow::Image(function.apply(i)),
                },
                Block::Dropout { p } => match rng.as_deref_mut().filter(|_| *p > 0.0) {
                    Some(rng) => dropout(x, *p, rng),
                    None => x,
                },
                Block::Residual { blocks } => {
                    let inner = self.walk(blocks, x.clone(), at, rng);
                    match (x, inner) {
                        (Flow::Vector(a), Flow::Vector(b)) => Flow::Vector(a + b),
                        (Flow::Image(a), Flow::Image(b)) => Flow::Image(a + b),
                        _ => unreachable!("the blocks were checked: a residual keeps its shape"),
                    }
                }
            };
        }
        x
    }

    /// The next convolution of the walk.
    fn conv(&self, at: &mut Cursor) -> &Conv2d {
        at.conv += 1;
        &self.convs[at.conv - 1]
    }

    /// The next batch norm of the walk.
    fn norm(&self, at: &mut Cursor) -> &BatchNorm {
        at.batch_norm += 1;
        &self.batch_norms[at.batch_norm - 1]
    }

    /// Its convolutions, batch norms and linear layers, each in the order the blocks use
    /// them, for pretrained weights to fill.
    // Only pretrained loading uses it, which reads files: natively.
    #[cfg_attr(target_family = "wasm", allow(dead_code))]
    pub(super) fn layers_mut(&mut self) -> (Vec<&mut Conv2d>, Vec<&mut BatchNorm>, Vec<&mut Linear>) {
        (self.convs.iter_mut().collect(), self.batch_norms.iter_mut().collect(), self.linears.iter_mut().collect())
    }

    /// The fresh weights drawn now, under the caller's seeding lock.
    pub(super) fn draw_weights(&self) {
        for conv in &self.convs {
            let _ = (conv.weight.val(), conv.bias.as_ref().map(Param::val));
        }
        for layer in &self.linears {
            let _ = (layer.weight.val(), layer.bias.as_ref().map(Param::val));
        }
    }

    /// Whether every weight and statistic is finite (CPU models only).
    pub(super) fn is_finite(&self) -> bool {
        self.linears.iter().all(layers::linear_is_finite)
            && self.convs.iter().all(layers::conv_is_finite)
            && self.batch_norms.iter().all(layers::batch_norm_is_finite)
            && self.layer_norms.iter().all(layers::layer_norm_is_finite)
    }

    /// A copy on `device`, read back asynchronously.
    pub(super) async fn copy_to(&self, device: &Device) -> Result<BlockNet> {
        let mut copy = BlockNet {
            linears: Vec::new(),
            convs: Vec::new(),
            batch_norms: Vec::new(),
            layer_norms: Vec::new(),
            blocks: self.blocks.clone(),
        };
        for layer in &self.linears {
            copy.linears.push(layers::copy_linear(layer, device).await?);
        }
        for conv in &self.convs {
            copy.convs.push(layers::copy_conv(conv, device).await?);
        }
        for norm in &self.batch_norms {
            copy.batch_norms.push(layers::copy_batch_norm(norm, device).await?);
        }
        for norm in &self.layer_norms {
            copy.layer_norms.push(layers::copy_layer_norm(norm, device).await?);
        }
        Ok(copy)
    }
}

/// A `kernel x kernel` convolution padded by `kernel / 2` on each side, as PyTorch's
/// `Conv2d(inputs, channels, kernel, stride, padding=kernel // 2, bias=bias)`.
fn conv(inputs: usize, channels: usize, kernel: usize, stride: usize, bias: bool, device: &Device) -> Conv2d {
    let padding = match stride {
        1 => PaddingConfig2d::Same,
        _ => PaddingConfig2d::Explicit(kernel / 2, kernel / 2, kernel / 2, kernel / 2),
    };
    Conv2dConfig::new([inputs, channels], [kernel; 2])
        .with_stride([stride; 2])
        .with_padding(padding)
        .with_bias(bias)
        .init(device)
}

/// A depthwise `kernel x kernel` convolution over `channels`, without bias: PyTorch's
/// `Conv2d(channels, channels, kernel, stride, padding=kernel // 2, groups=channels, bias=False)`.
fn depthwise(channels: usize, kernel: usize, stride: usize, device: &Device) -> Conv2d {
    let pad = kernel / 2;
    Conv2dConfig::new([channels, channels], [kernel; 2])
        .with_stride([stride; 2])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .with_groups(channels)
        .with_bias(false)
        .init(device)
}

/// The blocks depth first, a residual before its own blocks: the order [`stack`] lists.
fn flatten<'a>(blocks: &'a [Block], out: &mut Vec<&'a Block>) {
    for block in blocks {
        out.push(block);
        if let Block::Residual { blocks } = block {
            flatten(blocks, out);
        }
    }
}

/// Inverted dropout: keep with probability `1 - p`, scale by `1 / (1 - p)`.
fn dropout(x: Flow, p: f64, rng: &mut SplitMix64) -> Flow {
    let keep = (1.0 / (1.0 - p)) as f32;
    let mut mask = |n: usize| -> Vec<f32> { (0..n).map(|_| if rng.next_f64() < p { 0.0 } else { keep }).collect() };
    match x {
        Flow::Vector(v) => {
            let dims = v.dims();
            let m = Tensor::from_data(TensorData::new(mask(dims[0] * dims[1]), dims), &v.device());
            Flow::Vector(v * m)
        }
        Flow::Image(i) => {
            let dims = i.dims();
            let m = Tensor::from_data(TensorData::new(mask(dims.iter().product()), dims), &i.device());
            Flow::Image(i * m)
        }
    }
}
