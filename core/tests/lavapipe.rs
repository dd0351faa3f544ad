//! The GPU code path without a GPU: Burn's wgpu backend on Vulkan, which here is Mesa's
//! lavapipe (a CPU Vulkan driver, apt `mesa-vulkan-drivers`). The same small training
//! as on Flex must land at the same accuracy within a small tolerance. Built only with
//! `--features wgpu` (`cargo xtask test` runs it so).
#![cfg(feature = "wgpu")]

use fornax_core::Error;
use fornax_core::data::{Dataset, Table};
use fornax_core::device;
use fornax_core::train::{DEVICE_ADVICE, Quiet, TrainConfig, contain_device_failure, train};
use futures_lite::future::block_on;

const WINE: &[u8] = include_bytes!("../../public/demo/wine.csv");

#[test]
fn vulkan_trains_wine_like_flex() {
    let table = Table::from_csv_bytes(WINE).unwrap();
    let config = TrainConfig { epochs: 40, ..TrainConfig::default() };
    let vulkan = device::vulkan().expect("a Vulkan device (lavapipe: apt install mesa-vulkan-drivers libvulkan1)");
    let gpu = block_on(train(&vulkan, Dataset::Tabular(&table), "cultivar", None, &config, &mut Quiet)).unwrap();
    let cpu = block_on(train(&device::cpu(), Dataset::Tabular(&table), "cultivar", None, &config, &mut Quiet)).unwrap();
    let (gpu, cpu) = (gpu.metrics.headline(), cpu.metrics.headline());
    // The 27-row test split: one mistake is 3.7 points; allow two.
    assert!((gpu - cpu).abs() <= 2.0 / 27.0 + 1e-9, "Vulkan {gpu} vs Flex {cpu}");
    assert!(gpu >= 0.85, "Vulkan accuracy {gpu}");
}

/// A batch too large for one GPU buffer, the way a model too large for a real GPU
/// fails: `contain_device_failure` (what `fornax train` and server jobs use) makes
/// wgpu's panic or error one error that says what to do.
#[test]
fn a_model_too_large_for_the_gpu_is_an_error_not_a_crash() {
    let table = Table::from_csv_bytes(WINE).unwrap();
    let config = TrainConfig { epochs: 1, hidden: vec![3_000_000], batch_size: Some(120), ..TrainConfig::default() };
    let vulkan = device::vulkan().unwrap();
    let failed = contain_device_failure(|| {
        block_on(train(&vulkan, Dataset::Tabular(&table), "cultivar", None, &config, &mut Quiet))
    });
    let Err(Error::Backend(message)) = failed else { panic!("expected the device to fail") };
    assert!(message.starts_with("the device failed: "), "{message}");
    assert!(message.ends_with(DEVICE_ADVICE), "{message}");
}
