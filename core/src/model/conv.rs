//! Convolutional layers in front of the dense ones, for rows that are images: the
//! row's values are read as `height x width` images, channel first (one grey channel
//! when the row has `height x width` values, three for RGB), then each block is a 3x3
//! convolution ("same" padding, so the size stays), the model's activation, and a 2x2
//! max pool (which halves height and width, rounding down). What comes out is
//! flattened, channel first like PyTorch's `Flatten`, into the first dense layer.

use serde::{Deserialize, Serialize};

use crate::limits::{MAX_CONV_BLOCKS, MAX_CONV_VALUES_PER_ROW, MAX_IMAGE_CHANNELS};
use crate::{Error, Result};

/// The image shape and the channels each block puts out: `{"image": [28, 28],
/// "channels": [8, 16]}` on rows of 784 grey pixels is conv(1->8) pool, conv(8->16)
/// pool, then 16 x 7 x 7 values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvSpec {
    /// Height and width of the image; the row's inputs must be a whole number of such
    /// images (its channels).
    pub image: [usize; 2],
    /// Output channels of each block, first block first.
    pub channels: Vec<usize>,
}

impl ConvSpec {
    /// Height and width of every convolution's kernel, in pixels.
    pub const KERNEL: usize = 3;

    /// Height and width after every block.
    pub fn output_image(&self) -> [usize; 2] {
        self.image.map(|side| side >> self.channels.len())
    }

    /// Values per row coming out of the last block: the first dense layer's inputs.
    pub fn outputs(&self) -> Option<usize> {
        let [h, w] = self.output_image();
        self.channels.last()?.checked_mul(h)?.checked_mul(w)
    }

    /// The channels of the image a row of `inputs` values is: 1 for grey, 3 for RGB.
    pub fn input_channels(&self, inputs: usize) -> usize {
        let [h, w] = self.image;
        inputs / h.saturating_mul(w).max(1)
    }

    /// Weights and biases of the blocks on rows of `inputs` values; `None` when it overflows.
    pub fn parameters(&self, inputs: usize) -> Option<usize> {
        self.blocks(inputs).try_fold(0usize, |sum, [c_in, c_out]| {
            c_in.checked_mul(Self::KERNEL * Self::KERNEL)?.checked_add(1)?.checked_mul(c_out)?.checked_add(sum)
        })
    }

    /// Input and output channels of each block, on rows of `inputs` values.
    pub fn blocks(&self, inputs: usize) -> impl Iterator<Item = [usize; 2]> + '_ {
        let first = self.input_channels(inputs);
        std::iter::once(first)
            .chain(self.channels.iter().copied())
            .zip(&self.channels)
            .map(|(c_in, &c_out)| [c_in, c_out])
    }

    /// Refuses images that do not match the inputs, and blocks that would pool the
    /// image away.
    pub fn validate(&self, inputs: usize) -> Result<()> {
        let [h, w] = self.image;
        let pixels = h.checked_mul(w).filter(|&p| p > 0);
        if pixels.is_none_or(|p| !inputs.is_multiple_of(p) || !(1..=MAX_IMAGE_CHANNELS).contains(&(inputs / p))) {
            return Err(Error::InvalidConfig(format!(
                "a {h}x{w} image has {} values but each row has {inputs} inputs; the convolutions need \
                 height x width x channels = inputs (1 to {MAX_IMAGE_CHANNELS} channels, each in row-major \
                 pixel order)",
                h.saturating_mul(w)
            )));
        }
        if self.channels.is_empty() || self.channels.contains(&0) {
            return Err(Error::InvalidConfig(format!(
                "convolutions need at least one block, each with at least 1 channel, got {:?}",
                self.channels
            )));
        }
        if self.channels.len() > MAX_CONV_BLOCKS {
            return Err(Error::Limit(format!(
                "a model has at most {MAX_CONV_BLOCKS} convolutional blocks, got {}",
                self.channels.len()
            )));
        }
        if self.output_image().contains(&0) {
            return Err(Error::InvalidConfig(format!(
                "{} blocks halve a {h}x{w} image to nothing; use at most {} blocks",
                self.channels.len(),
                h.min(w).ilog2()
            )));
        }
        let widest = self
            .blocks(inputs)
            .enumerate()
            .map(|(i, [_, c_out])| (h >> i).saturating_mul(w >> i).saturating_mul(c_out))
            .max()
            .unwrap_or(0);
        if widest > MAX_CONV_VALUES_PER_ROW {
            return Err(Error::Limit(format!(
                "the convolutions would turn each row into {widest} values; Fornax allows at most \
                 {MAX_CONV_VALUES_PER_ROW}: use fewer channels"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_parameters_follow_pytorch() {
        let spec = ConvSpec { image: [28, 28], channels: vec![8, 16] };
        assert_eq!(spec.output_image(), [7, 7]);
        assert_eq!(spec.outputs(), Some(16 * 7 * 7));
        // PyTorch: Conv2d(1, 8, 3) has 8*9 + 8 = 80; Conv2d(8, 16, 3) has 16*72 + 16 = 1168.
        assert_eq!(spec.parameters(784), Some(80 + 1168));
        assert_eq!(spec.blocks(784).collect::<Vec<_>>(), vec![[1, 8], [8, 16]]);
        spec.validate(784).unwrap();
        // RGB: Conv2d(3, 8, 3) has 8*27 + 8 = 224.
        assert_eq!(spec.blocks(3 * 784).next(), Some([3, 8]));
        assert_eq!(spec.parameters(3 * 784), Some(224 + 1168));
        spec.validate(3 * 784).unwrap();
    }

    #[test]
    fn bad_shapes_are_explained() {
        let check = |spec: ConvSpec, inputs: usize, expected: &str| {
            let err = spec.validate(inputs).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        };
        check(ConvSpec { image: [28, 28], channels: vec![8] }, 785, "has 784 values but each row has 785 inputs");
        check(ConvSpec { image: [8, 8], channels: vec![] }, 64, "at least one block");
        check(ConvSpec { image: [8, 8], channels: vec![4, 0] }, 64, "at least 1 channel");
        check(ConvSpec { image: [4, 16], channels: vec![2, 2, 2] }, 64, "use at most 2 blocks");
        check(ConvSpec { image: [64, 64], channels: vec![1; 5] }, 4096, "at most 4 convolutional blocks");
        check(ConvSpec { image: [usize::MAX, 2], channels: vec![1] }, 4, "each row has 4 inputs");
        check(ConvSpec { image: [1024, 1024], channels: vec![2] }, 1 << 20, "use fewer channels");
    }
}
