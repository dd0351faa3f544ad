//! Adam (with optional L2 weight decay) as one pass over each parameter on the CPU.
//!
//! Burn's Adam updates a parameter with about fourteen tensor operations (scale the
//! moments, square the gradient, take roots, divide, ...), each a pass over memory and
//! a fresh tensor. On Flex this does the same arithmetic, in the same order so the
//! numbers are Burn's to the bit, in one loop over the parameter, its gradient and the
//! two moments, updating them in place. Its state is Burn's [`AdamState`], so
//! checkpoints are unchanged. On other backends (WebGPU, Vulkan, CUDA) it hands the
//! step to Burn's Adam.

use burn::backend::{BackendTensor, DispatchTensor, DispatchTensorKind};
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, Optimizer};
use burn::tensor::{DType, Device, Tensor};
use burn_flex::FlexTensor;

use super::optim::AdamParams;
use crate::flex_values::{contiguous, values, values_mut};

/// Adam as a Burn optimizer: one fused pass per parameter on Flex, Burn's own Adam elsewhere.
#[derive(Clone)]
pub struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// L2 penalty added to the gradient, as Burn's `WeightDecay` does.
    weight_decay: Option<f32>,
    /// Burn's Adam with the same settings, for tensors that are not on Flex.
    burn: burn::optim::Adam,
}

impl FusedAdam {
    /// Adam with `params`, and `weight_decay` as an L2 penalty added to the gradient when given.
    pub fn new(params: AdamParams, weight_decay: Option<f32>) -> Self {
        let (beta_1, beta_2, epsilon) = (params.beta1 as f32, params.beta2 as f32, params.epsilon as f32);
        let burn = AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(beta_2)
            .with_epsilon(epsilon)
            .with_weight_decay(weight_decay.map(|penalty| WeightDecayConfig { penalty }))
            .build();
        FusedAdam { beta_1, beta_2, epsilon, weight_decay, burn }
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let on_flex = |t: &Tensor<D>| {
            t.dtype() == DType::F32
                && matches!(t.clone().into_dispatch().kind, DispatchTensorKind::Flex(BackendTensor::Float(_)))
        };
        let moments_on_flex = state.as_ref().is_none_or(|s| {
            s.momentum.max_moment_2.is_none() && on_flex(&s.momentum.moment_1) && on_flex(&s.momentum.moment_2)
        });
        if !(on_flex(&tensor) && on_flex(&grad) && moments_on_flex) {
            return self.burn.step(lr, tensor, grad, state);
        }
        let (tensor, tensor_context) = flex(tensor);
        // The moments take the gradient's context: plain tensors, outside any autodiff graph.
        let (grad, context) = flex(grad);
        let (time, moment_1, moment_2) = match state {
            Some(AdamState { momentum }) => (momentum.time + 1, flex(momentum.moment_1).0, flex(momentum.moment_2).0),
            None => {
                let zeros = || FlexTensor::zeros(tensor.layout().shape().clone(), DType::F32);
                (1, zeros(), zeros())
            }
        };
        let (grad, mut tensor) = (contiguous(grad), contiguous(tensor));
        let (mut moment_1, mut moment_2) = (contiguous(moment_1), contiguous(moment_2));
        self.update(
            lr,
            time,
            values_mut(&mut tensor),
            values(&grad),
            values_mut(&mut moment_1),
            values_mut(&mut moment_2),
        );
        let momentum = AdaptiveMomentumState::new(time, unflex(moment_1, context), unflex(moment_2, context));
        (unflex(tensor, tensor_context), Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        AdamState::new(state.momentum.to_device(device))
    }
}

impl FusedAdam {
    /// One Adam step for every value: Burn's `AdaptiveMomentum::transform` and
    /// `Adam::step`, operation for operation.
    fn update(&self, lr: LearningRate, time: usize, param: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32]) {
        let (b1, b2) = (self.beta_1, self.beta_2);
        let time = time as i32;
        let bias_correction2_sqrt = (1.0 - b2.powi(time)).sqrt();
        let combined_factor = bias_correction2_sqrt / (1.0 - b1.powi(time));
        let epsilon = self.epsilon * bias_correction2_sqrt;
        let lr = lr as f32;
        let decay = self.weight_decay.unwrap_or(0.0);
        let decays = self.weight_decay.is_some();
        let values = param.iter_mut().zip(grad).zip(m.iter_mut().zip(v.iter_mut()));
        for ((p, &g), (m, v)) in values {
            let g = if decays { *p * decay + g } else { g };
            *m = *m * b1 + g * (1.0 - b1);
            *v = *v * b2 + g * g * (1.0 - b2);
            *p -= *m * combined_factor / (v.sqrt() + epsilon) * lr;
        }
    }
}

/// The Flex tensor inside a dispatch tensor, and the autodiff context to wrap it back in.
fn flex<const D: usize>(tensor: Tensor<D>) -> (FlexTensor, burn::backend::DispatchAutodiffContext) {
    let DispatchTensor { kind, autodiff } = tensor.into_dispatch();
    match kind {
        DispatchTensorKind::Flex(BackendTensor::Float(tensor)) => (tensor, autodiff),
        _ => unreachable!("checked to be a Flex float tensor before"),
    }
}

fn unflex<const D: usize>(tensor: FlexTensor, autodiff: burn::backend::DispatchAutodiffContext) -> Tensor<D> {
    Tensor::from_dispatch(DispatchTensor { kind: DispatchTensorKind::Flex(BackendTensor::Float(tensor)), autodiff })
}

#[cfg(test)]
mod tests {
    use burn::optim::Optimizer;
    use burn::tensor::{Device, Tensor, TensorData};

    use super::FusedAdam;
    use crate::train::optim::AdamParams;

    fn tensor(seed: u64, device: &Device) -> Tensor<2> {
        let mut rng = crate::base::SplitMix64(seed);
        let values: Vec<f32> = (0..24).map(|_| (rng.next_f64() * 4.0 - 2.0) as f32).collect();
        Tensor::from_data(TensorData::new(values, [4, 6]), device)
    }

    fn bits(t: &Tensor<2>) -> Vec<u32> {
        t.clone().into_data().try_to_vec::<f32>().unwrap().iter().map(|v| v.to_bits()).collect()
    }

    /// Five steps of each, with and without weight decay, on different gradients: the
    /// parameters and both moments equal Burn's Adam bit for bit.
    #[test]
    fn equals_burns_adam_to_the_bit() {
        let device = Device::flex();
        let params = AdamParams { beta1: 0.8, beta2: 0.99, epsilon: 1e-6 };
        for weight_decay in [None, Some(0.01)] {
            let fused = FusedAdam::new(params, weight_decay);
            let burn = fused.burn.clone();
            let (mut ours, mut theirs) = (tensor(1, &device), tensor(1, &device));
            let (mut our_state, mut their_state) = (None, None);
            for step in 0..5 {
                let grad = tensor(10 + step, &device);
                (ours, our_state) = fused.step(0.003, ours, grad.clone(), our_state);
                (theirs, their_state) = burn.step(0.003, theirs, grad, their_state);
                assert_eq!(bits(&ours), bits(&theirs), "step {step}, weight decay {weight_decay:?}");
                let (a, b) = (&our_state.as_ref().unwrap().momentum, &their_state.as_ref().unwrap().momentum);
                assert_eq!(a.time, b.time);
                assert_eq!(bits(&a.moment_1), bits(&b.moment_1));
                assert_eq!(bits(&a.moment_2), bits(&b.moment_2));
            }
        }
    }

    /// A parameter shared with another tensor is updated as a copy: the other keeps its
    /// values.
    #[test]
    fn a_shared_parameter_is_not_changed_under_its_other_owner() {
        let device = Device::flex();
        let param = tensor(3, &device);
        let before = bits(&param);
        let kept = param.clone();
        let fused = FusedAdam::new(AdamParams::default(), None);
        let (updated, _) = fused.step(0.1, param, tensor(4, &device), None);
        assert_eq!(bits(&kept), before);
        assert_ne!(bits(&updated), before);
    }
}
