//! The training loop: the configured optimizer, schedule and loss on Burn autodiff,
//! per-epoch validation, early stopping that keeps the best weights. Async so the
//! browser can yield between epochs and read GPU tensors back without blocking.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Bytes, Device, Tensor, TensorData};
// std's Instant panics in the browser; web-time's works in both.
use web_time::Instant;

use super::{
    Checkpoint, CheckpointHeader, Control, EpochReport, FinishedModel, Monitor, Objective, Progress, RunKey,
    ScheduleState, StopState, TrainConfig, TrainSink, Verdict,
};
use crate::base::SplitMix64;
use crate::device::read_floats;
use crate::model::{Mlp, ModelSpec};
use crate::recipe::Targets;
use crate::task::Task;
use crate::{Error, Result};

/// Encoded rows: a row-major `rows x width` matrix and the labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// The values, row after row: `width` per row.
    pub x: Vec<f32>,
    /// Values per row (the recipe's width).
    pub width: usize,
    /// The label of each row: class ids, or standardized values for regression.
    pub targets: Targets,
}

impl Encoded {
    /// Number of rows (0 when `width` is 0).
    pub fn rows(&self) -> usize {
        self.x.len().checked_div(self.width).unwrap_or(0)
    }

    fn inputs(&self, rows: &[usize], device: &Device) -> Tensor<2> {
        self.varied_inputs(rows, device, |_| {})
    }

    /// Rows `rows` as a tensor, each one passed through `vary` first.
    fn varied_inputs(&self, rows: &[usize], device: &Device, mut vary: impl FnMut(&mut [f32])) -> Tensor<2> {
        let mut x = Vec::with_capacity(rows.len() * self.width);
        for &r in rows {
            x.extend_from_slice(&self.x[r * self.width..(r + 1) * self.width]);
            let start = x.len() - self.width;
            vary(&mut x[start..]);
        }
        Tensor::from_data(TensorData::new(x, [rows.len(), self.width]), device)
    }
}

/// Varies one training row in place before each step it is in (image augmentation),
/// drawing from the run's seeded generator, so a resumed run draws what it would have.
pub type Augmenter<'a> = &'a dyn Fn(&mut [f32], &mut SplitMix64);

/// The model a run ends with (the best epoch's, unless the config says otherwise), on
/// the training device without autodiff.
pub struct Trained {
    /// The model, ready to predict with and to save.
    pub model: Mlp,
    /// Epochs it trained (fewer than configured when early stopping ended it).
    pub epochs_run: usize,
}

/// A run's progress across its models: what it finished, every epoch so far, and the
/// checkpoint it resumes from. Checkpoints are made from it.
#[derive(Default)]
pub struct Run {
    /// What the run is (target, task, config, data); every checkpoint records it.
    pub key: RunKey,
    finished: Vec<(FinishedModel, Vec<u8>)>,
    history: Vec<EpochReport>,
    resume: Option<Checkpoint>,
    /// The model (by name) that starts from these weights instead of fresh ones.
    start: Option<(String, Vec<u8>)>,
}

impl Run {
    /// A fresh run of `key`, with nothing finished and nothing to resume.
    pub fn new(key: RunKey) -> Self {
        Run { key, ..Run::default() }
    }

    /// Continues the run `checkpoint` was made from.
    pub fn resume(mut checkpoint: Checkpoint) -> Self {
        let h = &mut checkpoint.header;
        let finished = std::mem::take(&mut h.finished).into_iter().zip(std::mem::take(&mut checkpoint.finished));
        Run {
            key: h.run.clone(),
            finished: finished.collect(),
            history: std::mem::take(&mut h.history),
            resume: Some(checkpoint),
            start: None,
        }
    }

    /// Starts the model named `model` from `weights` (burnpack, as [`Mlp::weights`]
    /// writes them) instead of fresh ones: pretrained weights.
    pub fn start_from(&mut self, model: &str, weights: Vec<u8>) {
        self.start = Some((model.to_string(), weights));
    }

    /// Tells the sink about the epochs of `model` that ran before the checkpoint, so its
    /// curves and counters show the whole run.
    async fn replay<S: TrainSink>(&self, model: &str, started: &Progress, sink: &mut S) -> Result<()> {
        if sink.report(started).await == Control::Cancel {
            return Err(Error::Cancelled);
        }
        for report in self.history.iter().filter(|r| r.model == model) {
            if sink.report(&Progress::Epoch(report.clone())).await == Control::Cancel {
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    }
}

/// Where a model's training stands between epochs.
struct LoopState {
    model: Mlp,
    best: Option<Mlp>,
    optimizer: ModuleOptimizer,
    schedule: ScheduleState,
    stopping: StopState,
    rng: SplitMix64,
    order: Vec<usize>,
    /// Epochs done.
    epoch: usize,
}

impl LoopState {
    fn fresh(spec: &ModelSpec, config: &TrainConfig, autodiff: &Device, rows: usize) -> Self {
        LoopState {
            model: spec.init_seeded(autodiff, config.seed),
            best: None,
            optimizer: config.optimizer.build(config.weight_decay, config.grad_clip_norm),
            schedule: ScheduleState::new(config.learning_rate),
            stopping: StopState::default(),
            rng: SplitMix64(config.seed),
            order: (0..rows).collect(),
            epoch: 0,
        }
    }

    fn restore(
        checkpoint: Checkpoint,
        spec: &ModelSpec,
        config: &TrainConfig,
        autodiff: &Device,
        rows: usize,
    ) -> Result<Self> {
        let h = checkpoint.header;
        let order = h.order;
        let mut sorted = order.clone();
        sorted.sort_unstable();
        if !sorted.iter().copied().eq(0..rows) {
            return Err(Error::Checkpoint(format!(
                "it was made for {} training rows and this run has {rows}",
                order.len()
            )));
        }
        let bad = |e: String| Error::Checkpoint(format!("the {} weights: {e}", h.model));
        let model = spec.load(&checkpoint.weights, autodiff).map_err(bad)?;
        let device = autodiff.clone().without_autodiff();
        let best = checkpoint.best.map(|b| spec.load(&b, &device)).transpose().map_err(bad)?;
        let mut optimizer = config.optimizer.build(config.weight_decay, config.grad_clip_norm);
        if let Some(state) = checkpoint.optimizer {
            optimizer = optimizer
                .from_bytes(Bytes::from_bytes_vec(state))
                .map_err(|e| Error::Checkpoint(format!("the optimizer state cannot be read: {e:?}")))?;
        }
        Ok(LoopState {
            model,
            best,
            optimizer,
            schedule: h.schedule,
            stopping: h.stopping,
            rng: SplitMix64(h.rng),
            order,
            epoch: h.epoch,
        })
    }

    async fn checkpoint(&self, run: &Run, name: &str) -> Result<Checkpoint> {
        let best = match &self.best {
            Some(best) => Some(best.weights().await?),
            None => None,
        };
        let optimizer = match crate::device::checkpoints_optimizer_state() {
            true => Some(
                self.optimizer
                    .into_bytes()
                    .map_err(|e| Error::Backend(format!("could not record the optimizer: {e:?}")))?
                    .to_vec(),
            ),
            false => None,
        };
        Ok(Checkpoint {
            header: CheckpointHeader {
                fornax_version: crate::VERSION.to_string(),
                run: run.key.clone(),
                finished: run.finished.iter().map(|(f, _)| f.clone()).collect(),
                model: name.to_string(),
                epoch: self.epoch,
                history: run.history.clone(),
                schedule: self.schedule.clone(),
                stopping: self.stopping.clone(),
                rng: self.rng.0,
                order: self.order.clone(),
            },
            weights: self.model.valid().weights().await?,
            best,
            optimizer,
            finished: run.finished.iter().map(|(_, w)| w.clone()).collect(),
        })
    }
}

/// Trains `spec` on `train` with `objective`, validating on `valid` after every epoch.
/// `run` says whether this model was already finished or is resumed from a checkpoint,
/// and collects what later checkpoints need. `augment` varies the training rows of
/// every batch (never the validation rows).
#[allow(clippy::too_many_arguments)]
pub async fn train_model<S: TrainSink>(
    device: &Device,
    spec: &ModelSpec,
    config: &TrainConfig,
    objective: &Objective,
    train: &Encoded,
    valid: &Encoded,
    augment: Option<Augmenter<'_>>,
    sink: &mut S,
    run: &mut Run,
) -> Result<Trained> {
    let name = spec.name().to_string();
    let batch_size = config.batch_size_for(train.rows())?;
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
    // A model the run finished before its checkpoint: show its epochs, load its weights.
    if let Some((done, weights)) = run.finished.iter().find(|(f, _)| f.model == name) {
        let model = spec.load(weights, device).map_err(|e| Error::Checkpoint(format!("the {name} weights: {e}")))?;
        let epochs_run = done.epochs_run;
        run.replay(&name, &started, sink).await?;
        return Ok(Trained { model, epochs_run });
    }

    let autodiff = device.clone().autodiff();
    let mut state = match run.resume.take_if(|c| c.header.model == name) {
        Some(checkpoint) => {
            let state = LoopState::restore(checkpoint, spec, config, &autodiff, train.rows())?;
            run.replay(&name, &started, sink).await?;
            state
        }
        None => {
            if sink.report(&started).await == Control::Cancel {
                return Err(Error::Cancelled);
            }
            let mut state = LoopState::fresh(spec, config, &autodiff, train.rows());
            if let Some((_, weights)) = run.start.take_if(|(model, _)| *model == name) {
                state.model = spec.load(&weights, &autodiff).map_err(|e| Error::Pretrained(e.to_string()))?;
            }
            state
        }
    };

    while state.epoch < config.epochs {
        let epoch = state.epoch + 1;
        let clock = Instant::now();
        let learning_rate = state.schedule.lr(&config.schedule, epoch - 1, config.epochs);
        state.rng.shuffle(&mut state.order);
        let mut loss_sum: Option<Tensor<1>> = None;
        for batch in state.order.chunks(batch_size) {
            if sink.between_batches().await == Control::Cancel {
                return Err(Error::Cancelled);
            }
            let inputs = match augment {
                Some(vary) => train.varied_inputs(batch, &autodiff, |row| vary(row, &mut state.rng)),
                None => train.inputs(batch, &autodiff),
            };
            let output = state.model.forward_train(inputs, &mut state.rng);
            let loss = objective.forward(output, &train.targets, batch);
            // Sum per-sample losses on the device; read back once per epoch.
            let weighted = loss.clone().detach().mul_scalar(batch.len() as f32);
            loss_sum = Some(match loss_sum {
                Some(sum) => sum + weighted,
                None => weighted,
            });
            let mut grads = loss.backward();
            // A frozen backbone: only the dense layers' gradients reach the optimizer.
            let grads = match state.epoch < config.freeze_epochs {
                true => GradientsParams::from_module(&mut grads, state.model.dense_layers()),
                false => GradientsParams::from_grads(grads, &state.model),
            };
            state.model = state.optimizer.step(learning_rate, state.model, grads);
        }
        let train_loss = match loss_sum {
            Some(sum) => read_scalar(sum).await? / train.rows().max(1) as f64,
            None => f64::NAN,
        };
        if !train_loss.is_finite() {
            return Err(Error::Diverged { epoch, loss: train_loss, learning_rate });
        }
        let snapshot = state.model.valid();
        let (valid_loss, valid_metric) = evaluate(&snapshot, objective, valid, device).await?;
        state.epoch = epoch;
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
        run.history.push(report.clone());
        state.schedule.observe(&config.schedule, valid_loss);
        let monitored = match config.early_stopping.monitor {
            Monitor::ValidLoss => valid_loss,
            Monitor::ValidMetric => valid_metric,
        };
        let verdict = state.stopping.observe(&config.early_stopping, epoch, monitored);
        if verdict == Verdict::Improved {
            state.best = Some(snapshot);
        }
        // Before the report: a sink that pauses there has the checkpoint in hand.
        if verdict != Verdict::Stop && epoch < config.epochs && sink.wants_checkpoint() {
            let checkpoint = state.checkpoint(run, &name).await?;
            sink.checkpoint(checkpoint).await;
        }
        if sink.report(&Progress::Epoch(report)).await == Control::Cancel {
            return Err(Error::Cancelled);
        }
        if verdict == Verdict::Stop {
            let stop = Progress::EarlyStop { model: name.clone(), epoch, best_epoch: state.stopping.best_epoch };
            sink.report(&stop).await;
            break;
        }
    }
    let model = match state.best {
        Some(best) if config.early_stopping.restore_best => best,
        _ => state.model.valid(),
    };
    run.finished.push((FinishedModel { model: name, epochs_run: state.epoch }, model.weights().await?));
    Ok(Trained { model, epochs_run: state.epoch })
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
            let correct = labels.iter().enumerate().filter(|&(row, &label)| {
                crate::metrics::predicted_class(&out[row * k..(row + 1) * k]) == label as usize
            });
            correct.count() as f64 / n as f64
        }
        Targets::Values(values) => {
            let truth: Vec<f64> = values.iter().map(|&v| v as f64).collect();
            let predicted: Vec<f64> = out.iter().map(|&v| v as f64).collect();
            crate::metrics::regression_metrics(&truth, &predicted).headline()
        }
    };
    Ok((loss / n as f64, metric))
}

async fn read_scalar(tensor: Tensor<1>) -> Result<f64> {
    Ok(read_floats(tensor).await?.first().copied().unwrap_or(f32::NAN) as f64)
}

#[cfg(test)]
mod tests {
    use futures_lite::future::block_on;

    use super::*;
    use crate::model::network::Block;
    use crate::train::{Loss, Quiet};

    /// The first convolution's weights and the output layer's, as numbers.
    fn weights(model: &mut Mlp) -> (Vec<f32>, Vec<f32>) {
        let (convs, _, linears) = model.parts_mut();
        let values = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap();
        (values(convs[0].weight.val().flatten(0, 3)), values(linears[0].weight.val()))
    }

    #[test]
    fn frozen_epochs_train_the_dense_layers_alone() {
        let device = crate::device::cpu();
        let blocks = vec![
            Block::Image { height: 4, width: 4 },
            Block::Conv2d { channels: 3, kernel: 3, stride: 1, bias: true },
            Block::Activation { function: crate::model::Activation::Relu },
            Block::GlobalAvgPool,
        ];
        let spec = ModelSpec { network: Some(blocks), ..ModelSpec::new(16, vec![], 2) };
        let mut rng = SplitMix64(3);
        let x: Vec<f32> = (0..40 * 16).map(|_| rng.next_f64() as f32).collect();
        let targets = Targets::Classes((0..40).map(|i| i % 2).collect());
        let data = Encoded { x, width: 16, targets };
        let objective = Objective::new(Loss::CrossEntropy(Default::default()), 2, &data.targets);
        let mut fresh = spec.init_seeded(&device, 42);
        let before = weights(&mut fresh);
        for (freeze_epochs, backbone_moves) in [(3, false), (0, true)] {
            let config = TrainConfig { epochs: 3, freeze_epochs, learning_rate: 0.05, ..TrainConfig::default() };
            let (mut run, mut sink) = (Run::default(), Quiet);
            let train = train_model(&device, &spec, &config, &objective, &data, &data, None, &mut sink, &mut run);
            let mut trained = block_on(train).unwrap().model;
            let after = weights(&mut trained);
            assert_eq!(after.0 != before.0, backbone_moves, "freeze_epochs {freeze_epochs}");
            assert_ne!(after.1, before.1, "the output layer learns either way");
        }
    }
}
