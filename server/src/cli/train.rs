//! `fornax train`: the same training function as the tab, with a progress bar.

use std::path::PathBuf;

use clap::Args;
use fornax_core::recipe::Task;
use fornax_core::train::{Control, Progress, TrainConfig, TrainSink, train_table};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Args)]
pub struct TrainArgs {
    /// The training data (CSV with a header row).
    #[arg(long)]
    data: PathBuf,
    /// The column to predict.
    #[arg(long)]
    target: String,
    /// classification or regression (default: inferred from the target).
    #[arg(long)]
    task: Option<String>,
    /// mlp (default) or linear.
    #[arg(long, default_value = "mlp")]
    model: String,
    /// Most epochs (early stopping may end sooner).
    #[arg(long)]
    epochs: Option<usize>,
    /// cpu, vulkan or cuda.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// A training config JSON (the same one the tab exports); flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where to write the bundle.
    #[arg(long)]
    out: PathBuf,
    /// Where to write the test metrics as JSON.
    #[arg(long)]
    metrics_json: Option<PathBuf>,
}

pub fn run(args: TrainArgs) -> Result<(), String> {
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
    match args.model.as_str() {
        "mlp" => {}
        "linear" => config.hidden.clear(),
        other => return Err(format!("unknown model `{other}`: use `mlp` or `linear`")),
    }
    let task = args.task.as_deref().map(Task::parse).transpose().map_err(|e| e.to_string())?;
    let device = device(&args.device)?;
    let table = super::read_table(&args.data)?;

    let mut bar = Bar::default();
    let outcome = pollster::block_on(train_table(&device, &table, &args.target, task, &config, &mut bar))
        .map_err(|e| e.to_string())?;
    crate::atomic_file::write(&args.out, &outcome.bundle.to_bytes())
        .map_err(|e| format!("cannot write {}: {e} (any previous file there is unchanged)", args.out.display()))?;

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
