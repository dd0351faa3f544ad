//! Limits on what Fornax accepts, so hostile or mistaken input gets a clear error
//! rather than exhausting memory. The README's security section lists them.

/// Most columns in one table (CSV import).
pub const MAX_COLUMNS: usize = 2_000;
/// Most distinct training values of one categorical feature (its one-hot width).
pub const MAX_CATEGORIES: usize = 1_000;
/// Most classes of a classification target.
pub const MAX_CLASSES: usize = 1_000;
/// Most layers (hidden + output) of a model.
pub const MAX_LAYERS: usize = 32;
/// Most convolutional blocks of a model: four halvings take a 28x28 image to 1x1.
pub const MAX_CONV_BLOCKS: usize = 4;
/// Most values one row becomes inside a convolutional block (channels x height x
/// width): a batch of 128 such rows is 512 MiB of f32.
pub const MAX_CONV_VALUES_PER_ROW: usize = 1 << 20;
/// Most channels of an image a model reads (RGB has 3).
pub const MAX_IMAGE_CHANNELS: usize = 4;
/// Most trainable parameters of a model: 64 Mi f32 values, 256 MiB.
pub const MAX_PARAMETERS: usize = 64 * 1024 * 1024;
/// Longest model or dataset name on a server (names become file names).
pub const MAX_NAME_LEN: usize = 64;

/// Whether a served model's or dataset's name is 1-[`MAX_NAME_LEN`] letters, digits,
/// `-` or `_`: names become file names, so nothing else (no `/`, no `..`) is allowed.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Most rows in one prediction request.
pub const MAX_PREDICT_ROWS: usize = 1_000;
/// Largest CSV the tab reads (the worker holds it in memory as text and as columns).
pub const MAX_TAB_CSV_BYTES: usize = 512 * 1024 * 1024;
