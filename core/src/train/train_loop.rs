//! The training loop: the configured optimizer, schedule and loss on Burn autodiff,
//! per-epoch validation, early stopping that keeps the best weights. Async so the
//! browser can yield between epochs and read GPU tensors back without blocking.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
// std's Instant panics in the browser; web-time's works in both.
use web_time::Instant;

use super::{
    Control, EpochReport, Monitor, Objective, Progress, ScheduleState, StopState, TrainConfig, TrainSink, Verdict,
};
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

/// The model a run ends with (the best epoch's, unless the config says otherwise), on
/// the training device without autodiff.
pub struct Trained {
    pub model: Mlp,
    pub epochs_run: usize,
}

/// Trains `spec` on `train` with `objective`, validating on `valid` after every epoch.
pub async fn train_model<S: TrainSink>(
    device: &Device,
    spec: &ModelSpec,
    config: &TrainConfig,
    objective: &Objective,
    train: &Encoded,
    valid: &Encoded,
    sink: &mut S,
) -> Result<Trained> {
    let name = spec.name().to_string();
    let batch_size = config.batch_size_for(train.rows())?;
    let autodiff = device.clone().autodiff();
    autodiff.seed(config.seed);
    let mut model = spec.init(&autodiff);
    let mut optimizer = config.optimizer.build(config.weight_decay, config.grad_clip_norm);
    let mut schedule = ScheduleState::new(config.learning_rate);
    let mut stopping = StopState::default();
    let mut rng = SplitMix64(config.seed);
    let mut order: Vec<usize> = (0..train.rows()).collect();
    let mut best = model.valid();
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

    let mut epochs_run = 0;
    for epoch in 1..=config.epochs {
        let clock = Instant::now();
        let learning_rate = schedule.lr(&config.schedule, epoch - 1, config.epochs);
        rng.shuffle(&mut order);
        let mut loss_sum: Option<Tensor<1>> = None;
        for batch in order.chunks(batch_size) {
            let output = model.forward_train(train.inputs(batch, &autodiff), &mut rng);
            let loss = objective.forward(output, &train.targets, batch);
            // Sum per-sample losses on the device; read back once per epoch.
            let weighted = loss.clone().detach().mul_scalar(batch.len() as f32);
            loss_sum = Some(match loss_sum {
                Some(sum) => sum + weighted,
                None => weighted,
            });
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(learning_rate, model, grads);
        }
        let train_loss = match loss_sum {
            Some(sum) => read_scalar(sum).await? / train.rows().max(1) as f64,
            None => f64::NAN,
        };
        if !train_loss.is_finite() {
            return Err(Error::Diverged { epoch, loss: train_loss, learning_rate });
        }
        let snapshot = model.valid();
        let (valid_loss, valid_metric) = evaluate(&snapshot, objective, valid, device).await?;
        epochs_run = epoch;
        let report = EpochReport {
            model: name.clone(),
            epoch,
            epochs: config.epochs,
            train_loss,
            valid_loss,
            valid_metric,
            learning_rate,
            samples_per_second: train.rows() as f64 / clock.elapsed().as_secs_f64().max(1e-9),
        };
        if sink.report(&Progress::Epoch(report)).await == Control::Cancel {
            return Err(Error::Cancelled);
        }
        schedule.observe(&config.schedule, valid_loss);
        let monitored = match config.early_stopping.monitor {
            Monitor::ValidLoss => valid_loss,
            Monitor::ValidMetric => valid_metric,
        };
        match stopping.observe(&config.early_stopping, epoch, monitored) {
            Verdict::Improved => best = snapshot,
            Verdict::Continue => {}
            Verdict::Stop => {
                let stop = Progress::EarlyStop { model: name.clone(), epoch, best_epoch: stopping.best_epoch };
                sink.report(&stop).await;
                break;
            }
        }
    }
    let model = if config.early_stopping.restore_best && stopping.best.is_some() { best } else { model.valid() };
    Ok(Trained { model, epochs_run })
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

/// The training loss and the headline metric (accuracy or R2) on `data`.
async fn evaluate(model: &Mlp, objective: &Objective, data: &Encoded, device: &Device) -> Result<(f64, f64)> {
    let rows: Vec<usize> = (0..data.rows()).collect();
    let (mut loss, mut out) = (0.0, Vec::with_capacity(data.x.len()));
    for chunk in rows.chunks(1024) {
        let output = model.forward(data.inputs(chunk, device));
        loss += read_scalar(objective.forward(output.clone(), &data.targets, chunk)).await? * chunk.len() as f64;
        out.extend(read_floats(output).await?);
    }
    let n = data.rows().max(1);
    let metric = match &data.targets {
        Targets::Classes(labels) => {
            let k = out.len() / n;
            let correct = labels
                .iter()
                .enumerate()
                .filter(|&(row, &label)| super::predicted_class(&out[row * k..(row + 1) * k]) == label as usize);
            correct.count() as f64 / n as f64
        }
        Targets::Values(values) => {
            let truth: Vec<f64> = values.iter().map(|&v| v as f64).collect();
            let predicted: Vec<f64> = out.iter().map(|&v| v as f64).collect();
            super::regression_metrics(&truth, &predicted).headline()
        }
    };
    Ok((loss / n as f64, metric))
}

async fn read_scalar(tensor: Tensor<1>) -> Result<f64> {
    Ok(read_floats(tensor).await?.first().copied().unwrap_or(f32::NAN) as f64)
}
