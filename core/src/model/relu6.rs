//! ReLU6 (`min(max(x, 0), 6)`, MobileNetV2's activation) with its own CPU kernels.
//!
//! Burn writes it as a clamp, which on autodiff becomes two comparisons and two masked
//! fills forward and two more masked fills backward: 18% of a MobileNetV2's training
//! time on Flex by `perf`. Here one pass clamps and notes, a byte per value, whether the
//! gradient passes, and the backward pass is one more; it plugs into Burn through a
//! backend extension with its own autodiff step, as the 2x2 max pool does. On other
//! backends (WebGPU, Vulkan, CUDA) Burn's clamp runs.
//!
//! The numbers are Burn's: NaN stays NaN and its gradient passes, and the gradient
//! passes at 0 and 6 themselves (Burn's masks exclude only values below 0 and above 6).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, backend_extension};
use burn::tensor::{DType, Tensor};
use burn_flex::FlexTensor;

use crate::flex_values::{contiguous, from_values, is_flex, values};

/// `min(max(x, 0), 6)`, value by value.
pub fn relu6<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let f32 = x.dtype() == DType::F32;
    let x = x.into_dispatch();
    if f32 && is_flex(&x.kind) {
        Tensor::from_dispatch(<Dispatch as Relu6>::relu6(x))
    } else {
        burn::tensor::activation::relu6(Tensor::from_dispatch(x))
    }
}

/// ReLU6 as a Burn backend operation, for Flex and autodiff over Flex; [`relu6`] sends
/// nothing else here.
#[backend_extension(Flex, Autodiff)]
pub trait Relu6: Backend {
    /// `min(max(x, 0), 6)` on this backend's tensors.
    fn relu6(x: FloatTensor<Self>) -> FloatTensor<Self>;
}

impl Relu6 for Flex {
    fn relu6(x: FloatTensor<Self>) -> FloatTensor<Self> {
        let x = contiguous(x);
        let out: Vec<f32> = values(&x).iter().map(|&v| clamp6(v)).collect();
        from_values(out, x.layout().shape())
    }
}

/// Branch-free, so the loops vectorize; NaN compares false both ways and stays.
#[inline(always)]
fn clamp6(v: f32) -> f32 {
    let v = if v < 0.0 { 0.0 } else { v };
    if v > 6.0 { 6.0 } else { v }
}

/// The clamped values and, per value, 1 where the gradient passes (from 0 to 6, or NaN).
fn forward(x: FlexTensor) -> (FlexTensor, Vec<u8>) {
    let x = contiguous(x);
    let input = values(&x);
    let out: Vec<f32> = input.iter().map(|&v| clamp6(v)).collect();
    let passes: Vec<u8> = input.iter().map(|&v| u8::from((0.0..=6.0).contains(&v) | v.is_nan())).collect();
    (from_values(out, x.layout().shape()), passes)
}

fn backward(passes: &[u8], grad: FlexTensor) -> FlexTensor {
    let grad = contiguous(grad);
    let out: Vec<f32> = values(&grad)
        .iter()
        .zip(passes)
        // A bit mask, not a branch: `g` where it passes, +0 elsewhere.
        .map(|(&g, &p)| f32::from_bits(g.to_bits() & 0u32.wrapping_sub(u32::from(p))))
        .collect();
    from_values(out, grad.layout().shape())
}

impl<C: CheckpointStrategy> Relu6 for Autodiff<Flex, C> {
    fn relu6(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct Relu6Step;

        impl Backward<Flex, 1> for Relu6Step {
            /// Where the gradient passes.
            type State = Vec<u8>;

            fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
                let passes = &ops.state;
                unary::<Flex, _>(ops.parents, ops.node, grads, |grad| backward(passes, grad));
            }
        }

        match Relu6Step.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let (output, passes) = forward(x.into_primitive());
                prep.finish(passes, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::relu6(x.into_primitive())),
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Tensor, TensorData};

    use super::relu6;

    fn output_and_gradient(f: fn(Tensor<2>) -> Tensor<2>, values: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let device = Device::flex().autodiff();
        let shape = [2, values.len() / 2];
        let x = Tensor::<2>::from_data(TensorData::new(values.to_vec(), shape), &device).require_grad();
        let y = f(x.clone());
        let weights: Vec<f32> = (1..=values.len()).map(|i| i as f32).collect();
        let grads = (y.clone() * Tensor::<2>::from_data(TensorData::new(weights, shape), &device)).sum().backward();
        let gradient = x.grad(&grads).expect("x takes part in the loss");
        (y.into_data().try_to_vec::<f32>().unwrap(), gradient.into_data().try_to_vec::<f32>().unwrap())
    }

    fn same_bits(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn equals_burns_relu6_forward_and_backward() {
        let mut values =
            vec![-1.5, -0.0, 0.0, 0.25, 3.0, 6.0, 6.5, 100.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -7.0];
        values.extend((0..200).map(|i| (i as f32 * 0.37) % 9.0 - 2.0));
        let (ours, ours_grad) = output_and_gradient(relu6, &values);
        let (burns, burns_grad) = output_and_gradient(burn::tensor::activation::relu6, &values);
        assert!(same_bits(&ours, &burns), "{ours:?} vs {burns:?}");
        assert!(same_bits(&ours_grad, &burns_grad), "{ours_grad:?} vs {burns_grad:?}");
        // Without autodiff too, on a 4-D image.
        let x = Tensor::<4>::from_data(TensorData::new(vec![-1.0f32, 2.0, 7.0, 6.0], [1, 1, 2, 2]), &Device::flex());
        assert_eq!(relu6(x).into_data().try_to_vec::<f32>().unwrap(), [0.0, 2.0, 6.0, 6.0]);
    }
}
