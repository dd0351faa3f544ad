//! `cargo xtask bench serve`: the same trained model served by `fornax serve` and by a
//! FastAPI + uvicorn + onnxruntime app (PyPI), loaded by `wrk` (Debian) on loopback
//! with the same request mix: one wine row per request, cycling through all 178.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{command_text, date, ensure_python};
use crate::tools::{ensure_debian_packages, root, run, target_dir};

/// Concurrent connections of each measurement.
const CONNECTIONS: [usize; 3] = [1, 16, 64];
const SECONDS: u64 = 10;
const WARM_UP_SECONDS: u64 = 3;

/// What wrk measured at one level.
struct Load {
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Responses other than 2xx/3xx, and socket errors.
    failures: u64,
}

pub fn bench() -> Result<String, String> {
    // uvicorn[standard] (httptools, uvloop) is how uvicorn is deployed: plain h11 is
    // several times slower and would flatter Fornax.
    ensure_python(
        &["torch", "onnx", "onnxruntime", "fastapi", "uvicorn", "httptools", "uvloop"],
        &["torch", "onnx", "onnxruntime", "fastapi", "uvicorn[standard]"],
    )?;
    ensure_debian_packages(&["wrk"], "the serving benchmark")?;
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "fornax-server", "-p", "fornax-bench"])
        .current_dir(root()))?;

    let dir = target_dir().join("bench/serve");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("models")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let wine = root().join("public/demo/wine.csv");
    let bundle = dir.join("models/wine.fornax");
    let fornax = target_dir().join("release/fornax");
    println!("xtask: bench serve: training the wine MLP and exporting it to ONNX");
    run(Command::new(&fornax).args(["train", "--target", "cultivar", "--data"]).arg(&wine).arg("--out").arg(&bundle))?;
    run(Command::new(target_dir().join("release/serve-export"))
        .arg("--model")
        .arg(&bundle)
        .arg("--out")
        .arg(dir.join("wine.json")))?;
    run(Command::new(&fornax)
        .args(["predict", "--model"])
        .arg(&bundle)
        .arg("--data")
        .arg(&wine)
        .arg("--out")
        .arg(dir.join("fornax-predictions.csv")))?;
    let parity = json_line(
        Command::new("python3")
            .arg(root().join("bench/serve/export_onnx.py"))
            .arg(dir.join("wine.json"))
            .arg(dir.join("wine.onnx"))
            .arg(&wine)
            .arg(dir.join("fornax-predictions.csv")),
    )?;
    let bodies = dir.join("bodies.jsonl");
    write_bodies(&wine, &bodies)?;

    println!("xtask: bench serve: fornax serve");
    let (server, url) = start_fornax(&fornax, &dir, &[])?;
    let fornax_loads = measure(&url, &bodies);
    stop(server);
    println!("xtask: bench serve: fornax serve --no-prediction-log (the peer logs no predictions)");
    let (server, url) = start_fornax(&fornax, &dir, &["--no-prediction-log"])?;
    let unlogged_loads = measure(&url, &bodies);
    stop(server);
    println!("xtask: bench serve: FastAPI + uvicorn + onnxruntime");
    let (server, url) = start_fastapi(&dir)?;
    let peer_loads = measure(&url, &bodies);
    stop(server);
    Ok(report(&fornax_loads?, &unlogged_loads?, &peer_loads?, &parity))
}

/// One request body per wine row: `{"rows": [{column: number, ...}]}`.
fn write_bodies(csv: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(csv).map_err(|e| format!("cannot read {}: {e}", csv.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let mut bodies = String::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let row: serde_json::Map<String, Value> = header
            .iter()
            .zip(line.split(','))
            .filter(|(h, _)| **h != "cultivar")
            .map(|(h, v)| (h.to_string(), v.parse::<f64>().map_or(Value::Null, Value::from)))
            .collect();
        bodies.push_str(&json!({ "rows": [row] }).to_string());
        bodies.push('\n');
    }
    std::fs::write(out, bodies).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// `fornax serve` as shipped, except that the prediction cache is off: every request
/// runs the model, as every request does in the peer.
fn start_fornax(fornax: &Path, dir: &Path, extra: &[&str]) -> Result<(Child, String), String> {
    let mut child = Command::new(fornax)
        .args(["serve", "--addr", "127.0.0.1:0", "--cache-rows", "0", "--models"])
        .arg(dir.join("models"))
        .args(extra)
        .current_dir(dir)
        .env_remove("FORNAX_TOKEN")
        // No line per request, like the peer's --no-access-log.
        .env("FORNAX_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start fornax serve: {e}"))?;
    let mut line = String::new();
    let _ = BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line);
    let addr = line.split("http://").nth(1).and_then(|s| s.split_whitespace().next()).map(str::to_string);
    match addr {
        Some(addr) => Ok((child, format!("http://{addr}/v1/models/wine/predict"))),
        None => {
            stop(child);
            Err(format!("fornax serve did not say where it listens: `{line}`"))
        }
    }
}

/// uvicorn with one worker process per core, as such an app is deployed.
fn start_fastapi(dir: &Path) -> Result<(Child, String), String> {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).to_string();
    let child = Command::new("python3")
        .args(["-m", "uvicorn", "fastapi_app:app", "--app-dir"])
        .arg(root().join("bench/serve"))
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--workers", &workers])
        .args(["--log-level", "warning", "--no-access-log"])
        .env("FORNAX_BENCH_DIR", dir)
        .spawn()
        .map_err(|e| format!("cannot start uvicorn: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // Give every worker time to import and load the model.
            std::thread::sleep(Duration::from_secs(3));
            return Ok((child, format!("http://127.0.0.1:{port}/v1/models/wine/predict")));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    stop(child);
    Err("uvicorn did not start listening within 60 s".into())
}

/// SIGTERM, so uvicorn stops its workers too.
fn stop(mut child: Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A warm-up, then each level of [`CONNECTIONS`].
fn measure(url: &str, bodies: &Path) -> Result<Vec<Load>, String> {
    wrk(url, bodies, 16, WARM_UP_SECONDS)?;
    CONNECTIONS
        .iter()
        .map(|&connections| {
            let load = wrk(url, bodies, connections, SECONDS)?;
            println!(
                "  {connections:>2} connections: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, {} failures",
                load.requests_per_second, load.p50_ms, load.p99_ms, load.failures
            );
            Ok(load)
        })
        .collect()
}

fn wrk(url: &str, bodies: &Path, connections: usize, seconds: u64) -> Result<Load, String> {
    let threads = connections.min(2).to_string();
    let output = Command::new("wrk")
        .args(["-t", &threads, "-c", &connections.to_string(), "-d", &format!("{seconds}s"), "--latency", "-s"])
        .arg(root().join("bench/serve/rows.lua"))
        .arg(url)
        .env("BODIES", bodies)
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    if !output.status.success() {
        return Err(format!("wrk failed: {text}{}", String::from_utf8_lossy(&output.stderr)));
    }
    parse_wrk(&text).ok_or_else(|| format!("cannot read wrk's report:\n{text}"))
}

fn parse_wrk(text: &str) -> Option<Load> {
    let field = |prefix: &str| text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(str::trim));
    let requests_per_second = field("Requests/sec:")?.parse().ok()?;
    let p50_ms = duration_ms(field("50%")?)?;
    let p99_ms = duration_ms(field("99%")?)?;
    let non_2xx: u64 = field("Non-2xx or 3xx responses:").and_then(|n| n.parse().ok()).unwrap_or(0);
    // "Socket errors: connect 0, read 0, write 0, timeout 0"
    let socket: u64 = field("Socket errors:")
        .map(|s| s.split(',').filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    Some(Load { requests_per_second, p50_ms, p99_ms, failures: non_2xx + socket })
}

/// wrk's `812.00us`, `1.23ms`, `2.01s`.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let value: f64 = text[..split].parse().ok()?;
    match &text[split..] {
        "us" => Some(value / 1000.0),
        "ms" => Some(value),
        "s" => Some(value * 1000.0),
        "m" => Some(value * 60_000.0),
        _ => None,
    }
}

fn pip_version(package: &str) -> String {
    let out = command_text("python3", &["-m", "pip", "show", package]);
    out.lines().find_map(|l| l.strip_prefix("Version: ")).unwrap_or("?").to_string()
}

fn report(fornax: &[Load], unlogged: &[Load], peer: &[Load], parity: &Value) -> String {
    let wrk_version = command_text("sh", &["-c", "wrk -v 2>&1 | head -1"]);
    let mut out = format!(
        "## Serving predictions, native, on loopback\n\n\
         Run on {}: Fornax {} (`fornax serve`, CPU/Flex) against FastAPI {} + uvicorn[standard] {} \
         (httptools, uvloop; {} worker processes, one per core) + \
         onnxruntime {} (model exported by PyTorch {} and onnx {}), load from {}. Reproduce: `cargo xtask bench serve`. \
         Both serve the wine MLP (13-64-32-3) that `fornax train` makes: the peer gets the same weights and recipe \
         (`bench/serve/export.rs` writes them, `export_onnx.py` builds and exports the network and checks \
         onnxruntime's probabilities against `fornax predict` on all {} rows: largest difference {:.1e}). Each \
         request is one row, cycling through the 178 wine rows; the peer validates rows with pydantic like a \
         FastAPI app does. Fornax runs as shipped (micro-batching, the SQLite prediction log) with its prediction \
         cache off, so every request runs the model; neither side writes a log line per request. The peer logs no \
         predictions, so Fornax is also measured with `--no-prediction-log`. {WARM_UP_SECONDS} s of warm-up, then {SECONDS} s per \
         level. Harness: `bench/serve/` (`export.rs`, `export_onnx.py`, `fastapi_app.py`, `rows.lua`).\n\n\
         | Connections | Fornax requests/s | FastAPI requests/s | Fornax / FastAPI | p50 ms, Fornax / FastAPI | \
         p99 ms, Fornax / FastAPI | FastAPI p99 / Fornax p99 | Failed responses, Fornax / FastAPI | \
         Without the prediction log: Fornax requests/s, / FastAPI, p99 ms |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        date(),
        env!("CARGO_PKG_VERSION"),
        pip_version("fastapi"),
        pip_version("uvicorn"),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        pip_version("onnxruntime"),
        pip_version("torch"),
        pip_version("onnx"),
        if wrk_version.is_empty() { "wrk".to_string() } else { wrk_version },
        parity["rows"],
        parity["max_probability_difference"].as_f64().unwrap_or(f64::NAN),
    );
    for (((connections, f), u), p) in CONNECTIONS.iter().zip(fornax).zip(unlogged).zip(peer) {
        out.push_str(&format!(
            "| {connections} | {:.0} | {:.0} | **{:.1}x** | {:.2} / {:.2} | {:.2} / {:.2} | **{:.1}x** | {} / {} | \
             {:.0}, **{:.1}x**, {:.2} |\n",
            f.requests_per_second,
            p.requests_per_second,
            f.requests_per_second / p.requests_per_second,
            f.p50_ms,
            p.p50_ms,
            f.p99_ms,
            p.p99_ms,
            p.p99_ms / f.p99_ms,
            f.failures + u.failures,
            p.failures,
            u.requests_per_second,
            u.requests_per_second / p.requests_per_second,
            u.p99_ms,
        ));
    }
    out
}

/// The one JSON line a script printed.
fn json_line(command: &mut Command) -> Result<Value, String> {
    let output = command.output().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last).map_err(|e| format!("{command:?} printed no JSON line: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_wrk_reports() {
        let text = "Running 10s test @ http://127.0.0.1:1/x\n  2 threads and 16 connections\n  Latency Distribution\n     50%  812.00us\n     75%    1.10ms\n     90%    1.50ms\n     99%    2.31ms\n  12345 requests in 10.00s, 3.45MB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 4\nRequests/sec:   1234.50\nTransfer/sec:    345.00KB\n";
        let load = super::parse_wrk(text).unwrap();
        assert_eq!(load.requests_per_second, 1234.5);
        assert!((load.p50_ms - 0.812).abs() < 1e-9);
        assert_eq!(load.p99_ms, 2.31);
        assert_eq!(load.failures, 7);
    }
}
