//! The UI's side of the worker: starts it and sends it messages.

use std::cell::RefCell;

use js_sys::{Array, ArrayBuffer, Object};
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::protocol::{self, FromWorker, ToWorker};

/// The worker, once it said it is alive; until then messages wait in `pending`
/// (a worker drops messages that arrive before its Wasm has installed a handler).
#[derive(Default)]
struct Bridge {
    worker: Option<Worker>,
    alive: bool,
    pending: Vec<(Object, Array)>,
}

thread_local! {
    static BRIDGE: RefCell<Bridge> = RefCell::new(Bridge::default());
}

/// Starts the worker (trunk's loader for `bin/worker.rs`) and routes its messages.
/// `on_message` gets each message with its transferred bytes, if any.
pub fn spawn(
    on_message: impl Fn(FromWorker, Option<ArrayBuffer>) + 'static,
    on_error: impl Fn(String) + 'static,
) -> Result<(), String> {
    let worker = Worker::new("./worker_loader.js").map_err(|e| format!("cannot start the training worker: {e:?}"))?;
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let (message, bytes) = protocol::unpack::<FromWorker>(&event.data());
        match message {
            Ok(FromWorker::Alive) => BRIDGE.with(|b| {
                let mut bridge = b.borrow_mut();
                bridge.alive = true;
                let pending = std::mem::take(&mut bridge.pending);
                if let Some(worker) = &bridge.worker {
                    for (message, transfer) in pending {
                        let _ = worker.post_message_with_transfer(&message, &transfer);
                    }
                }
            }),
            Ok(message) => on_message(message, bytes),
            Err(e) => web_sys::console::error_1(&format!("unreadable worker message: {e}").into()),
        }
    });
    worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    let error_handler = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        on_error(format!("the training worker failed: {}", event.message()));
    });
    worker.set_onerror(Some(error_handler.as_ref().unchecked_ref()));
    error_handler.forget();
    BRIDGE.with(|b| b.borrow_mut().worker = Some(worker));
    Ok(())
}

/// Sends a message; `bytes` is transferred, not copied.
pub fn send(message: &ToWorker, bytes: Option<ArrayBuffer>) {
    let (object, transfer) = protocol::pack(message, bytes);
    BRIDGE.with(|b| {
        let mut bridge = b.borrow_mut();
        match (&bridge.worker, bridge.alive) {
            (Some(worker), true) => {
                let _ = worker.post_message_with_transfer(&object, &transfer);
            }
            _ => bridge.pending.push((object, transfer)),
        }
    });
}
