//! The training loop: Adam on Burn autodiff, per-epoch validation, early stopping that
//! keeps the best weights. Async so the browser can yield between epochs and read
//! GPU tensors back without blocking.

use burn::module::Module;
// std's Instant panics in the browser; web-time's works in both.
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor, TensorData};
use web_time::Instant;

use super::{Control, EpochReport, Progress, TrainConfig, TrainSink};
use crate::data::split::SplitMix64;
use crate::device::read_floats;
use crate::model::{Mlp, ModelSpec};
use crate::recipe::{Targets, Task};
use crate::{Error, Result};

/// Encoded rows: a row-major `rows x width` matrix and the labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    pub x: Vec<f32>,
    pub width: usize,
    pub targets: Targets,
}

impl Encoded {
    pub fn rows(&self) -> usize {
        self.x.len().checked_div(self.width).unwrap_or(0)
    }

    fn inputs(&self, rows: &[usize], device: &Device) -> Tensor<2> {
        let mut x = Vec::with_capacity(rows.len() * self.width);
        for &r in rows {
            x.extend_from_slice(&self.x[r * self.width..(r + 1) * self.width]);
        }
        Tensor::from_data(TensorData::new(x, [rows.len(), self.width]), device)
    }
}

/// The best model of a run (by validation loss), on the training device without autodiff.
pub struct Trained {
    pub model: Mlp,
    pub epochs_run: usize,
    pub best_epoch: usize,
    pub history: Vec<EpochReport>,
}

/// Trains `spec` on `train`, validating on `valid` after every epoch.
pub async fn train_model<S: TrainSink>(
    device: &Device,
    spec: &ModelSpec,
    config: &TrainConfig,
    train: &Encoded,
    valid: &Encoded,
    sink: &mut S,
) -> Result<Trained> {
    let name = spec.name().to_string();
    let autodiff = device.clone().autodiff();
    autodiff.seed(config.seed);
    let mut model = spec.init(&autodiff);
    let mut optimizer = AdamConfig::new().init();
    let cross_entropy = CrossEntropyLossConfig::new().init(&autodiff);
    let mut rng = SplitMix64(config.seed);
    let mut order: Vec<usize> = (0..train.rows()).collect();
    let mut best = (f64::INFINITY, 0, model.valid());
    let mut history = Vec::new();
    let started = Progress::Started {
        model: name.clone(),
        task: match train.targets {
            Targets::Classes(_) => Task::Classification,
            Targets::Values(_) => Task::Regression,
        },
        epochs: config.epochs,
        train_rows: train.rows(),
        valid_rows: valid.rows(),
    };
    if sink.report(&started).await == Control::Cancel {
        return Err(Error::Cancelled);
    }

    for epoch in 1..=config.epochs {
        let clock = Instant::now();
        rng.shuffle(&mut order);
        let mut loss_sum: Option<Tensor<1>> = None;
        for batch in order.chunks(config.batch_size) {
            let output = model.forward(train.inputs(batch, &autodiff));
            let loss = match &train.targets {
                Targets::Classes(labels) => {
                    let y: Vec<i64> = batch.iter().map(|&r| labels[r]).collect();
                    let y = Tensor::<1, Int>::from_data(TensorData::new(y, [batch.len()]), &autodiff);
                    cross_entropy.forward(output, y)
                }
                Targets::Values(values) => {
                    let y: Vec<f32> = batch.iter().map(|&r| values[r]).collect();
                    let y = Tensor::<1>::from_data(TensorData::new(y, [batch.len()]), &autodiff);
                    (output.reshape([batch.len()]) - y).powi_scalar(2).mean()
                }
            };
            // Sum per-sample losses on the device; read back once per epoch.
            let weighted = loss.clone().detach().mul_scalar(batch.len() as f32);
            loss_sum = Some(match loss_sum {
                Some(sum) => sum + weighted,
                None => weighted,
            });
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(config.learning_rate, model, grads);
        }
        let train_loss = match loss_sum {
            Some(sum) => read_scalar(sum).await? / train.rows().max(1) as f64,
            None => f64::NAN,
        };
        if !train_loss.is_finite() {
            return Err(Error::Backend(format!(
                "the training loss became {train_loss} at epoch {epoch}; try a smaller learning rate"
            )));
        }
        let snapshot = model.valid();
        let (valid_loss, valid_metric) = evaluate_loss(&snapshot, valid, device).await?;
        let report = EpochReport {
            model: name.clone(),
            epoch,
            epochs: config.epochs,
            train_loss,
            valid_loss,
            valid_metric,
            samples_per_second: train.rows() as f64 / clock.elapsed().as_secs_f64().max(1e-9),
        };
        history.push(report.clone());
        if sink.report(&Progress::Epoch(report)).await == Control::Cancel {
            return Err(Error::Cancelled);
        }
        if valid_loss < best.0 - 1e-6 {
            best = (valid_loss, epoch, snapshot);
        } else if epoch - best.1 >= config.patience {
            let stop = Progress::EarlyStop { model: name.clone(), epoch, best_epoch: best.1 };
            sink.report(&stop).await;
            break;
        }
    }
    let epochs_run = history.len();
    Ok(Trained { model: best.2, epochs_run, best_epoch: best.1, history })
}

/// Raw model outputs for every row of `data`, read back to the CPU.
pub(crate) async fn outputs(model: &Mlp, data: &Encoded, device: &Device) -> Result<Vec<f32>> {
    let rows: Vec<usize> = (0..data.rows()).collect();
    let mut out = Vec::new();
    for chunk in rows.chunks(1024) {
        out.extend(read_floats(model.forward(data.inputs(chunk, device))).await?);
    }
    Ok(out)
}

/// Loss and headline metric (accuracy or R2) on `data`.
async fn evaluate_loss(model: &Mlp, data: &Encoded, device: &Device) -> Result<(f64, f64)> {
    let out = outputs(model, data, device).await?;
    let n = data.rows().max(1) as f64;
    Ok(match &data.targets {
        Targets::Classes(labels) => {
            let k = out.len() / data.rows().max(1);
            let (mut loss, mut correct) = (0.0, 0usize);
            for (row, &label) in labels.iter().enumerate() {
                let logits = &out[row * k..(row + 1) * k];
                let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
                let log_sum = logits.iter().map(|&l| (l as f64 - max).exp()).sum::<f64>().ln() + max;
                loss += log_sum - logits[label as usize] as f64;
                correct += usize::from(super::argmax(logits) == label as usize);
            }
            (loss / n, correct as f64 / n)
        }
        Targets::Values(values) => {
            let truth: Vec<f64> = values.iter().map(|&v| v as f64).collect();
            let predicted: Vec<f64> = out.iter().map(|&v| v as f64).collect();
            let mse = truth.iter().zip(&predicted).map(|(t, p)| (t - p).powi(2)).sum::<f64>() / n;
            (mse, super::regression_metrics(&truth, &predicted).headline())
        }
    })
}

async fn read_scalar(tensor: Tensor<1>) -> Result<f64> {
    Ok(read_floats(tensor).await?.first().copied().unwrap_or(f32::NAN) as f64)
}
