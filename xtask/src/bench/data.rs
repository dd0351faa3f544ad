//! `cargo xtask bench data`: the data studio's work natively beside pandas +
//! scikit-learn, and in the tab (the studio's worker in headless Chromium), on one
//! generated CSV (1,000,000 rows, 16 numeric and 4 categorical columns, 5% missing):
//! load, profile, impute, one-hot, standardize.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::{date, ensure_python, json_output, median_by};
use crate::tools::{self, root, run, target_dir};

const REPEATS: usize = 3;
const ROWS: &str = "1000000";

pub fn bench() -> Result<String, String> {
    ensure_python(&["pandas", "sklearn"], &["pandas", "scikit-learn"])?;
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "fornax-bench", "--bin", "data-fornax"])
        .current_dir(root()))?;
    let data = data_csv()?;
    let fornax = median_run(|| json_output(Command::new(target_dir().join("release/data-fornax")).arg(&data)))?;
    let peer = median_run(|| {
        json_output(Command::new("python3").arg(root().join("bench/data/pandas_sklearn.py")).arg(&data))
    })?;
    super::browser::prepare()?;
    let tab = median_run(|| {
        json_output(
            Command::new("node")
                .arg(root().join("bench/data/tab.mjs"))
                .arg("--dist")
                .arg(root().join("dist"))
                .arg("--data")
                .arg(&data)
                .env("CHROMIUM", tools::CHROMIUM),
        )
    })?;
    println!(
        "  Fornax {:.2} s, pandas + scikit-learn {:.2} s: {:.2}x; Fornax in the tab {:.2} s: {:.2}x native's time",
        total(&fornax),
        total(&peer),
        total(&peer) / total(&fornax),
        total(&tab),
        total(&tab) / total(&fornax)
    );
    Ok(report(&fornax, &tab, &peer))
}

fn data_csv() -> Result<PathBuf, String> {
    let csv = target_dir().join("bench/data-1m.csv");
    if !csv.exists() {
        std::fs::create_dir_all(target_dir().join("bench")).map_err(|e| e.to_string())?;
        run(Command::new("python3").arg(root().join("bench/data/make_data.py")).arg(&csv).arg(ROWS))?;
    }
    Ok(csv)
}

/// The run with the median total time of [`REPEATS`].
fn median_run(once: impl FnMut() -> Result<Value, String>) -> Result<Value, String> {
    median_by(REPEATS, once, total)
}

fn total(report: &Value) -> f64 {
    report["seconds"]["total"].as_f64().unwrap_or(f64::NAN)
}

fn seconds(report: &Value, stage: &str) -> f64 {
    report["seconds"][stage].as_f64().unwrap_or(f64::NAN)
}

fn report(fornax: &Value, tab: &Value, peer: &Value) -> String {
    let peer_version = peer["version"].as_str().unwrap_or("?");
    let encode_peer = seconds(peer, "one_hot") + seconds(peer, "standardize");
    let mut out = format!(
        "## Data preparation: native, in the tab, and pandas + scikit-learn\n\n\
         Run on {}: Fornax {} (native, one thread; and in the tab, the studio's own worker in headless Chromium {}) \
         beside {peer_version} (single-threaded as they are). \
         Reproduce: `cargo xtask bench data`. Input: `bench/data/make_data.py` (1,000,000 rows, 16 numeric and 4 \
         categorical columns of 3 to 200 values, 5% of cells missing, 146 MB). Both load the CSV, profile every column \
         (count, missing, distinct, mean, std, quartiles, top values, a 20-bin histogram, duplicate rows), fill missing \
         values (mean; most frequent for categories), one-hot encode and standardize into one dense float32 matrix of \
         281 columns. Native and tab run the same code (`fornax_core::recipe::benchmark`); the tab's load \
         includes copying the file into the worker's memory, not fetching it. Each figure is the median of {REPEATS} \
         runs; peak memory is the process's (native, peer) or the worker's Wasm memory (tab). Harness: `bench/data/` \
         (`fornax.rs`, `tab.mjs`, `pandas_sklearn.py`).\n\n\
         | Stage | Fornax native (s) | Fornax in the tab (s) | pandas + scikit-learn (s) |\n|---|---:|---:|---:|\n",
        date(),
        fornax["version"].as_str().unwrap_or("?"),
        tab["chromium"].as_str().unwrap_or("?"),
    );
    for (label, stage) in [
        ("load CSV", "load"),
        ("profile", "profile"),
        ("impute", "impute"),
        ("one-hot + standardize", "one_hot_and_standardize"),
        ("**total**", "total"),
    ] {
        let theirs = if stage == "one_hot_and_standardize" { encode_peer } else { seconds(peer, stage) };
        out.push_str(&format!(
            "| {label} | {:.2} | {:.2} | {theirs:.2} |\n",
            seconds(fornax, stage),
            seconds(tab, stage)
        ));
    }
    out.push_str(&format!(
        "\nFornax native / pandas + scikit-learn: **{:.2}x** as fast (goal: at least 2x). The tab takes **{:.2}x** \
         native's time (goal: at most 2x). Peak memory: Fornax native {:.0} MiB, the tab's worker {:.0} MiB of Wasm \
         memory, pandas + scikit-learn {:.0} MiB.\n",
        total(peer) / total(fornax),
        total(tab) / total(fornax),
        fornax["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
        tab["wasm_memory_mib"].as_f64().unwrap_or(f64::NAN),
        peer["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
    ));
    out
}
