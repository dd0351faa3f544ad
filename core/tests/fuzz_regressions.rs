//! Every input that ever broke an invariant under a fuzzer (or that we wrote by hand to
//! pin a hostile case), replayed through the same checks the fuzz targets run
//! (`fornax_core::invariants`). Inputs live in `core/tests/fuzz-regressions/TARGET/`;
//! `cargo xtask fuzz` copies a new crash there after minimizing it.

use std::path::Path;

use fornax_core::invariants;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions").join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{} has no inputs", dir.display());
    for input in inputs {
        let bytes = std::fs::read(&input).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        assert!(outcome.is_ok(), "{} breaks an invariant of `{target}`", input.display());
    }
}

#[test]
fn csv_import() {
    replay("csv_import", invariants::csv_import);
}

#[test]
fn recipe_json() {
    replay("recipe_json", invariants::recipe_json);
}

#[test]
fn bundle_load() {
    replay("bundle_load", invariants::bundle_load);
}

#[test]
fn predict_body() {
    replay("predict_body", invariants::predict_body);
}

#[test]
fn project_import() {
    replay("project_import", invariants::project_import);
}

#[test]
fn image_import() {
    replay("image_import", invariants::image_import);
}
