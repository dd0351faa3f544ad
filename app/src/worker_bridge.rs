//! The UI's side of the worker: starts it, sends it messages, and replaces it when it
//! crashes.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object};
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use fornax_wire::worker::{self as protocol, FromWorker, ToWorker};

type OnMessage = Rc<dyn Fn(FromWorker, Option<ArrayBuffer>)>;
type OnError = Rc<dyn Fn(String)>;

/// The worker, once it said it is alive; until then messages wait in `pending`
/// (a worker drops messages that arrive before its Wasm has installed a handler).
#[derive(Default)]
struct Bridge {
    worker: Option<Worker>,
    alive: bool,
    pending: Vec<(Object, Array)>,
    /// Counts the workers started, so that a replaced worker's late events are dropped.
    generation: u32,
    handlers: Option<(OnMessage, OnError)>,
}

thread_local! {
    static BRIDGE: RefCell<Bridge> = RefCell::new(Bridge::default());
}

/// Starts the worker (trunk's loader for `bin/worker.rs`) and routes its messages.
/// `on_message` gets each message with its transferred bytes, if any; `on_error` an
/// error the worker did not catch.
pub fn spawn(
    on_message: impl Fn(FromWorker, Option<ArrayBuffer>) + 'static,
    on_error: impl Fn(String) + 'static,
) -> Result<(), String> {
    BRIDGE.with(|b| b.borrow_mut().handlers = Some((Rc::new(on_message), Rc::new(on_error))));
    start()
}

/// Ends the current worker and starts a fresh one with the same handlers. Messages
/// sent from now on go to the new worker; the old one's are dropped.
pub fn restart() -> Result<(), String> {
    let old = BRIDGE.with(|b| {
        let mut bridge = b.borrow_mut();
        bridge.alive = false;
        bridge.pending.clear();
        bridge.worker.take()
    });
    if let Some(old) = old {
        old.terminate();
    }
    start()
}

/// Whether the worker has started (said it is alive): one that never did cannot be
/// helped by starting another.
pub fn was_alive() -> bool {
    BRIDGE.with(|b| b.borrow().alive)
}

fn start() -> Result<(), String> {
    let (on_message, on_error, generation) = BRIDGE.with(|b| {
        let mut bridge = b.borrow_mut();
        bridge.generation += 1;
        let (on_message, on_error) = bridge.handlers.clone().expect("spawn sets the handlers first");
        (on_message, on_error, bridge.generation)
    });
    let current = move || BRIDGE.with(|b| b.borrow().generation == generation);
    let worker = Worker::new("./worker_loader.js").map_err(|e| format!("cannot start the training worker: {e:?}"))?;
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if !current() {
            return;
        }
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
        if current() {
            on_error(event.message());
        }
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
