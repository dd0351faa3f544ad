//! Micro-batching: concurrent requests for one model version share a forward pass.
//!
//! Requests queue per loaded version. When a request finds no pass in progress, it
//! starts a task on the server's own runtime that takes the queue's oldest requests
//! (up to `max_rows` rows; after waiting `max_wait` for company, by default not at
//! all), answers them all from one forward pass, and goes on while requests are
//! waiting. Under load the queue fills while a pass runs, so batches grow by
//! themselves. An earlier design ran passes on a thread of their own; the hop there
//! and back for every request cost about a fifth of the server's time in context
//! switches (`perf`), more than the passes themselves. Past `queue` waiting requests a
//! new one is refused at once (the caller answers 503 with `Retry-After`) rather than
//! letting latency grow without bound.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

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

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// A task is running passes for this queue.
    running: bool,
}

struct Inner {
    predictor: Mutex<Predictor>,
    queue: Mutex<Queue>,
    settings: BatchSettings,
    metrics: Arc<Metrics>,
    model: String,
}

pub struct Batcher(Arc<Inner>);

impl Batcher {
    pub fn new(predictor: Predictor, settings: BatchSettings, metrics: Arc<Metrics>, model: String) -> Self {
        Batcher(Arc::new(Inner {
            predictor: Mutex::new(predictor),
            queue: Mutex::new(Queue::default()),
            settings,
            metrics,
            model,
        }))
    }

    /// Requests waiting now.
    pub fn depth(&self) -> usize {
        self.0.queue().jobs.len()
    }

    /// Must run inside the server's tokio runtime.
    pub async fn predict(&self, x: Vec<f32>, rows: usize) -> Result<Vec<Option<Prediction>>, BatchError> {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut queue = self.0.queue();
            if queue.jobs.len() >= self.0.settings.queue.max(1) {
                return Err(BatchError::Full);
            }
            queue.jobs.push_back(Job { x, rows, reply });
            !std::mem::replace(&mut queue.running, true)
        };
        if start {
            tokio::spawn(run_passes(self.0.clone()));
        }
        match answer.await {
            Ok(result) => result.map_err(BatchError::Failed),
            Err(_) => Err(BatchError::Failed("the forward pass stopped mid-request".into())),
        }
    }
}

impl Inner {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The oldest requests, up to `max_rows` rows (at least one request); none when the
    /// queue is empty, which also marks the task as done.
    fn take_batch(&self) -> Vec<Job> {
        let mut queue = self.queue();
        let mut rows = 0;
        let mut batch = Vec::new();
        while rows < self.settings.max_rows {
            let Some(job) = queue.jobs.pop_front() else { break };
            rows += job.rows;
            batch.push(job);
        }
        if batch.is_empty() {
            queue.running = false;
        }
        batch
    }
}

/// Runs forward passes while requests wait.
async fn run_passes(inner: Arc<Inner>) {
    loop {
        if !inner.settings.max_wait.is_zero() {
            tokio::time::sleep(inner.settings.max_wait).await;
        }
        let batch = inner.take_batch();
        if batch.is_empty() {
            return;
        }
        let rows: usize = batch.iter().map(|job| job.rows).sum();
        inner.metrics.observe_batch(&inner.model, rows);
        let mut x = Vec::with_capacity(batch.iter().map(|job| job.x.len()).sum());
        let mut replies = Vec::with_capacity(batch.len());
        for job in batch {
            x.extend_from_slice(&job.x);
            replies.push((job.rows, job.reply));
        }
        let result = {
            let predictor = inner.predictor.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // A CPU pass over a batch takes microseconds: run it here rather than pay
            // for a hop to another thread.
            pollster::block_on(predictor.predict_encoded(x, rows))
        };
        match result {
            Ok(mut predictions) => {
                // Hand each request its own rows, in order.
                for (rows, reply) in replies.into_iter().rev() {
                    let theirs = predictions.split_off(predictions.len() - rows);
                    let _ = reply.send(Ok(theirs));
                }
            }
            Err(e) => {
                for (_, reply) in replies {
                    let _ = reply.send(Err(e.to_string()));
                }
            }
        }
        // Let the requests just answered (and others) run before the next pass.
        tokio::task::yield_now().await;
    }
}
