//! Every prediction (inputs, output, model version, time) appended to SQLite, for the
//! monitoring stage. Requests never wait on the disk: they hand rows to a writer thread
//! through a bounded queue, which it empties every 100 ms into transactions. When the queue is full
//! (the disk cannot keep up) rows are dropped and counted rather than slowing serving.
//! Rows older than the retention period are deleted at start and then hourly.
//!
//! The table has no index beyond its row id: rows arrive in time order, so a recent
//! window is the table's end, and an index on (model, time) cost a tenth of the
//! server's throughput under load (`cargo xtask bench serve`).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

/// One predicted row.
pub struct Entry {
    /// When it was predicted (milliseconds since the Unix epoch).
    pub time_ms: i64,
    pub model: String,
    pub version: u32,
    /// The row as the client sent it (JSON).
    pub input: String,
    /// The prediction (JSON).
    pub output: String,
}

pub struct PredictionLog {
    queue: Mutex<Option<SyncSender<Entry>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    dropped: Arc<AtomicU64>,
}

/// Rows that may wait for the writer.
const QUEUE_ROWS: usize = 100_000;
/// Most rows per transaction.
const BATCH_ROWS: usize = 2_000;
/// How often the writer takes what is queued (so the longest a row waits to be written).
const FLUSH_EVERY: Duration = Duration::from_millis(100);
const PURGE_EVERY: Duration = Duration::from_secs(3600);

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS predictions (
        id INTEGER PRIMARY KEY,
        time_ms INTEGER NOT NULL,
        model TEXT NOT NULL,
        version INTEGER NOT NULL,
        input TEXT NOT NULL,
        output TEXT NOT NULL
    );
";

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

impl PredictionLog {
    /// Opens (or creates) the log at `path` and starts its writer. `retention`: how
    /// long rows are kept.
    pub fn open(path: &Path, retention: Duration) -> Result<Self, String> {
        let fail = |e: rusqlite::Error| format!("cannot open the prediction log {}: {e}", path.display());
        let connection = Connection::open(path).map_err(fail)?;
        connection.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
        connection.execute_batch(SCHEMA).map_err(fail)?;
        purge(&connection, retention).map_err(fail)?;
        let (queue, entries) = std::sync::mpsc::sync_channel(QUEUE_ROWS);
        let dropped = Arc::new(AtomicU64::new(0));
        let writer_path = path.to_path_buf();
        let writer = std::thread::Builder::new()
            .name("prediction-log".into())
            .spawn(move || write_until_closed(connection, &entries, retention, &writer_path))
            .map_err(|e| format!("cannot start the prediction log's writer: {e}"))?;
        Ok(PredictionLog { queue: Mutex::new(Some(queue)), writer: Mutex::new(Some(writer)), dropped })
    }

    /// Rows dropped because the writer could not keep up.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    pub fn append(&self, entries: impl IntoIterator<Item = Entry>) {
        let queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(queue) = queue.as_ref() else { return };
        for entry in entries {
            if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = queue.try_send(entry) {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Writes what is queued and stops the writer (at shutdown).
    pub fn close(&self) {
        drop(self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take());
        if let Some(writer) = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take() {
            let _ = writer.join();
        }
    }
}

fn purge(connection: &Connection, retention: Duration) -> rusqlite::Result<usize> {
    let cutoff = now_ms().saturating_sub(retention.as_millis().min(i64::MAX as u128) as i64);
    connection.execute("DELETE FROM predictions WHERE time_ms < ?1", params![cutoff])
}

fn write_until_closed(mut connection: Connection, entries: &Receiver<Entry>, retention: Duration, path: &Path) {
    let mut last_purge = Instant::now();
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let write = |batch: &mut Vec<Entry>, connection: &mut Connection| {
        if !batch.is_empty()
            && let Err(e) = insert(connection, batch)
        {
            tracing::warn!(rows = batch.len(), path = %path.display(), error = %e, "predictions were not logged");
        }
        batch.clear();
    };
    loop {
        // Sleep rather than wait on the queue: a waiting receiver is woken (a system
        // call) by every send, which under load cost more than the inserts.
        std::thread::sleep(FLUSH_EVERY);
        let open = loop {
            match entries.try_recv() {
                Ok(entry) => {
                    batch.push(entry);
                    if batch.len() == BATCH_ROWS {
                        write(&mut batch, &mut connection);
                    }
                }
                Err(TryRecvError::Empty) => break true,
                Err(TryRecvError::Disconnected) => break false,
            }
        };
        write(&mut batch, &mut connection);
        if last_purge.elapsed() > PURGE_EVERY {
            if let Err(e) = purge(&connection, retention) {
                tracing::warn!(path = %path.display(), error = %e, "old predictions were not deleted");
            }
            last_purge = Instant::now();
        }
        if !open {
            return;
        }
    }
}

/// Rows per INSERT statement: one statement per row cost more than the rows.
const ROWS_PER_STATEMENT: usize = 64;

fn insert(connection: &mut Connection, batch: &[Entry]) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    for chunk in batch.chunks(ROWS_PER_STATEMENT) {
        let placeholders = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!("INSERT INTO predictions (time_ms, model, version, input, output) VALUES {placeholders}");
        let mut statement = transaction.prepare_cached(&sql)?;
        let values: Vec<&dyn rusqlite::ToSql> = chunk
            .iter()
            .flat_map(|e| [&e.time_ms as &dyn rusqlite::ToSql, &e.model, &e.version, &e.input, &e.output])
            .collect();
        statement.execute(values.as_slice())?;
    }
    transaction.commit()
}
