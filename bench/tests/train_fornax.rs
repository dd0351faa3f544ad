//! The training benchmark's Fornax side runs and reports what `cargo xtask bench`
//! reads: finite figures, and a split that covers every row once (the peer trains on it).

use std::process::Command;

#[test]
fn reports_finite_figures_and_a_whole_split() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures/digits/digits.csv");
    let split = std::env::temp_dir().join(format!("fornax-bench-split-{}.json", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_train-fornax"))
        .args(["--data", data, "--target", "digit", "--hidden", "32", "--epochs", "3"])
        .args(["--batch-size", "64", "--learning-rate", "0.001", "--split-out"])
        .arg(&split)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["epochs"], 3);
    for key in ["samples_per_second", "first_epoch_seconds"] {
        let value = report[key].as_f64().unwrap();
        assert!(value.is_finite() && value > 0.0, "{key}: {value}");
    }
    // Three epochs of a small MLP already beat guessing among ten digits by far.
    assert!(report["test_accuracy"].as_f64().unwrap() > 0.5, "{report}");

    let split: serde_json::Value = serde_json::from_slice(&std::fs::read(&split).unwrap()).unwrap();
    let mut rows: Vec<u64> = ["train", "valid", "test"]
        .iter()
        .flat_map(|part| split[part].as_array().unwrap().iter().map(|r| r.as_u64().unwrap()))
        .collect();
    rows.sort_unstable();
    assert_eq!(rows, (0..1797).collect::<Vec<u64>>());

    let output = Command::new(env!("CARGO_BIN_EXE_train-fornax"))
        .args(["--data", data, "--target", "digit", "--hidden", "32", "--epochs", "1"])
        .args(["--batch-size", "64", "--learning-rate", "0.001", "--split-out", "/dev/null"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 2 epochs"));
}
