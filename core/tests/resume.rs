//! Checkpoints: a run stopped after any epoch and resumed from its checkpoint ends
//! with exactly the weights of the run that never stopped (same seed, Flex), and a
//! checkpoint that does not belong to the data or is damaged is refused.
//!
//! Burn's seeded generator is global to the process; `ModelSpec::init_seeded` draws a
//! model's weights under a lock, so these comparisons hold under `cargo test`'s threads
//! as well as `cargo nextest`'s one process per test.

use fornax_core::data::{Cell, Dataset, Table};
use fornax_core::predict::Predictor;
use fornax_core::train::{
    AdamParams, Checkpoint, Control, EarlyStopping, OptimizerKind, Progress, Quiet, Schedule, TrainConfig,
    TrainOutcome, TrainSink, resume, train,
};
use fornax_core::{Error, device};
use futures_lite::future::block_on;
use serde_json::Value;

const WINE: &[u8] = include_bytes!("../../public/demo/wine.csv");

fn wine() -> Table {
    Table::from_csv_bytes(WINE).unwrap()
}

/// Keeps every checkpoint (as bytes, the way they are stored) and cancels the run
/// after epoch `stop_after` of model `stop_model`, as a closed tab or Ctrl-C would.
struct Interrupting {
    stop_model: &'static str,
    stop_after: usize,
    last: Option<Vec<u8>>,
    epochs_seen: Vec<(String, usize)>,
}

impl TrainSink for Interrupting {
    async fn report(&mut self, progress: &Progress) -> Control {
        match progress {
            Progress::Epoch(r) => {
                self.epochs_seen.push((r.model.clone(), r.epoch));
                if r.model == self.stop_model && r.epoch == self.stop_after {
                    Control::Cancel
                } else {
                    Control::Continue
                }
            }
            _ => Control::Continue,
        }
    }

    fn wants_checkpoint(&mut self) -> bool {
        true
    }

    async fn checkpoint(&mut self, checkpoint: Checkpoint) {
        self.last = Some(checkpoint.to_bytes());
    }
}

/// Records the epochs a resumed run reports (replayed ones included).
#[derive(Default)]
struct Recording(Vec<(String, usize)>);

impl TrainSink for Recording {
    async fn report(&mut self, progress: &Progress) -> Control {
        if let Progress::Epoch(r) = progress {
            self.0.push((r.model.clone(), r.epoch));
        }
        Control::Continue
    }
}

fn config(optimizer: OptimizerKind, schedule: Schedule) -> TrainConfig {
    TrainConfig {
        epochs: 25,
        hidden: vec![16, 8],
        dropout: vec![0.2],
        batch_norm: true,
        optimizer,
        schedule,
        learning_rate: 0.01,
        early_stopping: EarlyStopping { patience: 0, ..EarlyStopping::default() },
        ..TrainConfig::default()
    }
}

fn uninterrupted(table: &Table, config: &TrainConfig) -> TrainOutcome {
    block_on(train(&device::cpu(), Dataset::Tabular(table), "cultivar", None, config, &mut Quiet)).unwrap()
}

fn interrupted_then_resumed(
    table: &Table,
    config: &TrainConfig,
    stop_model: &'static str,
    stop_after: usize,
) -> (TrainOutcome, Recording) {
    let mut sink = Interrupting { stop_model, stop_after, last: None, epochs_seen: Vec::new() };
    let stopped = block_on(train(&device::cpu(), Dataset::Tabular(table), "cultivar", None, config, &mut sink));
    assert!(matches!(stopped, Err(Error::Cancelled)), "{stopped:?}");
    let checkpoint = Checkpoint::from_bytes(&sink.last.expect("a checkpoint was made")).unwrap();
    assert_eq!((checkpoint.header.model.as_str(), checkpoint.header.epoch), (stop_model, stop_after));
    let mut recording = Recording::default();
    let resumed = block_on(resume(&device::cpu(), Dataset::Tabular(table), checkpoint, &mut recording)).unwrap();
    (resumed, recording)
}

/// Same outputs, bit for bit, on every row of the data. (The weight files themselves
/// differ: Burn numbers parameters per process.)
fn assert_same_model(a: &TrainOutcome, b: &TrainOutcome, context: &str) {
    let rows: Vec<Value> = {
        let table = wine();
        let names = table.column_names();
        (0..table.rows())
            .map(|r| {
                let row: serde_json::Map<String, Value> = names
                    .iter()
                    .filter(|n| **n != "cultivar")
                    .map(|n| match table.column(n).unwrap().cell(r) {
                        Cell::Number(x) => (n.to_string(), Value::from(x)),
                        Cell::Text(t) => (n.to_string(), Value::from(t)),
                        Cell::Missing => (n.to_string(), Value::Null),
                    })
                    .collect();
                Value::Object(row)
            })
            .collect()
    };
    let predict = |o: &TrainOutcome| {
        let predictions = block_on(Predictor::new(&o.bundle).unwrap().predict_json(&rows)).unwrap();
        serde_json::to_string(&predictions).unwrap()
    };
    assert!(predict(a) == predict(b), "{context}: the resumed model predicts differently");
}

#[test]
fn a_resumed_run_ends_with_the_weights_of_an_uninterrupted_one() {
    let table = wine();
    let runs = [
        (
            OptimizerKind::Adam(AdamParams::default()),
            Schedule::ReduceOnPlateau { factor: 0.5, patience: 2, threshold: 1e-4, min_lr: 0.0 },
        ),
        (
            OptimizerKind::Sgd { momentum: 0.9, nesterov: true },
            Schedule::WarmupCosine { warmup_epochs: 3, start_factor: 0.1, eta_min: 0.0 },
        ),
    ];
    for (optimizer, schedule) in runs {
        let config = config(optimizer, schedule);
        let whole = uninterrupted(&table, &config);
        for (stop_model, stop_after) in [("mlp", 9), ("linear", 4)] {
            let (resumed, recording) = interrupted_then_resumed(&table, &config, stop_model, stop_after);
            assert_same_model(&resumed, &whole, &format!("{config:?} stopped at {stop_model} {stop_after}"));
            assert_eq!(resumed.metrics, whole.metrics);
            assert_eq!(resumed.baseline, whole.baseline);
            // The resumed run reports every epoch of the run once, replayed ones first.
            let expected: Vec<(String, usize)> =
                ["linear", "mlp"].iter().flat_map(|m| (1..=config.epochs).map(move |e| (m.to_string(), e))).collect();
            assert_eq!(recording.0, expected);
        }
    }
}

#[test]
fn early_stopping_state_survives_a_resume() {
    let table = wine();
    let config = TrainConfig {
        epochs: 60,
        early_stopping: EarlyStopping { patience: 4, ..EarlyStopping::default() },
        ..config(OptimizerKind::Adam(AdamParams::default()), Schedule::Constant)
    };
    let whole = uninterrupted(&table, &config);
    let (resumed, _) = interrupted_then_resumed(&table, &config, "mlp", 3);
    assert_eq!(resumed.epochs_run, whole.epochs_run);
    assert_same_model(&resumed, &whole, "early stopping");
}

#[test]
fn a_checkpoint_is_refused_on_other_data_or_when_damaged() {
    let table = wine();
    let config = config(OptimizerKind::Adam(AdamParams::default()), Schedule::Constant);
    let mut sink = Interrupting { stop_model: "mlp", stop_after: 2, last: None, epochs_seen: Vec::new() };
    let _ = block_on(train(&device::cpu(), Dataset::Tabular(&table), "cultivar", None, &config, &mut sink));
    let bytes = sink.last.unwrap();

    let last_row = WINE[..WINE.len() - 1].iter().rposition(|&b| b == b'\n').unwrap();
    let other = Table::from_csv_bytes(&WINE[..=last_row]).unwrap();
    let checkpoint = Checkpoint::from_bytes(&bytes).unwrap();
    let error =
        block_on(resume(&device::cpu(), Dataset::Tabular(&other), checkpoint, &mut Quiet)).unwrap_err().to_string();
    assert!(error.contains("other data"), "{error}");

    for damage in [bytes.len() / 2, bytes.len() - 40] {
        let mut damaged = bytes.clone();
        damaged[damage] ^= 0x20;
        let error = Checkpoint::from_bytes(&damaged).unwrap_err().to_string();
        assert!(error.starts_with("checkpoint: it is corrupt") && error.contains("checksum"), "{error}");
    }
    let error = Checkpoint::from_bytes(&bytes[..100]).unwrap_err().to_string();
    assert!(error.contains("corrupt"), "{error}");
}
