//! An image of a set as the model sees it (fitted, before standardizing), as a PNG the
//! studio can show.

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};

use super::ImageSet;

/// Image `i` of `set` as PNG bytes, grey or RGB as the set is.
pub fn thumbnail_png(set: &ImageSet, i: usize) -> Vec<u8> {
    planar_png(set.image(i), set.channels as usize, set.side)
}

/// `channels x side x side` bytes, channel first, as PNG bytes.
pub fn planar_png(planar: &[u8], channels: usize, side: u32) -> Vec<u8> {
    let plane = (side * side) as usize;
    // The set keeps channels apart (planar); PNG wants them side by side per pixel.
    let interleaved: Vec<u8> = (0..plane).flat_map(|p| (0..channels).map(move |c| planar[c * plane + p])).collect();
    let color = if channels == 1 { ExtendedColorType::L8 } else { ExtendedColorType::Rgb8 };
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&interleaved, side, side, color)
        .expect("a planar image has exactly side x side pixels of its channels");
    png
}

#[cfg(test)]
mod tests {
    use super::thumbnail_png;
    use crate::data::images::{Aspect, ImageSet, Item, decode};

    #[test]
    fn a_thumbnail_decodes_to_the_fitted_pixels() {
        // Two pixels wide and high, RGB, planar: R plane, G plane, B plane.
        let pixels: Vec<u8> = (0..12).map(|v| v * 20).collect();
        let item = Item { file: "a/1.png".into(), label: 0, width: 2, height: 2 };
        let set = ImageSet {
            side: 2,
            channels: 3,
            aspect: Aspect::CenterCrop,
            classes: vec!["a".into()],
            items: vec![item],
            pixels: pixels.clone(),
        };
        let picture = decode(&thumbnail_png(&set, 0)).unwrap();
        assert_eq!((picture.width, picture.height, picture.channels), (2, 2, 3));
        assert_eq!(picture.pixels[..3], [pixels[0], pixels[4], pixels[8]]);
    }
}
