//! Following a training job on a server: its Server-Sent Events, through the browser's
//! `EventSource` (which reconnects by itself, and the server resumes after the last
//! event it got). One job at a time.
//!
//! A server on a small dataset finishes thousands of epochs a second; progress events
//! are gathered and handed over at most every [`BATCH_MS`], so the tab redraws a few
//! times a second however fast they come.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent};

/// The job's final events, as the server names them (the others are `progress`).
const ENDINGS: [&str; 3] = ["succeeded", "failed", "cancelled"];
const BATCH_MS: i32 = 100;

struct Following {
    source: EventSource,
    _handlers: Vec<Closure<dyn FnMut(MessageEvent)>>,
}

/// Progress events not handed over yet, and whether a hand-over is scheduled.
#[derive(Default)]
struct Pending {
    events: RefCell<Vec<String>>,
    scheduled: Cell<bool>,
}

thread_local! {
    static FOLLOWING: RefCell<Option<Following>> = const { RefCell::new(None) };
    /// A closed source's handlers, kept until the next one closes: `stop` can run inside
    /// one of them, and a closure must not be freed while it runs.
    static RETIRED: RefCell<Option<Following>> = const { RefCell::new(None) };
}

/// Follows the events at `url`, replacing whatever was followed: `on_progress` gets the
/// data of `progress` events in batches, `on_end(kind, data)` the final event, after
/// every progress event before it. Stops by itself after the final event.
pub fn follow(
    url: &str,
    on_progress: impl Fn(Vec<String>) + 'static,
    on_end: impl Fn(&str, String) + 'static,
) -> Result<(), String> {
    stop();
    let source = EventSource::new(url).map_err(|e| format!("cannot follow {url}: {e:?}"))?;
    let pending = Rc::new(Pending::default());
    // The stream's bytes, written in the ledger when it ends.
    let received = Rc::new(Cell::new(0usize));
    let on_progress: Rc<dyn Fn(Vec<String>)> = Rc::new(on_progress);
    let on_end = Rc::new(on_end);
    let flush = {
        let (pending, on_progress) = (pending.clone(), on_progress.clone());
        move || {
            pending.scheduled.set(false);
            let events = std::mem::take(&mut *pending.events.borrow_mut());
            if !events.is_empty() {
                on_progress(events);
            }
        }
    };
    let progress = {
        let (flush, received) = (flush.clone(), received.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data().as_string().unwrap_or_default();
            received.set(received.get() + data.len());
            pending.events.borrow_mut().push(data);
            if !pending.scheduled.replace(true) {
                let flush = flush.clone();
                let callback = Closure::once_into_js(flush);
                if let Some(window) = web_sys::window() {
                    let _ = window
                        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), BATCH_MS);
                }
            }
        })
    };
    let _ = source.add_event_listener_with_callback("progress", progress.as_ref().unchecked_ref());
    let mut handlers = vec![progress];
    for kind in ENDINGS {
        let (flush, on_end, received, url) = (flush.clone(), on_end.clone(), received.clone(), url.to_string());
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            stop();
            flush();
            let data = event.data().as_string().unwrap_or_default();
            crate::ledger::record(
                "GET",
                &url,
                0,
                received.get() + data.len(),
                "follow the training job",
                format!("stream ended: {kind}"),
            );
            on_end(kind, data);
        });
        let _ = source.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
        handlers.push(handler);
    }
    FOLLOWING.with(|f| *f.borrow_mut() = Some(Following { source, _handlers: handlers }));
    Ok(())
}

pub fn stop() {
    let following = FOLLOWING.with(|f| f.borrow_mut().take());
    if let Some(following) = following {
        following.source.close();
        let older = RETIRED.with(|r| r.borrow_mut().replace(following));
        drop(older);
    }
}
