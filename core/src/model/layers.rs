//! Burn's layers as Fornax's networks use them: copies read back asynchronously (so a
//! WebGPU model in the browser can be saved) and finiteness checks, one per layer type,
//! shared by the MLP/CNN and the custom network.

use burn::module::{Param, RunningState};
use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, BatchNormConfig, LayerNorm, LayerNormConfig, Linear};
use burn::tensor::{Device, Tensor, TensorData};

use crate::Result;

async fn read_param<const D: usize>(tensor: Tensor<D>, device: &Device) -> Result<Tensor<D>> {
    let shape = tensor.shape();
    let values = crate::device::read_floats(tensor).await?;
    Ok(Tensor::from_data(TensorData::new(values, shape), device))
}

async fn copy_param<const D: usize>(param: &Param<Tensor<D>>, device: &Device) -> Result<Param<Tensor<D>>> {
    Ok(Param::initialized(param.id, read_param(param.val(), device).await?))
}

async fn copy_bias(bias: &Option<Param<Tensor<1>>>, device: &Device) -> Result<Option<Param<Tensor<1>>>> {
    match bias {
        Some(b) => Ok(Some(copy_param(b, device).await?)),
        None => Ok(None),
    }
}

/// A copy on `device`; parameters keep their ids, which an optimizer's saved state is
/// keyed by.
pub(super) async fn copy_linear(layer: &Linear, device: &Device) -> Result<Linear> {
    Ok(Linear { weight: copy_param(&layer.weight, device).await?, bias: copy_bias(&layer.bias, device).await? })
}

/// A copy on `device`, stride, padding and the like kept.
pub(super) async fn copy_conv(conv: &Conv2d, device: &Device) -> Result<Conv2d> {
    let mut copy = conv.clone();
    copy.weight = copy_param(&conv.weight, device).await?;
    copy.bias = copy_bias(&conv.bias, device).await?;
    Ok(copy)
}

/// A copy on `device`, running statistics included.
pub(super) async fn copy_batch_norm(norm: &BatchNorm, device: &Device) -> Result<BatchNorm> {
    let [features] = norm.gamma.shape().dims();
    let mut copy = BatchNormConfig::new(features).with_momentum(norm.momentum).with_epsilon(norm.epsilon).init(device);
    copy.gamma = copy_param(&norm.gamma, device).await?;
    copy.beta = copy_param(&norm.beta, device).await?;
    copy.running_mean = RunningState::new(read_param(norm.running_mean.value_sync(), device).await?);
    copy.running_var = RunningState::new(read_param(norm.running_var.value_sync(), device).await?);
    Ok(copy)
}

/// A copy on `device` (Fornax builds layer norms with Burn's default epsilon).
pub(super) async fn copy_layer_norm(norm: &LayerNorm, device: &Device) -> Result<LayerNorm> {
    let [features] = norm.gamma.shape().dims();
    let mut copy = LayerNormConfig::new(features).init(device);
    copy.gamma = copy_param(&norm.gamma, device).await?;
    copy.beta = copy_bias(&norm.beta, device).await?;
    Ok(copy)
}

fn finite(t: Tensor<1>) -> bool {
    t.is_finite().all().into_scalar::<bool>()
}

fn finite_bias(bias: &Option<Param<Tensor<1>>>) -> bool {
    bias.as_ref().is_none_or(|b| finite(b.val()))
}

/// Whether every value is a finite number (synchronous reads: CPU models only).
pub(super) fn linear_is_finite(layer: &Linear) -> bool {
    finite(layer.weight.val().flatten(0, 1)) && finite_bias(&layer.bias)
}

/// Whether every value is a finite number (synchronous reads: CPU models only).
pub(super) fn conv_is_finite(conv: &Conv2d) -> bool {
    finite(conv.weight.val().flatten(0, 3)) && finite_bias(&conv.bias)
}

/// Whether every value and running statistic is a finite number (CPU models only).
pub(super) fn batch_norm_is_finite(n: &BatchNorm) -> bool {
    finite(n.gamma.val())
        && finite(n.beta.val())
        && finite(n.running_mean.value_sync())
        && finite(n.running_var.value_sync())
}

/// Whether every value is a finite number (CPU models only).
pub(super) fn layer_norm_is_finite(n: &LayerNorm) -> bool {
    finite(n.gamma.val()) && finite_bias(&n.beta)
}
