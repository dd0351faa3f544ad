//! `cargo xtask fuzz [TARGET] [--time SECONDS]`: runs the cargo-fuzz targets in `fuzz/`
//! (libFuzzer with AddressSanitizer, on the nightly toolchain), one after another, each
//! for the given time, starting from real seeds and every regression input. A crash is
//! minimized and copied to `core/tests/fuzz-regressions/TARGET/`, where the regular
//! tests replay it once fixed. Prints executions and coverage per target.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::tools::{root, run};

pub const TARGETS: [&str; 6] =
    ["csv_import", "recipe_json", "bundle_load", "predict_body", "project_import", "image_import"];
const DEFAULT_SECONDS: u64 = 60;

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let (targets, seconds) = parse(args)?;
    ensure_tools()?;
    let root = root();
    let fuzz_dir = root.join("fuzz");
    let corpus = fuzz_dir.join("corpus");
    // Real inputs to mutate from: a CSV, a fitted recipe, a trained bundle, requests.
    run(Command::new("cargo")
        .args(["run", "--release", "-p", "fornax-core", "--example", "fuzz_seeds", "--"])
        .arg(&corpus)
        .current_dir(&root))?;
    // Every target runs even when one crashes, so one run reports on all of them.
    let results: Vec<Result<String, String>> = targets.iter().map(|t| fuzz_target(&root, t, seconds)).collect();
    println!("\nxtask: fuzzing summary ({seconds} s per target)");
    for line in &results {
        println!("  {}", line.as_ref().unwrap_or_else(|e| e));
    }
    if results.iter().any(Result::is_err) { Err("fuzzing found problems (above)".into()) } else { Ok(()) }
}

fn parse(args: &[String]) -> Result<(Vec<&'static str>, u64), String> {
    let mut targets = Vec::new();
    let mut seconds = DEFAULT_SECONDS;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--time" {
            let value = args.next().ok_or("--time needs a number of seconds")?;
            seconds = value.parse().map_err(|_| format!("--time takes whole seconds, got `{value}`"))?;
        } else if let Some(&target) = TARGETS.iter().find(|&&t| t == arg) {
            targets.push(target);
        } else {
            return Err(format!("unknown fuzz target `{arg}`: the targets are {}", TARGETS.join(", ")));
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    Ok((targets, seconds))
}

/// The nightly toolchain and cargo-fuzz, from the registries.
fn ensure_tools() -> Result<(), String> {
    let nightly = Command::new("rustup").args(["run", "nightly", "rustc", "--version"]).output();
    if !nightly.is_ok_and(|o| o.status.success()) {
        run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))?;
    }
    let fuzz = Command::new("cargo").args(["+nightly", "fuzz", "--version"]).output();
    if !fuzz.is_ok_and(|o| o.status.success()) {
        run(Command::new("cargo").args(["install", "cargo-fuzz"]))?;
    }
    Ok(())
}

/// Runs one target; returns its summary line, or an error after saving a crash.
fn fuzz_target(root: &Path, target: &str, seconds: u64) -> Result<String, String> {
    let fuzz_dir = root.join("fuzz");
    let regressions = root.join("core/tests/fuzz-regressions").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    let before = list(&artifacts);
    let log_path = fuzz_dir.join("logs").join(format!("{target}.log"));
    std::fs::create_dir_all(log_path.parent().expect("logs/ has a parent")).map_err(|e| e.to_string())?;
    let mut log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    println!("xtask: fuzzing {target} for {seconds} s (log: {})", log_path.display());
    let mut child = Command::new("cargo")
        .args(["+nightly", "fuzz", "run", "-O", target])
        .arg(fuzz_dir.join("corpus").join(target))
        .arg(&regressions)
        .args(["--", &format!("-max_total_time={seconds}"), "-timeout=10", "-rss_limit_mb=4096"])
        .arg("-print_final_stats=1")
        .current_dir(&fuzz_dir)
        .env("CARGO_BUILD_JOBS", "2")
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    let mut done = String::new();
    let mut executions = String::new();
    for line in BufReader::new(child.stderr.take().expect("piped")).lines().map_while(Result::ok) {
        let _ = writeln!(log, "{line}");
        let notable = ["DONE", "pulse", "ERROR", "SUMMARY", "panicked", "Compiling fornax", "error:"];
        if notable.iter().any(|n| line.contains(n)) && !line.contains("NEW_FUNC") {
            println!("  {line}");
        }
        if line.contains("DONE") {
            done = line.clone();
        }
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            executions = n.trim().to_string();
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        let coverage = done.split_whitespace().skip_while(|w| *w != "cov:").nth(1).unwrap_or("?").to_string();
        let corpus = done.split_whitespace().skip_while(|w| *w != "corp:").nth(1).unwrap_or("?").to_string();
        return Ok(format!("{target}: {executions} executions, coverage {coverage} edges, corpus {corpus}, no crash"));
    }
    // Keep each new crash, minimized, as a regression input.
    let found: Vec<_> = list(&artifacts).into_iter().filter(|a| !before.contains(a)).collect();
    for artifact in &found {
        let name = artifact.file_name().expect("a file").to_string_lossy().into_owned();
        let minimized = artifacts.join(format!("minimized-{name}"));
        let _ = Command::new("cargo")
            .args(["+nightly", "fuzz", "tmin", "-O", target])
            .arg(artifact)
            .args(["--runs", "10000", "--", "-timeout=10"])
            .arg(format!("-exact_artifact_path={}", minimized.display()))
            .current_dir(&fuzz_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let keep = if minimized.exists() { &minimized } else { artifact };
        std::fs::create_dir_all(&regressions).map_err(|e| e.to_string())?;
        std::fs::copy(keep, regressions.join(&name)).map_err(|e| e.to_string())?;
        println!("xtask: saved {} as a regression input", regressions.join(&name).display());
    }
    Err(format!(
        "fuzzing {target} found {} problem(s) (see {}); fix them, then `cargo nextest run -p fornax-core --test fuzz_regressions`",
        found.len().max(1),
        log_path.display()
    ))
}

fn list(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    files.sort();
    files
}
