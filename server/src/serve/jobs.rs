//! Training jobs on the server: the same `train` as the tab and `fornax train`,
//! on the server's device, one job at a time in submission order. Each job keeps every
//! progress event it produced, so a client that connects late (or reconnects) replays
//! the run from the start and then follows it live. A finished job's bundle is
//! registered as a new version of its model, like an upload. Each job's record is kept
//! on disk ([`JobJournal`]): a restarted server lists the jobs it ran before, and one a
//! killed server left running as failed. Their progress events live in memory only.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use burn::tensor::Device;
use fornax_core::Error;
use fornax_core::data::Dataset;
use fornax_core::train::{Control, Progress, TrainSink, contain_device_failure, train};
use fornax_wire::http::{JobEnded, JobInfo, JobRequest, JobState, JobSucceeded};
use serde_json::Value;
use tokio::sync::watch;

use super::datasets::Datasets;
use super::job_journal::JobJournal;
use super::put_error::PutError;
use super::registry::Registry;

/// One event of a job's stream: `progress` (a core `Progress`), then one of `succeeded`,
/// `failed` or `cancelled`.
#[derive(Clone)]
pub struct JobEvent {
    pub kind: &'static str,
    pub data: Value,
}

pub struct Job {
    info: Mutex<JobInfo>,
    events: Mutex<Vec<JobEvent>>,
    /// The number of events so far; subscribers wait on its changes.
    count: watch::Sender<usize>,
    cancel: AtomicBool,
    journal: Arc<JobJournal>,
}

/// An event's data as JSON.
fn event_data(data: &impl serde::Serialize) -> Value {
    serde_json::to_value(data).expect("job events serialize")
}

/// The data of a `failed` or `cancelled` event.
fn ended(message: String) -> Value {
    event_data(&JobEnded { message })
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Job {
    fn new(info: JobInfo, events: Vec<JobEvent>, journal: Arc<JobJournal>) -> Arc<Job> {
        let count = watch::Sender::new(events.len());
        Arc::new(Job {
            info: Mutex::new(info),
            events: Mutex::new(events),
            count,
            cancel: AtomicBool::new(false),
            journal,
        })
    }

    /// A job a previous process ran, as its record says: its stream is only its end.
    fn recovered(info: JobInfo, journal: Arc<JobJournal>) -> Arc<Job> {
        let end = match info.state {
            JobState::Succeeded => event_data(&JobSucceeded {
                model: info.request.model.clone(),
                version: info.version.unwrap_or_default(),
                metrics: None,
                baseline: None,
                epochs_run: None,
            }),
            _ => ended(info.error.clone().unwrap_or_else(|| info.state.name().to_string())),
        };
        let events = vec![JobEvent { kind: info.state.name(), data: end }];
        Job::new(info, events, journal)
    }

    fn record(&self, info: &JobInfo) {
        self.journal.record(info);
    }

    pub fn info(&self) -> JobInfo {
        self.info.lock().expect("job lock").clone()
    }

    /// Asks the job to stop (after the current batch); a queued job never starts.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        let mut info = self.info.lock().expect("job lock");
        if info.state == JobState::Queued {
            info.state = JobState::Cancelled;
            info.finished_ms = Some(now_ms());
            self.record(&info);
            drop(info);
            self.push("cancelled", ended("cancelled before it started".into()));
        }
    }

    /// Events from index `from` on (the last event of a finished job is not `progress`).
    pub fn events_from(&self, from: usize) -> Vec<JobEvent> {
        self.events.lock().expect("job lock").get(from..).unwrap_or_default().to_vec()
    }

    pub fn subscribe(&self) -> watch::Receiver<usize> {
        self.count.subscribe()
    }

    fn push(&self, kind: &'static str, data: Value) {
        let mut events = self.events.lock().expect("job lock");
        events.push(JobEvent { kind, data });
        self.count.send_replace(events.len());
    }

    fn finish(&self, state: JobState, kind: &'static str, data: Value, error: Option<String>, version: Option<u32>) {
        {
            let mut info = self.info.lock().expect("job lock");
            tracing::info!(job = %info.id, model = %info.request.model, state = state.name(), error = error.as_deref().unwrap_or(""), "job finished");
            info.state = state;
            info.finished_ms = Some(now_ms());
            info.error = error;
            info.version = version;
            self.record(&info);
        }
        self.push(kind, data);
    }
}

pub struct Jobs {
    jobs: Mutex<BTreeMap<String, Arc<Job>>>,
    queue: Mutex<Sender<Arc<Job>>>,
    device_name: String,
    journal: Arc<JobJournal>,
}

impl Jobs {
    /// Starts the thread that runs jobs one after another on `device`, after taking in
    /// the jobs `journal` recorded before.
    pub fn start(
        registry: Arc<Registry>,
        datasets: Arc<Datasets>,
        journal: JobJournal,
        device: Device,
        device_name: &str,
    ) -> Self {
        let journal = Arc::new(journal);
        let recovered = journal.recover(now_ms());
        let jobs = recovered.into_iter().map(|info| (info.id.clone(), Job::recovered(info, journal.clone()))).collect();
        let (queue, queued) = std::sync::mpsc::channel::<Arc<Job>>();
        std::thread::Builder::new()
            .name("training-jobs".into())
            .spawn(move || {
                for job in queued {
                    run(&job, &registry, &datasets, &device);
                }
            })
            .expect("the system can start a thread");
        Jobs { jobs: Mutex::new(jobs), queue: Mutex::new(queue), device_name: device_name.to_string(), journal }
    }

    /// Queues a job; returns it as it was queued (it may be running already).
    pub fn submit(&self, request: JobRequest) -> Result<JobInfo, String> {
        let id = new_id()?;
        let info = JobInfo {
            id: id.clone(),
            state: JobState::Queued,
            request,
            device: self.device_name.clone(),
            created_ms: now_ms(),
            started_ms: None,
            finished_ms: None,
            epochs_done: 0,
            error: None,
            version: None,
        };
        let job = Job::new(info.clone(), Vec::new(), self.journal.clone());
        job.record(&info);
        self.jobs.lock().expect("jobs lock").insert(id, job.clone());
        self.queue.lock().expect("jobs lock").send(job).map_err(|_| "the job runner has stopped".to_string())?;
        Ok(info)
    }

    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs.lock().expect("jobs lock").get(id).cloned()
    }

    /// Every job, oldest first.
    pub fn list(&self) -> Vec<JobInfo> {
        let mut infos: Vec<JobInfo> = self.jobs.lock().expect("jobs lock").values().map(|j| j.info()).collect();
        infos.sort_by_key(|i| i.created_ms);
        infos
    }

    /// How many jobs are in each state, for `/metrics`.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts: BTreeMap<&'static str, usize> =
            [JobState::Queued, JobState::Running, JobState::Succeeded, JobState::Failed, JobState::Cancelled]
                .into_iter()
                .map(|s| (s.name(), 0))
                .collect();
        for job in self.jobs.lock().expect("jobs lock").values() {
            *counts.entry(job.info().state.name()).or_default() += 1;
        }
        counts
    }
}

/// 128 random bits, hex.
fn new_id() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a job id: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Passes progress to the job's stream and stops when the job is cancelled.
struct JobSink<'a>(&'a Job);

impl TrainSink for JobSink<'_> {
    async fn report(&mut self, progress: &Progress) -> Control {
        if let Progress::Epoch(_) = progress {
            self.0.info.lock().expect("job lock").epochs_done += 1;
        }
        self.0.push("progress", serde_json::to_value(progress).expect("progress serializes"));
        self.between_batches().await
    }

    async fn between_batches(&mut self) -> Control {
        if self.0.cancel.load(Ordering::SeqCst) { Control::Cancel } else { Control::Continue }
    }
}

fn run(job: &Job, registry: &Registry, datasets: &Datasets, device: &Device) {
    let request = {
        let mut info = job.info.lock().expect("job lock");
        if info.state != JobState::Queued {
            return; // cancelled while queued
        }
        info.state = JobState::Running;
        info.started_ms = Some(now_ms());
        tracing::info!(job = %info.id, dataset = %info.request.dataset, model = %info.request.model, "job started");
        job.record(&info);
        info.request.clone()
    };
    let fail =
        |message: String| job.finish(JobState::Failed, "failed", ended(message.clone()), Some(message.clone()), None);
    let table = match datasets.table(&request.dataset) {
        Ok(table) => table,
        Err(message) => return fail(message),
    };
    // A failing GPU panics inside Burn: the job fails saying so, and the next one runs.
    let outcome = contain_device_failure(|| {
        pollster::block_on(train(
            device,
            Dataset::Tabular(&table),
            &request.target,
            request.task,
            &request.config,
            &mut JobSink(job),
        ))
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(Error::Cancelled) => {
            return job.finish(JobState::Cancelled, "cancelled", ended("cancelled".into()), None, None);
        }
        Err(e) => return fail(e.to_string()),
    };
    match registry.put(&request.model, &outcome.bundle.to_bytes()) {
        Ok(served) => job.finish(
            JobState::Succeeded,
            "succeeded",
            event_data(&JobSucceeded {
                model: request.model.clone(),
                version: served.version,
                metrics: Some(outcome.metrics),
                baseline: Some(outcome.baseline),
                epochs_run: Some(outcome.epochs_run),
            }),
            None,
            Some(served.version),
        ),
        Err(PutError::Invalid(why) | PutError::Storage(why)) => {
            fail(format!("the trained model was not registered: {why}"))
        }
    }
}
