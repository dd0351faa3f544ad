//! `fornax` on the command line: bad inputs exit non-zero with a message naming the
//! problem and its place; good ones write a bundle and the metrics JSON contract.

use std::path::PathBuf;
use std::process::Command;

const FORNAX: &str = env!("CARGO_BIN_EXE_fornax");

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fornax-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `fornax train` on a CSV with the given contents; returns (success, stderr).
fn train_on(name: &str, csv: &[u8], target: &str) -> (bool, String) {
    let data = temp(name);
    std::fs::write(&data, csv).unwrap();
    let out = temp(&format!("{name}.fornax"));
    let output = Command::new(FORNAX)
        .args(["train", "--target", target, "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!out.exists() || output.status.success(), "a failed run must not leave a bundle");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn bad_csvs_are_explained() {
    let (ok, err) = train_on("ragged.csv", b"a,b\n1,x\n2\n", "b");
    assert!(!ok);
    assert!(err.contains("line 3: this row has 1 field but the header has 2"), "{err}");

    let (ok, err) = train_on("latin1.csv", b"a,b\n1,x\n2,caf\xe9\n", "b");
    assert!(!ok);
    assert!(err.contains("line 3: the file is not UTF-8"), "{err}");

    let (ok, err) = train_on("empty.csv", b"", "b");
    assert!(!ok);
    assert!(err.contains("the file is empty"), "{err}");

    let (ok, err) = train_on("notarget.csv", b"a,b\n1,x\n", "label");
    assert!(!ok);
    assert!(err.contains("column `label` does not exist; the columns are: a, b"), "{err}");

    let mut one_class = b"a,b\n".to_vec();
    for i in 0..40 {
        one_class.extend_from_slice(format!("{i},only\n").as_bytes());
    }
    let (ok, err) = train_on("oneclass.csv", &one_class, "b");
    assert!(!ok);
    assert!(err.contains("target `b` has only one class (`only`)"), "{err}");
}

#[test]
fn train_writes_the_metrics_contract() {
    let wine = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public/demo/wine.csv");
    let (bundle, metrics) = (temp("wine.fornax"), temp("metrics.json"));
    let status = Command::new(FORNAX)
        .args(["train", "--target", "cultivar", "--epochs", "40", "--data"])
        .arg(&wine)
        .arg("--out")
        .arg(&bundle)
        .arg("--metrics-json")
        .arg(&metrics)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&metrics).unwrap()).unwrap();
    assert_eq!(m["task"], "classification");
    for key in ["accuracy", "f1_macro", "precision_macro", "recall_macro"] {
        let (test, baseline) = (m["test"][key].as_f64().unwrap(), m["baseline"][key].as_f64().unwrap());
        assert!((0.0..=1.0).contains(&test) && (0.0..=1.0).contains(&baseline), "{key}");
    }
    assert!(m["epochs_run"].as_u64().unwrap() >= 1);

    let corrupt = temp("corrupt.fornax");
    let mut bytes = std::fs::read(&bundle).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&corrupt, bytes).unwrap();
    let output =
        Command::new(FORNAX).args(["predict", "--model"]).arg(&corrupt).arg("--data").arg(&wine).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("the bundle is corrupt"));
}

#[test]
fn the_config_the_tab_exports_drives_the_cli() {
    let wine = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public/demo/wine.csv");
    let run = |name: &str, config: &str| {
        let path = temp(name);
        std::fs::write(&path, config).unwrap();
        Command::new(FORNAX)
            .args(["train", "--target", "cultivar", "--data"])
            .arg(&wine)
            .arg("--config")
            .arg(&path)
            .arg("--out")
            .arg(temp(&format!("{name}.fornax")))
            .output()
            .unwrap()
    };
    let output = run(
        "sgd.json",
        r#"{"epochs": 40, "learning_rate": 0.05, "optimizer": {"kind": "sgd", "momentum": 0.9, "nesterov": true},
            "schedule": {"kind": "warmup_cosine", "warmup_epochs": 4, "start_factor": 0.1, "eta_min": 0},
            "dropout": [0.1], "batch_norm": true}"#,
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let m: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(m["test"]["accuracy"].as_f64().unwrap() >= 0.85, "{m}");
    assert_eq!(m["test"]["confusion"].as_array().unwrap().len(), 3);

    let output = run("typo.json", r#"{"epochs": 5, "learning_rat": 0.1}"#);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown field `learning_rat`"));
    let output = run("zero.json", r#"{"learning_rate": 0}"#);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("learning_rate must be a positive number, got 0"));
}

/// Ctrl-C stops a run with its last epoch's checkpoint on disk; `--resume` finishes it
/// with the model the uninterrupted run makes (same test metrics, same predictions).
#[test]
fn ctrl_c_then_resume_finishes_the_run_it_stopped() {
    let digits = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/digits/digits.csv");
    let config = temp("long.json");
    std::fs::write(&config, r#"{"epochs": 400, "hidden": [64], "early_stopping": {"patience": 0}}"#).unwrap();
    let train = |out: &PathBuf| {
        let mut command = Command::new(FORNAX);
        command.args(["train", "--data"]).arg(&digits).arg("--out").arg(out);
        command
    };
    let fresh = |out: &PathBuf| {
        let mut command = train(out);
        command.args(["--target", "digit", "--config"]).arg(&config);
        command
    };

    let stopped = temp("stopped.fornax");
    let checkpoint = temp("stopped.fornax.ckpt");
    let mut child =
        fresh(&stopped).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let waited = std::time::Instant::now();
    while !checkpoint.exists() {
        assert!(waited.elapsed().as_secs() < 120, "no checkpoint appeared");
        assert!(child.try_wait().unwrap().is_none(), "the run ended before its first checkpoint");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && !stopped.exists(), "{stderr}");
    assert!(stderr.contains("stopped; the checkpoint at") && stderr.contains("--resume"), "{stderr}");

    // A damaged checkpoint is refused by name and left as it was.
    let bytes = std::fs::read(&checkpoint).unwrap();
    let damaged = temp("damaged.ckpt");
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    std::fs::write(&damaged, &flipped).unwrap();
    let output = train(&stopped).arg("--resume").arg(&damaged).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("checkpoint: it is corrupt"), "{stderr}");
    assert_eq!(std::fs::read(&damaged).unwrap(), flipped);

    let output = train(&stopped).arg("--resume").arg(&checkpoint).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("resuming"));
    assert!(!checkpoint.exists(), "a finished run removes its checkpoint");
    let resumed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let whole = temp("whole.fornax");
    let output = fresh(&whole).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let uninterrupted: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(resumed, uninterrupted);
    let predict = |model: &PathBuf| {
        let output = Command::new(FORNAX).args(["predict", "--model"]).arg(model).arg("--data").arg(&digits).output();
        output.unwrap().stdout
    };
    assert_eq!(predict(&stopped), predict(&whole));
}

/// `fornax data profile` and `fornax data clean` on the penguins fixture: the cleaned
/// file has the steps' effect, a bad recipe names its problem and writes nothing, and
/// a formula-like cell comes out escaped.
#[test]
fn data_profile_and_clean() {
    let penguins = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures/peer/penguins.csv");
    let profile =
        Command::new(FORNAX).args(["data", "profile", penguins, "--target", "species", "--json"]).output().unwrap();
    assert!(profile.status.success());
    let json: serde_json::Value = serde_json::from_slice(&profile.stdout).unwrap();
    assert_eq!(json["rows"], 344);
    assert_eq!(json["columns"][6]["missing"], 11, "sex has 11 missing values");

    let recipe = temp("recipe.json");
    std::fs::write(
        &recipe,
        r#"{"steps": [{"step": "fill_missing", "column": "sex", "with": "mode"},
                      {"step": "drop_missing", "columns": []},
                      {"step": "drop_columns", "columns": ["year"]}]}"#,
    )
    .unwrap();
    let out = temp("clean.csv");
    let clean = Command::new(FORNAX)
        .args(["data", "clean", penguins, "--recipe"])
        .arg(&recipe)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n"));
    // Two rows have no measurements at all; every other row is kept, none with a gap.
    assert_eq!(text.lines().count(), 1 + 342);
    assert!(!text.contains(",,") && !text.contains(",\n"));

    std::fs::write(&recipe, r#"{"steps": [{"step": "fill_missing", "column": "beak", "with": "mean"}]}"#).unwrap();
    let bad_out = temp("not-written.csv");
    let bad = Command::new(FORNAX)
        .args(["data", "clean", penguins, "--recipe"])
        .arg(&recipe)
        .arg("--out")
        .arg(&bad_out)
        .output()
        .unwrap();
    assert!(!bad.status.success() && !bad_out.exists());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("column `beak` does not exist"));

    let formula = temp("formula.csv");
    std::fs::write(&formula, "a,b\n1,=cmd|' /C calc'!A0\n2,ok\n").unwrap();
    std::fs::write(&recipe, r#"{"steps": []}"#).unwrap();
    let escaped = temp("escaped.csv");
    assert!(
        Command::new(FORNAX)
            .args(["data", "clean"])
            .arg(&formula)
            .arg("--recipe")
            .arg(&recipe)
            .arg("--out")
            .arg(&escaped)
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(std::fs::read_to_string(&escaped).unwrap(), "a,b\n1,'=cmd|' /C calc'!A0\n2,ok\n");
}

#[test]
fn data_commands_skip_ragged_rows_and_read_extra_missing_markers_when_asked() {
    let ragged = temp("ragged-skip.csv");
    std::fs::write(&ragged, "a,b\n1,x\n2\n-999,y\n4,z,extra\n5,w\n").unwrap();
    let profile = |extra: &[&str]| {
        Command::new(FORNAX).args(["data", "profile", "--json"]).args(extra).arg(&ragged).output().unwrap()
    };
    let stopped = profile(&[]);
    assert!(!stopped.status.success());
    assert!(String::from_utf8_lossy(&stopped.stderr).contains("line 3: this row has 1 field but the header has 2"));
    let skipped = profile(&["--skip-ragged"]);
    assert!(skipped.status.success());
    let stderr = String::from_utf8_lossy(&skipped.stderr);
    assert!(
        stderr.contains("left out 2 rows (lines 3 and 5) have a field count other than the header's 2"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&skipped.stdout).unwrap();
    assert_eq!(json["rows"], 3);

    let recipe = temp("markers.json");
    std::fs::write(&recipe, r#"{"steps": [{"step": "missing_markers", "markers": ["-999"]}, {"step": "fill_missing", "column": "a", "with": "mean"}]}"#).unwrap();
    let out = temp("markers.csv");
    let clean = Command::new(FORNAX)
        .args(["data", "clean", "--skip-ragged", "--recipe"])
        .arg(&recipe)
        .arg("--out")
        .arg(&out)
        .arg(&ragged)
        .output()
        .unwrap();
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    // -999 is missing, then filled with the mean of 1 and 5.
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "a,b\n1,x\n3,y\n5,w\n");
}
