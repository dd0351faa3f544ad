//! `fornax doctor`: what this build can compute on, and versions.

use burn::tensor::{Device, Tensor};

pub fn run() -> Result<(), String> {
    println!("fornax {}", fornax_core::VERSION);
    println!("burn 0.22 (tensor backends compiled in: {})", compiled_backends().join(", "));
    println!("devices:");
    println!("  cpu     {}", probe(&fornax_core::device::cpu()));
    vulkan();
    cuda();
    Ok(())
}

fn compiled_backends() -> Vec<&'static str> {
    let mut backends = vec!["flex (CPU)"];
    if cfg!(feature = "wgpu") {
        backends.push("wgpu (Vulkan)");
    }
    if cfg!(feature = "cuda") {
        backends.push("cuda");
    }
    backends
}

/// Runs one small matrix product on the device to show it really works.
fn probe(device: &Device) -> String {
    let result = std::panic::catch_unwind(|| {
        let a = Tensor::<2>::ones([64, 64], device);
        a.clone().matmul(a).sum().into_scalar::<f32>()
    });
    match result {
        Ok(sum) if sum == 64.0 * 64.0 * 64.0 => "ok (64x64 matmul checked)".to_string(),
        Ok(sum) => format!("WRONG RESULT: 64x64 ones matmul summed to {sum}"),
        Err(_) => "failed: the device panicked on a 64x64 matmul".to_string(),
    }
}

#[cfg(feature = "wgpu")]
fn vulkan() {
    match fornax_core::device::vulkan() {
        Ok(device) => println!("  vulkan  {}", probe(&device)),
        Err(e) => println!("  vulkan  unavailable: {e}"),
    }
}

#[cfg(not(feature = "wgpu"))]
fn vulkan() {
    println!("  vulkan  not in this build (cargo build -p fornax-server --release --features wgpu)");
}

#[cfg(feature = "cuda")]
fn cuda() {
    println!("  cuda    {}", probe(&fornax_core::device::cuda()));
}

#[cfg(not(feature = "cuda"))]
fn cuda() {
    println!("  cuda    not in this build (needs a GPU machine: --features cuda)");
}
