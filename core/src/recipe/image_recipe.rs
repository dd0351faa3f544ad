//! An image dataset's fitted preprocessing, as a bundle carries it: the square side,
//! channels and aspect handling pictures are fitted with, and each channel's mean and
//! standard deviation over the training images, which standardize every value the
//! model sees (in training, at prediction, in the tab and on the server alike), and
//! the augmentation the training images were varied with (training only).

use serde::{Deserialize, Serialize};

use super::Augment;
use super::TargetEncoding;
use crate::base::SplitMix64;
use crate::data::images::{Aspect, ImageSet, Picture, channel_stats, fit};
use crate::limits::{MAX_CLASSES, MAX_IMAGE_CHANNELS};
use crate::{Error, Result};

/// ImageNet's per-channel mean (RGB, values in [0, 1]), which torchvision's pretrained
/// weights expect their inputs standardized with.
pub const IMAGENET_MEAN: [f64; 3] = [0.485, 0.456, 0.406];
/// ImageNet's per-channel standard deviation; see [`IMAGENET_MEAN`].
pub const IMAGENET_STD: [f64; 3] = [0.229, 0.224, 0.225];

/// What standardizes an image model's channels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelStatistics {
    /// Each channel's mean and deviation over the training images.
    #[default]
    Fitted,
    /// ImageNet's ([`IMAGENET_MEAN`], [`IMAGENET_STD`]), which weights pretrained on it
    /// expect; RGB pictures only.
    Imagenet,
}

impl ChannelStatistics {
    /// Whether it is the default, [`ChannelStatistics::Fitted`].
    pub fn is_fitted(&self) -> bool {
        *self == ChannelStatistics::Fitted
    }
}

/// The preprocessing of an image model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageRecipe {
    /// Height and width the model reads.
    pub side: u32,
    /// 1 (grey) or 3 (RGB).
    pub channels: u8,
    /// How a picture that is not square is made square.
    pub aspect: Aspect,
    /// Each channel's mean over the training images, values in [0, 1].
    pub mean: Vec<f64>,
    /// Each channel's standard deviation over the training images; 1 when zero.
    pub std: Vec<f64>,
    /// The class names, sorted: output `i` is class `classes[i]`.
    pub classes: Vec<String>,
    /// How training varied the training images; prediction never applies it.
    #[serde(default, skip_serializing_if = "Augment::is_none")]
    pub augment: Augment,
}

impl ImageRecipe {
    /// Fits the channel statistics on the training images `train` only (or takes
    /// ImageNet's, as `statistics` says); `augment` varies them in training.
    pub fn fit(set: &ImageSet, train: &[usize], statistics: ChannelStatistics, augment: Augment) -> Result<Self> {
        let (mean, std) = match statistics {
            ChannelStatistics::Fitted => {
                let stats = channel_stats(set, train);
                (stats.mean, stats.std.iter().map(|&s| if s > 0.0 { s } else { 1.0 }).collect())
            }
            ChannelStatistics::Imagenet if set.channels == 3 => (IMAGENET_MEAN.to_vec(), IMAGENET_STD.to_vec()),
            ChannelStatistics::Imagenet => {
                return Err(Error::InvalidConfig(
                    "ImageNet's channel statistics are for colour pictures, and these are grey".into(),
                ));
            }
        };
        Ok(ImageRecipe {
            side: set.side,
            channels: set.channels,
            aspect: set.aspect,
            mean,
            std,
            classes: set.classes.clone(),
            augment,
        })
    }

    /// Values per image the model reads: `channels x side x side`.
    pub fn width(&self) -> usize {
        self.channels as usize * self.side as usize * self.side as usize
    }

    /// The classes as a target encoding: outputs become labels through it.
    pub fn target_encoding(&self) -> TargetEncoding {
        TargetEncoding::Classes { classes: self.classes.clone() }
    }

    /// One fitted image's bytes (`channels x side x side`) standardized, appended to `out`.
    pub fn encode_fitted(&self, fitted: &[u8], out: &mut Vec<f32>) {
        let plane = self.side as usize * self.side as usize;
        for (c, values) in fitted.chunks_exact(plane).enumerate() {
            let (mean, std) = (self.mean[c], self.std[c]);
            out.extend(values.iter().map(|&v| ((v as f64 / 255.0 - mean) / std) as f32));
        }
    }

    /// Images `items` of `set`, standardized, row-major.
    pub fn encode_set(&self, set: &ImageSet, items: &[usize]) -> Vec<f32> {
        let mut out = Vec::with_capacity(items.len() * self.width());
        for &i in items {
            self.encode_fitted(set.image(i), &mut out);
        }
        out
    }

    /// Augments one standardized training image in place, drawing from `rng`: back to
    /// [0, 1], [`Augment::apply`], standardized again.
    pub fn augment_encoded(&self, image: &mut [f32], rng: &mut SplitMix64) {
        let plane = self.side as usize * self.side as usize;
        let mut raw: Vec<f32> = Vec::with_capacity(image.len());
        for (c, values) in image.chunks_exact(plane).enumerate() {
            raw.extend(values.iter().map(|&v| (v as f64 * self.std[c] + self.mean[c]) as f32));
        }
        self.augment.apply(&mut raw, self.channels as usize, rng);
        for (c, (values, raw)) in image.chunks_exact_mut(plane).zip(raw.chunks_exact(plane)).enumerate() {
            for (v, &r) in values.iter_mut().zip(raw) {
                *v = ((r as f64 - self.mean[c]) / self.std[c]) as f32;
            }
        }
    }

    /// A picture of any size, fitted and standardized as in training.
    pub fn encode_picture(&self, picture: &Picture, out: &mut Vec<f32>) {
        self.encode_fitted(&fit(picture, self.side, self.channels, self.aspect), out);
    }

    /// Checks a recipe that came from outside (a bundle) is one [`ImageRecipe::fit`]
    /// could have made.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidConfig(format!("the image recipe is not valid: {msg}")));
        let channels = self.channels as usize;
        if !(1..=1024).contains(&self.side) || !(1..=MAX_IMAGE_CHANNELS).contains(&channels) {
            return bad(format!("{} channels of {} x {} pixels", self.channels, self.side, self.side));
        }
        if self.mean.len() != channels
            || self.std.len() != channels
            || !self.mean.iter().all(|m| m.is_finite())
            || !self.std.iter().all(|s| s.is_finite() && *s > 0.0)
        {
            return bad(format!("{channels} channels but means {:?} and deviations {:?}", self.mean, self.std));
        }
        if self.classes.len() < 2 || self.classes.len() > MAX_CLASSES || !self.classes.is_sorted() {
            return bad(format!("{} classes, which must be 2 to {MAX_CLASSES} and sorted", self.classes.len()));
        }
        if self.classes.windows(2).any(|w| w[0] == w[1]) {
            return bad("a class is listed twice".into());
        }
        self.augment.validate()
    }
}
