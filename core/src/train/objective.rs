//! Training losses, written with Burn tensor ops so they run on every backend and give
//! gradients; the same code gives the validation loss. Definitions follow PyTorch's
//! (`CrossEntropyLoss` with `weight` and `label_smoothing`, `BCEWithLogitsLoss`,
//! `MSELoss`, `L1Loss`, `HuberLoss`), checked against values PyTorch computed
//! (`core/tests/fixtures/losses.json`).

use burn::tensor::activation::{log_sigmoid, log_softmax};
use burn::tensor::{Tensor, TensorData};

use super::loss::{ClassWeights, CrossEntropy, Loss};
use crate::recipe::Targets;

/// A loss ready to apply: class weights resolved from the training labels.
#[derive(Debug, Clone)]
pub struct Objective {
    /// The loss the config chose (or the task's default).
    pub loss: Loss,
    /// Per-class weights for cross-entropy (`None`: all 1).
    weights: Option<Vec<f32>>,
}

impl Objective {
    /// `train_labels` are the training split's (for `"balanced"` weights).
    pub fn new(loss: Loss, classes: usize, train_labels: &Targets) -> Self {
        let weights = match (&loss, train_labels) {
            (Loss::CrossEntropy(CrossEntropy { class_weights: Some(ClassWeights::Given(w)), .. }), _) => {
                Some(w.iter().map(|&x| x as f32).collect())
            }
            (
                Loss::CrossEntropy(CrossEntropy { class_weights: Some(ClassWeights::Named(_)), .. }),
                Targets::Classes(y),
            ) => {
                let mut counts = vec![0usize; classes];
                for &label in y {
                    counts[label as usize] += 1;
                }
                let n = y.len() as f64;
                Some(
                    counts
                        .iter()
                        .map(|&c| if c == 0 { 0.0 } else { (n / (classes as f64 * c as f64)) as f32 })
                        .collect(),
                )
            }
            _ => None,
        };
        Self { loss, weights }
    }

    /// The mean loss of `output` (`[batch, outputs]`) against the `rows` of `targets`.
    pub fn forward(&self, output: Tensor<2>, targets: &Targets, rows: &[usize]) -> Tensor<1> {
        let device = output.device();
        let [batch, width] = output.dims();
        match (&self.loss, targets) {
            (Loss::CrossEntropy(ce), Targets::Classes(labels)) => {
                let mut one_hot = vec![0f32; batch * width];
                for (i, &r) in rows.iter().enumerate() {
                    one_hot[i * width + labels[r] as usize] = 1.0;
                }
                let one_hot = Tensor::<2>::from_data(TensorData::new(one_hot, [batch, width]), &device);
                let weights = self.weights.clone().unwrap_or_else(|| vec![1.0; width]);
                let weights = Tensor::<2>::from_data(TensorData::new(weights, [1, width]), &device);
                let log_p = log_softmax(output, 1);
                // PyTorch: weighted NLL divided by the total weight of the batch's targets;
                // the smoothing term uses every class's weight, divided the same way.
                let target_weight = (one_hot.clone() * weights.clone()).sum_dim(1);
                let nll = (log_p.clone() * one_hot).sum_dim(1).neg() * target_weight.clone();
                let total = target_weight.sum();
                let loss = nll.sum() / total.clone();
                if ce.label_smoothing > 0.0 {
                    let eps = ce.label_smoothing;
                    let smooth = (log_p * weights).sum_dim(1).neg().sum() / total;
                    loss.mul_scalar(1.0 - eps) + smooth.mul_scalar(eps / width as f64)
                } else {
                    loss
                }
            }
            (Loss::BinaryCrossEntropy, Targets::Classes(labels)) => {
                let y: Vec<f32> = rows.iter().map(|&r| labels[r] as f32).collect();
                let y = Tensor::<2>::from_data(TensorData::new(y, [batch, 1]), &device);
                // -(y log sigmoid(z) + (1 - y) log sigmoid(-z)), stable for large |z|.
                let loss =
                    (y.clone() * log_sigmoid(output.clone()) + (y.neg() + 1.0) * log_sigmoid(output.neg())).neg();
                loss.mean()
            }
            (loss, Targets::Values(values)) => {
                let y: Vec<f32> = rows.iter().map(|&r| values[r]).collect();
                let y = Tensor::<2>::from_data(TensorData::new(y, [batch, 1]), &device);
                let diff = output - y;
                match loss {
                    Loss::Mae => diff.abs().mean(),
                    Loss::Huber { delta } => {
                        let a = diff.abs();
                        let quadratic = a.clone().clamp_max(*delta);
                        let linear = a - quadratic.clone();
                        (quadratic.powi_scalar(2).mul_scalar(0.5) + linear.mul_scalar(*delta)).mean()
                    }
                    _ => diff.powi_scalar(2).mean(),
                }
            }
            // check_task keeps these apart; a mismatch is a bug, not user input.
            (loss, Targets::Classes(_)) => panic!("{} cannot train a classifier", loss.name()),
        }
    }
}
