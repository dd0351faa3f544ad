#![no_main]
// See fornax_core::invariants::image_import for what must hold for every input.
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| fornax_core::invariants::image_import(bytes));
