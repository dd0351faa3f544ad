//! The companion server over real HTTP on loopback: a real `fornax serve` process, a
//! real bundle trained by `fornax train`, raw HTTP/1.1 from the standard library.

mod common;

use std::process::Command;

use common::{FORNAX, Server, TOKEN, request, start, wine};
use serde_json::{Value, json};

fn post_json(server: &Server, path: &str, body: &Value) -> (u16, Value) {
    request(server, "POST", path, &[("Content-Type", "application/json")], body.to_string().as_bytes())
}

fn wine_rows(n: usize) -> Vec<Value> {
    common::wine_rows()[..n].to_vec()
}

#[test]
fn predictions_match_the_cli() {
    let server = start();
    let (status, body) = post_json(&server, "/v1/models/wine/predict", &json!({ "rows": wine_rows(5) }));
    assert_eq!(status, 200, "{body}");
    let served: Vec<String> =
        body["predictions"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap().to_string()).collect();

    let cli = Command::new(FORNAX)
        .args(["predict", "--model"])
        .arg(server.dir.join("models/wine.fornax"))
        .arg("--data")
        .arg(wine())
        .output()
        .unwrap();
    assert!(cli.status.success());
    let cli_labels: Vec<String> = String::from_utf8(cli.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .take(5)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(served, cli_labels);
    assert_eq!(served[0], "cultivar_0");
    let p = &body["predictions"][0]["probabilities"];
    let total: f64 = p.as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-4);
}

#[test]
fn bad_requests_get_fastapi_shaped_errors() {
    let server = start();
    let mut rows = wine_rows(2);
    rows[1]["alcohol"] = json!("strong");
    rows[1].as_object_mut().unwrap().remove("hue");
    let (status, body) = post_json(&server, "/v1/models/wine/predict", &json!({ "rows": rows }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "rows", 1, "alcohol"]));
    assert_eq!(body["detail"][0]["type"], "float_parsing");
    assert_eq!(body["detail"][1]["loc"], json!(["body", "rows", 1, "hue"]));
    assert_eq!(body["detail"][1]["type"], "missing");

    let mut rows = wine_rows(1);
    rows[0]["ash"] = json!([2.43]);
    let (status, body) = post_json(&server, "/v1/models/wine/predict", &json!({ "rows": rows }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "rows", 0, "ash"]));
    assert_eq!(body["detail"][0]["type"], "value_type");

    let (status, body) = post_json(&server, "/v1/models/nope/predict", &json!({ "rows": [] }));
    assert_eq!((status, body["detail"].as_str().unwrap()), (404, "model `nope` not found"));

    let (status, body) = request(&server, "POST", "/v1/models/wine/predict", &[], b"{\"rows\": [");
    assert_eq!((status, body["detail"][0]["type"].as_str().unwrap()), (422, "json_invalid"));

    let (status, body) = post_json(&server, "/v1/models/wine/predict", &json!({ "data": [] }));
    assert_eq!((status, body["detail"][0]["loc"].clone()), (422, json!(["body", "rows"])));

    let many = json!({ "rows": vec![json!({}); 1001] });
    let (status, body) = post_json(&server, "/v1/models/wine/predict", &many);
    assert_eq!((status, body["detail"][0]["type"].as_str().unwrap()), (422, "too_long"));

    let huge = vec![b' '; 2 * 1024 * 1024];
    let (status, _) = request(&server, "POST", "/v1/models/wine/predict", &[], &huge);
    assert_eq!(status, 413);
}

#[test]
fn path_parameters_that_do_not_parse_are_located_as_fastapi_does() {
    let server = start();
    for (method, path, kind) in [
        ("GET", "/v1/models/wine/versions/-1", "greater_than_equal"),
        ("GET", "/v1/models/wine/versions/two", "int_parsing"),
        ("POST", "/v1/models/wine/versions/99999999999/predict", "less_than_equal"),
        ("GET", "/v1/models/wine/versions/1.5/bundle", "int_parsing"),
    ] {
        let (status, body) = request(&server, method, path, &[("Authorization", &format!("Bearer {TOKEN}"))], b"{}");
        assert_eq!(status, 422, "{method} {path}: {body}");
        assert_eq!(body["detail"][0]["loc"], json!(["path", "version"]), "{path}");
        assert_eq!(body["detail"][0]["type"], kind, "{path}");
        assert!(body["detail"][0]["msg"].as_str().unwrap().starts_with("Input should"), "{body}");
    }
    for path in ["/v1/models/%FF", "/v1/jobs/%FF"] {
        let (status, body) = request(&server, "GET", path, &[], b"");
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["detail"][0]["type"], "string_unicode", "{path}");
    }
    let (status, body) = request(&server, "GET", "/v1/models/wine/versions/1", &[], b"");
    assert_eq!((status, body["version"].as_u64()), (200, Some(1)));
}

#[test]
fn listing_skips_broken_bundles_and_uploads_need_the_token() {
    let server = start();
    let (status, body) = request(&server, "GET", "/v1/models", &[], b"");
    assert_eq!(status, 200);
    let names: Vec<&str> = body["models"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["wine"]);
    assert_eq!(body["models"][0]["inputs"][0]["name"], "alcohol");

    let bundle = std::fs::read(server.dir.join("models/wine.fornax")).unwrap();
    let (status, _) = request(&server, "PUT", "/v1/models/copy", &[], &bundle);
    assert_eq!(status, 401);
    let auth = format!("Bearer {TOKEN}");
    let (status, body) = request(&server, "PUT", "/v1/models/copy", &[("Authorization", &auth)], b"garbage");
    assert_eq!(status, 422);
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("not a Fornax bundle"));
    let (status, _) = request(&server, "PUT", "/v1/models/copy", &[("Authorization", &auth)], &bundle);
    assert_eq!(status, 201);
    let (status, _) = post_json(&server, "/v1/models/copy/predict", &json!({ "rows": wine_rows(1) }));
    assert_eq!(status, 200);
    assert!(server.dir.join("models/copy/1.fornax").is_file());
    let (status, body) = request(&server, "GET", "/healthz", &[], b"");
    assert_eq!((status, body["status"].as_str().unwrap()), (200, "ok"));
}

#[test]
fn the_admin_token_can_come_from_a_file() {
    let dir = common::temp_dir("token-file");
    common::train_wine(&dir.join("models/wine.fornax"), "linear");
    let token_file = dir.join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let bundle = std::fs::read(dir.join("models/wine.fornax")).unwrap();
    let server = common::serve_with(Command::new(FORNAX), dir, &["--token-file", token_file.to_str().unwrap()]);
    let auth = format!("Bearer {TOKEN}");
    let (status, _) = request(&server, "PUT", "/v1/models/copy", &[("Authorization", &auth)], &bundle);
    assert_eq!(status, 201, "the trailing newline of the file is not part of the token");
    let (status, _) = request(&server, "PUT", "/v1/models/copy", &[("Authorization", "Bearer wrong")], &bundle);
    assert_eq!(status, 401);

    let elsewhere = server.dir.join("never-created");
    let both = Command::new(FORNAX)
        .args(["serve", "--addr", "127.0.0.1:0", "--token-file"])
        .arg(&token_file)
        .arg("--models")
        .arg(&elsewhere)
        .env("FORNAX_TOKEN", "x")
        .output()
        .unwrap();
    assert!(!both.status.success());
    assert!(String::from_utf8_lossy(&both.stderr).contains("not both"));
    assert!(!elsewhere.exists(), "a bad setting changes nothing on disk");
}

#[test]
fn the_api_documents_itself() {
    let server = start();
    let (status, openapi) = request(&server, "GET", "/openapi.json", &[], b"");
    assert_eq!(status, 200);
    // The document is a contract: any change to it shows up here, for review.
    insta::assert_json_snapshot!("openapi", openapi, { ".info.version" => "[version]" });

    let (status, _) = request(&server, "GET", "/readyz", &[], b"");
    assert_eq!(status, 200);
    let page = common::request_text(&server, "/docs/");
    assert!(page.starts_with("HTTP/1.1 200") && page.contains("swagger-ui"), "{page}");
    let script = common::request_text(&server, "/docs/swagger-ui-bundle.js");
    assert!(script.starts_with("HTTP/1.1 200") && script.len() > 100_000, "Swagger UI is served from the binary");
}

#[test]
fn only_configured_origins_may_call_the_api_from_a_browser() {
    let dir = common::temp_dir("cors");
    common::train_wine(&dir.join("models/wine.fornax"), "linear");
    let server = common::serve_with(Command::new(FORNAX), dir, &["--cors-origin", "http://studio.test:8080"]);
    let preflight = |origin: &str| {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
        write!(
            stream,
            "OPTIONS /v1/models/wine HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: {origin}\r\n\
             Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: authorization\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response.to_ascii_lowercase()
    };
    let allowed = preflight("http://studio.test:8080");
    assert!(allowed.contains("access-control-allow-origin: http://studio.test:8080"), "{allowed}");
    assert!(allowed.contains("access-control-allow-headers: authorization,content-type"), "{allowed}");
    let other = preflight("http://elsewhere.test");
    assert!(!other.contains("access-control-allow-origin"), "{other}");

    let bad = Command::new(FORNAX).args(["serve", "--cors-origin", "http://studio.test/"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no path, no trailing slash"));
}

#[test]
fn requests_are_logged_as_json_lines() {
    use std::io::{BufRead, BufReader, Read};
    let dir = common::temp_dir("json-logs");
    common::train_wine(&dir.join("models/wine.fornax"), "linear");
    let mut child = Command::new(FORNAX)
        .args(["serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--no-prediction-log", "--models"])
        .arg(dir.join("models"))
        .env_remove("FORNAX_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let server = common::Server { child, addr, dir };
    let (status, _) = post_json(&server, "/v1/models/wine/predict", &json!({ "rows": wine_rows(1) }));
    assert_eq!(status, 200);
    let mut server = server;
    Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    server.child.wait().unwrap();
    let mut logs = String::new();
    server.child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    let lines: Vec<Value> =
        logs.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let request = lines.iter().find(|l| l["message"] == "request").unwrap_or_else(|| panic!("{logs}"));
    assert_eq!(request["level"], "INFO");
    assert_eq!(request["route"], "/v1/models/{name}/predict");
    assert_eq!((request["model"].as_str(), request["status"].as_u64()), (Some("wine"), Some(200)));
    assert!(request["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(lines.last().unwrap()["message"], "stopped");
}
