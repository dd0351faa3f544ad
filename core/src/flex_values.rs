//! An f32 Flex tensor's values as a slice, for the CPU kernels Fornax adds to Burn
//! (the 2x2 max pool, the fused Adam step).

use burn::backend::DispatchTensorKind;
use burn::tensor::{Bytes, DType, Shape};
use burn_flex::{FlexTensor, Layout};

/// The tensor with its values in one contiguous run. `to_contiguous` shares the buffer
/// when it is one already; dropping the original then leaves that buffer with one
/// owner, so [`values_mut`] updates it in place without copying it.
pub(crate) fn contiguous(tensor: FlexTensor) -> FlexTensor {
    let contiguous = tensor.to_contiguous();
    drop(tensor);
    contiguous
}

/// The values of a tensor made [`contiguous`].
pub(crate) fn values(tensor: &FlexTensor) -> &[f32] {
    let (start, end) = tensor.layout().contiguous_offsets().expect("made contiguous");
    &tensor.storage::<f32>()[start..end]
}

/// The values, for writing: copied first if another tensor shares them (Flex's
/// copy-on-write), so no other tensor sees the update.
pub(crate) fn values_mut(tensor: &mut FlexTensor) -> &mut [f32] {
    let (start, end) = tensor.layout().contiguous_offsets().expect("made contiguous");
    &mut tensor.storage_mut::<f32>()[start..end]
}

/// A new tensor of `shape` holding `values`, row-major.
pub(crate) fn from_values(values: Vec<f32>, shape: &[usize]) -> FlexTensor {
    FlexTensor::new(Bytes::from_elems(values), Layout::contiguous(Shape::from(shape.to_vec())), DType::F32)
}

/// Whether a tensor lives on Flex, with or without autodiff over it: where Fornax's own
/// kernels run (other backends keep Burn's operations).
pub(crate) fn is_flex(kind: &DispatchTensorKind) -> bool {
    match kind {
        DispatchTensorKind::Flex(_) => true,
        DispatchTensorKind::Autodiff(inner) => is_flex(inner),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}
