//! A folder of pictures whose subfolders are the classes (`cats/1.jpg`, `dogs/7.png`),
//! as files from a directory, a `.zip`, or the files a browser hands over: decoded,
//! fitted to the model's square, and the files that cannot be used listed by name with
//! the reason, so the user can skip them or stop.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Aspect, ImageSet, Item, decode, fit};
use crate::{Error, Result};

/// Largest single image file Fornax reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most images in one dataset.
pub const MAX_IMAGES: usize = 500_000;
/// Most bytes the fitted pixels of one dataset may take.
pub const MAX_PIXEL_BYTES: usize = 2 * 1024 * 1024 * 1024;
/// Fewest images a class needs: one for training and one held out at least.
pub const MIN_PER_CLASS: usize = 2;

/// How pictures become the model's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageOptions {
    /// Height and width the model reads, in pixels.
    pub side: u32,
    /// How a picture that is not square is made square.
    #[serde(default)]
    pub aspect: Aspect,
}

impl Default for ImageOptions {
    fn default() -> Self {
        ImageOptions { side: 32, aspect: Aspect::CenterCrop }
    }
}

/// A file that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadFile {
    /// Its path inside the folder, `/`-separated.
    pub file: String,
    /// What is wrong with it.
    pub reason: String,
}

/// What an import found: the usable images, and every file left out with its reason.
#[derive(Debug)]
pub struct Imported {
    /// The images that decoded, in classes with enough of them.
    pub set: ImageSet,
    /// The files left out, in path order.
    pub bad: Vec<BadFile>,
}

/// Reads `files` (path inside the folder, bytes): the folder holding each file names
/// its class. Files and folders whose names start with `.` and `__MACOSX` are not
/// pictures and are passed over. `progress(done, total)` is called as files decode.
pub fn import(
    files: Vec<(String, Vec<u8>)>,
    options: ImageOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported> {
    if !(1..=1024).contains(&options.side) {
        return Err(Error::InvalidConfig(format!("the image side must be 1 to 1024 pixels, got {}", options.side)));
    }
    let mut files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(path, bytes)| (path.replace('\\', "/").trim_start_matches('/').to_string(), bytes))
        .filter(|(path, _)| !path.split('/').any(|part| part.starts_with('.') || part == "__MACOSX"))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if files.len() > MAX_IMAGES {
        return Err(Error::Limit(format!("{} files; Fornax reads at most {MAX_IMAGES} images", files.len())));
    }
    let mut bad = Vec::new();
    // Each picture is fitted as soon as it decodes, in its own channels, so memory holds
    // fitted squares, never a folder of full-size photos.
    let mut fitted = Vec::new();
    let mut bytes_held = 0usize;
    let total = files.len();
    for (done, (path, bytes)) in files.into_iter().enumerate() {
        progress(done, total);
        let Some((folder, _)) = path.rsplit_once('/') else {
            bad.push(BadFile { file: path, reason: "not inside a class folder (the folder names the class)".into() });
            continue;
        };
        let class = folder.rsplit('/').next().unwrap_or(folder).to_string();
        match decode(&bytes) {
            Ok(picture) => {
                let square = fit(&picture, options.side, picture.channels, options.aspect);
                // Counted as RGB: a grey picture takes three planes in a colour set.
                bytes_held += 3 * square.len() / picture.channels as usize;
                if bytes_held > MAX_PIXEL_BYTES {
                    return Err(Error::Limit(format!(
                        "the images fitted to {side} x {side} would take more than {} GiB; use a smaller \
                         --image-size or fewer images",
                        MAX_PIXEL_BYTES >> 30,
                        side = options.side
                    )));
                }
                fitted.push((path, class, picture.width, picture.height, picture.channels, square));
            }
            Err(reason) => bad.push(BadFile { file: path, reason }),
        }
    }
    progress(total, total);

    let mut counts = BTreeMap::<String, usize>::new();
    for (_, class, ..) in &fitted {
        *counts.entry(class.clone()).or_default() += 1;
    }
    let classes: Vec<String> = counts.iter().filter(|(_, n)| **n >= MIN_PER_CLASS).map(|(c, _)| c.clone()).collect();
    let kept = |class: &String| classes.binary_search(class).is_ok();
    let channels = if fitted.iter().any(|(_, class, .., c, _)| *c == 3 && kept(class)) { 3 } else { 1 };
    let mut set = ImageSet {
        side: options.side,
        channels,
        aspect: options.aspect,
        classes: classes.clone(),
        items: Vec::new(),
        pixels: Vec::new(),
    };
    for (path, class, width, height, picture_channels, square) in fitted {
        let Ok(label) = classes.binary_search(&class) else {
            let n = counts[&class];
            bad.push(BadFile {
                file: path,
                reason: format!("class `{class}` has {n} image; each class needs at least {MIN_PER_CLASS}"),
            });
            continue;
        };
        // A grey picture in a colour set: its one plane, three times.
        let repeat = if picture_channels == 1 { channels as usize } else { 1 };
        for _ in 0..repeat {
            set.pixels.extend_from_slice(&square);
        }
        set.items.push(Item { file: path, label, width, height });
    }
    bad.sort_by(|a, b| a.file.cmp(&b.file));
    match set.classes.len() {
        0 if total == 0 => Err(Error::InvalidConfig("the folder holds no files".into())),
        0 | 1 => Err(Error::InvalidConfig(format!(
            "training needs at least 2 classes (subfolders with {MIN_PER_CLASS} or more images each), found {}{}",
            set.classes.len(),
            if bad.is_empty() { String::new() } else { format!("; {} files could not be used", bad.len()) }
        ))),
        _ => Ok(Imported { set, bad }),
    }
}
