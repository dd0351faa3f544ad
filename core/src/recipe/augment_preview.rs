//! What the studio shows before training with augmentation: the first picture of each
//! class as the model sees it, and beside it a few augmented draws of it, from the
//! run's seed, so the same settings and seed always show the same preview.

use super::Augment;
use crate::base::SplitMix64;
use crate::data::images::{ImageSet, planar_png};

/// Classes the preview shows (the first ones).
pub const PREVIEW_CLASSES: usize = 8;

/// Augmented draws shown beside each picture.
pub const PREVIEW_DRAWS: usize = 6;

/// One picture of the preview.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewImage {
    /// Its index in the set.
    pub item: usize,
    /// [`PREVIEW_DRAWS`] augmented versions of it, as PNG bytes.
    pub draws: Vec<Vec<u8>>,
}

/// The first image of each of the first [`PREVIEW_CLASSES`] classes of `set`, each with
/// [`PREVIEW_DRAWS`] draws of `augment` seeded by `seed`.
pub fn augment_preview(set: &ImageSet, augment: &Augment, seed: u64) -> Vec<PreviewImage> {
    let (channels, side) = (set.channels as usize, set.side);
    let mut rng = SplitMix64(seed);
    let firsts = (0..set.classes.len().min(PREVIEW_CLASSES))
        .filter_map(|class| set.items.iter().position(|item| item.label == class));
    firsts
        .map(|item| {
            let draws = (0..PREVIEW_DRAWS).map(|_| {
                let mut values: Vec<f32> = set.image(item).iter().map(|&v| v as f32 / 255.0).collect();
                augment.apply(&mut values, channels, &mut rng);
                let bytes: Vec<u8> = values.iter().map(|&v| (v * 255.0).round().clamp(0.0, 255.0) as u8).collect();
                planar_png(&bytes, channels, side)
            });
            PreviewImage { item, draws: draws.collect() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::images::{Aspect, Item};

    fn set() -> ImageSet {
        let items = (0..4).map(|i| Item { file: format!("{}/{i}.png", i % 2), label: i % 2, width: 4, height: 4 });
        ImageSet {
            side: 4,
            channels: 1,
            aspect: Aspect::CenterCrop,
            classes: vec!["0".into(), "1".into()],
            items: items.collect(),
            pixels: (0..64).map(|v| (v * 4) as u8).collect(),
        }
    }

    #[test]
    fn the_same_seed_shows_the_same_preview_and_nothing_switched_on_shows_the_picture() {
        let set = set();
        let augment = Augment { rotation: 45.0, flip_horizontal: true, brightness: 0.5, ..Augment::default() };
        let preview = augment_preview(&set, &augment, 42);
        assert_eq!(preview.iter().map(|p| p.item).collect::<Vec<_>>(), [0, 1], "the first picture of each class");
        assert_eq!(preview, augment_preview(&set, &augment, 42));
        assert_ne!(preview, augment_preview(&set, &augment, 43));
        let plain = augment_preview(&set, &Augment::default(), 42);
        assert!(plain[1].draws.iter().all(|png| *png == crate::data::images::thumbnail_png(&set, 1)));
    }
}
