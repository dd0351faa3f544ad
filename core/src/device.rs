//! Choosing where tensors live: the CPU (Flex) everywhere, WebGPU in the browser,
//! Vulkan natively, CUDA behind a feature.

pub use burn::tensor::Device;

/// The CPU backend: always available, the browser's fallback.
pub fn cpu() -> Device {
    Device::flex()
}

/// The browser's WebGPU adapter, initialized asynchronously as the browser requires.
#[cfg(feature = "wgpu")]
pub async fn webgpu() -> crate::Result<Device> {
    use burn::tensor::wgpu::WgpuBackend;
    Device::wgpu_options()
        .graphics_api(WgpuBackend::WebGpu)
        .init_async()
        .await
        .map_err(|e| crate::Error::Backend(format!("WebGPU could not start: {e}")))
}

/// A native GPU through wgpu (Vulkan on Linux; Mesa's lavapipe when there is no GPU).
#[cfg(all(feature = "wgpu", not(target_family = "wasm")))]
pub fn vulkan() -> crate::Result<Device> {
    use burn::tensor::wgpu::WgpuBackend;
    Device::wgpu_options()
        .graphics_api(WgpuBackend::Vulkan)
        .init()
        .map_err(|e| crate::Error::Backend(format!("Vulkan could not start: {e}")))
}

/// The first CUDA GPU.
#[cfg(feature = "cuda")]
pub fn cuda() -> Device {
    Device::cuda(0)
}

/// Reads a float tensor back to the CPU, asynchronously (the only way in a browser).
pub async fn read_floats<const D: usize>(tensor: burn::tensor::Tensor<D>) -> crate::Result<Vec<f32>> {
    let data = tensor.into_data_async().await.map_err(|e| {
        crate::Error::Backend(format!("reading a tensor back failed: {}", innermost_cause(&e.to_string())))
    })?;
    data.try_to_vec::<f32>().map_err(|e| crate::Error::Backend(format!("unexpected tensor data: {e:?}")))
}

/// The last "Caused by:" of a backend's error chain, without the backtrace notes that
/// follow it: `can't allocate buffer of size: 1288490496`, not five nested lines.
fn innermost_cause(chain: &str) -> &str {
    let last = chain.rsplit("Caused by:").next().unwrap_or(chain);
    let end = ["No backtrace available", "Asked at", "Backtrace"].iter().filter_map(|m| last.find(m)).min();
    match last[..end.unwrap_or(last.len())].trim() {
        "" => chain.trim(),
        cause => cause,
    }
}

/// Whether a checkpoint can carry the optimizer's state. Not in the browser: Burn
/// records it with synchronous reads (impossible on WebGPU there) and loads it onto its
/// default device, which in the worker is the WebGPU one, uninitialized on the CPU path.
pub fn checkpoints_optimizer_state() -> bool {
    !cfg!(target_family = "wasm")
}

#[cfg(test)]
mod tests {
    use super::innermost_cause;

    #[test]
    fn a_backend_error_chain_is_cut_to_its_innermost_cause() {
        let chain = "An error happened during execution\nCaused by:\n  Several failures at once\nCaused by:\n  An IO \
                     error happened\nCaused by:\n  can't allocate buffer of size: 1288490496\nNo backtrace available\n\
                     Asked at: nowhere";
        assert_eq!(innermost_cause(chain), "can't allocate buffer of size: 1288490496");
        assert_eq!(innermost_cause("out of memory"), "out of memory");
        assert_eq!(innermost_cause("Caused by:\nNo backtrace available"), "Caused by:\nNo backtrace available");
    }
}
