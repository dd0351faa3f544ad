//! A GPU that refuses an allocation, or is lost, panics inside Burn (wgpu's error
//! handler panics). Natively a panic unwinds, so `fornax train` and the server's jobs
//! turn it into an error that says what to do, and carry on. (In the browser a panic
//! aborts the worker, which reports it with [`panic_text`]; the UI replaces it.)

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::{Error, Result};

/// What to do about a device that failed during training.
pub const DEVICE_ADVICE: &str = "a model or batch too large for its memory is the usual cause: use a smaller batch or narrower layers, or train \
     on the CPU";

/// Runs `train` (a blocking call into training), turning a panic or an error of the
/// device into an [`Error::Backend`] that says what to do. Nothing `train` touched is
/// used after a panic (the run's state is dropped with it), so asserting unwind safety
/// is sound.
pub fn contain_device_failure<T>(train: impl FnOnce() -> Result<T>) -> Result<T> {
    let failed = |what: &str| {
        Error::Backend(format!("the device failed: {}; {DEVICE_ADVICE}", what.trim_end_matches(['.', '\n'])))
    };
    match catch_unwind(AssertUnwindSafe(train)) {
        Ok(Err(Error::Backend(what))) => Err(failed(&what)),
        Ok(result) => result,
        Err(panic) => Err(failed(&panic_text(&*panic))),
    }
}

/// What a panic said.
pub fn panic_text(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "it panicked".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_or_a_device_error_becomes_advice_and_the_rest_passes_through() {
        let failed = contain_device_failure::<()>(|| panic!("wgpu error: Validation Error: buffer too large"));
        let Err(Error::Backend(message)) = failed else { panic!("expected a backend error") };
        assert_eq!(
            message,
            format!("the device failed: wgpu error: Validation Error: buffer too large; {DEVICE_ADVICE}")
        );
        let failed = contain_device_failure::<()>(|| Err(Error::Backend("can't allocate buffer of size: 9".into())));
        let Err(Error::Backend(message)) = failed else { panic!("expected a backend error") };
        assert_eq!(message, format!("the device failed: can't allocate buffer of size: 9; {DEVICE_ADVICE}"));
        assert_eq!(contain_device_failure(|| Ok(3)).unwrap(), 3);
        assert!(matches!(contain_device_failure::<()>(|| Err(Error::Cancelled)), Err(Error::Cancelled)));
    }
}
