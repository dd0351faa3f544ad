//! Pretrained weights from a PyTorch checkpoint (`.pth`, as `torch.save(model.state_dict())`
//! writes it, zip or the legacy pickle stream): torchvision's `mobilenet_v2` and
//! `efficientnet_b0` into the `efficientnet` family's presets, and any checkpoint whose
//! layers come in the order a spec builds its own.
//!
//! The match is by order and shape, not by name: a network of blocks keeps one list of
//! convolutions and one of batch norms in the order its blocks use them, which is
//! torchvision's module order ([`super::block_net`]), so the checkpoint's convolutions,
//! batch norms and linear layers, each sorted by their module path read as numbers where
//! they are numbers (`features.2` before `features.10`), fill the model's lists one to
//! one. Every shape is checked and a mismatch names the tensor. The output layer is the
//! one exception: when the checkpoint's has another number of classes (ImageNet's 1000
//! against the user's folders), the model keeps its own fresh output layer, which is
//! what fine-tuning trains.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::Path;

use burn::module::{Param, RunningState};
use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, Linear};
use burn::tensor::{Device, Tensor, TensorData};
use pytorch_reader::{DType, PytorchReader};

use super::{Mlp, ModelSpec};
use crate::{Error, Result};

/// A model with a checkpoint's weights, and what was taken from it.
pub struct Pretrained {
    /// The model: the checkpoint's weights, with a fresh output layer when the classes differ.
    pub model: Mlp,
    /// Tensors taken from the checkpoint (running statistics included).
    pub tensors: usize,
    /// The checkpoint's number of classes when its output layer was left out, else `None`.
    pub replaced_head: Option<usize>,
}

/// One layer of a checkpoint: its module path and its tensors by their last name.
struct Group {
    path: String,
    tensors: BTreeMap<String, pytorch_reader::Tensor>,
}

/// A checkpoint's layers by kind, each list in module order.
#[derive(Default)]
struct Layers {
    convs: Vec<Group>,
    norms: Vec<Group>,
    linears: Vec<Group>,
}

/// Reads the checkpoint at `path` into `spec`'s model on `device`; the fresh output layer
/// (when the checkpoint's classes differ from the spec's outputs) is the one `seed` draws.
pub fn load_pytorch(spec: &ModelSpec, path: &Path, device: &Device, seed: u64) -> Result<Pretrained> {
    let bad = |why: String| Error::Pretrained(format!("{}: {why}", path.display()));
    let reader = PytorchReader::new(path)
        .or_else(|_| PytorchReader::with_top_level_key(path, "state_dict"))
        .map_err(|e| bad(format!("not a PyTorch checkpoint Fornax can read ({e})")))?;
    let layers = group(reader).map_err(bad)?;
    let mut model = spec.init_seeded(device, seed);
    let outputs = spec.outputs;
    let (mut convs, mut norms, mut linears) = model.parts_mut();
    let counts = [("convolutions", layers.convs.len(), convs.len()), ("batch norms", layers.norms.len(), norms.len())];
    for (what, file, ours) in counts {
        if file != ours {
            return Err(bad(format!("it has {file} {what} and this model has {ours}: it is another architecture")));
        }
    }
    if layers.linears.len() != linears.len() {
        return Err(bad(format!(
            "it has {} linear layers and this model has {}: it is another architecture",
            layers.linears.len(),
            linears.len()
        )));
    }
    let mut tensors = 0;
    for (group, conv) in layers.convs.iter().zip(convs.iter_mut()) {
        tensors += set_conv(conv, group, device).map_err(bad)?;
    }
    for (group, norm) in layers.norms.iter().zip(norms.iter_mut()) {
        tensors += set_norm(norm, group, device).map_err(bad)?;
    }
    let mut replaced_head = None;
    let last = linears.len().saturating_sub(1);
    for (i, (group, linear)) in layers.linears.iter().zip(linears.iter_mut()).enumerate() {
        let classes = group.tensors.get("weight").map_or(0, |w| w.shape()[0]);
        if i == last && classes != outputs {
            replaced_head = Some(classes);
            continue;
        }
        tensors += set_linear(linear, group, device).map_err(bad)?;
    }
    if !model.is_finite() {
        return Err(bad("its weights hold NaN or infinite values".into()));
    }
    Ok(Pretrained { model, tensors, replaced_head })
}

/// The checkpoint's tensors as layers: a module with a 4-dimensional `weight` is a
/// convolution, one with `running_mean` a batch norm, one with a 2-dimensional `weight`
/// a linear layer; `num_batches_tracked` is left out.
fn group(reader: PytorchReader) -> std::result::Result<Layers, String> {
    let mut modules: BTreeMap<String, BTreeMap<String, pytorch_reader::Tensor>> = BTreeMap::new();
    for (name, tensor) in reader.into_tensors() {
        let (path, leaf) = name.rsplit_once('.').unwrap_or(("", name.as_str()));
        if leaf == "num_batches_tracked" {
            continue;
        }
        modules.entry(path.to_string()).or_default().insert(leaf.to_string(), tensor);
    }
    let mut paths: Vec<String> = modules.keys().cloned().collect();
    paths.sort_by(|a, b| module_order(a, b));
    let mut layers = Layers::default();
    for path in paths {
        let tensors = modules.remove(&path).unwrap_or_default();
        let dims = tensors.get("weight").map(|w| w.shape().len());
        let list = match (tensors.contains_key("running_mean"), dims) {
            (true, _) => &mut layers.norms,
            (false, Some(4)) => &mut layers.convs,
            (false, Some(2)) => &mut layers.linears,
            _ => return Err(format!("`{path}` is neither a convolution, a batch norm nor a linear layer")),
        };
        list.push(Group { path, tensors });
    }
    if layers.convs.is_empty() && layers.linears.is_empty() {
        return Err("it holds no layers".into());
    }
    Ok(layers)
}

/// Module paths part by part, numbers by value and names alphabetically: torchvision's
/// networks number their layers (`features.2.conv.0.0`), so this is the order they
/// register them in.
fn module_order(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| s.split('.').map(|p| p.parse::<u64>().map_err(|_| p.to_string())).collect::<Vec<_>>();
    let (a, b) = (parts(a), parts(b));
    for (x, y) in a.iter().zip(&b) {
        let order = match (x, y) {
            (Ok(x), Ok(y)) => x.cmp(y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(x), Err(y)) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// `group`'s tensor `leaf` as floats of `shape`, or why not.
fn values(group: &Group, leaf: &str, shape: &[usize]) -> std::result::Result<Vec<f32>, String> {
    let name = format!("{}.{leaf}", group.path);
    let tensor = group.tensors.get(leaf).ok_or_else(|| format!("`{name}` is missing"))?;
    if tensor.shape() != shape {
        return Err(format!("`{name}` has shape {:?} where this model has {shape:?}", tensor.shape()));
    }
    let bytes = tensor.read().map_err(|e| format!("`{name}` cannot be read: {e}"))?;
    let floats = match tensor.dtype() {
        DType::F32 => bytes.chunks_exact(4).map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]])).collect(),
        DType::F64 => {
            bytes.chunks_exact(8).map(|b| f64::from_ne_bytes(b.try_into().unwrap_or([0; 8])) as f32).collect()
        }
        other => return Err(format!("`{name}` holds {other:?} values; Fornax reads 32- and 64-bit floats")),
    };
    Ok(floats)
}

fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

fn set_conv(conv: &mut Conv2d, group: &Group, device: &Device) -> std::result::Result<usize, String> {
    let shape = conv.weight.shape().dims::<4>();
    conv.weight = Param::from_tensor(tensor(values(group, "weight", &shape)?, shape, device));
    match (&mut conv.bias, group.tensors.contains_key("bias")) {
        (Some(bias), true) => {
            let shape = bias.shape().dims::<1>();
            *bias = Param::from_tensor(tensor(values(group, "bias", &shape)?, shape, device));
            Ok(2)
        }
        (None, false) => Ok(1),
        (Some(_), false) => Err(format!("`{}` has no bias where this model's convolution has one", group.path)),
        (None, true) => Err(format!("`{}` has a bias where this model's convolution has none", group.path)),
    }
}

fn set_norm(norm: &mut BatchNorm, group: &Group, device: &Device) -> std::result::Result<usize, String> {
    let shape = norm.gamma.shape().dims::<1>();
    norm.gamma = Param::from_tensor(tensor(values(group, "weight", &shape)?, shape, device));
    norm.beta = Param::from_tensor(tensor(values(group, "bias", &shape)?, shape, device));
    norm.running_mean = RunningState::new(tensor(values(group, "running_mean", &shape)?, shape, device));
    norm.running_var = RunningState::new(tensor(values(group, "running_var", &shape)?, shape, device));
    Ok(4)
}

/// PyTorch's `weight` is `[outputs, inputs]`; Burn's `[inputs, outputs]`.
fn set_linear(linear: &mut Linear, group: &Group, device: &Device) -> std::result::Result<usize, String> {
    let [inputs, outputs] = linear.weight.shape().dims::<2>();
    let weight = tensor(values(group, "weight", &[outputs, inputs])?, [outputs, inputs], device);
    linear.weight = Param::from_tensor(weight.transpose());
    match &mut linear.bias {
        Some(bias) => {
            *bias = Param::from_tensor(tensor(values(group, "bias", &[outputs])?, [outputs], device));
            Ok(2)
        }
        None => Ok(1),
    }
}

#[cfg(test)]
mod tests {
    use super::module_order;

    #[test]
    fn modules_sort_as_pytorch_registers_them() {
        let mut paths =
            vec!["features.10.conv.0.0", "classifier.1", "features.2.conv.3", "features.2.conv.0.1", "features.0.0"];
        paths.sort_by(|a, b| module_order(a, b));
        assert_eq!(
            paths,
            ["classifier.1", "features.0.0", "features.2.conv.0.1", "features.2.conv.3", "features.10.conv.0.0"]
        );
    }
}
