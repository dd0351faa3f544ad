//! The network ledger: every request the studio made beyond its own files (a deploy, a
//! prediction on a server, a training job), with when, where, how many bytes went up
//! and came down, and why. `net` and `remote_job` record here; nothing else in the
//! studio talks to the network. Entries are kept in IndexedDB, so the ledger covers
//! every visit, not just this page's session.

use std::cell::RefCell;

use fornax_core::project::MetaStore;
use serde::{Deserialize, Serialize};

use crate::project_store::IdbMeta;

const PREFIX: &str = "ledger-";
/// Entries kept; older ones are dropped as new ones arrive.
const KEEP: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Milliseconds since 1970.
    pub time_ms: f64,
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

impl Entry {
    /// Local date and time, `2026-11-28 01:30:05`.
    pub fn when(&self) -> String {
        let d = js_sys::Date::new(&self.time_ms.into());
        format!(
            "{}-{:02}-{:02} {:02}:{:02}:{:02}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date(),
            d.get_hours(),
            d.get_minutes(),
            d.get_seconds()
        )
    }

    fn key(&self, sequence: usize) -> String {
        format!("{PREFIX}{:015}-{sequence:06}", self.time_ms as u64)
    }
}

thread_local! {
    static ENTRIES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
    static ON_CHANGE: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

fn changed() {
    ON_CHANGE.with(|f| {
        if let Some(f) = f.borrow().as_ref() {
            f();
        }
    });
}

pub fn record(method: &str, url: &str, up: usize, down: usize, why: &str, outcome: String) {
    let entry = Entry {
        time_ms: js_sys::Date::now(),
        method: method.into(),
        url: url.into(),
        up,
        down,
        why: why.into(),
        outcome,
    };
    let sequence = ENTRIES.with(|e| {
        let mut entries = e.borrow_mut();
        entries.push(entry.clone());
        entries.len()
    });
    changed();
    leptos::task::spawn_local(async move {
        let json = serde_json::to_string(&entry).expect("entries serialize");
        if let Err(e) = IdbMeta.put(&entry.key(sequence), 0, &json).await {
            web_sys::console::warn_1(&format!("the network ledger entry was not kept: {e}").into());
        }
    });
}

/// Reads the entries of earlier visits (before this visit's own), and drops the oldest
/// beyond [`KEEP`].
pub async fn load() {
    let stored = match IdbMeta.list(PREFIX).await {
        Ok(stored) => stored,
        Err(e) => {
            web_sys::console::warn_1(&format!("the network ledger of earlier visits cannot be read: {e}").into());
            return;
        }
    };
    let mut earlier: Vec<Entry> = stored.iter().filter_map(|(_, _, json)| serde_json::from_str(json).ok()).collect();
    let now: Vec<Entry> = ENTRIES.with(|e| e.borrow().clone());
    earlier.retain(|e| !now.contains(e));
    let excess = (stored.len() + now.len()).saturating_sub(KEEP);
    for (key, _, _) in stored.iter().take(excess) {
        let _ = IdbMeta.delete(key).await;
    }
    let earlier = earlier.split_off(excess.min(earlier.len()));
    ENTRIES.with(|e| {
        let mut entries = e.borrow_mut();
        let now = std::mem::take(&mut *entries);
        *entries = earlier;
        entries.extend(now);
    });
    changed();
}

pub fn entries() -> Vec<Entry> {
    ENTRIES.with(|e| e.borrow().clone())
}

/// Calls `f` after every change (the studio redraws the ledger panel).
pub fn on_change(f: impl Fn() + 'static) {
    ON_CHANGE.with(|slot| *slot.borrow_mut() = Some(Box::new(f)));
}
