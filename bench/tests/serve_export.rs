//! The serving benchmark's export: the JSON `serve-export` writes, evaluated by hand
//! (standardize, dense layers, ReLU, softmax), gives Fornax's own probabilities, so
//! the peer built from it serves the same model.

use std::process::Command;

use fornax_core::bundle::Bundle;
use fornax_core::data::{Dataset, Table};
use fornax_core::predict::{Prediction, Predictor};
use fornax_core::train::{Quiet, TrainConfig, train};

/// `x` (one row) through the exported network.
fn forward(spec: &serde_json::Value, row: &[f64]) -> Vec<f64> {
    let mut x: Vec<f64> = spec["features"]
        .as_array()
        .unwrap()
        .iter()
        .zip(row)
        .map(|(f, v)| (v - f["mean"].as_f64().unwrap()) / f["std"].as_f64().unwrap())
        .collect();
    let layers = spec["layers"].as_array().unwrap();
    for (i, layer) in layers.iter().enumerate() {
        let (inputs, outputs) =
            (layer["inputs"].as_u64().unwrap() as usize, layer["outputs"].as_u64().unwrap() as usize);
        let weight: Vec<f64> = layer["weight"].as_array().unwrap().iter().map(|w| w.as_f64().unwrap()).collect();
        let bias = layer["bias"].as_array().unwrap();
        x = (0..outputs)
            .map(|o| {
                let sum: f64 =
                    (0..inputs).map(|k| x[k] * weight[k * outputs + o]).sum::<f64>() + bias[o].as_f64().unwrap();
                if i + 1 < layers.len() { sum.max(0.0) } else { sum }
            })
            .collect();
    }
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = x.iter().map(|v| (v - max).exp()).sum();
    x.iter().map(|v| (v - max).exp() / total).collect()
}

#[test]
fn the_exported_network_gives_fornax_probabilities() {
    let csv = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/demo/wine.csv")).unwrap();
    let table = Table::from_csv_bytes(&csv).unwrap();
    let config = TrainConfig { epochs: 5, hidden: vec![16, 8], ..TrainConfig::default() };
    let outcome = pollster::block_on(train(
        &fornax_core::device::cpu(),
        Dataset::Tabular(&table),
        "cultivar",
        None,
        &config,
        &mut Quiet,
    ))
    .unwrap();
    let dir = std::env::temp_dir().join(format!("fornax-serve-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("wine.fornax"), outcome.bundle.to_bytes()).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_serve-export"))
        .arg("--model")
        .arg(dir.join("wine.fornax"))
        .arg("--out")
        .arg(dir.join("wine.json"))
        .status()
        .unwrap();
    assert!(status.success());
    let spec: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("wine.json")).unwrap()).unwrap();
    assert_eq!(spec["layers"].as_array().unwrap().len(), 3);

    let bundle = Bundle::from_bytes(&std::fs::read(dir.join("wine.fornax")).unwrap()).unwrap();
    let predictions = pollster::block_on(Predictor::new(&bundle).unwrap().predict_table(&table)).unwrap();
    let names: Vec<String> =
        spec["features"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_string()).collect();
    for (row, prediction) in predictions.iter().enumerate().take(40) {
        let values: Vec<f64> = names
            .iter()
            .map(|n| match table.column(n).unwrap().cell(row) {
                fornax_core::data::Cell::Number(x) => x,
                other => panic!("{other:?}"),
            })
            .collect();
        let ours = forward(&spec, &values);
        let Prediction::Class { probabilities, .. } = prediction else { panic!() };
        for (class, p) in spec["classes"].as_array().unwrap().iter().zip(&ours) {
            let fornax = probabilities[class.as_str().unwrap()];
            assert!((fornax - p).abs() < 1e-5, "row {row}: {fornax} vs {p}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
