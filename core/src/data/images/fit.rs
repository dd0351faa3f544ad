//! A picture of any size into the square the model reads: the aspect handling named
//! (center crop or pad), then a bilinear resize, channel first as the model takes it.

use image::imageops::{self, FilterType};
use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

use super::Picture;

/// How a picture that is not square becomes the model's square input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// Keep the central square and resize it: nothing is distorted, the edges of the
    /// longer side are cut.
    #[default]
    CenterCrop,
    /// Resize the whole picture to fit and pad the short side with black: nothing is
    /// cut.
    Pad,
}

impl Aspect {
    /// Its name in JSON, on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Aspect::CenterCrop => "center_crop",
            Aspect::Pad => "pad",
        }
    }
}

/// `picture` as `channels x side x side` bytes, channel first (grey repeated for RGB,
/// RGB made grey with ITU-R 601 weights, as Pillow's `convert("L")`).
pub fn fit(picture: &Picture, side: u32, channels: u8, aspect: Aspect) -> Vec<u8> {
    let planes: Vec<GrayImage> = match (picture.channels, channels) {
        (1, 1) => vec![grey(picture)],
        (1, _) => vec![grey(picture); 3],
        (_, 1) => vec![luma(picture)],
        _ => {
            let rgb = RgbImage::from_raw(picture.width, picture.height, picture.pixels.clone())
                .expect("a decoded RGB picture has width x height x 3 bytes");
            (0..3)
                .map(|c| GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| image::Luma([rgb[(x, y)][c]])))
                .collect()
        }
    };
    planes.iter().flat_map(|plane| square(plane, side, aspect).into_raw()).collect()
}

fn grey(picture: &Picture) -> GrayImage {
    GrayImage::from_raw(picture.width, picture.height, picture.pixels.clone())
        .expect("a decoded grey picture has width x height bytes")
}

fn luma(picture: &Picture) -> GrayImage {
    let grey = picture.pixels.chunks_exact(3).map(|p| {
        let y = (299 * p[0] as u32 + 587 * p[1] as u32 + 114 * p[2] as u32 + 500) / 1000;
        y as u8
    });
    GrayImage::from_raw(picture.width, picture.height, grey.collect()).expect("one value per pixel")
}

/// One channel into `side x side`.
fn square(plane: &GrayImage, side: u32, aspect: Aspect) -> GrayImage {
    let (w, h) = plane.dimensions();
    if (w, h) == (side, side) {
        return plane.clone();
    }
    match aspect {
        Aspect::CenterCrop => {
            let s = w.min(h);
            let cropped = imageops::crop_imm(plane, (w - s) / 2, (h - s) / 2, s, s).to_image();
            if s == side {
                return cropped;
            }
            imageops::resize(&cropped, side, side, FilterType::Triangle)
        }
        Aspect::Pad => {
            let scale = side as f64 / w.max(h) as f64;
            let (nw, nh) = (((w as f64 * scale).round() as u32).max(1), ((h as f64 * scale).round() as u32).max(1));
            let resized = imageops::resize(plane, nw.min(side), nh.min(side), FilterType::Triangle);
            let mut canvas = GrayImage::new(side, side);
            imageops::replace(
                &mut canvas,
                &resized,
                ((side - resized.width()) / 2).into(),
                ((side - resized.height()) / 2).into(),
            );
            canvas
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(width: u32, height: u32, channels: u8, value: impl Fn(u32, u32, u8) -> u8) -> Picture {
        let mut pixels = Vec::new();
        for y in 0..height {
            for x in 0..width {
                pixels.extend((0..channels).map(|c| value(x, y, c)));
            }
        }
        Picture { width, height, channels, pixels }
    }

    #[test]
    fn a_picture_of_the_right_size_is_kept_channel_first() {
        let p = picture(2, 2, 3, |x, y, c| (10 * c as u32 + 2 * y + x) as u8);
        assert_eq!(fit(&p, 2, 3, Aspect::CenterCrop), [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
        let grey = picture(2, 1, 1, |x, _, _| x as u8 * 100);
        assert_eq!(fit(&grey, 1, 1, Aspect::Pad).len(), 1);
        let p = picture(1, 1, 3, |_, _, c| [255, 0, 0][c as usize]);
        assert_eq!(fit(&p, 1, 1, Aspect::CenterCrop), [76], "Pillow's L of pure red");
    }

    #[test]
    fn crop_keeps_the_middle_and_pad_keeps_everything() {
        // 6x2: white in the middle two columns, black at the sides.
        let p = picture(6, 2, 1, |x, _, _| if (2..4).contains(&x) { 255 } else { 0 });
        assert_eq!(fit(&p, 2, 1, Aspect::CenterCrop), [255; 4]);
        let padded = fit(&p, 6, 1, Aspect::Pad);
        assert_eq!(padded.len(), 36);
        assert!(padded[..12].iter().all(|&v| v == 0), "top rows are padding");
        assert!(padded[12..24].contains(&255), "the picture sits in the middle rows");
    }
}
