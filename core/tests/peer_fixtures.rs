//! Fornax against its peers' own numbers (made by `core/tests/fixtures/make_fixtures.py`):
//! scikit-learn's metrics, PyTorch's learning-rate schedules and losses.

use burn::tensor::{Tensor, TensorData};
use fornax_core::device;
use fornax_core::metrics::{Metrics, classification_metrics, regression_metrics};
use fornax_core::recipe::Targets;
use fornax_core::train::{ClassWeights, CrossEntropy, Loss, Objective, Schedule, ScheduleState};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

fn close(a: f64, b: f64, tolerance: f64, what: &str) {
    assert!((a - b).abs() <= tolerance, "{what}: fornax {a} vs peer {b}");
}

#[test]
fn classification_metrics_equal_scikit_learns() {
    for case in fixture("metrics")["classification"].as_array().unwrap() {
        let k = case["classes"].as_u64().unwrap() as usize;
        let names: Vec<String> = (0..k).map(|c| c.to_string()).collect();
        let scores = case.get("scores").map(floats);
        let m = classification_metrics(&ints(&case["y_true"]), &ints(&case["y_pred"]), &names, scores.as_deref());
        let Metrics::Classification {
            accuracy,
            f1_macro,
            precision_macro,
            recall_macro,
            per_class,
            confusion,
            roc_auc,
        } = m
        else {
            panic!("classification metrics expected")
        };
        close(accuracy, case["accuracy"].as_f64().unwrap(), 1e-9, "accuracy");
        close(f1_macro, case["f1_macro"].as_f64().unwrap(), 1e-9, "f1_macro");
        close(precision_macro, case["precision_macro"].as_f64().unwrap(), 1e-9, "precision_macro");
        close(recall_macro, case["recall_macro"].as_f64().unwrap(), 1e-9, "recall_macro");
        for (c, score) in per_class.iter().enumerate() {
            close(score.precision, floats(&case["precision"])[c], 1e-9, "precision");
            close(score.recall, floats(&case["recall"])[c], 1e-9, "recall");
            close(score.f1, floats(&case["f1"])[c], 1e-9, "f1");
            assert_eq!(score.support as i64, ints(&case["support"])[c]);
        }
        let expected: Vec<Vec<u64>> = serde_json::from_value(case["confusion"].clone()).unwrap();
        assert_eq!(confusion, expected);
        match case.get("roc_auc") {
            Some(auc) => close(roc_auc.unwrap(), auc.as_f64().unwrap(), 1e-9, "roc_auc"),
            None => assert_eq!(roc_auc, None),
        }
    }
}

#[test]
fn regression_metrics_equal_scikit_learns() {
    for case in fixture("metrics")["regression"].as_array().unwrap() {
        let Metrics::Regression { mae, rmse, r2, .. } =
            regression_metrics(&floats(&case["y_true"]), &floats(&case["y_pred"]))
        else {
            panic!("regression metrics expected")
        };
        close(mae, case["mae"].as_f64().unwrap(), 1e-9, "mae");
        close(rmse, case["rmse"].as_f64().unwrap(), 1e-9, "rmse");
        close(r2, case["r2"].as_f64().unwrap(), 1e-9, "r2");
    }
}

#[test]
fn schedules_equal_pytorchs_step_by_step() {
    let fixture = fixture("schedules");
    let epochs = fixture["epochs"].as_u64().unwrap() as usize;
    let base = fixture["learning_rate"].as_f64().unwrap();
    for case in fixture["cases"].as_array().unwrap() {
        let schedule: Schedule = serde_json::from_value(case["schedule"].clone()).unwrap();
        schedule.validate(epochs).unwrap();
        let losses = case.get("valid_losses").map(floats);
        let mut state = ScheduleState::new(base);
        for (epoch, expected) in floats(&case["lr"]).into_iter().enumerate() {
            close(state.lr(&schedule, epoch, epochs), expected, 1e-12, &format!("{schedule:?} epoch {epoch}"));
            if let Some(losses) = &losses {
                state.observe(&schedule, losses[epoch]);
            }
        }
        if losses.is_none() {
            assert_eq!(schedule.preview(base, epochs).len(), epochs);
        }
    }
}

#[test]
fn losses_equal_pytorchs() {
    let f = fixture("losses");
    let cpu = device::cpu();
    let logits = floats(&Value::Array(
        f["logits"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap().clone()).collect(),
    ));
    let labels = ints(&f["labels"]);
    let n = labels.len();
    let rows: Vec<usize> = (0..n).collect();
    let matrix = |values: &[f64], width: usize| {
        let data: Vec<f32> = values.iter().map(|&x| x as f32).collect();
        Tensor::<2>::from_data(TensorData::new(data, [values.len() / width, width]), &cpu)
    };
    let value = |loss: Loss, output: Tensor<2>, targets: &Targets, classes: usize| -> f64 {
        let objective = Objective::new(loss, classes, targets);
        objective.forward(output, targets, &rows[..targets_len(targets)]).into_scalar::<f32>() as f64
    };
    let classes = Targets::Classes(labels.clone());
    let weights = Some(ClassWeights::Given(floats(&f["weights"])));
    let ce = |class_weights: Option<ClassWeights>, label_smoothing: f64| {
        Loss::CrossEntropy(CrossEntropy { class_weights, label_smoothing })
    };
    let expected = &f["cross_entropy"];
    for (loss, key) in [
        (ce(None, 0.0), "plain"),
        (ce(weights.clone(), 0.0), "weighted"),
        (ce(None, 0.1), "smoothed"),
        (ce(weights.clone(), 0.2), "weighted_smoothed"),
    ] {
        close(value(loss, matrix(&logits, 4), &classes, 4), expected[key].as_f64().unwrap(), 1e-5, key);
    }

    let binary = Targets::Classes(floats(&f["binary_labels"]).iter().map(|&y| y as i64).collect());
    let bce = value(Loss::BinaryCrossEntropy, matrix(&floats(&f["binary_logits"]), 1), &binary, 2);
    close(bce, f["binary_cross_entropy"].as_f64().unwrap(), 1e-5, "binary_cross_entropy");

    let targets = Targets::Values(floats(&f["targets"]).iter().map(|&y| y as f32).collect());
    let outputs = floats(&f["outputs"]);
    for (loss, key) in [
        (Loss::Mse, "mse"),
        (Loss::Mae, "mae"),
        (Loss::Huber { delta: 1.0 }, "huber_1"),
        (Loss::Huber { delta: 0.5 }, "huber_0_5"),
    ] {
        close(value(loss, matrix(&outputs, 1), &targets, 1), f[key].as_f64().unwrap(), 1e-5, key);
    }
}

fn targets_len(targets: &Targets) -> usize {
    match targets {
        Targets::Classes(c) => c.len(),
        Targets::Values(v) => v.len(),
    }
}
