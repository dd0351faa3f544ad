//! Micro-batching: concurrent requests for one model version share a forward pass.
//!
//! Each loaded version has one inference thread and a bounded queue. The thread takes
//! the oldest request, then keeps taking queued ones until the batch holds `max_rows`
//! rows or `max_wait` has passed since it started, and answers them all from one
//! forward pass. Alone, a request waits at most `max_wait` (by default none); under load
//! the queue fills while the model runs, so batches grow by themselves. Requests not yet in a forward
//! pass (queued or in the batch being gathered) are counted; past `queue` of them a new
//! one is refused at once (the caller answers 503 with `Retry-After`) rather than
//! letting latency grow without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use fornax_core::predict::{Prediction, Predictor};
use tokio::sync::oneshot;

use super::metrics::Metrics;

#[derive(Clone, Copy, Debug)]
pub struct BatchSettings {
    /// Rows at which a batch stops growing.
    pub max_rows: usize,
    /// Longest a batch waits for company after its first request.
    pub max_wait: Duration,
    /// Requests that may wait per model version; beyond it, 503.
    pub queue: usize,
    /// Rows remembered per model version (identical rows are answered from memory); 0: none.
    pub cache_rows: usize,
}

/// Rows to predict and where to send the answer.
struct Job {
    x: Vec<f32>,
    rows: usize,
    reply: oneshot::Sender<Result<Vec<Option<Prediction>>, String>>,
}

pub enum BatchError {
    /// The queue is full: try again shortly.
    Full,
    Failed(String),
}

pub struct Batcher {
    queue: SyncSender<Job>,
    /// Requests not yet in a forward pass.
    depth: Arc<AtomicUsize>,
    limit: usize,
}

impl Batcher {
    /// Starts the inference thread for one model version; it ends when the batcher is
    /// dropped.
    pub fn start(predictor: Predictor, settings: BatchSettings, metrics: Arc<Metrics>, model: String) -> Self {
        let (queue, jobs) = std::sync::mpsc::sync_channel(settings.queue.max(1));
        let depth = Arc::new(AtomicUsize::new(0));
        let thread_depth = depth.clone();
        std::thread::Builder::new()
            .name(format!("predict-{model}"))
            .spawn(move || run(predictor, jobs, settings, &thread_depth, &metrics, &model))
            .expect("the system can start a thread");
        Batcher { queue, depth, limit: settings.queue.max(1) }
    }

    /// Requests waiting now.
    pub fn depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    pub async fn predict(&self, x: Vec<f32>, rows: usize) -> Result<Vec<Option<Prediction>>, BatchError> {
        let (reply, answer) = oneshot::channel();
        if self.depth.fetch_add(1, Ordering::Relaxed) >= self.limit {
            self.depth.fetch_sub(1, Ordering::Relaxed);
            return Err(BatchError::Full);
        }
        match self.queue.try_send(Job { x, rows, reply }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.depth.fetch_sub(1, Ordering::Relaxed);
                return Err(BatchError::Full);
            }
            Err(TrySendError::Disconnected(_)) => {
                self.depth.fetch_sub(1, Ordering::Relaxed);
                return Err(BatchError::Failed("the model's inference thread has stopped".into()));
            }
        }
        match answer.await {
            Ok(result) => result.map_err(BatchError::Failed),
            Err(_) => Err(BatchError::Failed("the model's inference thread stopped mid-request".into())),
        }
    }
}

fn run(
    predictor: Predictor,
    jobs: Receiver<Job>,
    settings: BatchSettings,
    depth: &AtomicUsize,
    metrics: &Metrics,
    model: &str,
) {
    let width = predictor.recipe().width();
    while let Ok(first) = jobs.recv() {
        let deadline = Instant::now() + settings.max_wait;
        let mut rows = first.rows;
        let mut batch = vec![first];
        while rows < settings.max_rows {
            let next = match deadline.checked_duration_since(Instant::now()) {
                Some(left) => jobs.recv_timeout(left),
                None => jobs.try_recv().map_err(|_| RecvTimeoutError::Timeout),
            };
            let Ok(job) = next else { break };
            rows += job.rows;
            batch.push(job);
        }
        depth.fetch_sub(batch.len(), Ordering::Relaxed);
        metrics.observe_batch(model, rows);
        let mut x = Vec::with_capacity(rows * width);
        for job in &mut batch {
            x.append(&mut job.x);
        }
        match pollster::block_on(predictor.predict_encoded(x, rows)) {
            Ok(mut predictions) => {
                // Hand each request its own rows, in order.
                for job in batch.into_iter().rev() {
                    let theirs = predictions.split_off(predictions.len() - job.rows);
                    let _ = job.reply.send(Ok(theirs));
                }
            }
            Err(e) => {
                for job in batch {
                    let _ = job.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}
