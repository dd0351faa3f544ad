//! Bundles across format changes: one written before bundles recorded their data kind
//! and model family still loads and predicts exactly what the Fornax that wrote it did
//! (`fixtures/bundles/`, see `make.sh` there); new bundles record both; a manifest whose
//! family disagrees with its model, or a newer format, is refused saying so.

use fornax_core::Error;
use fornax_core::bundle::Bundle;
use fornax_core::data::{DataKind, Dataset, Table};
use fornax_core::model::ModelFamily;
use fornax_core::predict::{Prediction, Predictor};
use fornax_core::train::{Quiet, TrainConfig, train};
use futures_lite::future::block_on;

const WINE: &[u8] = include_bytes!("../../public/demo/wine.csv");
const BEFORE_KINDS: &[u8] = include_bytes!("fixtures/bundles/wine-before-kinds.fornax");
const BEFORE_KINDS_PREDICTIONS: &str = include_str!("fixtures/bundles/wine-before-kinds.predictions.csv");

#[test]
fn a_bundle_from_before_kinds_loads_and_predicts_as_it_did() {
    let bundle = Bundle::from_bytes(BEFORE_KINDS).unwrap();
    assert_eq!(bundle.manifest.data_kind, DataKind::Tabular);
    assert_eq!(bundle.manifest.family, None, "the old manifest has no family");
    assert_eq!(bundle.manifest.family(), ModelFamily::Mlp, "read from the model's shape");

    let table = Table::from_csv_bytes(WINE).unwrap();
    let predictions = block_on(Predictor::new(&bundle).unwrap().predict_table(&table)).unwrap();
    let expected: Vec<Vec<&str>> = BEFORE_KINDS_PREDICTIONS.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(predictions.len(), expected.len());
    for (row, (prediction, expected)) in predictions.iter().zip(&expected).enumerate() {
        let Prediction::Class { label, probabilities } = prediction else { panic!("a class") };
        assert_eq!(label, expected[0], "row {row}");
        for (p, e) in probabilities.values().zip(&expected[1..]) {
            // The CLI printed six decimals.
            assert!((p - e.parse::<f64>().unwrap()).abs() <= 5e-7, "row {row}: {p} vs {e}");
        }
    }
}

#[test]
fn new_bundles_record_their_data_kind_and_family() {
    let table = Table::from_csv_bytes(WINE).unwrap();
    let config = TrainConfig { epochs: 3, ..TrainConfig::default() };
    let outcome =
        block_on(train(&fornax_core::device::cpu(), Dataset::Tabular(&table), "cultivar", None, &config, &mut Quiet));
    let bundle = outcome.unwrap().bundle;
    let manifest = serde_json::to_value(&bundle.manifest).unwrap();
    assert_eq!((manifest["data_kind"].as_str(), manifest["family"].as_str()), (Some("tabular"), Some("mlp")));

    let mut forged = bundle.clone();
    forged.manifest.family = Some(ModelFamily::Cnn);
    let err = Bundle::from_bytes(&forged.to_bytes()).unwrap_err();
    assert!(
        matches!(&err, Error::CorruptBundle(m) if m.contains("names family `cnn` for tabular data, but its model is `mlp`")),
        "{err}"
    );
}

#[test]
fn a_bundle_of_a_newer_format_says_so() {
    let mut bytes = BEFORE_KINDS.to_vec();
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    let err = Bundle::from_bytes(&bytes).unwrap_err().to_string();
    assert!(err.contains("format version 2 is not supported") && err.contains("written by a newer Fornax"), "{err}");
}
