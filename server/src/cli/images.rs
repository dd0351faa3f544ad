//! Image folders for the subcommands: a directory whose subfolders are the classes, or
//! a `.zip` of the same layout, read with a progress bar; the files that cannot be used
//! are listed by name with the reason, and the command stops unless `--skip-bad`.

use std::path::{Path, PathBuf};

use clap::Args;
use fornax_core::data::images::{
    Aspect, BadFile, ImageOptions, ImageSet, MAX_FILE_BYTES, Picture, decode, import, zip_files,
};
use indicatif::{ProgressBar, ProgressStyle};

/// How `--data DIR` is read, for `fornax train` and `fornax data profile`.
#[derive(Args, Clone)]
pub struct ImageArgs {
    /// Images only: the height and width pictures are fitted to, in pixels.
    #[arg(long, default_value_t = 32)]
    pub image_size: u32,
    /// Images only: how a picture that is not square is made square: center_crop or pad.
    #[arg(long, default_value = "center_crop")]
    pub aspect: String,
    /// Images only: leave out files that cannot be used (listed on stderr) instead of stopping.
    #[arg(long)]
    pub skip_bad: bool,
}

/// Whether `path` is an image dataset (a directory or a `.zip`) rather than a CSV.
pub fn is_image_data(path: &Path) -> bool {
    path.is_dir() || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Reads the image dataset at `path` (a directory or a `.zip`).
pub fn read_images(path: &Path, args: &ImageArgs) -> Result<(ImageSet, Vec<BadFile>), String> {
    let aspect = match args.aspect.as_str() {
        "center_crop" => Aspect::CenterCrop,
        "pad" => Aspect::Pad,
        other => return Err(format!("unknown --aspect `{other}`: use center_crop or pad")),
    };
    let mut too_big = Vec::new();
    let files = if path.is_dir() {
        let mut files = Vec::new();
        walk(path, path, &mut files, &mut too_big)?;
        files
    } else {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        zip_files(&bytes).map_err(|e| format!("{}: {e}", path.display()))?
    };
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(ProgressStyle::with_template("decoding [{bar:30}] {pos}/{len} images").expect("valid template"));
    let options = ImageOptions { side: args.image_size, aspect };
    let imported = import(files, options, &mut |done, _| bar.set_position(done as u64));
    bar.finish_and_clear();
    let mut imported = imported.map_err(|e| format!("{}: {e}", path.display()))?;
    imported.bad.extend(too_big);
    imported.bad.sort_by(|a, b| a.file.cmp(&b.file));
    if !imported.bad.is_empty() {
        let list = describe(&imported.bad);
        if !args.skip_bad {
            return Err(format!(
                "{}: {} files cannot be used:\n{list}\nfix or remove them, or pass --skip-bad to leave them out",
                path.display(),
                imported.bad.len()
            ));
        }
        eprintln!("{}: left out {} files:\n{list}", path.display(), imported.bad.len());
    }
    Ok((imported.set, imported.bad))
}

/// Every file under `dir`, with its path relative to `root`; files over the size limit
/// are not read but listed.
fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>, too_big: &mut Vec<BadFile>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the folder {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if path.is_dir() {
            walk(root, &path, files, too_big)?;
            continue;
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE_BYTES {
            too_big.push(BadFile {
                file: relative,
                reason: format!(
                    "{} MiB is larger than the {} MiB Fornax reads per image",
                    size >> 20,
                    MAX_FILE_BYTES >> 20
                ),
            });
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        files.push((relative, bytes));
    }
    Ok(())
}

/// The first 20 bad files, one per line, and how many more.
fn describe(bad: &[BadFile]) -> String {
    let mut lines: Vec<String> = bad.iter().take(20).map(|b| format!("  {}: {}", b.file, b.reason)).collect();
    if bad.len() > 20 {
        lines.push(format!("  ... and {} more", bad.len() - 20));
    }
    lines.join("\n")
}

/// The pictures to predict: one image file, or every file under a directory (in path
/// order); a file that does not decode stops it, named.
pub fn read_pictures(path: &Path) -> Result<Vec<(String, Picture)>, String> {
    let mut files = Vec::new();
    let mut too_big = Vec::new();
    if path.is_dir() {
        walk(path, path, &mut files, &mut too_big)?;
        // Hidden files (.DS_Store) inside the folder are not pictures; the path the
        // user named is taken as given, `..` and all.
        files.retain(|(name, _)| !name.split('/').any(|part| part.starts_with('.')));
    } else {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        files.push((path.display().to_string(), bytes));
    }
    if let Some(bad) = too_big.first() {
        return Err(format!("{}: {}", bad.file, bad.reason));
    }
    if files.is_empty() {
        return Err(format!("{}: no files to predict", path.display()));
    }
    files
        .into_iter()
        .map(|(name, bytes)| decode(&bytes).map(|p| (name.clone(), p)).map_err(|e| format!("{name}: {e}")))
        .collect()
}
