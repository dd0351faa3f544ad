//! Fornax's side of `cargo xtask bench train`: trains one MLP on a CSV with the same
//! preparation `fornax train` uses (seeded stratified split, standardized inputs) and
//! prints JSON: samples/s after the first epoch, the first epoch's time, test accuracy.
//! It writes the split it used, so the peer (`pytorch.py`) trains on the same rows.
//! Threads: Flex uses rayon, so `RAYON_NUM_THREADS` sets them.

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use fornax_core::data::Table;
use fornax_core::recipe::Task;
use fornax_core::train::{
    AdamParams, Control, EarlyStopping, OptimizerKind, Prepared, Progress, Run, TrainConfig, TrainSink, train_model,
};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    data: PathBuf,
    #[arg(long)]
    target: String,
    /// Hidden layer widths, comma-separated.
    #[arg(long, value_delimiter = ',')]
    hidden: Vec<usize>,
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

/// When each epoch ended.
struct Clock {
    started: Instant,
    epochs: Vec<f64>,
}

impl TrainSink for Clock {
    async fn report(&mut self, progress: &Progress) -> Control {
        if let Progress::Epoch(_) = progress {
            self.epochs.push(self.started.elapsed().as_secs_f64());
        }
        Control::Continue
    }
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    if args.epochs < 2 {
        return Err("--epochs must be at least 2: the first epoch is the warm-up".into());
    }
    let bytes = std::fs::read(&args.data).map_err(|e| format!("cannot read {}: {e}", args.data.display()))?;
    let table = Table::from_csv_bytes(&bytes).map_err(|e| e.to_string())?;
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: Some(args.batch_size),
        learning_rate: args.learning_rate,
        hidden: args.hidden,
        optimizer: OptimizerKind::Adam(AdamParams::default()),
        // Every epoch runs, on both sides.
        early_stopping: EarlyStopping { patience: 0, restore_best: false, ..EarlyStopping::default() },
        ..TrainConfig::default()
    };
    let prepared =
        Prepared::new(&table, &args.target, Some(Task::Classification), &config).map_err(|e| e.to_string())?;
    let split = serde_json::json!({
        "train": prepared.train_rows, "valid": prepared.valid_rows, "test": prepared.test_rows,
    });
    std::fs::write(&args.split_out, split.to_string()).map_err(|e| format!("cannot write the split: {e}"))?;

    let device = fornax_core::device::cpu();
    let p = &prepared;
    let mut clock = Clock { started: Instant::now(), epochs: Vec::new() };
    let trained = pollster::block_on(train_model(
        &device,
        &p.spec,
        &config,
        &p.objective,
        &p.train,
        &p.valid,
        &mut clock,
        &mut Run::default(),
    ))
    .map_err(|e| e.to_string())?;
    let metrics = pollster::block_on(p.test_metrics(&trained.model, &device)).map_err(|e| e.to_string())?;

    let (first, last) = (clock.epochs[0], clock.epochs[clock.epochs.len() - 1]);
    let timed_epochs = (clock.epochs.len() - 1) as f64;
    let report = serde_json::json!({
        "version": fornax_core::VERSION,
        "train_rows": p.train.rows(),
        "epochs": clock.epochs.len(),
        "first_epoch_seconds": first,
        "samples_per_second": p.train.rows() as f64 * timed_epochs / (last - first),
        "test_accuracy": metrics.headline(),
    });
    println!("{report}");
    Ok(())
}
