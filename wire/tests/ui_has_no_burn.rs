//! The UI's Wasm stays small because it carries no Burn: training lives in the worker.
//! This reads the UI crate's dependency tree for the browser (the one its Wasm is built
//! from) and fails on any crate of Burn or of CubeCL, Burn's GPU kernels.

use std::process::Command;

/// The crates `cargo tree` lists for `package` built for the browser, normal dependencies only.
fn browser_dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["tree", "--offline", "-p", package, "--target", "wasm32-unknown-unknown"])
        .args(["-e", "normal", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)
        .expect("cargo tree writes UTF-8")
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

fn is_burn(name: &str) -> bool {
    name == "burn" || name.starts_with("burn-") || name.starts_with("cubecl") || name.starts_with("cubek")
}

#[test]
fn the_ui_crate_depends_on_no_burn() {
    let ui = browser_dependencies("fornax-app");
    assert!(ui.iter().any(|c| c == "fornax-wire"), "the UI reads the wire types: {ui:?}");
    let burn: Vec<_> = ui.iter().filter(|c| is_burn(c)).collect();
    assert!(burn.is_empty(), "the UI's Wasm would carry Burn through: {burn:?}");
}

#[test]
fn the_worker_has_burn_and_no_ui() {
    // The same check, the other way round, so a broken `cargo tree` cannot pass the test above.
    let worker = browser_dependencies("fornax-worker");
    assert!(worker.iter().any(|c| c == "burn"), "the worker trains with Burn: {worker:?}");
    assert!(!worker.iter().any(|c| c == "fornax-app" || c == "leptos"), "the worker depends on the UI: {worker:?}");
}
