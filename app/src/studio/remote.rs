//! Training on a server instead of in the tab: upload the dataset, submit a job with the
//! tab's settings, follow its events like a local run, bring the model back.

use fornax_core::train::Progress;
use fornax_wire::http::{JobEnded, JobInfo, JobRequest, JobSucceeded};
use fornax_wire::worker::ToWorker;
use leptos::prelude::*;

use super::{DatasetFile, Studio, model_name};
use crate::{net, remote_job};

/// A training job this tab started on a server and follows.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteRun {
    pub base: String,
    pub model: String,
    /// Known once the server accepted the job.
    pub job: Option<String>,
    /// The version the finished job registered.
    pub version: Option<u32>,
    /// `Date.now()` when the job was submitted.
    pub started: f64,
}

impl Studio {
    /// Trains on the server in `server_url` instead of in the tab: uploads the dataset,
    /// starts a job with this tab's settings, and follows it like a local run.
    pub fn train_on_server(self) {
        let base = self.server_url.get_untracked().trim().trim_end_matches('/').to_string();
        let token = self.server_token.get_untracked().trim().to_string();
        let Some(DatasetFile { name: file, bytes }) = self.dataset_file() else {
            return self.error.set(Some("load a dataset first".into()));
        };
        if let Err(problem) = net::check_server(&base, &token) {
            return self.error.set(Some(problem));
        }
        let name = model_name(&file);
        self.start_run(format!("Uploading {file} to {base}..."));
        self.remote.set(Some(RemoteRun {
            base: base.clone(),
            model: name.clone(),
            job: None,
            version: None,
            started: js_sys::Date::now(),
        }));
        let job = JobRequest {
            dataset: name.clone(),
            target: self.target.get_untracked(),
            task: None,
            config: self.config.get_untracked(),
            model: name.clone(),
        };
        leptos::task::spawn_local(async move {
            match start_job(&base, &token, &name, bytes, job).await {
                Ok(id) => self.follow_job(base, token, id),
                Err(problem) => self.remote_failed(problem),
            }
        });
    }

    fn follow_job(self, base: String, token: String, id: String) {
        self.remote.update(|r| {
            if let Some(r) = r {
                r.job = Some(id.clone());
            }
        });
        self.status.set(format!("Queued on {base} as job {id}..."));
        let url = format!("{base}/v1/jobs/{id}/events");
        let on_progress = move |batch: Vec<String>| {
            let parsed: Result<Vec<Progress>, _> = batch.iter().map(|data| serde_json::from_str(data)).collect();
            match parsed {
                Ok(batch) => self.on_progress_batch(batch),
                Err(e) => self.remote_failed(format!("the server sent progress this studio cannot read: {e}")),
            }
        };
        let followed = remote_job::follow(&url, on_progress, move |kind, data| match kind {
            "succeeded" => {
                let JobSucceeded { model, version, .. } = match serde_json::from_str(&data) {
                    Ok(succeeded) => succeeded,
                    Err(e) => {
                        return self.remote_failed(format!("the server's end of the job cannot be read: {e}"));
                    }
                };
                self.remote.update(|r| {
                    if let Some(r) = r {
                        r.version = Some(version);
                    }
                });
                self.status.set(format!("Trained on {base}: downloading the model..."));
                let (base, token) = (base.clone(), token.clone());
                leptos::task::spawn_local(async move {
                    let url = format!("{base}/v1/models/{model}/versions/{version}/bundle");
                    match net::download(&url, Some(&token), "bring the model trained on the server into the tab").await
                    {
                        Ok(bytes) => {
                            let seconds = self.remote.with_untracked(|r| {
                                r.as_ref().map_or(0.0, |r| (js_sys::Date::now() - r.started) / 1000.0)
                            });
                            self.send_bytes(&ToWorker::UseBundle { seconds }, bytes);
                        }
                        Err(problem) => self.remote_failed(problem),
                    }
                });
            }
            "cancelled" => {
                self.remote.set(None);
                self.end_run();
                self.status.set(format!("Cancelled on {base}."));
            }
            _ => {
                let why = serde_json::from_str::<JobEnded>(&data).map(|e| e.message);
                self.remote_failed(format!(
                    "the job failed on {base}: {}",
                    why.unwrap_or_else(|_| "no reason given".into())
                ))
            }
        });
        if let Err(problem) = followed {
            self.remote_failed(problem);
        }
    }

    fn remote_failed(self, problem: String) {
        remote_job::stop();
        self.remote.set(None);
        self.end_run();
        self.status.set(format!("Stopped: {problem}"));
        self.error.set(Some(problem));
    }

    /// Cancels the run in progress, here or on its server.
    pub fn cancel_run(self) {
        let Some(remote) = self.remote.get_untracked() else {
            return self.send(&ToWorker::Cancel);
        };
        let Some(job) = remote.job else { return };
        let token = self.server_token.get_untracked().trim().to_string();
        self.status.set("Cancelling on the server...".into());
        leptos::task::spawn_local(async move {
            let url = format!("{}/v1/jobs/{job}", remote.base);
            match net::send("DELETE", &url, Some(&token), net::Body::Empty, "cancel the training job").await {
                Ok(answer) if answer.status == 200 => {}
                Ok(answer) => self.error.set(Some(format!("the server did not cancel the job: {}", answer.detail()))),
                Err(problem) => self.error.set(Some(problem)),
            }
        });
    }
}

/// Uploads the dataset and submits the job; the job's id.
async fn start_job(
    base: &str,
    token: &str,
    name: &str,
    dataset: js_sys::ArrayBuffer,
    job: JobRequest,
) -> Result<String, String> {
    let upload = net::send(
        "PUT",
        &format!("{base}/v1/datasets/{name}"),
        Some(token),
        net::Body::Bytes(dataset),
        "send the dataset to train on the server",
    )
    .await;
    let answer = upload.map_err(|e| net::unreachable(&e))?;
    if answer.status != 201 {
        return Err(net::refusal("the dataset upload", &answer));
    }
    let answer =
        net::send("POST", &format!("{base}/v1/jobs"), Some(token), net::Body::json(&job), "start the training job")
            .await
            .map_err(|e| net::unreachable(&e))?;
    match answer.status {
        202 => answer.json::<JobInfo>().map(|info| info.id),
        _ => Err(net::refusal("the training job", &answer)),
    }
}
