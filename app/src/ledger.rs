//! The network ledger: every request the studio made beyond its own files (a deploy, a
//! prediction on a server, a training job), with when, where, how many bytes went up
//! and came down, and why. `net` and `remote_job` record here; nothing else in the
//! studio talks to the network. Kept for this page's session.

use std::cell::RefCell;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Local time, `HH:MM:SS`.
    pub time: String,
    pub method: String,
    pub url: String,
    /// Body bytes sent and received.
    pub up: usize,
    pub down: usize,
    /// What the user was doing, in words.
    pub why: String,
    /// `HTTP 201`, or why no answer came.
    pub outcome: String,
}

thread_local! {
    static ENTRIES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
    static ON_CHANGE: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

pub fn record(method: &str, url: &str, up: usize, down: usize, why: &str, outcome: String) {
    let time = String::from(js_sys::Date::new_0().to_locale_time_string("en-GB"));
    let entry = Entry { time, method: method.into(), url: url.into(), up, down, why: why.into(), outcome };
    ENTRIES.with(|e| e.borrow_mut().push(entry));
    ON_CHANGE.with(|f| {
        if let Some(f) = f.borrow().as_ref() {
            f();
        }
    });
}

pub fn entries() -> Vec<Entry> {
    ENTRIES.with(|e| e.borrow().clone())
}

/// Calls `f` after every new entry (the studio redraws the ledger panel).
pub fn on_change(f: impl Fn() + 'static) {
    ON_CHANGE.with(|slot| *slot.borrow_mut() = Some(Box::new(f)));
}
