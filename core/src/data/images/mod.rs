//! Image datasets: a folder of pictures whose subfolders are the classes, decoded
//! ([`decode`]), fitted to the model's square ([`fit`]), imported with every unusable
//! file named ([`import`]), kept as one `.zip` ([`zip_files`], [`write_zip`]), described
//! per channel ([`channel_stats`]) and shown as the model sees them ([`thumbnail_png`]).

mod decode;
mod fit;
mod folder_zip;
mod import;
mod stats;
mod thumbnail;

pub use decode::{FORMATS, MAX_DECODED_BYTES, MAX_SIDE, Picture, decode};
pub use fit::{Aspect, fit};
pub use folder_zip::{is_zip, write_zip, zip_files};
pub use import::{BadFile, ImageOptions, Imported, MAX_FILE_BYTES, MAX_IMAGES, MIN_PER_CLASS, import};
pub use stats::{ChannelStats, ImageProfile, SHIFT_WARNING, SIZE_BINS, SizeBin, SplitStats, channel_stats};
pub use thumbnail::{planar_png, thumbnail_png};

/// One image of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its path inside the folder, `/`-separated.
    pub file: String,
    /// Its class: an index into [`ImageSet::classes`].
    pub label: usize,
    /// Its width as decoded, before fitting.
    pub width: u32,
    /// Its height as decoded, before fitting.
    pub height: u32,
}

/// Labelled images, every one fitted to `channels x side x side` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSet {
    /// Height and width of every fitted image.
    pub side: u32,
    /// 1 (grey) or 3 (RGB: some picture had colour; grey ones were repeated).
    pub channels: u8,
    /// How pictures that were not square were made square.
    pub aspect: Aspect,
    /// The class names (the folders), sorted.
    pub classes: Vec<String>,
    /// The images, in path order.
    pub items: Vec<Item>,
    /// Every image's bytes, `channels x side x side` each, channel first, in item order.
    pub pixels: Vec<u8>,
}

impl ImageSet {
    /// Values per image: `channels x side x side`.
    pub fn values(&self) -> usize {
        self.channels as usize * self.side as usize * self.side as usize
    }

    /// The fitted bytes of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.values();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// Each image's class index, in item order.
    pub fn labels(&self) -> Vec<usize> {
        self.items.iter().map(|item| item.label).collect()
    }

    /// A SHA-256 over the classes, labels and fitted pixels: a checkpoint resumes only
    /// on the images it was made from.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update([self.channels]);
        hash.update(self.side.to_le_bytes());
        for class in &self.classes {
            hash.update((class.len() as u64).to_le_bytes());
            hash.update(class.as_bytes());
        }
        for item in &self.items {
            hash.update((item.label as u64).to_le_bytes());
        }
        hash.update(&self.pixels);
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
