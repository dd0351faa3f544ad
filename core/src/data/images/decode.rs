//! One image file's bytes into pixels: PNG, JPEG, WebP, BMP or GIF (its first frame),
//! grey or colour, with the size checked before any pixel is decoded, so a small file
//! that claims to be 20000 x 20000 is refused rather than allowed to exhaust memory.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// Widest and tallest image Fornax decodes, in pixels (a photo from a 100-megapixel
/// camera fits; a decompression bomb does not).
pub const MAX_SIDE: u32 = 12_000;
/// Most bytes one decoded image may take.
pub const MAX_DECODED_BYTES: u64 = 512 * 1024 * 1024;

/// A decoded image: 8-bit grey or RGB pixels, row-major, channels interleaved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// 1 (grey) or 3 (RGB); alpha is dropped.
    pub channels: u8,
    /// `height x width x channels` bytes.
    pub pixels: Vec<u8>,
}

/// The formats Fornax reads, as file extensions in messages.
pub const FORMATS: &str = "PNG, JPEG, WebP, BMP or GIF";

/// Decodes one file; the error says why it cannot be used, for the list of bad files.
pub fn decode(bytes: &[u8]) -> Result<Picture, String> {
    if bytes.is_empty() {
        return Err("the file is empty (0 bytes)".into());
    }
    let format = image::guess_format(bytes).map_err(|_| format!("not an image Fornax reads ({FORMATS})"))?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Bmp | ImageFormat::Gif)
    {
        return Err(format!("a {} image; Fornax reads {FORMATS}", format.extensions_str()[0].to_uppercase()));
    }
    let reader = || {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_DECODED_BYTES);
        reader.limits(limits);
        reader
    };
    // The header alone first, without the side limits (reading it allocates no pixels),
    // so a picture too large is refused with its own size.
    let (width, height) =
        ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(|e| problem(&e))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(format!("{width} x {height} pixels is larger than the {MAX_SIDE} x {MAX_SIDE} Fornax decodes"));
    }
    if width == 0 || height == 0 {
        return Err(format!("{width} x {height} pixels: the image has no pixels"));
    }
    let image = reader().decode().map_err(|e| problem(&e))?;
    Ok(picture(image))
}

/// The decoder's error in words a user can act on.
fn problem(e: &image::ImageError) -> String {
    use image::ImageError as E;
    match e {
        E::Limits(_) => format!("larger than Fornax decodes ({MAX_SIDE} x {MAX_SIDE} pixels at most)"),
        E::Unsupported(u) => format!("a kind of image Fornax cannot decode: {u}"),
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file is truncated: it ends before the image does".into()
        }
        other => format!("the image is damaged: {other}"),
    }
}

fn picture(image: DynamicImage) -> Picture {
    let (width, height) = (image.width(), image.height());
    if image.color().has_color() {
        Picture { width, height, channels: 3, pixels: image.into_rgb8().into_raw() }
    } else {
        Picture { width, height, channels: 1, pixels: image.into_luma8().into_raw() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, colour: bool) -> Vec<u8> {
        let image = if colour {
            DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 7])))
        } else {
            DynamicImage::ImageLuma8(image::GrayImage::from_fn(width, height, |x, _| image::Luma([x as u8])))
        };
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn grey_and_colour_keep_their_channels() {
        let grey = decode(&png(3, 2, false)).unwrap();
        assert_eq!((grey.width, grey.height, grey.channels), (3, 2, 1));
        assert_eq!(grey.pixels, [0, 1, 2, 0, 1, 2]);
        let colour = decode(&png(2, 1, true)).unwrap();
        assert_eq!(colour.pixels, [0, 0, 7, 1, 0, 7]);
    }

    #[test]
    fn bad_files_say_why() {
        assert!(decode(b"").unwrap_err().contains("empty"));
        assert!(decode(b"hello, world").unwrap_err().contains("not an image"));
        let whole = png(16, 16, true);
        let cut = decode(&whole[..whole.len() / 2]).unwrap_err();
        assert!(cut.contains("truncated") || cut.contains("damaged"), "{cut}");
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // A real PNG header claiming 20000 x 20000 (its checksum made valid), with one
        // pixel of data after it.
        let mut bomb = png(1, 1, false);
        bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.sum().to_be_bytes());
        let err = decode(&bomb).unwrap_err();
        assert!(err.contains("larger than"), "{err}");
    }
}
