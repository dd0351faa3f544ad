//! Image augmentation: each step against what torchvision (and the Pillow it calls on
//! PIL images) makes of the same picture (`fixtures/images/make_augment.py`), and a
//! run with augmentation switched on: its recipe records it, the same seed trains the
//! same model, and prediction is untouched by it.

use std::path::Path;

use fornax_core::data::Dataset;
use fornax_core::data::images::{ImageOptions, import, zip_files};
use fornax_core::recipe::{
    CropBox, Drawn, Preprocessing, adjust_brightness, adjust_contrast, apply_drawn, resized_crop, rotate,
};
use fornax_core::train::{Quiet, TrainConfig, TrainOutcome};
use fornax_core::{Error, device};
use futures_lite::future::block_on;
use serde_json::Value;

fn fixture() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/augment.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect()
}

#[test]
fn every_step_equals_torchvision_on_the_same_picture() {
    let doc = fixture();
    let side = doc["side"].as_u64().unwrap() as usize;
    let image = floats(&doc["image"]);
    let plane = side * side;
    let per_plane = |step: &dyn Fn(&[f32]) -> Vec<f32>| image.chunks_exact(plane).flat_map(step).collect::<Vec<_>>();
    for case in doc["cases"].as_array().unwrap() {
        let expected = floats(&case["out"]);
        let factor = case["factor"].as_f64().unwrap_or(1.0);
        let ours = match case["step"].as_str().unwrap() {
            "rotate" => per_plane(&|p| rotate(p, side, case["degrees"].as_f64().unwrap())),
            "crop" => {
                let c: Vec<usize> =
                    case["crop"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
                per_plane(&|p| resized_crop(p, side, CropBox { top: c[0], left: c[1], height: c[2], width: c[3] }))
            }
            step @ ("flip_horizontal" | "flip_vertical") => {
                let drawn = Drawn {
                    crop: None,
                    flip_horizontal: step == "flip_horizontal",
                    flip_vertical: step == "flip_vertical",
                    degrees: 0.0,
                    brightness: 1.0,
                    contrast: 1.0,
                };
                let mut out = image.clone();
                apply_drawn(&drawn, &mut out, 3, side);
                out
            }
            "brightness" => {
                let mut out = image.clone();
                adjust_brightness(&mut out, factor);
                out
            }
            "contrast" => {
                let mut out = image.clone();
                adjust_contrast(&mut out, 3, factor);
                out
            }
            "contrast_grey" => {
                let mut out = image[..plane].to_vec();
                adjust_contrast(&mut out, 1, factor);
                out
            }
            other => panic!("unknown step {other}"),
        };
        assert_eq!(ours.len(), expected.len(), "{case:?}");
        let worst = ours.iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(
            worst <= 1e-5,
            "{} {}: max abs diff {worst}",
            case["step"],
            case.get("degrees").or(case.get("crop")).unwrap_or(&Value::Null)
        );
    }
}

fn digits() -> fornax_core::data::images::ImageSet {
    let zip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/digits.zip");
    let files = zip_files(&std::fs::read(zip).unwrap()).unwrap();
    import(files, ImageOptions { side: 8, ..ImageOptions::default() }, &mut |_, _| {}).unwrap().set
}

fn train(set: &fornax_core::data::images::ImageSet, config: &str) -> fornax_core::Result<TrainOutcome> {
    let config: TrainConfig = serde_json::from_str(config).unwrap();
    block_on(fornax_core::train::train(&device::cpu(), Dataset::Images(set), "class", None, &config, &mut Quiet))
}

#[test]
fn a_run_with_augmentation_records_it_and_repeats_with_its_seed() {
    let set = digits();
    let config = r#"{"epochs": 12, "hidden": [64], "conv": {"image": [0, 0], "channels": [8, 16]},
        "augment": {"rotation": 10, "crop_scale": [0.8, 1.0], "brightness": 0.2, "contrast": 0.2}}"#;
    let outcome = train(&set, config).unwrap();
    let Preprocessing::Images(recipe) = &outcome.bundle.manifest.preprocessing else { panic!("an image recipe") };
    assert_eq!(recipe.augment.rotation, 10.0);
    assert_eq!(recipe.augment.crop_scale, Some([0.8, 1.0]));
    assert!(outcome.metrics.headline() >= 0.85, "test accuracy {}", outcome.metrics.headline());
    let again = train(&set, config).unwrap();
    assert_eq!(again.metrics, outcome.metrics, "the same seed draws the same augmentations");

    let plain =
        train(&set, r#"{"epochs": 12, "hidden": [64], "conv": {"image": [0, 0], "channels": [8, 16]}}"#).unwrap();
    assert_ne!(plain.metrics, outcome.metrics, "augmentation changed what the model saw");
    let Preprocessing::Images(plain_recipe) = &plain.bundle.manifest.preprocessing else { panic!("an image recipe") };
    assert!(plain_recipe.augment.is_none());
    let manifest = serde_json::to_value(&plain.bundle.manifest).unwrap();
    assert!(manifest["image_recipe"].get("augment").is_none(), "a bundle without augmentation reads as before");

    let err = train(&set, r#"{"epochs": 2, "augment": {"rotation": 400}}"#).unwrap_err();
    assert!(matches!(&err, Error::InvalidConfig(m) if m.contains("rotation")), "{err}");
}
