//! Fornax's side of `cargo xtask bench train`: trains one MLP or CNN on a CSV with
//! `fornax_core::train::benchmark` (the same preparation as `fornax train`: seeded
//! stratified split, standardized inputs; the same function the browser worker times
//! against TensorFlow.js) and prints JSON: samples/s after the first epoch, the first
//! epoch's time, test accuracy. It writes the split it used, so the peer (`pytorch.py`)
//! trains on the same rows. Threads: Flex uses rayon, so `RAYON_NUM_THREADS` sets them.

use std::path::PathBuf;

use clap::Parser;
use fornax_core::data::Table;
use fornax_core::model::{ConvSpec, ResNetSpec, Stem};
use fornax_core::train::{BenchmarkSpec, benchmark};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    data: PathBuf,
    #[arg(long)]
    target: String,
    /// Hidden layer widths, comma-separated.
    #[arg(long, value_delimiter = ',')]
    hidden: Vec<usize>,
    /// Height and width of the image each row is, for a CNN (with --channels).
    #[arg(long, value_delimiter = ',')]
    image: Vec<usize>,
    /// Output channels of each convolutional block, comma-separated.
    #[arg(long, value_delimiter = ',')]
    channels: Vec<usize>,
    /// A ResNet's stage widths, comma-separated (with --image and --depths; small stem).
    #[arg(long, value_delimiter = ',')]
    widths: Vec<usize>,
    /// Basic blocks per ResNet stage, comma-separated.
    #[arg(long, value_delimiter = ',')]
    depths: Vec<usize>,
    #[arg(long)]
    epochs: usize,
    #[arg(long)]
    batch_size: usize,
    #[arg(long)]
    learning_rate: f64,
    /// Where to write the table rows of the train/valid/test parts, as JSON.
    #[arg(long)]
    split_out: PathBuf,
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let bytes = std::fs::read(&args.data).map_err(|e| format!("cannot read {}: {e}", args.data.display()))?;
    let table = Table::from_csv_bytes(&bytes).map_err(|e| e.to_string())?;
    let image = match args.image[..] {
        [] => None,
        [height, width] => Some([height, width]),
        _ => return Err("--image takes height,width".into()),
    };
    let (conv, resnet) = match (image, args.widths.is_empty()) {
        (None, _) => (None, None),
        (Some(image), true) => (Some(ConvSpec { image, channels: args.channels }), None),
        (Some(image), false) => {
            (None, Some(ResNetSpec { image, stem: Stem::Small, widths: args.widths, depths: args.depths }))
        }
    };
    let spec = BenchmarkSpec {
        target: args.target,
        hidden: args.hidden,
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate,
        conv,
        resnet,
    };
    let report =
        pollster::block_on(benchmark(&fornax_core::device::cpu(), &table, &spec)).map_err(|e| e.to_string())?;
    let split = serde_json::to_string(&report.split).expect("splits serialize");
    std::fs::write(&args.split_out, split).map_err(|e| format!("cannot write the split: {e}"))?;
    let summary = serde_json::json!({
        "version": report.version,
        "train_rows": report.train_rows,
        "epochs": report.epochs,
        "first_epoch_seconds": report.first_epoch_seconds,
        "samples_per_second": report.samples_per_second,
        "test_accuracy": report.test_accuracy,
    });
    println!("{summary}");
    Ok(())
}
