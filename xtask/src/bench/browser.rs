//! `cargo xtask bench browser`: Fornax's training worker beside TensorFlow.js in the
//! same headless Chromium, and the studio's size and start-up time
//! (`bench/browser/run.mjs` measures; this builds what it needs and files its report).
//! `smoke` is the quick run `cargo xtask test` makes of the same harness.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::tools::{self, root, run, target_dir};

/// Runs the harness; the markdown of its report and the raw figures.
pub fn measure(smoke: bool) -> Result<(String, Value), String> {
    prepare()?;
    let bench = root().join("bench");
    let data = data_dir(smoke)?;
    let out = target_dir().join("bench");
    let (json, markdown) = (out.join("browser.json"), out.join("browser.md"));
    let mut node = Command::new("node");
    node.arg(bench.join("browser/run.mjs"))
        .arg("--dist")
        .arg(root().join("dist"))
        .arg("--data")
        .arg(&data)
        .arg("--json")
        .arg(&json)
        .arg("--markdown")
        .arg(&markdown)
        .env("CHROMIUM", tools::CHROMIUM);
    if smoke {
        node.arg("--smoke");
    }
    run(&mut node)?;
    let read =
        |p: &PathBuf| std::fs::read_to_string(p).map_err(|e| format!("the harness wrote no {}: {e}", p.display()));
    let figures = serde_json::from_str(&read(&json)?).map_err(|e| format!("{}: {e}", json.display()))?;
    Ok((read(&markdown)?, figures))
}

/// What a harness in headless Chromium needs: the studio's build (its worker is
/// Fornax's side), Debian's chromium, and bench/'s npm packages.
pub fn prepare() -> Result<(), String> {
    crate::build_web()?;
    tools::ensure_debian_packages(&["chromium"], "the browser benchmarks")?;
    let bench = root().join("bench");
    if !bench.join("node_modules/@tensorflow/tfjs/package.json").exists() {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&bench))?;
    }
    Ok(())
}

pub fn bench() -> Result<String, String> {
    Ok(measure(false)?.0)
}

/// The smoke run of `cargo xtask test`: each peer trains a tiny workload, its losses are
/// finite numbers, and the report has both in it.
pub fn smoke() -> Result<(), String> {
    let (markdown, figures) = measure(true)?;
    let runs = figures["workloads"][0]["runs"].as_array().cloned().unwrap_or_default();
    for peer in ["fornax", "tfjs"] {
        let Some(r) = runs.iter().find(|r| r["peer"] == peer) else {
            return Err(format!("bench browser smoke: no {peer} run"));
        };
        if let Some(error) = r["error"].as_str() {
            return Err(format!("bench browser smoke: {peer} failed: {error}"));
        }
        let losses: Vec<f64> = r["train_losses"].as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
        if losses.len() != 2 || losses.iter().any(|l| !l.is_finite()) {
            return Err(format!(
                "bench browser smoke: {peer}'s losses are not 2 finite numbers: {}",
                r["train_losses"]
            ));
        }
        println!("xtask: bench browser smoke: {peer} ({}) losses {losses:?}", r["backend"]);
    }
    if !(markdown.contains("| Fornax CPU (Flex) |") && markdown.contains("| TF.js wasm |")) {
        return Err(format!("bench browser smoke: the report lacks a peer's row:\n{markdown}"));
    }
    Ok(())
}

/// The digits (from core's fixtures) and MNIST CSVs in one directory, as the harness
/// serves them.
fn data_dir(smoke: bool) -> Result<PathBuf, String> {
    let dir = target_dir().join("bench/browser-data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let mut files = vec![("digits.csv", root().join("core/tests/fixtures/digits/digits.csv"))];
    if !smoke {
        files.push(("mnist.csv", super::train::mnist_csv(0)?));
    }
    for (name, source) in files {
        std::fs::copy(&source, dir.join(name)).map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
    }
    Ok(dir)
}
