//! What a user looks at before training on images: counts per class, the sizes the
//! pictures came in, and each channel's mean and standard deviation (NumPy's
//! `np.mean(images, axis=(0, 1, 2))` and `np.std(...)` over values scaled to [0, 1]).

use serde::{Deserialize, Serialize};

use super::ImageSet;

/// Each channel's mean and population standard deviation, values scaled to [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    /// One per channel.
    pub mean: Vec<f64>,
    /// One per channel (NumPy's default `ddof=0`).
    pub std: Vec<f64>,
}

/// The statistics of images `items` of `set`; zeros when `items` is empty.
pub fn channel_stats(set: &ImageSet, items: &[usize]) -> ChannelStats {
    let (channels, plane) = (set.channels as usize, set.side as usize * set.side as usize);
    let mut sum = vec![0u64; channels];
    let mut squares = vec![0u64; channels];
    for &i in items {
        for (c, values) in set.image(i).chunks_exact(plane).enumerate() {
            for &v in values {
                sum[c] += v as u64;
                squares[c] += (v as u64) * (v as u64);
            }
        }
    }
    // Integer sums are exact, so the statistics are as exact as f64 allows.
    let n = (items.len() * plane) as f64;
    let mean: Vec<f64> = sum.iter().map(|&s| if n > 0.0 { s as f64 / n / 255.0 } else { 0.0 }).collect();
    let std = squares
        .iter()
        .zip(&mean)
        .map(|(&q, &m)| if n > 0.0 { (q as f64 / n / (255.0 * 255.0) - m * m).max(0.0).sqrt() } else { 0.0 })
        .collect();
    ChannelStats { mean, std }
}

/// An image dataset described: what `fornax data profile DIR` prints and the studio shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageProfile {
    /// Images that decoded into a usable class.
    pub images: usize,
    /// Each class with its number of images, in class order.
    pub classes: Vec<(String, usize)>,
    /// 1 (grey) or 3 (RGB).
    pub channels: u8,
    /// The side images are fitted to.
    pub side: u32,
    /// Smallest and largest width and height the pictures came in: `[min_w, max_w, min_h, max_h]`.
    pub sizes: [u32; 4],
    /// Per channel, over every image.
    pub stats: ChannelStats,
}

impl ImageProfile {
    /// Profiles every image of `set`.
    pub fn new(set: &ImageSet) -> Self {
        let mut classes: Vec<(String, usize)> = set.classes.iter().map(|c| (c.clone(), 0)).collect();
        for item in &set.items {
            classes[item.label].1 += 1;
        }
        let widths = set.items.iter().map(|i| i.width);
        let heights = set.items.iter().map(|i| i.height);
        let sizes = [
            widths.clone().min().unwrap_or(0),
            widths.max().unwrap_or(0),
            heights.clone().min().unwrap_or(0),
            heights.max().unwrap_or(0),
        ];
        let all: Vec<usize> = (0..set.items.len()).collect();
        ImageProfile {
            images: set.items.len(),
            classes,
            channels: set.channels,
            side: set.side,
            sizes,
            stats: channel_stats(set, &all),
        }
    }
}

/// How far a channel's test mean may sit from its training mean, in training standard
/// deviations, before the studio warns: a fifth, what statisticians call a small effect
/// (Cohen's d of 0.2). A random split of a few hundred images stays far below it.
pub const SHIFT_WARNING: f64 = 0.2;

/// The training and test images' statistics side by side, and the channels whose test
/// images differ from the training ones (brighter or darker as a whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitStats {
    /// Over the training images.
    pub train: ChannelStats,
    /// Over the test images.
    pub test: ChannelStats,
    /// Channels whose means differ by more than [`SHIFT_WARNING`] training deviations.
    pub shifted: Vec<usize>,
}

impl SplitStats {
    /// Compares images `train` and `test` of `set`.
    pub fn new(set: &ImageSet, train: &[usize], test: &[usize]) -> Self {
        let (train, test) = (channel_stats(set, train), channel_stats(set, test));
        let shifted = (0..train.mean.len())
            .filter(|&c| (test.mean[c] - train.mean[c]).abs() > SHIFT_WARNING * train.std[c].max(1e-6))
            .collect();
        SplitStats { train, test, shifted }
    }
}
