//! Training-only changes to the training images, drawn afresh for every batch so the
//! model sees each picture a little differently each epoch: a random resized crop,
//! horizontal and vertical flips, a rotation, brightness and contrast jitter (in that
//! order, torchvision's meaning for each). Never applied to validation, test or
//! predicted pictures.
//!
//! The geometric steps reproduce Pillow's bilinear `resize(box=...)` and `rotate`
//! (what torchvision calls on PIL images) and the photometric ones torchvision's
//! `adjust_brightness` / `adjust_contrast`, on values in [0, 1], channel first; the
//! fixture `core/tests/fixtures/images/augment.json` holds their outputs.

use serde::{Deserialize, Serialize};

use crate::base::SplitMix64;
use crate::{Error, Result};

/// The augmentation settings of a run (all off by default).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Augment {
    /// Rotate by an angle drawn from [-rotation, rotation] degrees (0 to 180; 0: off).
    /// Corners the rotation uncovers are black.
    pub rotation: f64,
    /// Random resized crop: keep a part of the picture whose area is this share of it,
    /// drawn from [low, high] (within (0, 1]), with an aspect ratio from 3/4 to 4/3,
    /// resized back to the full side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crop_scale: Option<[f64; 2]>,
    /// Mirror left to right, half the time.
    pub flip_horizontal: bool,
    /// Mirror top to bottom, half the time.
    pub flip_vertical: bool,
    /// Multiply every value by a factor drawn from [1 - brightness, 1 + brightness] (0 to 1).
    pub brightness: f64,
    /// Move values from the picture's mean grey by a factor drawn from
    /// [1 - contrast, 1 + contrast] (0 to 1).
    pub contrast: f64,
}

/// The part of a square picture a crop keeps, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropBox {
    /// First row kept.
    pub top: usize,
    /// First column kept.
    pub left: usize,
    /// Rows kept.
    pub height: usize,
    /// Columns kept.
    pub width: usize,
}

/// What one picture's augmentation drew.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    /// The crop, when cropping is on.
    pub crop: Option<CropBox>,
    /// Mirrored left to right.
    pub flip_horizontal: bool,
    /// Mirrored top to bottom.
    pub flip_vertical: bool,
    /// Degrees counter-clockwise.
    pub degrees: f64,
    /// The brightness factor (1: unchanged).
    pub brightness: f64,
    /// The contrast factor (1: unchanged).
    pub contrast: f64,
}

impl Augment {
    /// True when nothing is switched on.
    pub fn is_none(&self) -> bool {
        *self == Augment::default()
    }

    /// Checks each setting; the error names the one that is out of range.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidConfig(format!("augment: {msg}")));
        if !(0.0..=180.0).contains(&self.rotation) {
            return bad(format!("rotation is degrees from 0 to 180, got {}", self.rotation));
        }
        if let Some([low, high]) = self.crop_scale
            && !(low > 0.0 && low <= high && high <= 1.0)
        {
            return bad(format!("crop_scale is [low, high] with 0 < low <= high <= 1, got [{low}, {high}]"));
        }
        for (name, value) in [("brightness", self.brightness), ("contrast", self.contrast)] {
            if !(0.0..=1.0).contains(&value) {
                return bad(format!("{name} is from 0 to 1, got {value}"));
            }
        }
        Ok(())
    }

    /// Draws one picture's augmentation for a `side x side` picture.
    pub fn draw(&self, side: usize, rng: &mut SplitMix64) -> Drawn {
        let mut coin = || rng.next_u64() >> 63 == 1;
        let (flip_horizontal, flip_vertical) = (self.flip_horizontal && coin(), self.flip_vertical && coin());
        let crop = self.crop_scale.map(|scale| crop_box(scale, side, rng));
        let factor = |spread: f64, rng: &mut SplitMix64| match spread > 0.0 {
            true => uniform(rng, (1.0 - spread).max(0.0), 1.0 + spread),
            false => 1.0,
        };
        let degrees = if self.rotation > 0.0 { uniform(rng, -self.rotation, self.rotation) } else { 0.0 };
        let brightness = factor(self.brightness, rng);
        let contrast = factor(self.contrast, rng);
        Drawn { crop, flip_horizontal, flip_vertical, degrees, brightness, contrast }
    }

    /// Augments one picture in place: `channels x side x side` values in [0, 1].
    pub fn apply(&self, image: &mut [f32], channels: usize, rng: &mut SplitMix64) {
        let side = (image.len() / channels.max(1)).isqrt();
        let drawn = self.draw(side, rng);
        apply_drawn(&drawn, image, channels, side);
    }
}

/// Applies what was drawn to one picture, in the order the module names.
pub fn apply_drawn(drawn: &Drawn, image: &mut [f32], channels: usize, side: usize) {
    let plane = side * side;
    for values in image.chunks_exact_mut(plane) {
        if let Some(crop) = drawn.crop {
            let cropped = resized_crop(values, side, crop);
            values.copy_from_slice(&cropped);
        }
        if drawn.flip_horizontal {
            values.chunks_exact_mut(side).for_each(<[f32]>::reverse);
        }
        if drawn.flip_vertical {
            for y in 0..side / 2 {
                let (top, bottom) = values.split_at_mut((side - 1 - y) * side);
                top[y * side..(y + 1) * side].swap_with_slice(&mut bottom[..side]);
            }
        }
        if drawn.degrees != 0.0 {
            let rotated = rotate(values, side, drawn.degrees);
            values.copy_from_slice(&rotated);
        }
    }
    if drawn.brightness != 1.0 {
        adjust_brightness(image, drawn.brightness);
    }
    if drawn.contrast != 1.0 {
        adjust_contrast(image, channels, drawn.contrast);
    }
}

/// Uniform in [low, high).
fn uniform(rng: &mut SplitMix64, low: f64, high: f64) -> f64 {
    low + (high - low) * rng.next_f64()
}

/// torchvision's `RandomResizedCrop.get_params` on a square: ten tries at an area and
/// aspect ratio that fit, then the whole picture.
fn crop_box([low, high]: [f64; 2], side: usize, rng: &mut SplitMix64) -> CropBox {
    let area = (side * side) as f64;
    let (ratio_low, ratio_high) = ((3.0f64 / 4.0).ln(), (4.0f64 / 3.0).ln());
    for _ in 0..10 {
        let target = area * uniform(rng, low, high);
        let ratio = uniform(rng, ratio_low, ratio_high).exp();
        let width = (target * ratio).sqrt().round() as usize;
        let height = (target / ratio).sqrt().round() as usize;
        if (1..=side).contains(&width) && (1..=side).contains(&height) {
            let top = (rng.next_u64() % (side - height + 1) as u64) as usize;
            let left = (rng.next_u64() % (side - width + 1) as u64) as usize;
            return CropBox { top, left, height, width };
        }
    }
    CropBox { top: 0, left: 0, height: side, width: side }
}

/// One channel's `crop` resized to `side x side`: Pillow's bilinear
/// `resize((side, side), box=...)` on a float image (separable triangle filter whose
/// support widens when shrinking; rows first, kept as f32 between the passes).
pub fn resized_crop(plane: &[f32], side: usize, crop: CropBox) -> Vec<f32> {
    let columns = resample_weights(crop.left as f64, (crop.left + crop.width) as f64, side, side);
    let rows = resample_weights(crop.top as f64, (crop.top + crop.height) as f64, side, side);
    let first = rows.iter().map(|(start, _)| *start).min().unwrap_or(0);
    let last = rows.iter().map(|(start, w)| start + w.len()).max().unwrap_or(0);
    // Horizontal pass over the rows the vertical pass reads.
    let mut across = vec![0f32; (last - first) * side];
    for y in first..last {
        let line = &plane[y * side..(y + 1) * side];
        for (x, (start, weights)) in columns.iter().enumerate() {
            let sum: f64 = weights.iter().zip(&line[*start..]).map(|(w, &v)| w * v as f64).sum();
            across[(y - first) * side + x] = sum as f32;
        }
    }
    let mut out = vec![0f32; side * side];
    for (y, (start, weights)) in rows.iter().enumerate() {
        for x in 0..side {
            let sum: f64 =
                weights.iter().enumerate().map(|(k, w)| w * across[(start - first + k) * side + x] as f64).sum();
            out[y * side + x] = sum as f32;
        }
    }
    out
}

/// Pillow's `precompute_coeffs` for the bilinear filter: for each output pixel, the
/// first input pixel it reads and the normalized weights from there.
fn resample_weights(in0: f64, in1: f64, in_size: usize, out_size: usize) -> Vec<(usize, Vec<f64>)> {
    let scale = (in1 - in0) / out_size as f64;
    let filter_scale = scale.max(1.0);
    let support = filter_scale;
    (0..out_size)
        .map(|x| {
            let center = in0 + (x as f64 + 0.5) * scale;
            // C's (int) cast: toward zero.
            let min = ((center - support + 0.5) as isize).max(0) as usize;
            let max = ((center + support + 0.5) as isize).min(in_size as isize).max(min as isize) as usize;
            let mut weights: Vec<f64> =
                (min..max).map(|i| (1.0 - ((i as f64 - center + 0.5) / filter_scale).abs()).max(0.0)).collect();
            let total: f64 = weights.iter().sum();
            if total != 0.0 {
                weights.iter_mut().for_each(|w| *w /= total);
            }
            (min, weights)
        })
        .collect()
}

/// One channel rotated `degrees` counter-clockwise about its centre: Pillow's
/// `rotate(degrees, resample=BILINEAR)` on a float image, uncovered pixels 0.
pub fn rotate(plane: &[f32], side: usize, degrees: f64) -> Vec<f32> {
    let angle = -(degrees % 360.0).to_radians();
    // Pillow rounds the matrix to 15 decimals, so 90 degrees is exact.
    let round = |v: f64| (v * 1e15).round() / 1e15;
    let (a, b, d, e) = (round(angle.cos()), round(angle.sin()), round(-angle.sin()), round(angle.cos()));
    let centre = side as f64 / 2.0;
    let c = a * -centre + b * -centre + centre;
    let f = d * -centre + e * -centre + centre;
    let mut out = vec![0f32; side * side];
    for y in 0..side {
        for x in 0..side {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            if let Some(v) = bilinear(plane, side, a * px + b * py + c, d * px + e * py + f) {
                out[y * side + x] = v;
            }
        }
    }
    out
}

/// Pillow's `bilinear_filter32F`: `None` when the point is outside the picture.
fn bilinear(plane: &[f32], side: usize, x: f64, y: f64) -> Option<f32> {
    let size = side as f64;
    if !(0.0..size).contains(&x) || !(0.0..size).contains(&y) {
        return None;
    }
    let (x, y) = (x - 0.5, y - 0.5);
    let (x0, y0) = (x.floor() as isize, y.floor() as isize);
    let (dx, dy) = (x - x0 as f64, y - y0 as f64);
    let clip = |i: isize| i.clamp(0, side as isize - 1) as usize;
    let at = |row: usize, col: isize| plane[row * side + clip(col)] as f64;
    let lerp = |p: f64, q: f64, t: f64| p + (q - p) * t;
    let top = clip(y0);
    let v1 = lerp(at(top, x0), at(top, x0 + 1), dx);
    let v2 = match y0 + 1 {
        below if (0..side as isize).contains(&below) => lerp(at(below as usize, x0), at(below as usize, x0 + 1), dx),
        _ => v1,
    };
    Some(lerp(v1, v2, dy) as f32)
}

/// torchvision's `adjust_brightness`: every value times `factor`, clamped to [0, 1].
pub fn adjust_brightness(image: &mut [f32], factor: f64) {
    for v in image {
        *v = (factor * *v as f64).clamp(0.0, 1.0) as f32;
    }
}

/// torchvision's `adjust_contrast`: blend with the picture's mean grey (ITU-R 601 luma
/// for RGB, weights 0.2989, 0.587, 0.114), clamped to [0, 1].
pub fn adjust_contrast(image: &mut [f32], channels: usize, factor: f64) {
    let plane = image.len() / channels.max(1);
    let mean = match channels {
        3 => {
            let (r, rest) = image.split_at(plane);
            let (g, b) = rest.split_at(plane);
            let grey = (0..plane).map(|i| 0.2989 * r[i] as f64 + 0.587 * g[i] as f64 + 0.114 * b[i] as f64);
            grey.sum::<f64>() / plane.max(1) as f64
        }
        _ => image.iter().map(|&v| v as f64).sum::<f64>() / image.len().max(1) as f64,
    };
    for v in image {
        *v = (factor * *v as f64 + (1.0 - factor) * mean).clamp(0.0, 1.0) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flips_mirror_and_the_same_seed_draws_the_same() {
        let mut image: Vec<f32> = (0..9).map(|v| v as f32 / 8.0).collect();
        let drawn = Drawn {
            crop: None,
            flip_horizontal: true,
            flip_vertical: true,
            degrees: 0.0,
            brightness: 1.0,
            contrast: 1.0,
        };
        apply_drawn(&drawn, &mut image, 1, 3);
        let expected: Vec<f32> = (0..9).rev().map(|v| v as f32 / 8.0).collect();
        assert_eq!(image, expected, "both flips turn a 3x3 picture half a turn");

        let augment = Augment {
            rotation: 30.0,
            crop_scale: Some([0.5, 1.0]),
            flip_horizontal: true,
            brightness: 0.3,
            ..Augment::default()
        };
        let draws = |seed| (0..20).map(|_| augment.draw(16, &mut SplitMix64(seed))).collect::<Vec<_>>();
        assert_eq!(draws(7), draws(7));
        let mut rng = SplitMix64(7);
        let drawn: Vec<Drawn> = (0..200).map(|_| augment.draw(16, &mut rng)).collect();
        assert!(drawn.iter().all(|d| d.degrees.abs() <= 30.0 && (0.7..=1.3).contains(&d.brightness)));
        assert!(drawn.iter().any(|d| d.flip_horizontal) && drawn.iter().any(|d| !d.flip_horizontal));
        for crop in drawn.iter().filter_map(|d| d.crop) {
            let share = (crop.width * crop.height) as f64 / 256.0;
            assert!(crop.top + crop.height <= 16 && crop.left + crop.width <= 16);
            assert!((0.4..=1.0).contains(&share), "area share {share} (rounding widens 0.5 a little)");
        }
    }

    #[test]
    fn settings_out_of_range_are_named() {
        let bad = |augment: Augment| augment.validate().unwrap_err().to_string();
        assert!(bad(Augment { rotation: 200.0, ..Augment::default() }).contains("rotation"));
        assert!(bad(Augment { crop_scale: Some([0.9, 0.5]), ..Augment::default() }).contains("crop_scale"));
        assert!(bad(Augment { contrast: 1.5, ..Augment::default() }).contains("contrast"));
        assert!(Augment::default().is_none());
        Augment { rotation: 15.0, crop_scale: Some([0.08, 1.0]), ..Augment::default() }.validate().unwrap();
    }
}
