//! Image datasets end to end, against the fixtures `fixtures/images/make_images.py`
//! wrote with NumPy and Pillow: every mode and format decodes, the per-channel
//! statistics equal NumPy's, every unusable file is listed with its reason, and
//! scikit-learn's digits as a zip of PNG folders train a CNN, a ResNet, an EfficientNet, a
//! MobileNetV2 and a custom network
//! through the one `train`, whose bundle predicts pictures as the trained model did.

use std::path::Path;

use fornax_core::bundle::Bundle;
use fornax_core::data::images::{Aspect, ImageOptions, ImageProfile, Imported, SizeBin, decode, import, zip_files};
use fornax_core::data::{DataKind, Dataset};
use fornax_core::model::ModelFamily;
use fornax_core::predict::{Prediction, Predictor};
use fornax_core::train::{Quiet, TrainConfig, TrainOutcome};
use fornax_core::{Result, device};
use futures_lite::future::block_on;
use serde_json::Value;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap()
}

/// Every file under `dir` with its `/`-separated path below it, as a folder picker gives them.
fn folder(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

fn import_at(files: Vec<(String, Vec<u8>)>, side: u32) -> Result<Imported> {
    import(files, ImageOptions { side, aspect: Aspect::CenterCrop }, &mut |_, _| {})
}

#[test]
fn channel_statistics_equal_numpy_over_every_mode_and_format() {
    let imported = import_at(folder(&fixtures().join("colours")), 6).unwrap();
    assert!(imported.bad.is_empty(), "{:?}", imported.bad);
    let set = &imported.set;
    assert_eq!((set.items.len(), set.channels, set.classes.clone()), (8, 3, vec!["cool".into(), "warm".into()]));
    let profile = ImageProfile::new(set);
    let numpy = &expected()["colours"];
    for c in 0..3 {
        let (mean, std) = (numpy["mean"][c].as_f64().unwrap(), numpy["std"][c].as_f64().unwrap());
        assert!(
            (profile.stats.mean[c] - mean).abs() <= 1e-6,
            "channel {c} mean {} vs NumPy {mean}",
            profile.stats.mean[c]
        );
        assert!((profile.stats.std[c] - std).abs() <= 1e-6, "channel {c} std {} vs NumPy {std}", profile.stats.std[c]);
    }
    assert_eq!(profile.sizes, [6, 6, 6, 6]);
    assert_eq!(profile.size_histogram, [SizeBin { low: 6, high: 6, images: profile.images }]);
}

#[test]
fn a_jpeg_decodes_as_pillow_decodes_it() {
    let photo = decode(&std::fs::read(fixtures().join("photo.jpg")).unwrap()).unwrap();
    assert_eq!((photo.width, photo.height, photo.channels), (16, 12, 3));
    let pillow = &expected()["photo"]["mean"];
    for c in 0..3 {
        let mean = photo.pixels.iter().skip(c).step_by(3).map(|&v| v as f64 / 255.0).sum::<f64>() / (16.0 * 12.0);
        let reference = pillow[c].as_f64().unwrap();
        // Two JPEG decoders may round a level apart here and there; the mean stays close.
        assert!((mean - reference).abs() < 2.0 / 255.0, "channel {c}: {mean} vs Pillow's {reference}");
    }
}

#[test]
fn every_unusable_file_is_listed_with_its_reason_and_the_rest_kept() {
    let imported = import_at(folder(&fixtures().join("bad")), 4).unwrap();
    let expected = expected();
    let reasons = expected["bad"].as_object().unwrap();
    let listed: Vec<&str> = imported.bad.iter().map(|b| b.file.as_str()).collect();
    let mut wanted: Vec<&str> = reasons.keys().map(String::as_str).collect();
    wanted.sort_unstable();
    assert_eq!(listed, wanted, "the .DS_Store is passed over, every bad file listed");
    for bad in &imported.bad {
        let reason = reasons[&bad.file].as_str().unwrap();
        assert!(bad.reason.contains(reason), "{}: `{}` should say `{reason}`", bad.file, bad.reason);
    }
    assert_eq!(imported.set.classes, ["a", "b"]);
    assert_eq!(imported.set.items.len(), 6, "the good images of both classes are kept");
}

#[test]
fn a_folder_without_two_classes_is_refused_in_words() {
    let one_class: Vec<_> =
        folder(&fixtures().join("bad")).into_iter().filter(|(p, _)| p.starts_with("a/good")).collect();
    let err = import_at(one_class, 4).unwrap_err().to_string();
    assert!(err.contains("at least 2 classes"), "{err}");
    let err = import_at(Vec::new(), 4).unwrap_err().to_string();
    assert!(err.contains("no files"), "{err}");
    let err = zip_files(b"PK\x03\x04 not really").unwrap_err().to_string();
    assert!(err.contains(".zip cannot be read"), "{err}");
}

fn digits() -> Imported {
    let files = zip_files(&std::fs::read(fixtures().join("digits.zip")).unwrap()).unwrap();
    import_at(files, 8).unwrap()
}

fn train(set: &fornax_core::data::images::ImageSet, config: &str) -> TrainOutcome {
    let config: TrainConfig = serde_json::from_str(config).unwrap();
    block_on(fornax_core::train::train(&device::cpu(), Dataset::Images(set), "class", None, &config, &mut Quiet))
        .unwrap()
}

#[test]
fn digits_as_png_folders_train_a_cnn_whose_bundle_predicts_pictures() {
    let Imported { set, bad } = digits();
    assert!(bad.is_empty());
    let counts = expected()["digits_counts"].clone();
    let profile = ImageProfile::new(&set);
    for (class, n) in &profile.classes {
        assert_eq!(counts[class].as_u64(), Some(*n as u64), "class {class}");
    }
    assert_eq!(set.channels, 1);

    // The CNN's image size comes from the data: 8x8 here.
    let outcome = train(&set, r#"{"epochs": 20, "hidden": [64], "conv": {"image": [0, 0], "channels": [8, 16]}}"#);
    let manifest = &outcome.bundle.manifest;
    assert_eq!((manifest.data_kind, manifest.family()), (DataKind::Images, ModelFamily::Cnn));
    assert_eq!(manifest.model.conv.as_ref().unwrap().image, [8, 8]);
    assert!(outcome.metrics.headline() >= 0.9, "test accuracy {}", outcome.metrics.headline());
    assert!(outcome.metrics.headline() >= outcome.baseline.headline() - 0.05);

    let loaded = Bundle::from_bytes(&outcome.bundle.to_bytes()).unwrap();
    assert_eq!(loaded.manifest, *manifest);
    let files = zip_files(&std::fs::read(fixtures().join("digits.zip")).unwrap()).unwrap();
    let pictures: Vec<_> = files.iter().take(40).map(|(_, bytes)| decode(bytes).unwrap()).collect();
    let predictor = Predictor::new(&loaded).unwrap();
    let predictions = block_on(predictor.predict_pictures(&pictures)).unwrap();
    let right = files
        .iter()
        .zip(&predictions)
        .filter(|((path, _), p)| matches!(p, Prediction::Class { label, .. } if path.split('/').nth(1) == Some(label)))
        .count();
    assert!(right >= 36, "{right} of 40 pictures predicted as their folder");
    let again = block_on(Predictor::new(&outcome.bundle).unwrap().predict_pictures(&pictures)).unwrap();
    assert_eq!(predictions, again, "the loaded bundle answers as the trained model");

    // A table model refuses pictures and an image model refuses rows, each saying so.
    let err = block_on(predictor.predict_json(&[Value::Null])).unwrap_err().to_string();
    assert!(err.contains("reads images, not table rows"), "{err}");
}

#[test]
fn a_custom_network_on_images_gets_its_image_block_from_the_data() {
    let Imported { set, .. } = digits();
    let outcome = train(
        &set,
        r#"{"epochs": 15, "hidden": [], "network": [
            {"block": "conv2d", "channels": 8, "kernel": 3}, {"block": "activation", "function": "relu"},
            {"block": "max_pool2d", "size": 2}, {"block": "flatten"}, {"block": "linear", "units": 32},
            {"block": "activation", "function": "relu"}]}"#,
    );
    let blocks = outcome.bundle.manifest.model.network.as_ref().unwrap();
    assert_eq!(blocks[0].describe(), "image 8x8");
    assert!(outcome.metrics.headline() >= 0.9, "test accuracy {}", outcome.metrics.headline());
}

#[test]
fn a_resnet_takes_its_image_size_from_the_data_and_its_bundle_predicts_as_it_trained() {
    let Imported { set, .. } = digits();
    let outcome = train(
        &set,
        r#"{"epochs": 12, "hidden": [], "resnet": {"image": [0, 0], "widths": [8, 16], "depths": [1, 1]}}"#,
    );
    let model = &outcome.bundle.manifest.model;
    assert_eq!(outcome.bundle.manifest.family(), ModelFamily::Resnet);
    assert_eq!(model.resnet.as_ref().unwrap().image, [8, 8]);
    // conv 1->8 (72) + bn 16; block 8->8: 2 * 576 + 32; block 8->16 /2: 1152 + 2304 + 64 + 160;
    // Linear(16, 10): 170.
    assert_eq!(model.parameters(), Some(72 + 16 + 1184 + 3680 + 170));
    assert!(outcome.metrics.headline() >= 0.85, "test accuracy {}", outcome.metrics.headline());

    // The batch norms' running statistics travel in the bundle: the loaded model answers
    // exactly as the trained one.
    let loaded = Bundle::from_bytes(&outcome.bundle.to_bytes()).unwrap();
    let files = zip_files(&std::fs::read(fixtures().join("digits.zip")).unwrap()).unwrap();
    let pictures: Vec<_> = files.iter().take(20).map(|(_, bytes)| decode(bytes).unwrap()).collect();
    let trained = block_on(Predictor::new(&outcome.bundle).unwrap().predict_pictures(&pictures)).unwrap();
    let again = block_on(Predictor::new(&loaded).unwrap().predict_pictures(&pictures)).unwrap();
    assert_eq!(trained, again);
}

#[test]
fn an_efficientnet_and_a_mobilenet_train_on_pictures_and_their_bundles_predict_as_they_trained() {
    let Imported { set, .. } = digits();
    let files = zip_files(&std::fs::read(fixtures().join("digits.zip")).unwrap()).unwrap();
    let pictures: Vec<_> = files.iter().take(20).map(|(_, bytes)| decode(bytes).unwrap()).collect();
    for (layout, squeeze) in [("b0", true), ("mobilenet_v2", false)] {
        let config = format!(
            r#"{{"epochs": 15, "hidden": [], "learning_rate": 0.003,
                "efficientnet": {{"image": [0, 0], "layout": "{layout}", "width": 0.25, "depth": 0.25}}}}"#
        );
        let outcome = train(&set, &config);
        let model = &outcome.bundle.manifest.model;
        assert_eq!(outcome.bundle.manifest.family(), ModelFamily::Efficientnet);
        assert_eq!(model.efficientnet.as_ref().unwrap().image, [8, 8]);
        let blocks = model.blocks().unwrap();
        let mb_convs: Vec<_> = blocks.iter().filter(|b| b.name() == "mb_conv").collect();
        assert_eq!(mb_convs.len(), 7, "{layout}: one block per stage at a quarter of the depth");
        assert!(mb_convs.iter().all(|b| b.describe().contains("squeeze-excite") == squeeze), "{layout}");
        assert!(outcome.metrics.headline() >= 0.8, "{layout}: test accuracy {}", outcome.metrics.headline());

        let loaded = Bundle::from_bytes(&outcome.bundle.to_bytes()).unwrap();
        let trained = block_on(Predictor::new(&outcome.bundle).unwrap().predict_pictures(&pictures)).unwrap();
        let again = block_on(Predictor::new(&loaded).unwrap().predict_pictures(&pictures)).unwrap();
        assert_eq!(trained, again, "{layout}");
    }
}

#[test]
fn colour_pictures_train_a_cnn_over_three_channels() {
    let Imported { set, .. } = import_at(folder(&fixtures().join("colours")), 6).unwrap();
    let outcome = train(&set, r#"{"epochs": 2, "hidden": [], "conv": {"image": [0, 0], "channels": [4]}}"#);
    let model = &outcome.bundle.manifest.model;
    assert_eq!(model.inputs, 3 * 6 * 6);
    // PyTorch: Conv2d(3, 4, 3) has 4*27 + 4 = 112; Linear(4*3*3, 2) has 36*2 + 2 = 74.
    assert_eq!(model.parameters(), Some(112 + 74));
    let loaded = Bundle::from_bytes(&outcome.bundle.to_bytes()).unwrap();
    let grey = decode(&std::fs::read(fixtures().join("colours/cool/0.png")).unwrap()).unwrap();
    assert_eq!(grey.channels, 1, "a grey picture is read as grey, then repeated to RGB for this model");
    let answer = block_on(Predictor::new(&loaded).unwrap().predict_pictures(&[grey])).unwrap();
    assert!(matches!(&answer[0], Prediction::Class { probabilities, .. } if probabilities.len() == 2));
}

#[test]
fn test_images_brighter_than_the_training_ones_are_flagged_and_a_fair_split_is_not() {
    use fornax_core::data::images::SplitStats;
    let Imported { mut set, .. } = digits();
    let split = fornax_core::train::image_split(&set, &TrainConfig::default());
    let fair = SplitStats::new(&set, &split.train, &split.test);
    assert_eq!(fair.shifted, Vec::<usize>::new(), "{fair:?}");
    assert!((fair.train.mean[0] - fair.test.mean[0]).abs() < 0.02);

    // Every test picture made brighter by 40 levels of 255, as a different camera might.
    let n = set.values();
    for &i in &split.test {
        for v in &mut set.pixels[i * n..(i + 1) * n] {
            *v = v.saturating_add(40);
        }
    }
    let shifted = SplitStats::new(&set, &split.train, &split.test);
    assert_eq!(shifted.shifted, vec![0]);
    assert!(shifted.test.mean[0] > shifted.train.mean[0] + 0.1);
    // The training side is the same images, untouched.
    assert_eq!(shifted.train, fair.train);
}
