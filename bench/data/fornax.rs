//! Fornax's side of `cargo xtask bench data`: load a CSV, profile it, fill missing
//! values (mean; most frequent for categories), one-hot encode and standardize, as the
//! studio does; prints a JSON report of seconds per stage and peak memory.

use std::time::Instant;

use clap::Parser;
use fornax_core::data::clean::Fill;
use fornax_core::data::{ColumnKind, DatasetProfile, Prep, Split, Step, Table, clean};
use fornax_core::recipe::{Recipe, Task};
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// The CSV (bench/data/make_data.py writes it).
    data: std::path::PathBuf,
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let mut seconds = serde_json::Map::new();
    let mut start = Instant::now();
    let mut lap = |name: &str| {
        seconds.insert(name.into(), start.elapsed().as_secs_f64().into());
        start = Instant::now();
    };
    let bytes = std::fs::read(&args.data).map_err(|e| e.to_string())?;
    let table = Table::from_csv_bytes(&bytes).map_err(|e| e.to_string())?;
    drop(bytes);
    lap("load");
    let profile = DatasetProfile::of(&table, None);
    std::hint::black_box(&profile);
    lap("profile");
    let steps: Vec<Step> = table
        .columns()
        .iter()
        .map(|c| Step::FillMissing {
            column: c.name.clone(),
            with: if c.kind() == ColumnKind::Numeric { Fill::Mean } else { Fill::Mode },
            value: None,
        })
        .collect();
    let all = Split { train: (0..table.rows()).collect(), valid: Vec::new(), test: Vec::new() };
    let cleaned = clean(&table, &steps, &all).map_err(|e| e.to_string())?;
    drop(table);
    lap("impute");
    // The recipe needs a target; a constant column stands in, so every real column is a feature.
    let table = with_target(cleaned.table)?;
    let recipe = Recipe::fit_with(&table, "target", Task::Regression, &all.train, &Prep::default(), Vec::new())
        .map_err(|e| e.to_string())?;
    let encoded: Vec<f32> = recipe.encode_table(&table, &all.train).map_err(|e| e.to_string())?;
    std::hint::black_box(&encoded);
    lap("one_hot_and_standardize");
    let total: f64 = seconds.values().filter_map(|v| v.as_f64()).sum();
    seconds.insert("total".into(), total.into());
    println!(
        "{}",
        json!({
            "seconds": seconds,
            "peak_rss_mib": peak_rss_mib(),
            "width": recipe.width(),
            "version": fornax_core::VERSION,
        })
    );
    Ok(())
}

fn with_target(table: Table) -> Result<Table, String> {
    let rows = table.rows();
    let mut columns = table.into_columns();
    columns.push(fornax_core::data::Column {
        name: "target".into(),
        data: fornax_core::data::ColumnData::Numeric(vec![Some(0.0); rows]),
    });
    Table::new(columns).map_err(|e| e.to_string())
}

/// The process's peak resident memory (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
    kib.map_or(f64::NAN, |k| k / 1024.0)
}
