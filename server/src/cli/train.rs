//! `fornax train`: the same training function as the tab, with a progress bar.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use fornax_core::Error;
use fornax_core::data::Dataset;
use fornax_core::model::pretrained::load_pytorch;
use fornax_core::model::{ConvSpec, EfficientNetSpec, ModelSpec, ResNetSpec};
use fornax_core::recipe::ChannelStatistics;
use fornax_core::task::Task;
use fornax_core::train::{
    Checkpoint, Control, IMAGE_TARGET, Progress, TrainConfig, TrainSink, contain_device_failure, fine_tune, resume,
    train,
};

use super::images::{ImageArgs, is_image_data, read_images};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Args)]
pub struct TrainArgs {
    /// The training data: a CSV with a header row, or a folder (or .zip) of images
    /// whose subfolders are the classes.
    #[arg(long)]
    data: PathBuf,
    /// The column to predict (a CSV; images are classified by their folder).
    #[arg(long, conflicts_with = "resume")]
    target: Option<String>,
    /// classification or regression (default: inferred from the target).
    #[arg(long, conflicts_with = "resume")]
    task: Option<String>,
    /// mlp (default), linear, or for images cnn, resnet (the small preset), resnet18,
    /// efficientnet (a small B0), efficientnet_b0 or mobilenet_v2 (for a table, write
    /// `conv`, `resnet` or `efficientnet` in --config).
    #[arg(long, conflicts_with = "resume")]
    model: Option<String>,
    /// Images only: start the model from a PyTorch checkpoint's weights (`.pth`, a
    /// state dict), such as torchvision's ImageNet `mobilenet_v2-b0353104.pth` for
    /// `--model mobilenet_v2`: its layers are matched in order and shape, a new output
    /// layer is drawn for the folders' classes, and the pictures are standardized with
    /// ImageNet's statistics.
    #[arg(long, conflicts_with = "resume")]
    pretrained: Option<PathBuf>,
    /// The first epochs in which only the output layer learns (fine-tuning: the new head
    /// first, then every layer).
    #[arg(long, conflicts_with = "resume")]
    freeze_epochs: Option<usize>,
    /// Most epochs (early stopping may end sooner).
    #[arg(long, conflicts_with = "resume")]
    epochs: Option<usize>,
    /// cpu, vulkan or cuda.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// A training config JSON (the same one the tab exports); flags override it.
    #[arg(long, conflicts_with = "resume")]
    config: Option<PathBuf>,
    /// Where to keep the checkpoint, rewritten at most every second and on Ctrl-C
    /// (default: OUT.ckpt). Removed once the bundle is written.
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue the run this checkpoint was made from, on the same --data; its target
    /// and config are the run's own.
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Where to write the bundle.
    #[arg(long)]
    out: PathBuf,
    /// Where to write the test metrics as JSON.
    #[arg(long)]
    metrics_json: Option<PathBuf>,
    #[command(flatten)]
    images: ImageArgs,
}

/// What `--data` held.
enum Loaded {
    Table(fornax_core::data::Table),
    Images(fornax_core::data::images::ImageSet),
}

pub fn run(args: TrainArgs) -> Result<(), String> {
    let device = device(&args.device)?;
    // Flags and files first: a mistake there is reported before a large dataset is read.
    let start = match &args.resume {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let checkpoint = Checkpoint::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("resuming {} from {}", checkpoint.describe(), path.display());
            Start::Resume(checkpoint)
        }
        None => fresh_run(&args)?,
    };
    let loaded = match is_image_data(&args.data) {
        true => Loaded::Images(read_images(&args.data, &args.images)?.0),
        false => Loaded::Table(super::read_table(&args.data, false)?),
    };
    let data = match &loaded {
        Loaded::Table(table) => Dataset::Tabular(table),
        Loaded::Images(set) => Dataset::Images(set),
    };
    let checkpoint_path = args.checkpoint.clone().unwrap_or_else(|| {
        let mut name = args.out.clone().into_os_string();
        name.push(".ckpt");
        PathBuf::from(name)
    });
    let mut sink = CliSink { bar: Bar::default(), checkpoint_path: checkpoint_path.clone(), saved: None, last: None };
    stop_on_ctrl_c();
    // A failing GPU panics inside Burn: that becomes an error that says what to do.
    let outcome = contain_device_failure(|| {
        pollster::block_on(async {
            match start {
                Start::Fresh { config, pretrained: Some(path), .. } => {
                    let load = |spec: &ModelSpec, seed: u64| {
                        let loaded = load_pytorch(spec, &path, &fornax_core::device::cpu(), seed)?;
                        let head = match loaded.replaced_head {
                            Some(theirs) => format!(
                                "; a new output layer for {} classes (the checkpoint's has {theirs})",
                                spec.outputs
                            ),
                            None => String::new(),
                        };
                        eprintln!("pretrained: {} tensors from {}{head}", loaded.tensors, path.display());
                        Ok(loaded.model)
                    };
                    fine_tune(&device, data, &config, &load, &mut sink).await
                }
                Start::Fresh { target, task, config, .. } => {
                    train(&device, data, &target, task, &config, &mut sink).await
                }
                Start::Resume(checkpoint) => resume(&device, data, checkpoint, &mut sink).await,
            }
        })
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(Error::Cancelled) => {
            drop(sink.bar);
            return Err(match sink.saved {
                Some(done) => format!(
                    "stopped; the checkpoint at {} holds {done}: continue with `fornax train --data {} --resume {} \
                     --out {}`",
                    checkpoint_path.display(),
                    args.data.display(),
                    checkpoint_path.display(),
                    args.out.display()
                ),
                None => "stopped before a checkpoint was written".into(),
            });
        }
        Err(e @ Error::Backend(_)) if sink.saved.is_some() => {
            drop(sink.bar);
            return Err(format!(
                "{e}; the checkpoint at {} holds {}: continue on the CPU with `fornax train --data {} --resume {} \
                 --out {} --device cpu`",
                checkpoint_path.display(),
                sink.saved.unwrap_or_default(),
                args.data.display(),
                checkpoint_path.display(),
                args.out.display()
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    crate::atomic_file::write(&args.out, &outcome.bundle.to_bytes())
        .map_err(|e| format!("cannot write {}: {e} (any previous file there is unchanged)", args.out.display()))?;
    if sink.saved.is_some() {
        let _ = std::fs::remove_file(&checkpoint_path);
    }

    let metrics = serde_json::json!({
        "task": outcome.bundle.manifest.task,
        "test": outcome.metrics,
        "baseline": outcome.baseline,
        "epochs_run": outcome.epochs_run,
    });
    let pretty = serde_json::to_string_pretty(&metrics).expect("metrics serialize");
    if let Some(path) = &args.metrics_json {
        crate::atomic_file::write(path, pretty.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!("{pretty}");
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// How a run begins. Made once per command, so the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum Start {
    Fresh { target: String, task: Option<Task>, config: TrainConfig, pretrained: Option<PathBuf> },
    Resume(Checkpoint),
}

/// The target, forced task and config of a new run, from the flags and `--config`.
fn fresh_run(args: &TrainArgs) -> Result<Start, String> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_str::<TrainConfig>(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => TrainConfig::default(),
    };
    if let Some(epochs) = args.epochs {
        config.epochs = epochs;
    }
    let images = is_image_data(&args.data);
    let model = args.model.as_deref().unwrap_or("mlp");
    // What the other families set is cleared; the image's size comes from the data.
    fn only(
        config: &mut TrainConfig,
        conv: Option<ConvSpec>,
        resnet: Option<ResNetSpec>,
        efficientnet: Option<EfficientNetSpec>,
    ) {
        config.network = None;
        config.conv = conv;
        // A named network's head is its output layer alone, as torchvision's.
        if resnet.is_some() || efficientnet.is_some() {
            config.hidden.clear();
            config.dropout.clear();
        }
        config.resnet = resnet;
        config.efficientnet = efficientnet;
    }
    let needs_image = |model: &str, field: &str| {
        Err(format!("for a table, {model} needs its image's height and width: write `{field}` in --config"))
    };
    match model {
        "mlp" => {}
        "linear" => {
            only(&mut config, None, None, None);
            config.hidden.clear();
        }
        "cnn" if images => {
            let conv = config.conv.take().unwrap_or(ConvSpec { image: [0, 0], channels: vec![8, 16] });
            only(&mut config, Some(conv), None, None);
        }
        "cnn" => return needs_image("a CNN", "conv"),
        "resnet" | "resnet18" if images => {
            let preset = if model == "resnet" { "small" } else { model };
            only(&mut config, None, ResNetSpec::preset(preset, [0, 0]), None);
        }
        "resnet" | "resnet18" => return needs_image("a ResNet", "resnet"),
        "efficientnet" | "efficientnet_b0" | "mobilenet_v2" if images => {
            let preset = match model {
                "efficientnet" => "small",
                "efficientnet_b0" => "b0",
                other => other,
            };
            only(&mut config, None, None, EfficientNetSpec::preset(preset, [0, 0]));
        }
        "efficientnet" | "efficientnet_b0" | "mobilenet_v2" => return needs_image("an EfficientNet", "efficientnet"),
        other => {
            return Err(format!(
                "unknown model `{other}`: use `mlp`, `linear`, `cnn`, `resnet`, `resnet18`, `efficientnet`, \
                 `efficientnet_b0` or `mobilenet_v2`"
            ));
        }
    }
    if let Some(epochs) = args.freeze_epochs {
        config.freeze_epochs = epochs;
    }
    if let Some(path) = &args.pretrained {
        if !images {
            return Err("--pretrained weights are for image models; a table trains from fresh ones".into());
        }
        if args.model.is_none() {
            return Err(format!(
                "--pretrained {}: name the architecture the checkpoint holds with --model (mobilenet_v2 for \
                 torchvision's mobilenet_v2-b0353104.pth)",
                path.display()
            ));
        }
        if !path.is_file() {
            return Err(format!("--pretrained {}: no such file", path.display()));
        }
        config.channel_statistics = ChannelStatistics::Imagenet;
    }
    let task = args.task.as_deref().map(Task::parse).transpose().map_err(|e| e.to_string())?;
    let target = match (&args.target, images) {
        (Some(target), false) => target.clone(),
        (None, false) => return Err("--target is required for a new run on a CSV".into()),
        (Some(_), true) => return Err("images are classified by their folder: leave out --target".into()),
        (None, true) => IMAGE_TARGET.to_string(),
    };
    Ok(Start::Fresh { target, task, config, pretrained: args.pretrained.clone() })
}

/// Set by Ctrl-C: the run stops after the current epoch, with a checkpoint.
static STOP: AtomicBool = AtomicBool::new(false);

fn stop_on_ctrl_c() {
    std::thread::spawn(|| {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_io().build() else { return };
        if runtime.block_on(tokio::signal::ctrl_c()).is_ok() {
            STOP.store(true, Ordering::SeqCst);
            eprintln!("\nstopping after this epoch, with a checkpoint (Ctrl-C again quits now)");
            let _ = runtime.block_on(tokio::signal::ctrl_c());
            std::process::exit(130);
        }
    });
}

/// A checkpoint at most this often while training runs; always the first epoch's and
/// the one Ctrl-C asks for.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// The progress bar, plus checkpoints written atomically, so a crash or Ctrl-C never
/// leaves a half-written one.
struct CliSink {
    bar: Bar,
    checkpoint_path: PathBuf,
    /// What the checkpoint on disk holds, once one was written.
    saved: Option<String>,
    last: Option<Instant>,
}

impl TrainSink for CliSink {
    async fn report(&mut self, progress: &Progress) -> Control {
        self.bar.report(progress).await;
        if STOP.load(Ordering::SeqCst) { Control::Cancel } else { Control::Continue }
    }

    fn wants_checkpoint(&mut self) -> bool {
        STOP.load(Ordering::SeqCst) || self.last.is_none_or(|last| last.elapsed() >= CHECKPOINT_EVERY)
    }

    async fn checkpoint(&mut self, checkpoint: Checkpoint) {
        self.last = Some(Instant::now());
        match crate::atomic_file::write(&self.checkpoint_path, &checkpoint.to_bytes()) {
            Ok(()) => self.saved = Some(checkpoint.describe()),
            Err(e) => {
                let message = format!("cannot write the checkpoint {}: {e}", self.checkpoint_path.display());
                match &self.bar.0 {
                    Some(bar) => bar.println(message),
                    None => eprintln!("{message}"),
                }
            }
        }
    }
}

pub fn device(name: &str) -> Result<burn::tensor::Device, String> {
    match name {
        "cpu" => Ok(fornax_core::device::cpu()),
        #[cfg(feature = "wgpu")]
        "vulkan" => fornax_core::device::vulkan().map_err(|e| e.to_string()),
        #[cfg(not(feature = "wgpu"))]
        "vulkan" => Err("this fornax was built without Vulkan: rebuild with `--features wgpu`".into()),
        #[cfg(feature = "cuda")]
        "cuda" => Ok(fornax_core::device::cuda()),
        #[cfg(not(feature = "cuda"))]
        "cuda" => Err("this fornax was built without CUDA: rebuild on a GPU machine with `--features cuda`".into()),
        other => Err(format!("unknown device `{other}`: use cpu, vulkan or cuda")),
    }
}

/// One progress bar per model, advanced each epoch, with the latest losses.
#[derive(Default)]
struct Bar(Option<ProgressBar>);

impl TrainSink for Bar {
    async fn report(&mut self, progress: &Progress) -> Control {
        match progress {
            Progress::Started { model, epochs, .. } => {
                if let Some(bar) = self.0.take() {
                    bar.finish();
                }
                let bar = ProgressBar::new(*epochs as u64);
                bar.set_style(
                    ProgressStyle::with_template("{prefix:>6} [{bar:30}] {pos}/{len} epochs {msg}")
                        .expect("valid template")
                        .progress_chars("=> "),
                );
                bar.set_prefix(model.clone());
                self.0 = Some(bar);
            }
            Progress::Epoch(e) => {
                if let Some(bar) = &self.0 {
                    bar.set_position(e.epoch as u64);
                    bar.set_message(format!(
                        "loss {:.4} val_loss {:.4} val_metric {:.3} lr {:.2e}",
                        e.train_loss, e.valid_loss, e.valid_metric, e.learning_rate
                    ));
                }
            }
            Progress::EarlyStop { epoch, best_epoch, .. } => {
                if let Some(bar) = self.0.take() {
                    bar.finish_with_message(format!("early stop at epoch {epoch}, best epoch {best_epoch}"));
                }
            }
        }
        Control::Continue
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish();
        }
    }
}
