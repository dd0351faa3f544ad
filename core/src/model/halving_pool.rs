//! The CNN blocks' 2x2 max pool (stride 2, no padding: height and width halve, an odd
//! last row or column is dropped) with its own CPU kernels.
//!
//! Burn's Flex runs every 2-D max pool through its general 3-D kernel, which works out
//! each window's bounds (padding, dilation, ceil mode: divisions included) for every
//! value it writes, and records an `i64` index per value for the backward pass. That
//! was a fifth of a CNN's training time. Here the window is always four values, the
//! forward pass notes each window's winner in one byte for the backward pass, and it
//! plugs into Burn through a backend extension with its own autodiff step. On other
//! backends (WebGPU, Vulkan, CUDA) Burn's own max pool runs.
//!
//! Ties and NaN follow PyTorch and Flex: the first of equal values wins, a NaN always
//! wins (the last one, when there are several).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, backend_extension};
use burn::tensor::module::max_pool2d;
use burn::tensor::ops::MaxPoolOptions;
use burn::tensor::{DType, Tensor};
use burn_flex::FlexTensor;

use crate::flex_values::{contiguous, from_values, is_flex, values};

/// `[batch, channels, h, w] -> [batch, channels, h / 2, w / 2]`, the largest value of
/// each 2x2 window.
pub fn halving_max_pool(x: Tensor<4>) -> Tensor<4> {
    let f32 = x.dtype() == DType::F32;
    let x = x.into_dispatch();
    if f32 && is_flex(&x.kind) {
        Tensor::from_dispatch(<Dispatch as HalvingPool>::halving_max_pool(x))
    } else {
        max_pool2d(Tensor::from_dispatch(x), MaxPoolOptions::new([2, 2]))
    }
}

/// The pool as a Burn backend operation, implemented for Flex and for autodiff over
/// Flex; `halving_max_pool` sends nothing else here.
#[backend_extension(Flex, Autodiff)]
pub trait HalvingPool: Backend {
    /// `[batch, channels, h, w] -> [batch, channels, h / 2, w / 2]` on this backend's tensors.
    fn halving_max_pool(x: FloatTensor<Self>) -> FloatTensor<Self>;
}

impl HalvingPool for Flex {
    fn halving_max_pool(x: FloatTensor<Self>) -> FloatTensor<Self> {
        pool(x).0
    }
}

/// Which value of a window won, numbered row-major: 0 and 1 in the upper row, 2 and 3
/// in the lower one.
type Winners = Vec<u8>;

/// The pooled tensor and, per output value, its window's winner: all the backward pass
/// needs, in a byte per output value (a sixteenth of the input's bytes).
fn pool(x: FlexTensor) -> (FlexTensor, Winners) {
    let x = contiguous(x);
    let [batch, channels, height, width] = dims(&x);
    let (out_h, out_w) = (height / 2, width / 2);
    let mut output = vec![0f32; batch * channels * out_h * out_w];
    let mut winners = vec![0u8; output.len()];
    let shape = [batch, channels, out_h, out_w];
    if output.is_empty() {
        // An image one pixel high or wide pools to nothing (and `chunks_exact(0)` panics).
        return (from_values(output, &shape), winners);
    }
    let outputs = output.chunks_exact_mut(out_w).zip(winners.chunks_exact_mut(out_w));
    // Each pair of input rows (an odd last one dropped) makes one output row.
    let row_pairs = values(&x).chunks_exact(height * width).flat_map(|plane| plane.chunks_exact(2 * width));
    for (rows, (out, won)) in row_pairs.zip(outputs) {
        let (top, bottom) = rows.split_at(width);
        let windows = top.chunks_exact(2).zip(bottom.chunks_exact(2));
        for ((out, won), (t, b)) in out.iter_mut().zip(won.iter_mut()).zip(windows) {
            let (upper, right_upper) = later_wins(t[0], t[1]);
            let (lower, right_lower) = later_wins(b[0], b[1]);
            let (max, down) = later_wins(upper, lower);
            *out = max;
            *won = 2 * u8::from(down) + u8::from((down & right_lower) | (!down & right_upper));
        }
    }
    (from_values(output, &shape), winners)
}

/// The gradient of [`pool`] with respect to its input of `shape`: each output's
/// gradient goes to its window's winner, zero elsewhere.
fn pool_backward(shape: [usize; 4], winners: &[u8], grad: FlexTensor) -> FlexTensor {
    let grad = contiguous(grad);
    let [batch, channels, height, width] = shape;
    let out_w = width / 2;
    let mut x_grad = vec![0f32; batch * channels * height * width];
    if winners.is_empty() {
        return from_values(x_grad, &shape);
    }
    let row_pairs = x_grad.chunks_exact_mut(height * width).flat_map(|plane| plane.chunks_exact_mut(2 * width));
    let outputs = values(&grad).chunks_exact(out_w).zip(winners.chunks_exact(out_w));
    for (rows, (out_grad, won)) in row_pairs.zip(outputs) {
        let (top, bottom) = rows.split_at_mut(width);
        let windows = top.chunks_exact_mut(2).zip(bottom.chunks_exact_mut(2));
        for ((t, b), (&g, &won)) in windows.zip(out_grad.iter().zip(won)) {
            // A bit mask, not a branch, so that the loop vectorizes: `g` where `at` won, +0.
            let to = |at: u8| f32::from_bits(g.to_bits() & 0u32.wrapping_sub(u32::from(won == at)));
            (t[0], t[1], b[0], b[1]) = (to(0), to(1), to(2), to(3));
        }
    }
    from_values(x_grad, &shape)
}

/// Of `first` then `later`, the winner and whether it is `later`: a larger value or a
/// NaN takes over, so of equals the first wins. Applied as a tree (each row's pair,
/// then the two rows) it picks what a row-major scan of the window picks, and it has
/// no branches, so the loops above vectorize.
#[inline(always)]
fn later_wins(first: f32, later: f32) -> (f32, bool) {
    let wins = later > first || later.is_nan();
    (if wins { later } else { first }, wins)
}

fn dims(x: &FlexTensor) -> [usize; 4] {
    let shape = x.layout().shape();
    [shape[0], shape[1], shape[2], shape[3]]
}

impl<C: CheckpointStrategy> HalvingPool for Autodiff<Flex, C> {
    fn halving_max_pool(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct HalvingMaxPool;

        impl Backward<Flex, 1> for HalvingMaxPool {
            /// The input's shape and the winners.
            type State = ([usize; 4], Winners);

            fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
                let (shape, winners) = &ops.state;
                unary::<Flex, _>(ops.parents, ops.node, grads, |grad| pool_backward(*shape, winners, grad));
            }
        }

        match HalvingMaxPool.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let shape = dims(x.primitive());
                let (output, winners) = pool(x.into_primitive());
                prep.finish((shape, winners), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::halving_max_pool(x.into_primitive())),
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::module::max_pool2d;
    use burn::tensor::ops::MaxPoolOptions;
    use burn::tensor::{Device, Tensor, TensorData};

    use super::halving_max_pool;

    /// Values with ties (a quarter of the windows hold equal values), NaN and infinities,
    /// in an odd-sized image so the dropped last row and column are exercised.
    fn image(shape: [usize; 4], nan: bool) -> Vec<f32> {
        let n = shape.iter().product::<usize>();
        (0..n)
            .map(|i| match i % 13 {
                5 if nan => f32::NAN,
                7 => f32::NEG_INFINITY,
                11 => f32::INFINITY,
                _ => ((i * 7919) % 17) as f32 / 4.0 - 2.0,
            })
            .collect()
    }

    /// Output and input gradient of a pool, the output weighted so every window's
    /// gradient is distinct.
    fn pool_and_gradient(pool: fn(Tensor<4>) -> Tensor<4>, values: &[f32], shape: [usize; 4]) -> (Vec<f32>, Vec<f32>) {
        let device = Device::flex().autodiff();
        let x = Tensor::<4>::from_data(TensorData::new(values.to_vec(), shape), &device).require_grad();
        let y = pool(x.clone());
        let weights: Vec<f32> = (1..=y.shape().num_elements()).map(|i| i as f32).collect();
        let weights = Tensor::<4>::from_data(TensorData::new(weights, y.shape()), &device);
        let grads = (y.clone() * weights).sum().backward();
        let gradient = x.grad(&grads).expect("x takes part in the loss");
        (y.into_data().try_to_vec::<f32>().unwrap(), gradient.into_data().try_to_vec::<f32>().unwrap())
    }

    fn burn_pool(x: Tensor<4>) -> Tensor<4> {
        max_pool2d(x, MaxPoolOptions::new([2, 2]))
    }

    fn same_bits(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn equals_burns_max_pool_forward_and_backward() {
        for shape in [[2, 3, 8, 6], [1, 2, 7, 5], [3, 1, 2, 2], [1, 1, 3, 9], [2, 2, 1, 4], [1, 2, 5, 1]] {
            let values = image(shape, false);
            let (ours, ours_grad) = pool_and_gradient(halving_max_pool, &values, shape);
            let (burns, burns_grad) = pool_and_gradient(burn_pool, &values, shape);
            assert!(same_bits(&ours, &burns), "{shape:?}: {ours:?} vs {burns:?}");
            assert!(same_bits(&ours_grad, &burns_grad), "{shape:?}: {ours_grad:?} vs {burns_grad:?}");
        }
    }

    #[test]
    fn nan_wins_its_window_like_pytorch() {
        // Windows of [a, b; c, d] row-major; NaN wins, the last NaN takes the gradient,
        // and the first of equal values takes it otherwise.
        let values = [1.0, f32::NAN, 3.0, 3.0, f32::NAN, 2.0, f32::NAN, 0.0];
        let shape = [1, 1, 2, 4];
        let (ours, ours_grad) = pool_and_gradient(halving_max_pool, &values, shape);
        let (burns, burns_grad) = pool_and_gradient(burn_pool, &values, shape);
        assert!(ours.iter().all(|v| v.is_nan()));
        assert!(same_bits(&ours, &burns));
        assert_eq!(ours_grad, [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0]);
        assert_eq!(ours_grad, burns_grad);
        let values = image([2, 2, 6, 6], true);
        let (ours, ours_grad) = pool_and_gradient(halving_max_pool, &values, [2, 2, 6, 6]);
        let (burns, burns_grad) = pool_and_gradient(burn_pool, &values, [2, 2, 6, 6]);
        assert!(same_bits(&ours, &burns) && same_bits(&ours_grad, &burns_grad));
    }

    #[test]
    fn without_autodiff_it_pools_too() {
        let device = Device::flex();
        let x = Tensor::<4>::from_data(TensorData::new(vec![1.0f32, 4.0, 2.0, 3.0], [1, 1, 2, 2]), &device);
        assert_eq!(halving_max_pool(x).into_data().try_to_vec::<f32>().unwrap(), [4.0]);
    }
}
