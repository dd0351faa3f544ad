//! Every training control on real data, end to end through `train`: optimizers,
//! schedules, losses, regularization, and the errors bad settings get.

use fornax_core::bundle::Bundle;
use fornax_core::data::{Dataset, Table};
use fornax_core::metrics::Metrics;
use fornax_core::model::Activation;
use fornax_core::predict::{Prediction, Predictor};
use fornax_core::train::{
    AdamParams, Balanced, ClassWeights, CrossEntropy, EarlyStopping, Loss, Monitor, OptimizerKind, Quiet, Schedule,
    TrainConfig,
};
use fornax_core::{Error, device};
use futures_lite::future::block_on;

const WINE: &[u8] = include_bytes!("../../public/demo/wine.csv");

fn wine() -> Table {
    Table::from_csv_bytes(WINE).unwrap()
}

/// Wine with two classes: cultivar_0 against the rest.
fn binary_wine() -> Table {
    let text = std::str::from_utf8(WINE).unwrap().replace("cultivar_2", "cultivar_1");
    Table::from_csv_bytes(text.as_bytes()).unwrap()
}

fn accuracy(metrics: &Metrics) -> f64 {
    metrics.headline()
}

fn train(table: &Table, target: &str, config: &TrainConfig) -> Result<fornax_core::train::TrainOutcome, Error> {
    block_on(fornax_core::train::train(&device::cpu(), Dataset::Tabular(table), target, None, config, &mut Quiet))
}

#[test]
fn each_optimizer_and_schedule_learns_wine() {
    let runs = [
        (OptimizerKind::Sgd { momentum: 0.9, nesterov: true }, Schedule::Step { step_size: 20, gamma: 0.5 }, 0.05),
        (OptimizerKind::Sgd { momentum: 0.0, nesterov: false }, Schedule::Exponential { gamma: 0.99 }, 0.1),
        (OptimizerKind::default(), Schedule::Cosine { t_max: None, eta_min: 1e-5 }, 0.01),
        (
            OptimizerKind::Adamw(AdamParams::default()),
            Schedule::WarmupCosine { warmup_epochs: 5, start_factor: 0.1, eta_min: 0.0 },
            0.01,
        ),
        (
            OptimizerKind::default(),
            Schedule::ReduceOnPlateau { factor: 0.5, patience: 3, threshold: 1e-4, min_lr: 1e-5 },
            0.01,
        ),
    ];
    for (optimizer, schedule, learning_rate) in runs {
        let config = TrainConfig {
            epochs: 60,
            learning_rate,
            optimizer: optimizer.clone(),
            schedule: schedule.clone(),
            weight_decay: 1e-4,
            grad_clip_norm: Some(5.0),
            ..TrainConfig::default()
        };
        let outcome = train(&wine(), "cultivar", &config).unwrap();
        // 27 test rows; the majority class scores 0.40.
        assert!(accuracy(&outcome.metrics) >= 0.85, "{optimizer:?} {schedule:?}: {:?}", outcome.metrics);
    }
}

#[test]
fn regularized_models_train_and_round_trip_through_a_bundle() {
    let config = TrainConfig {
        epochs: 60,
        hidden: vec![32, 16],
        activation: Activation::Gelu,
        dropout: vec![0.2],
        batch_norm: true,
        loss: Some(Loss::CrossEntropy(CrossEntropy {
            class_weights: Some(ClassWeights::Named(Balanced::Balanced)),
            label_smoothing: 0.1,
        })),
        ..TrainConfig::default()
    };
    let outcome = train(&wine(), "cultivar", &config).unwrap();
    assert!(accuracy(&outcome.metrics) >= 0.85, "{:?}", outcome.metrics);
    let spec = &outcome.bundle.manifest.model;
    assert_eq!((spec.activation, spec.dropout.clone(), spec.batch_norm), (Activation::Gelu, vec![0.2, 0.2], true));
    let bundle = Bundle::from_bytes(&outcome.bundle.to_bytes()).unwrap();
    let predictions = block_on(Predictor::new(&bundle).unwrap().predict_table(&wine())).unwrap();
    let Metrics::Classification { per_class, confusion, .. } = &outcome.metrics else { panic!() };
    assert_eq!(per_class.len(), 3);
    assert_eq!(confusion.iter().flatten().sum::<u64>(), 27, "every test row is counted once");
    let text = std::str::from_utf8(WINE).unwrap();
    let truth: Vec<&str> = text.lines().skip(1).map(|l| l.rsplit(',').next().unwrap()).collect();
    let correct = predictions.iter().zip(&truth).filter(|(p, t)| p.text() == **t).count();
    assert!(correct >= 160, "the loaded bundle (batch norm in inference mode) predicts {correct}/178");

    let tanh = TrainConfig { activation: Activation::Tanh, epochs: 40, ..TrainConfig::default() };
    assert!(accuracy(&train(&wine(), "cultivar", &tanh).unwrap().metrics) >= 0.85);
}

#[test]
fn binary_cross_entropy_uses_one_output_and_reports_roc_auc() {
    let config = TrainConfig { epochs: 40, loss: Some(Loss::BinaryCrossEntropy), ..TrainConfig::default() };
    let outcome = train(&binary_wine(), "cultivar", &config).unwrap();
    assert_eq!(outcome.bundle.manifest.model.outputs, 1);
    let Metrics::Classification { accuracy, roc_auc, .. } = outcome.metrics else { panic!() };
    assert!(accuracy >= 0.85 && roc_auc.unwrap() >= 0.9, "accuracy {accuracy}, ROC-AUC {roc_auc:?}");
    let bundle = Bundle::from_bytes(&outcome.bundle.to_bytes()).unwrap();
    let predictions = block_on(Predictor::new(&bundle).unwrap().predict_table(&binary_wine())).unwrap();
    let Prediction::Class { probabilities, .. } = &predictions[0] else { panic!() };
    assert_eq!(probabilities.len(), 2);
    assert!((probabilities.values().sum::<f64>() - 1.0).abs() < 1e-6);

    let err = train(&wine(), "cultivar", &config).err().unwrap();
    assert!(err.to_string().contains("needs exactly 2 classes, the target has 3"), "{err}");
}

#[test]
fn regression_losses_fit_a_line() {
    let mut csv = String::from("a,b,y\n");
    for i in 0..200 {
        let (a, b) = ((i % 17) as f64 / 4.0, (i % 11) as f64 / 3.0);
        csv.push_str(&format!("{a},{b},{}\n", 3.0 * a - 2.0 * b + 0.5));
    }
    let table = Table::from_csv_bytes(csv.as_bytes()).unwrap();
    for loss in [Loss::Mse, Loss::Mae, Loss::Huber { delta: 1.0 }] {
        let config = TrainConfig {
            epochs: 80,
            learning_rate: 0.01,
            loss: Some(loss.clone()),
            early_stopping: EarlyStopping { monitor: Monitor::ValidMetric, ..EarlyStopping::default() },
            ..TrainConfig::default()
        };
        let outcome = train(&table, "y", &config).unwrap();
        let Metrics::Regression { r2, points, .. } = &outcome.metrics else { panic!() };
        assert!(*r2 > 0.95, "{loss:?}: R2 {r2}");
        assert_eq!(points.len(), 30, "every test row is plotted");
    }
    let err = train(&table, "y", &TrainConfig { loss: Some(Loss::BinaryCrossEntropy), ..TrainConfig::default() });
    assert!(err.err().unwrap().to_string().contains("does not fit a regression task"));
}

#[test]
fn bad_settings_are_explained() {
    let err = train(&wine(), "cultivar", &TrainConfig { batch_size: Some(500), ..TrainConfig::default() });
    assert!(err.err().unwrap().to_string().contains("batch_size 500 is larger than the 124 training rows"));
    let config = TrainConfig {
        learning_rate: 1e30,
        optimizer: OptimizerKind::Sgd { momentum: 0.0, nesterov: false },
        ..TrainConfig::default()
    };
    let err = train(&wine(), "cultivar", &config).err().unwrap();
    assert!(matches!(err, Error::Diverged { epoch: 1, .. }), "{err}");
    assert!(err.to_string().contains("try a smaller learning rate"), "{err}");
}

#[test]
fn same_seed_same_result() {
    let config = TrainConfig { epochs: 15, dropout: vec![0.3], ..TrainConfig::default() };
    let predict = |outcome: fornax_core::train::TrainOutcome| {
        block_on(Predictor::new(&outcome.bundle).unwrap().predict_table(&wine())).unwrap()
    };
    let a = train(&wine(), "cultivar", &config).unwrap();
    let b = train(&wine(), "cultivar", &config).unwrap();
    assert_eq!(a.metrics, b.metrics);
    // Bundles differ in Burn's random parameter ids; the numbers must not.
    assert_eq!(predict(a), predict(b), "same seed, same backend: the same model");
}
