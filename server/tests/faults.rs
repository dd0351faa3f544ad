//! Fault injection against the real binary: a full disk while saving, `kill -9`
//! mid-upload, leftovers of a crash, slow clients, and oversize requests. Each test
//! checks that nothing the user had is lost and that the server keeps answering.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, SystemTime};

use common::{FORNAX, TOKEN, fornax_with_file_limit, request, serve, serve_with, temp_dir, train_wine};
use serde_json::{Value, json};

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn one_row() -> Value {
    let text = std::fs::read_to_string(common::wine()).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: serde_json::Map<String, Value> = header
        .iter()
        .zip(lines.next().unwrap().split(','))
        .filter(|(h, _)| **h != "cultivar")
        .map(|(h, v)| (h.to_string(), json!(v.parse::<f64>().unwrap())))
        .collect();
    json!({ "rows": [row] })
}

fn hidden_layers(server: &common::Server, name: &str) -> usize {
    let (status, body) = request(server, "GET", &format!("/v1/models/{name}"), &[], b"");
    assert_eq!(status, 200, "{body}");
    body["model"]["hidden"].as_array().unwrap().len()
}

#[test]
fn a_full_disk_while_training_keeps_the_previous_bundle() {
    let dir = temp_dir("disk-full-train");
    let out = dir.join("wine.fornax");
    train_wine(&out, "linear");
    let before = std::fs::read(&out).unwrap();

    // The MLP's bundle (~14 KiB) does not fit under a 4 KiB file limit.
    let output = fornax_with_file_limit(4, &["train", "--data", common::wine().to_str().unwrap()])
        .args(["--target", "cultivar", "--epochs", "5", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("cannot write") && stderr.contains("wine.fornax"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), before, "the previous bundle is untouched");
    assert_eq!(files_in(&dir), ["wine.fornax"], "no temporary file is left");
    let predict = Command::new(FORNAX)
        .args(["predict", "--model", out.to_str().unwrap(), "--data", common::wine().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(predict.status.success(), "the previous bundle still loads");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_full_disk_while_uploading_answers_507_and_keeps_serving() {
    let dir = temp_dir("disk-full-upload");
    let models = dir.join("models");
    train_wine(&models.join("wine.fornax"), "linear");
    train_wine(&dir.join("bigger.fornax"), "mlp");
    let bigger = std::fs::read(dir.join("bigger.fornax")).unwrap();
    // Reading is not limited: the linear model loads; writing the MLP does not fit (nor
    // would the prediction log, which this test does not need).
    let server = serve_with(fornax_with_file_limit(8, &[]), dir, &["--no-prediction-log"]);
    let auth = format!("Bearer {TOKEN}");
    let (status, body) = request(&server, "PUT", "/v1/models/wine", &[("Authorization", &auth)], &bigger);
    assert_eq!(status, 507, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("previous version is kept"), "{body}");
    assert_eq!(hidden_layers(&server, "wine"), 0, "the linear model is still served");
    let (status, _) = request(&server, "POST", "/v1/models/wine/predict", &[], one_row().to_string().as_bytes());
    assert_eq!(status, 200);
    assert_eq!(files_in(&models), ["wine.fornax"]);
}

#[test]
fn kill_9_during_an_upload_leaves_the_registry_consistent() {
    let dir = temp_dir("kill-upload");
    let models = dir.join("models");
    train_wine(&models.join("wine.fornax"), "linear");
    train_wine(&dir.join("bigger.fornax"), "mlp");
    let bigger = std::fs::read(dir.join("bigger.fornax")).unwrap();
    // What a crash in the middle of an earlier write leaves: a stale half temporary.
    let stale = models.join(".wine.fornax.4242-0.tmp");
    std::fs::write(&stale, &bigger[..bigger.len() / 2]).unwrap();
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&stale).unwrap().set_modified(an_hour_ago).unwrap();

    let server = serve(dir);
    assert!(!stale.exists(), "a stale temporary is removed at start");
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let head = format!(
        "PUT /v1/models/wine HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {}\r\n\r\n",
        bigger.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&bigger[..bigger.len() / 2]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let dir = server.kill9();

    let server = serve(dir);
    assert_eq!(hidden_layers(&server, "wine"), 0, "the previous version serves after the crash");
    let (status, _) = request(&server, "POST", "/v1/models/wine/predict", &[], one_row().to_string().as_bytes());
    assert_eq!(status, 200);
    assert_eq!(files_in(&server.dir.join("models")), ["wine.fornax"]);
    // And the upload, retried, goes through.
    let auth = format!("Bearer {TOKEN}");
    let (status, _) = request(&server, "PUT", "/v1/models/wine", &[("Authorization", &auth)], &bigger);
    assert_eq!(status, 201);
    assert_eq!(hidden_layers(&server, "wine"), 2);
}

#[test]
fn slow_clients_do_not_starve_others() {
    let dir = temp_dir("slowloris");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    let server = serve_with(Command::new(FORNAX), dir, &["--header-timeout", "2", "--request-timeout", "3"]);
    // 100 clients that send half a request head and then nothing, and 20 that send a
    // head announcing a body they never finish.
    let stalled_heads: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"POST /v1/models/wine/predict HTTP/1.1\r\nHost: x\r\nContent-").unwrap();
            s
        })
        .collect();
    let stalled_bodies: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"POST /v1/models/wine/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"rows\"")
                .unwrap();
            s
        })
        .collect();
    for _ in 0..5 {
        let (status, _) = request(&server, "POST", "/v1/models/wine/predict", &[], one_row().to_string().as_bytes());
        assert_eq!(status, 200, "a normal client is answered while slow ones hang on");
    }
    // Past the header timeout the server closes a stalled head; past the request
    // timeout it answers a stalled body with 408.
    let answer = |mut stream: TcpStream| {
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buf = Vec::new();
        let read = stream.read_to_end(&mut buf);
        assert!(read.is_ok() || read.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset));
        String::from_utf8_lossy(&buf).into_owned()
    };
    let head = answer(stalled_heads.into_iter().next().unwrap());
    assert!(head.is_empty() || head.starts_with("HTTP/1.1 408"), "{head}");
    let body = answer(stalled_bodies.into_iter().next().unwrap());
    assert!(body.starts_with("HTTP/1.1 408"), "{body}");
    assert!(body.contains("took longer than 3 s"), "{body}");
}

#[test]
fn corrupt_uploads_are_refused_and_change_nothing() {
    let dir = temp_dir("corrupt-upload");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    train_wine(&dir.join("bigger.fornax"), "mlp");
    let mut bundle = std::fs::read(dir.join("bigger.fornax")).unwrap();
    let server = serve(dir);
    let auth = format!("Bearer {TOKEN}");
    let truncated = &bundle[..bundle.len() - 100];
    let (status, body) = request(&server, "PUT", "/v1/models/wine", &[("Authorization", &auth)], truncated);
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("checksum does not match"), "{body}");
    let middle = bundle.len() / 2;
    bundle[middle] ^= 0x01;
    let (status, body) = request(&server, "PUT", "/v1/models/wine", &[("Authorization", &auth)], &bundle);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["type"], "bundle_invalid");
    assert_eq!(hidden_layers(&server, "wine"), 0, "the served model is unchanged");
    assert_eq!(files_in(&server.dir.join("models")), ["wine.fornax"]);
}

#[test]
fn oversize_requests_are_refused_within_limits() {
    let dir = temp_dir("oversize");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    let server = serve(dir);
    let row = one_row()["rows"][0].clone();
    let many = json!({ "rows": vec![row; 10_000] });
    let (status, body) = request(&server, "POST", "/v1/models/wine/predict", &[], many.to_string().as_bytes());
    // 10,000 wine rows are ~3 MB of JSON: over the body limit before the row limit.
    assert_eq!(status, 413, "{body}");
    let text = json!({ "rows": [{ "alcohol": "x".repeat(10 * 1024 * 1024) }] });
    let (status, body) = request(&server, "POST", "/v1/models/wine/predict", &[], text.to_string().as_bytes());
    assert_eq!(status, 413, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("larger than 1048576 bytes"), "{body}");
    let compact = json!({ "rows": vec![json!({}); 10_000] });
    let (status, body) = request(&server, "POST", "/v1/models/wine/predict", &[], compact.to_string().as_bytes());
    assert_eq!((status, body["detail"][0]["type"].as_str()), (422, Some("too_long")), "{body}");
    let (status, _) = request(&server, "GET", "/healthz", &[], b"");
    assert_eq!(status, 200, "the server is still up");
}
