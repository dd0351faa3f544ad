//! Serving under concurrency, over real HTTP: micro-batches answer each caller its own
//! rows, a full queue says 503 with `Retry-After`, repeated rows come from the cache,
//! `/metrics` counts all of it, and a short loopback load gets no 5xx.

mod common;

use std::process::Command;

use common::{FORNAX, request, serve_with, temp_dir, train_wine, wine_rows};
use serde_json::{Value, json};

fn start(extra: &[&str]) -> common::Server {
    let dir = temp_dir(&format!("serving-{}", extra.join("").replace('-', "")));
    train_wine(&dir.join("models/wine.fornax"), "mlp");
    serve_with(Command::new(FORNAX), dir, extra)
}

fn predict(server: &common::Server, rows: &[Value]) -> (u16, Value) {
    let body = json!({ "rows": rows }).to_string();
    request(server, "POST", "/v1/models/wine/predict", &[], body.as_bytes())
}

fn metrics(server: &common::Server) -> String {
    let text = common::request_text(server, "/metrics");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    text
}

/// The value of the sample named exactly `series` (name and labels).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no `{series}` in\n{text}"))
}

#[test]
fn concurrent_callers_share_batches_and_each_gets_its_own_rows() {
    // A long wait gathers every concurrent request into few forward passes.
    let server = start(&["--batch-wait-us", "300000", "--cache-rows", "0"]);
    let rows = wine_rows();
    let alone: Vec<Value> =
        rows[..8].iter().map(|r| predict(&server, std::slice::from_ref(r)).1["predictions"][0].clone()).collect();
    let passes_before = sample(&metrics(&server), "fornax_predict_batch_rows_count{model=\"wine\"}");

    let together: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = rows[..8].iter().map(|r| s.spawn(|| predict(&server, std::slice::from_ref(r)))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .map(|(status, body)| {
                assert_eq!(status, 200, "{body}");
                body["predictions"][0].clone()
            })
            .collect()
    });
    assert_eq!(together, alone, "each caller got the prediction for its own row");
    let passes = sample(&metrics(&server), "fornax_predict_batch_rows_count{model=\"wine\"}") - passes_before;
    assert!(passes < 8.0, "8 concurrent requests took {passes} forward passes");
}

#[test]
fn a_full_queue_answers_503_with_retry_after() {
    let server = start(&["--queue", "2", "--batch-wait-us", "1000000", "--max-batch-rows", "10000"]);
    let rows = wine_rows();
    std::thread::scope(|s| {
        // Two requests wait in the batch being gathered: the queue is full.
        let waiting: Vec<_> = (0..2)
            .map(|i| {
                s.spawn({
                    let row = rows[i].clone();
                    let server = &server;
                    move || predict(server, &[row]).0
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(400));
        let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
        let body = json!({ "rows": [rows[3]] }).to_string();
        use std::io::{Read, Write};
        write!(
            stream,
            "POST /v1/models/wine/predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 503"), "{response}");
        assert!(response.to_ascii_lowercase().contains("retry-after: 1"), "{response}");
        assert!(response.contains("retry shortly"), "{response}");
        for handle in waiting {
            assert_eq!(handle.join().unwrap(), 200, "the queued requests are answered");
        }
    });
    let text = metrics(&server);
    assert_eq!(
        sample(&text, "fornax_http_requests_total{route=\"/v1/models/{name}/predict\",model=\"wine\",status=\"503\"}"),
        1.0
    );
}

#[test]
fn repeated_rows_come_from_the_cache_and_metrics_count_everything() {
    let server = start(&[]);
    let rows = wine_rows();
    let (status, first) = predict(&server, &rows[..3]);
    assert_eq!(status, 200);
    let (status, again) = predict(&server, &rows[..4]);
    assert_eq!(status, 200);
    assert_eq!(first["predictions"].as_array().unwrap()[..], again["predictions"].as_array().unwrap()[..3]);
    let (status, _) = request(&server, "POST", "/v1/models/nope/predict", &[], b"{\"rows\": []}");
    assert_eq!(status, 404);

    let text = metrics(&server);
    assert_eq!(sample(&text, "fornax_prediction_cache_hits_total{model=\"wine\"}"), 3.0);
    assert_eq!(sample(&text, "fornax_prediction_cache_misses_total{model=\"wine\"}"), 4.0);
    assert_eq!(
        sample(&text, "fornax_http_requests_total{route=\"/v1/models/{name}/predict\",model=\"wine\",status=\"200\"}"),
        2.0
    );
    assert_eq!(
        sample(&text, "fornax_http_requests_total{route=\"/v1/models/{name}/predict\",model=\"\",status=\"404\"}"),
        1.0
    );
    assert_eq!(
        sample(&text, "fornax_http_request_duration_seconds_count{route=\"/v1/models/{name}/predict\",model=\"wine\"}"),
        2.0
    );
    assert_eq!(sample(&text, "fornax_predict_queue_depth{model=\"wine\",version=\"1\"}"), 0.0);
    assert!(text.contains("# TYPE fornax_http_request_duration_seconds histogram"));
}

#[test]
fn a_short_loopback_load_gets_no_server_errors() {
    let server = start(&[]);
    let rows = wine_rows();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|t| {
                let (server, rows) = (&server, &rows);
                s.spawn(move || {
                    (0..50).map(|i| predict(server, &[rows[(t * 50 + i) % rows.len()].clone()]).0).collect::<Vec<u16>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.len(), 800);
    assert!(statuses.iter().all(|&s| s == 200), "{:?}", statuses.iter().filter(|&&s| s != 200).collect::<Vec<_>>());
}

/// The rows of the prediction log, oldest first: (model, version, input, output).
fn logged(dir: &std::path::Path) -> Vec<(String, u32, Value, Value)> {
    let db = rusqlite::Connection::open(dir.join("predictions.sqlite")).unwrap();
    let mut statement = db.prepare("SELECT model, version, input, output FROM predictions ORDER BY id").unwrap();
    statement
        .query_map([], |r| {
            let text = |i| r.get::<_, String>(i).map(|t| serde_json::from_str::<Value>(&t).unwrap());
            Ok((r.get(0)?, r.get(1)?, text(2)?, text(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn every_prediction_is_logged_and_ctrl_c_writes_the_last_ones() {
    let server = start(&[]);
    let rows = wine_rows();
    let (status, answer) = predict(&server, &rows[..3]);
    assert_eq!(status, 200);
    let (status, _) = predict(&server, &rows[3..5]);
    assert_eq!(status, 200);
    // Ctrl-C: in-flight requests finish and the log's queue is written before exit.
    let status = Command::new("kill").args(["-INT", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let mut server = server;
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");

    let log = logged(&server.dir);
    assert_eq!(log.len(), 5);
    assert_eq!((log[0].0.as_str(), log[0].1), ("wine", 1));
    assert_eq!(log[0].2, rows[0]);
    assert_eq!(log[0].3, answer["predictions"][0]);
    assert_eq!(log[4].2, rows[4]);
}

#[test]
fn old_predictions_are_deleted_at_start() {
    let dir = temp_dir("retention");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    let first = serve_with(Command::new(FORNAX), dir.clone(), &[]);
    let (status, _) = predict(&first, &wine_rows()[..1]);
    assert_eq!(status, 200);
    std::thread::sleep(std::time::Duration::from_millis(400));
    let dir = first.kill9();
    let db = rusqlite::Connection::open(dir.join("predictions.sqlite")).unwrap();
    let forty_days_ms = 40 * 24 * 3600 * 1000_i64;
    db.execute("UPDATE predictions SET time_ms = time_ms - ?1", [forty_days_ms]).unwrap();
    drop(db);
    let second = serve_with(Command::new(FORNAX), dir, &["--log-retention-days", "30"]);
    assert!(logged(&second.dir).is_empty(), "a 40-day-old prediction is past 30 days' retention");
}
