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
    /// How many pictures came in at each longer side, in up to [`SIZE_BINS`] bins.
    pub size_histogram: Vec<SizeBin>,
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
            size_histogram: size_histogram(set),
            stats: channel_stats(set, &all),
        }
    }
}

/// Bins of [`ImageProfile::size_histogram`] at most.
pub const SIZE_BINS: u32 = 8;

/// Pictures whose longer side (as they came, before fitting) is `low` to `high` pixels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeBin {
    /// Shortest longer side in the bin, in pixels.
    pub low: u32,
    /// Longest longer side in the bin, in pixels (inclusive).
    pub high: u32,
    /// Pictures in the bin.
    pub images: usize,
}

/// Equal-width bins over the pictures' longer sides, from the smallest to the largest.
fn size_histogram(set: &ImageSet) -> Vec<SizeBin> {
    let longer: Vec<u32> = set.items.iter().map(|i| i.width.max(i.height)).collect();
    let (Some(&min), Some(&max)) = (longer.iter().min(), longer.iter().max()) else { return Vec::new() };
    let width = (max - min + 1).div_ceil(SIZE_BINS);
    let mut bins: Vec<SizeBin> = (0..(max - min + 1).div_ceil(width))
        .map(|b| SizeBin { low: min + b * width, high: (min + (b + 1) * width - 1).min(max), images: 0 })
        .collect();
    for side in longer {
        bins[((side - min) / width) as usize].images += 1;
    }
    bins
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::images::{Aspect, Item};

    #[test]
    fn the_size_histogram_bins_the_longer_sides_from_smallest_to_largest() {
        let sizes = [(10, 4), (12, 12), (9, 17), (30, 2), (30, 30)];
        let items = sizes.iter().map(|&(width, height)| Item { file: "a/x.png".into(), label: 0, width, height });
        let set = ImageSet {
            side: 1,
            channels: 1,
            aspect: Aspect::CenterCrop,
            classes: vec!["a".into()],
            items: items.collect(),
            pixels: vec![0; 5],
        };
        let bins = size_histogram(&set);
        assert_eq!(bins.len(), 7, "21 sides in bins of 3");
        assert_eq!((bins[0].low, bins[0].high, bins[0].images), (10, 12, 2));
        assert_eq!((bins[2].low, bins[2].high, bins[2].images), (16, 18, 1));
        assert_eq!((bins[6].low, bins[6].high, bins[6].images), (28, 30, 2));
        assert_eq!(bins.iter().map(|b| b.images).sum::<usize>(), 5);
    }
}
