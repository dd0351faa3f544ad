//! `cargo xtask bench [train|data|serve|browser|all]`: Fornax beside its peers, in one run, on this
//! machine. Each benchmark rewrites its own section of bench/RESULTS.md (the others are
//! kept), with the date, the peers' versions, the ratios and the command that repeats
//! it. Peers come from the registries only (PyPI, npm, Debian).

pub mod browser;
mod data;
mod serve;
mod train;

use std::process::Command;

use crate::tools::{ensure_python, root};

pub fn bench(args: &[String]) -> Result<(), String> {
    let which = args.first().map(String::as_str).unwrap_or("all");
    let names: &[&str] = match which {
        "all" => &["train", "data", "serve", "browser"],
        "train" => &["train"],
        "data" => &["data"],
        "serve" => &["serve"],
        "browser" => &["browser"],
        other => {
            return Err(format!("unknown benchmark `{other}`: use train, data, serve, browser or all"));
        }
    };
    for &name in names {
        let section = match name {
            "train" => train::bench()?,
            "browser" => browser::bench()?,
            "data" => data::bench()?,
            _ => serve::bench()?,
        };
        write_section(name, &section)?;
    }
    Ok(())
}

/// Runs a harness that prints one JSON report on stdout.
fn json_output(command: &mut Command) -> Result<serde_json::Value, String> {
    let output = command.output().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{command:?} printed no JSON report: {e}"))
}

/// The median by `score` of `repeats` reports from `once`.
fn median_by(
    repeats: usize,
    mut once: impl FnMut() -> Result<serde_json::Value, String>,
    score: impl Fn(&serde_json::Value) -> f64,
) -> Result<serde_json::Value, String> {
    let mut runs = (0..repeats).map(|_| once()).collect::<Result<Vec<_>, _>>()?;
    runs.sort_by(|a, b| score(a).total_cmp(&score(b)));
    Ok(runs.swap_remove(repeats / 2))
}

/// Replaces (or adds) section `name` of bench/RESULTS.md; the other sections stay.
fn write_section(name: &str, markdown: &str) -> Result<(), String> {
    let path = root().join("bench/RESULTS.md");
    let mut sections = sections(&std::fs::read_to_string(&path).unwrap_or_default());
    match sections.iter_mut().find(|(n, _)| n == name) {
        Some(section) => section.1 = markdown.trim().to_string(),
        None => sections.push((name.to_string(), markdown.trim().to_string())),
    }
    let mut body = header();
    for (n, m) in &sections {
        body.push_str(&format!("<!-- bench: {n} -->\n{m}\n<!-- end: {n} -->\n\n"));
    }
    std::fs::write(&path, body.trim_end().to_string() + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("xtask: wrote the {name} section of {}", path.display());
    Ok(())
}

/// The (name, markdown) sections of a results file, in order.
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!-- bench: ") {
        let after = &rest[start + "<!-- bench: ".len()..];
        let Some(close) = after.find(" -->") else { break };
        let name = after[..close].to_string();
        let content = &after[close + " -->".len()..];
        let end = format!("<!-- end: {name} -->");
        let Some(stop) = content.find(&end) else { break };
        out.push((name, content[..stop].trim().to_string()));
        rest = &content[stop + end.len()..];
    }
    out
}

fn header() -> String {
    "# Benchmarks\n\nWritten by `cargo xtask bench`. Each section says when and on which machine it ran, what it \
     compares, and the command that repeats it: sections run on different machines are not comparable with each other.\n\n"
        .to_string()
}

/// The processor and core count, named in every section: sections are rewritten one at a
/// time, perhaps on different machines.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{}, {cores} cores", cpu_model())
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info.lines().find_map(|l| l.strip_prefix("model name")).and_then(|l| l.split(':').nth(1));
    model.map_or("unknown CPU".into(), |m| m.trim().to_string())
}

fn command_text(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// When, and on what: `2026-11-28 02:41 UTC on Intel(R) Xeon(R) Processor, 2 cores`.
fn date() -> String {
    format!("{} on {}", command_text("date", &["-u", "+%Y-%m-%d %H:%M UTC"]), machine())
}
