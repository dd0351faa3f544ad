//! The custom family end to end: a network stacked block by block from the config JSON
//! trains through the one `train`, its bundle loads and predicts what the trained model
//! did, and a block that does not fit stops the run naming it.

use fornax_core::bundle::Bundle;
use fornax_core::data::{Dataset, Table};
use fornax_core::model::ModelFamily;
use fornax_core::predict::Predictor;
use fornax_core::train::{Quiet, TrainConfig, TrainOutcome};
use fornax_core::{Result, device};
use futures_lite::future::block_on;

const WINE: &[u8] = include_bytes!("../../public/demo/wine.csv");
const DIGITS: &[u8] = include_bytes!("fixtures/digits/digits.csv");

fn train(csv: &[u8], target: &str, config: &str) -> Result<TrainOutcome> {
    let table = Table::from_csv_bytes(csv).unwrap();
    let config: TrainConfig = serde_json::from_str(config).unwrap();
    block_on(fornax_core::train::train(&device::cpu(), Dataset::Tabular(&table), target, None, &config, &mut Quiet))
}

#[test]
fn a_residual_dense_network_learns_wine_and_its_bundle_predicts_the_same() {
    let outcome = train(
        WINE,
        "cultivar",
        r#"{"epochs": 60, "hidden": [], "network": [
            {"block": "linear", "units": 32}, {"block": "batch_norm"}, {"block": "activation", "function": "relu"},
            {"block": "residual", "blocks": [{"block": "linear", "units": 32}, {"block": "activation", "function": "gelu"}]},
            {"block": "layer_norm"}, {"block": "dropout", "p": 0.1}]}"#,
    )
    .unwrap();
    assert_eq!(outcome.bundle.manifest.model.family(), ModelFamily::Custom);
    assert!(outcome.metrics.headline() >= 0.9, "test accuracy {}", outcome.metrics.headline());
    let bytes = outcome.bundle.to_bytes();
    let loaded = Bundle::from_bytes(&bytes).unwrap();
    assert_eq!(loaded.manifest.model, outcome.bundle.manifest.model);
    let rows: Vec<_> =
        (0..5).map(|_| serde_json::Value::Object(loaded.manifest.table_recipe().unwrap().example_row())).collect();
    let a = block_on(Predictor::new(&loaded).unwrap().predict_json(&rows)).unwrap();
    let b = block_on(Predictor::new(&outcome.bundle).unwrap().predict_json(&rows)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_convolutional_network_of_blocks_learns_digits() {
    let outcome = train(
        DIGITS,
        "digit",
        r#"{"epochs": 20, "hidden": [], "network": [
            {"block": "image", "height": 8, "width": 8},
            {"block": "conv2d", "channels": 8, "kernel": 3}, {"block": "activation", "function": "relu"},
            {"block": "max_pool2d", "size": 2},
            {"block": "residual", "blocks": [{"block": "conv2d", "channels": 8, "kernel": 3}, {"block": "batch_norm"},
                {"block": "activation", "function": "relu"}]},
            {"block": "avg_pool2d", "size": 2}, {"block": "flatten"}, {"block": "linear", "units": 32},
            {"block": "activation", "function": "relu"}]}"#,
    )
    .unwrap();
    assert!(outcome.metrics.headline() >= 0.9, "test accuracy {}", outcome.metrics.headline());
}

#[test]
fn a_block_that_does_not_fit_stops_the_run_naming_it() {
    let error = train(
        WINE,
        "cultivar",
        r#"{"epochs": 2, "network": [{"block": "linear", "units": 16}, {"block": "conv2d", "channels": 4, "kernel": 3}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("block 2 (conv2d 4 channels 3x3) does not fit: needs an image, got a vector of 16 values"),
        "{error}"
    );
}
