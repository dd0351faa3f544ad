//! Training jobs over real HTTP: upload a dataset, train it on the server, follow the
//! run as Server-Sent Events, predict with the model it registered; cancel; refuse bad
//! requests with their place.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::{TOKEN, request, start};
use serde_json::{Value, json};

fn auth() -> String {
    format!("Bearer {TOKEN}")
}

fn upload_wine(server: &common::Server) {
    let csv = std::fs::read(common::wine()).unwrap();
    let (status, body) = request(server, "PUT", "/v1/datasets/wine", &[("Authorization", &auth())], &csv);
    assert_eq!((status, body["rows"].as_u64()), (201, Some(178)), "{body}");
}

fn submit(server: &common::Server, job: &Value) -> (u16, Value) {
    let body = job.to_string();
    request(
        server,
        "POST",
        "/v1/jobs",
        &[("Authorization", &auth()), ("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

/// Reads a job's event stream to its end: (event kind, data) in order.
fn events(server: &common::Server, id: &str, last_event_id: Option<usize>) -> Vec<(String, Value)> {
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let resume = last_event_id.map(|i| format!("Last-Event-ID: {i}\r\n")).unwrap_or_default();
    write!(stream, "GET /v1/jobs/{id}/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{resume}\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200") && text.contains("text/event-stream"), "{text}");
    let mut out = Vec::new();
    let mut kind = String::new();
    for line in text.lines() {
        if let Some(k) = line.strip_prefix("event: ") {
            kind = k.to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            out.push((kind.clone(), serde_json::from_str(data).unwrap()));
        }
    }
    out
}

#[test]
fn a_job_trains_on_the_server_streams_its_progress_and_registers_the_model() {
    let server = start();
    upload_wine(&server);
    let (status, job) = submit(
        &server,
        &json!({
            "dataset": "wine", "target": "cultivar", "model": "served-wine",
            "config": { "epochs": 25, "hidden": [16] },
        }),
    );
    assert_eq!((status, job["state"].as_str()), (202, Some("queued")), "{job}");
    let id = job["id"].as_str().unwrap();
    assert_eq!(id.len(), 32);

    let live = events(&server, id, None);
    let (last, result) = live.last().unwrap();
    assert_eq!(last, "succeeded", "{result}");
    assert_eq!((result["model"].as_str(), result["version"].as_u64()), (Some("served-wine"), Some(1)));
    assert!(result["metrics"]["accuracy"].as_f64().unwrap() > 0.8, "{result}");
    let progress: Vec<&Value> = live.iter().filter(|(k, _)| k == "progress").map(|(_, d)| d).collect();
    assert_eq!(progress[0]["event"], "started");
    assert_eq!(progress[0]["model"], "linear");
    let mlp_epochs = progress.iter().filter(|p| p["event"] == "epoch" && p["model"] == "mlp").count();
    assert!(mlp_epochs > 0 && mlp_epochs <= 25);

    // A client that comes late replays the whole run; one that reconnects gets the rest.
    assert_eq!(events(&server, id, None), live);
    assert_eq!(events(&server, id, Some(live.len() - 2)), live[live.len() - 1..]);

    let (status, info) = request(&server, "GET", &format!("/v1/jobs/{id}"), &[], b"");
    assert_eq!((status, info["state"].as_str(), info["version"].as_u64()), (200, Some("succeeded"), Some(1)));
    assert_eq!(info["device"], "cpu");
    let (status, model) = request(&server, "GET", "/v1/models/served-wine", &[], b"");
    assert_eq!(status, 200);
    let row = json!({ "rows": [model["example"]] }).to_string();
    let (status, answer) = request(&server, "POST", "/v1/models/served-wine/predict", &[], row.as_bytes());
    assert_eq!((status, answer["version"].as_u64()), (200, Some(1)), "{answer}");

    let (status, _) = request(&server, "GET", "/v1/models/served-wine/versions/1/bundle", &[], b"");
    assert_eq!(status, 401, "the weights need the token");
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    write!(stream, "GET /v1/models/served-wine/versions/1/bundle HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {}\r\n\r\n", auth()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let body = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let bundle = fornax_core::bundle::Bundle::from_bytes(&bytes[body..]).expect("a whole bundle");
    assert_eq!(bundle.manifest.target, "cultivar");

    let metrics = common::request_text(&server, "/metrics");
    assert!(metrics.contains("fornax_jobs{state=\"succeeded\"} 1\n"), "{metrics}");
}

#[test]
fn jobs_can_be_cancelled_running_or_queued() {
    let server = start();
    upload_wine(&server);
    let long = json!({ "dataset": "wine", "target": "cultivar", "model": "long", "config": { "epochs": 100000, "early_stopping": { "patience": 100000 } } });
    let (_, running) = submit(&server, &long);
    let (_, queued) = submit(&server, &long);
    let (running, queued) = (running["id"].as_str().unwrap(), queued["id"].as_str().unwrap());

    let (status, info) = request(&server, "DELETE", &format!("/v1/jobs/{queued}"), &[("Authorization", &auth())], b"");
    assert_eq!((status, info["state"].as_str()), (200, Some("cancelled")), "{info}");
    assert_eq!(
        events(&server, queued, None),
        [("cancelled".to_string(), json!({ "message": "cancelled before it started" }))]
    );

    // Wait until the first job is training, then stop it.
    while request(&server, "GET", &format!("/v1/jobs/{running}"), &[], b"").1["epochs_done"].as_u64() == Some(0) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (status, _) = request(&server, "DELETE", &format!("/v1/jobs/{running}"), &[("Authorization", &auth())], b"");
    assert_eq!(status, 200);
    let stream = events(&server, running, None);
    assert_eq!(stream.last().unwrap().0, "cancelled");
    let (_, info) = request(&server, "GET", &format!("/v1/jobs/{running}"), &[], b"");
    assert_eq!(info["state"], "cancelled");
    let (status, _) = request(&server, "GET", "/v1/models/long", &[], b"");
    assert_eq!(status, 404, "a cancelled job registers nothing");
}

#[test]
fn bad_job_requests_are_refused_with_their_place() {
    let server = start();
    let (status, body) =
        request(&server, "PUT", "/v1/datasets/ragged", &[("Authorization", &auth())], b"a,b\n1,2\n3\n");
    assert_eq!((status, body["detail"][0]["type"].as_str()), (422, Some("csv_invalid")), "{body}");
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("line 3"), "{body}");
    let (status, _) = request(&server, "PUT", "/v1/datasets/wine", &[], b"a\n1\n");
    assert_eq!(status, 401);
    upload_wine(&server);

    let job = |changes: Value| {
        let mut job = json!({ "dataset": "wine", "target": "cultivar", "model": "m" });
        job.as_object_mut().unwrap().extend(changes.as_object().unwrap().clone());
        submit(&server, &job)
    };
    let (status, body) = job(json!({ "dataset": "nope" }));
    assert_eq!((status, body["detail"][0]["loc"].clone()), (422, json!(["body", "dataset"])), "{body}");
    let (status, body) = job(json!({ "config": { "learning_rate": 0 } }));
    assert_eq!((status, body["detail"][0]["loc"].clone()), (422, json!(["body", "config"])), "{body}");
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("learning_rate must be a positive number"));
    let (status, body) = job(json!({ "model": "../etc" }));
    assert_eq!((status, body["detail"][0]["loc"].clone()), (422, json!(["body", "model"])), "{body}");
    let (status, body) = job(json!({ "epochs": 3 }));
    assert_eq!((status, body["detail"][0]["type"].as_str()), (422, Some("value_error")), "{body}");
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("unknown field `epochs`"), "{body}");
    let (status, _) = request(&server, "POST", "/v1/jobs", &[], b"{}");
    assert_eq!(status, 401);
    let (status, body) = request(&server, "GET", "/v1/jobs/0123", &[], b"");
    assert_eq!((status, body["detail"].as_str()), (404, Some("no job `0123` on this server")));

    // A target that does not exist fails the job, saying why.
    let (status, body) = job(json!({ "target": "colour" }));
    assert_eq!(status, 202);
    let stream = events(&server, body["id"].as_str().unwrap(), None);
    let (kind, data) = stream.last().unwrap();
    assert_eq!(kind, "failed");
    assert!(data["message"].as_str().unwrap().contains("colour"), "{data}");
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        for entry in std::fs::read_dir(&next).unwrap().map(Result::unwrap) {
            if entry.file_type().unwrap().is_dir() {
                todo.push(entry.path());
            } else {
                files.push(entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn a_server_killed_mid_job_reports_the_job_failed_and_keeps_every_file() {
    let server = start();
    upload_wine(&server);
    let done = json!({ "dataset": "wine", "target": "cultivar", "model": "quick", "config": { "epochs": 5 } });
    let (_, quick) = submit(&server, &done);
    let quick = quick["id"].as_str().unwrap().to_string();
    assert_eq!(events(&server, &quick, None).last().unwrap().0, "succeeded");
    let long = json!({ "dataset": "wine", "target": "cultivar", "model": "long", "config": { "epochs": 100000, "early_stopping": { "patience": 100000 } } });
    let (_, running) = submit(&server, &long);
    let running = running["id"].as_str().unwrap().to_string();
    while request(&server, "GET", &format!("/v1/jobs/{running}"), &[], b"").1["epochs_done"].as_u64() == Some(0) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Every dataset and bundle, byte for byte (the job records and the prediction log change).
    let stored = |dir: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        files_under(dir)
            .into_iter()
            .filter(|f| f.starts_with("datasets/") || f.starts_with("models/"))
            .map(|f| (f.clone(), std::fs::read(dir.join(&f)).unwrap()))
            .collect()
    };
    let before = stored(&server.dir);
    assert!(before.iter().any(|(f, _)| f.ends_with("wine.csv")) && before.iter().any(|(f, _)| f.contains("quick")));
    let dir = server.kill9();

    let server = common::serve(dir);
    let (status, info) = request(&server, "GET", &format!("/v1/jobs/{running}"), &[], b"");
    assert_eq!((status, info["state"].as_str()), (200, Some("failed")), "{info}");
    assert!(info["error"].as_str().unwrap().contains("killed or crashed"), "{info}");
    assert!(info["finished_ms"].as_u64().is_some());
    let stream = events(&server, &running, None);
    assert_eq!(stream.len(), 1);
    assert_eq!(stream[0].0, "failed");
    let (_, info) = request(&server, "GET", &format!("/v1/jobs/{quick}"), &[], b"");
    assert_eq!((info["state"].as_str(), info["version"].as_u64()), (Some("succeeded"), Some(1)), "{info}");
    let (_, list) = request(&server, "GET", "/v1/jobs", &[("Authorization", &auth())], b"");
    assert_eq!(list["jobs"].as_array().unwrap().len(), 2, "{list}");

    let after = stored(&server.dir);
    assert_eq!(after.iter().map(|(f, _)| f).collect::<Vec<_>>(), before.iter().map(|(f, _)| f).collect::<Vec<_>>());
    assert!(after == before, "every dataset and bundle is intact");
    let (status, _) = request(&server, "GET", "/v1/models/long", &[], b"");
    assert_eq!(status, 404, "the killed job registered nothing");
    let files = files_under(&server.dir);
    assert!(files.iter().all(|f| !f.ends_with(".tmp")), "no partial file: {files:?}");
    assert!(files.contains(&format!("jobs/{running}.json")), "{files:?}");

    // The server goes on taking jobs.
    let (_, again) = submit(&server, &done);
    assert_eq!(events(&server, again["id"].as_str().unwrap(), None).last().unwrap().0, "succeeded");
}
