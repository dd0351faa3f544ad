//! `fornax` on folders of images: `data profile` lists classes and channel statistics,
//! a folder with unusable files stops naming each one (or leaves them out with
//! `--skip-bad`), and `train --data DIGITS.zip` then `predict --data FOLDER` answer per
//! image, as a user would run them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FORNAX: &str = env!("CARGO_BIN_EXE_fornax");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/images")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fornax-cli-images-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn fornax(args: &[&str]) -> Output {
    Command::new(FORNAX).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_folder_with_bad_files_stops_naming_each_then_skips_them_when_asked() {
    let bad = fixtures().join("bad");
    let out = fornax(&["data", "profile", bad.to_str().unwrap(), "--image-size", "4"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    for file in ["a/notes.png", "a/empty.png", "b/truncated.png", "b/bomb.png", "lonely/only.png", "loose.png"] {
        assert!(err.contains(file), "{file} should be named: {err}");
    }
    assert!(err.contains("--skip-bad"), "{err}");

    let out = fornax(&["data", "profile", bad.to_str().unwrap(), "--image-size", "4", "--skip-bad"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.starts_with("6 images in 2 classes, grey"), "{shown}");
    assert!(text(&out.stderr).contains("left out 6 files"));
}

#[test]
fn profile_shows_numpy_s_channel_statistics() {
    let colours = fixtures().join("colours");
    let out = fornax(&["data", "profile", colours.to_str().unwrap(), "--image-size", "6", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let profile: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap();
    for c in 0..3 {
        let ours = profile["profile"]["stats"]["mean"][c].as_f64().unwrap();
        let numpy = expected["colours"]["mean"][c].as_f64().unwrap();
        assert!((ours - numpy).abs() <= 1e-6, "channel {c}: {ours} vs {numpy}");
    }
    assert_eq!(profile["profile"]["channels"], 3);
}

#[test]
fn train_on_a_zip_of_digits_then_predict_a_folder_of_pictures() {
    let zip = fixtures().join("digits.zip");
    let bundle = temp("digits-images.fornax");
    let out = fornax(&[
        "train",
        "--data",
        zip.to_str().unwrap(),
        "--model",
        "cnn",
        "--image-size",
        "8",
        "--epochs",
        "15",
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let metrics: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(metrics["test"]["accuracy"].as_f64().unwrap() >= 0.9, "{metrics}");

    // A folder of pictures to predict: a few digits written out of the zip.
    let pictures = temp("to-predict");
    std::fs::create_dir_all(&pictures).unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut truth = Vec::new();
    for i in (0..archive.len()).step_by(180) {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().replace('/', "_");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        std::fs::write(pictures.join(&name), bytes).unwrap();
        truth.push((name.clone(), name.split('_').nth(1).unwrap().to_string()));
    }
    let out = fornax(&["predict", "--model", bundle.to_str().unwrap(), "--data", pictures.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap().split(',').take(3).collect::<Vec<_>>(), ["file", "prediction", "probability_0"]);
    truth.sort();
    let right = lines.zip(&truth).filter(|(line, (file, digit))| line.starts_with(&format!("{file},{digit},"))).count();
    assert!(right + 1 >= truth.len(), "{right} of {} right:\n{csv}", truth.len());

    // Rows for an image model, and a picture that is not one, are refused in words.
    let wine = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/demo/wine.csv");
    let out = fornax(&["predict", "--model", bundle.to_str().unwrap(), "--data", wine.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("wine.csv: not an image Fornax reads"), "{}", text(&out.stderr));
    let out = fornax(&["train", "--data", zip.to_str().unwrap(), "--target", "x", "--out", bundle.to_str().unwrap()]);
    assert!(text(&out.stderr).contains("classified by their folder"), "{}", text(&out.stderr));
}

#[test]
fn train_a_resnet_on_pictures_and_refuse_one_on_a_table_without_its_image() {
    let zip = fixtures().join("digits.zip");
    let bundle = temp("digits-resnet.fornax");
    let args = ["--image-size", "8", "--epochs", "10", "--out", bundle.to_str().unwrap()];
    let out = fornax(&[&["train", "--data", zip.to_str().unwrap(), "--model", "resnet"], &args[..]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let metrics: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(metrics["test"]["accuracy"].as_f64().unwrap() >= 0.8, "{metrics}");
    let pictures = temp("resnet-picture");
    std::fs::create_dir_all(&pictures).unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_index(0).unwrap(), &mut bytes).unwrap();
    std::fs::write(pictures.join("one.png"), bytes).unwrap();
    let out = fornax(&["predict", "--model", bundle.to_str().unwrap(), "--data", pictures.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let wine = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/demo/wine.csv");
    let out = fornax(&[
        "train",
        "--data",
        wine.to_str().unwrap(),
        "--target",
        "cultivar",
        "--model",
        "resnet18",
        "--out",
        "x.fornax",
    ]);
    assert!(text(&out.stderr).contains("a ResNet needs its image's height and width"), "{}", text(&out.stderr));
}

#[test]
fn train_an_efficientnet_on_pictures_and_refuse_a_mobilenet_on_a_table_without_its_image() {
    let zip = fixtures().join("digits.zip");
    let bundle = temp("digits-efficientnet.fornax");
    let args = ["--image-size", "8", "--epochs", "12", "--out", bundle.to_str().unwrap()];
    let out = fornax(&[&["train", "--data", zip.to_str().unwrap(), "--model", "efficientnet"], &args[..]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let metrics: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(metrics["test"]["accuracy"].as_f64().unwrap() >= 0.7, "{metrics}");
    let manifest = fornax_core::bundle::Bundle::from_bytes(&std::fs::read(&bundle).unwrap()).unwrap().manifest;
    assert_eq!(manifest.family(), fornax_core::model::ModelFamily::Efficientnet);
    assert_eq!(manifest.model.efficientnet.unwrap().preset_name(), Some("small"));

    let wine = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/demo/wine.csv");
    let wine = wine.to_str().unwrap();
    let out =
        fornax(&["train", "--data", wine, "--target", "cultivar", "--model", "mobilenet_v2", "--out", "x.fornax"]);
    let err = text(&out.stderr);
    assert!(err.contains("an EfficientNet needs its image's height and width"), "{err}");
    let out = fornax(&["train", "--data", wine, "--target", "cultivar", "--model", "vgg", "--out", "x.fornax"]);
    assert!(text(&out.stderr).contains("`efficientnet_b0` or `mobilenet_v2`"), "{}", text(&out.stderr));
}
