//! Fornax's side of `cargo xtask bench data`: load a CSV, profile it, fill missing
//! values (mean; most frequent for categories), one-hot encode and standardize, as the
//! studio does (`fornax_core::data::benchmark`, which the tab's worker runs too);
//! prints a JSON report of seconds per stage and peak memory.

use std::time::Instant;

use clap::Parser;
use fornax_core::recipe::benchmark::prepare_everything;
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// The CSV (bench/data/make_data.py writes it).
    data: std::path::PathBuf,
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let started = Instant::now();
    let bytes = std::fs::read(&args.data).map_err(|e| e.to_string())?;
    // Reading the file counts as loading, as in the peer's `read_csv`.
    let read_seconds = started.elapsed().as_secs_f64();
    let report = prepare_everything(&bytes, &mut || started.elapsed().as_secs_f64()).map_err(|e| e.to_string())?;
    let mut seconds = serde_json::Map::new();
    for (stage, s) in report.seconds {
        let s = if stage == "load" { s + read_seconds } else { s };
        seconds.insert(stage, s.into());
    }
    let total: f64 = seconds.values().filter_map(|v| v.as_f64()).sum();
    seconds.insert("total".into(), total.into());
    println!(
        "{}",
        json!({
            "seconds": seconds,
            "peak_rss_mib": peak_rss_mib(),
            "width": report.width,
            "version": fornax_core::VERSION,
        })
    );
    Ok(())
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
