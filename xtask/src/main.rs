//! Project automation: `cargo xtask <setup|serve|test|web|fuzz|bench>`.
//!
//! Everything a fresh machine needs is installed here, from the registries only
//! (crates.io, npm, Debian): the wasm target, trunk, wasm-bindgen-cli at exactly the
//! version in Cargo.lock, npm's binaryen (wasm-opt) and playwright-core, and Debian's
//! chromium for the browser tests. Each step is skipped when already done.

mod bench;
mod fuzz;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use tools::{root, run};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup   install what building the app needs (wasm target, trunk, wasm-bindgen-cli, npm packages)
  web     build the web app into dist/ (trunk build --release --offline)
  serve   set up, build, train the demo model if missing, and start `fornax serve` on 127.0.0.1:8080
  test    install test needs (chromium, npm packages) and run every test
  fuzz    [TARGET] [--time SECONDS]: run the fuzz targets (nightly, cargo-fuzz), 60 s each by default
  bench   [train|serve|browser|all]: Fornax beside its peers (PyTorch; FastAPI + onnxruntime; TensorFlow.js), written to bench/RESULTS.md";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => tools::setup(),
        Some("web") => tools::setup().and_then(|()| build_web()),
        Some("serve") => serve(&args[1..]),
        Some("test") => test(),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `trunk build --release --offline`, with the pinned tools first on PATH. Skipped when
/// no input of the web build changed since the last one: trunk always reruns wasm-opt,
/// which takes minutes on the worker.
fn build_web() -> Result<(), String> {
    // The stamp lives outside dist/, which is served to browsers.
    let stamp_file = tools::target_dir().join("fornax-web-inputs");
    let stamp = tools::web_inputs_stamp();
    if root().join("dist/index.html").exists() && std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) {
        println!("xtask: dist/ is up to date");
        return Ok(());
    }
    let mut trunk = Command::new("trunk");
    trunk.args(["build", "--release", "--offline"]).current_dir(root());
    tools::configure_trunk(&mut trunk)?;
    run(&mut trunk)?;
    std::fs::write(&stamp_file, stamp).map_err(|e| format!("cannot write {}: {e}", stamp_file.display()))
}

fn build_server() -> Result<(), String> {
    run(Command::new("cargo").args(["build", "--release", "-p", "fornax-server"]).current_dir(root()))
}

fn fornax_binary() -> PathBuf {
    tools::target_dir().join("release/fornax")
}

fn serve(extra: &[String]) -> Result<(), String> {
    tools::setup()?;
    build_web()?;
    build_server()?;
    let models = root().join("models");
    let demo_model = models.join("wine.fornax");
    if !demo_model.exists() {
        println!("xtask: training the demo model ({}) so the API has one to serve", demo_model.display());
        run(Command::new(fornax_binary())
            .args(["train", "--target", "cultivar", "--data"])
            .arg(root().join("public/demo/wine.csv"))
            .arg("--out")
            .arg(&demo_model))?;
    }
    let mut serve = Command::new(fornax_binary());
    serve.arg("serve").arg("--web").arg(root().join("dist")).arg("--models").arg(&models).args(extra);
    // Deploying and training on this server from the studio need an admin token: make
    // one for this session unless the user set their own.
    if std::env::var("FORNAX_TOKEN").map_or(true, |t| t.is_empty()) {
        let token = session_token()?;
        println!("xtask: the admin token for deploying and training on this server is {token}");
        println!("xtask: (set FORNAX_TOKEN to choose your own)");
        serve.env("FORNAX_TOKEN", token);
    }
    run(&mut serve)
}

/// 128 random bits from the kernel, as hex.
fn session_token() -> Result<String, String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom for a token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Cheapest checks first, so a broken build fails fast.
fn test() -> Result<(), String> {
    let root = root();
    run(Command::new("cargo").args(["fmt", "--all", "--check"]).current_dir(&root))?;
    run(Command::new("cargo")
        .args(["clippy", "--release", "--all-targets", "--", "-D", "warnings"])
        .current_dir(&root))?;
    tools::setup()?;
    tools::ensure_test_packages()?;
    // The browser's crates build only for wasm32, which the clippy run above skips.
    run(Command::new("cargo")
        .args(["clippy", "-p", "fornax-core", "-p", "fornax-wire", "-p", "fornax-app", "-p", "fornax-worker"])
        .args(["--target", "wasm32-unknown-unknown", "--", "-D", "warnings"])
        .current_dir(&root))?;
    run(Command::new("cargo").args(["nextest", "run", "--release", "--no-fail-fast"]).current_dir(&root))?;
    // Burn's wgpu backend natively, on Mesa's lavapipe: its own build of core, with `wgpu`.
    run(Command::new("cargo")
        .args(["nextest", "run", "--release", "-p", "fornax-core", "--features", "wgpu", "--test", "lavapipe"])
        .current_dir(&root))?;
    build_server()?;
    build_web()?;
    e2e(&root)?;
    // The browser benchmark's harness, run small: both peers train, the report is written.
    bench::browser::smoke()
}

/// The browser tests: node's test runner, playwright-core, Debian's chromium.
fn e2e(root: &Path) -> Result<(), String> {
    std::fs::create_dir_all(root.join("tests/artifacts")).map_err(|e| e.to_string())?;
    run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "e2e/"])
        .current_dir(root.join("tests"))
        .env("FORNAX_BIN", fornax_binary())
        .env("FORNAX_WEB", root.join("dist"))
        .env("CHROMIUM", tools::CHROMIUM))
}
