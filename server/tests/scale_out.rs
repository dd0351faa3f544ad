//! Two `fornax serve` replicas on one models directory behind nginx, configured by the
//! shipped deploy/nginx/fornax.conf: requests are spread over both, an upload through
//! the proxy is served by both, and a replica that dies is routed around. SIGTERM stops
//! a replica gracefully.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{FORNAX, Server, TOKEN, request_to, serve_with, temp_dir, train_wine};
use serde_json::{Value, json};

/// nginx in the foreground, on `listen`, in front of `replicas`.
struct Nginx(Child);

impl Nginx {
    fn start(dir: &Path, listen: &str, replicas: [&str; 2]) -> Nginx {
        assert!(Path::new("/usr/sbin/nginx").exists(), "this test needs Debian's nginx (cargo xtask test installs it)");
        let shipped =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/nginx/fornax.conf")).unwrap();
        let conf = shipped
            .replace("listen 127.0.0.1:8080;", &format!("listen {listen};"))
            .replace("server 127.0.0.1:8081 ", &format!("server {} ", replicas[0]))
            .replace("server 127.0.0.1:8082 ", &format!("server {} ", replicas[1]));
        assert_ne!(conf, shipped);
        std::fs::write(dir.join("fornax.conf"), conf).unwrap();
        let nginx = Nginx(
            Command::new("/usr/sbin/nginx")
                .arg("-p")
                .arg(dir)
                .arg("-c")
                .arg(dir.join("fornax.conf"))
                .args(["-g", "daemon off;"])
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap(),
        );
        // Listening once a connection is accepted.
        for _ in 0..100 {
            if std::net::TcpStream::connect(listen).is_ok() {
                return nginx;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nginx did not start listening on {listen}; see {}", dir.join("error.log").display());
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

fn free_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

fn predict(proxy: &str, row: &Value) -> (u16, Value) {
    request_to(proxy, "POST", "/v1/models/wine/predict", &[], json!({ "rows": [row] }).to_string().as_bytes())
}

/// Prediction requests this replica answered, from its own /metrics.
fn answered(replica: &Server) -> f64 {
    let text = common::request_text(replica, "/metrics");
    text.lines()
        .filter(|l| l.starts_with("fornax_http_requests_total{route=\"/v1/models/{name}/predict\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[test]
fn two_replicas_behind_nginx_share_the_models_directory() {
    let dir = temp_dir("scale-out");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    train_wine(&dir.join("mlp.fornax"), "mlp");
    let a = serve_with(Command::new(FORNAX), dir.clone(), &["--prediction-log", "a.sqlite"]);
    let mut b = common::serve_shared(&dir);
    let listen = free_port();
    let nginx_dir = dir.join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    let _nginx = Nginx::start(&nginx_dir, &listen, [&a.addr, &b.addr]);

    let rows = common::wine_rows();
    for row in &rows[..40] {
        let (status, body) = predict(&listen, row);
        assert_eq!((status, body["version"].as_u64()), (200, Some(1)), "{body}");
    }
    let (from_a, from_b) = (answered(&a), answered(&b));
    assert_eq!(from_a + from_b, 40.0);
    assert!(from_a > 0.0 && from_b > 0.0, "both replicas answer: {from_a} and {from_b}");

    // An upload through the proxy lands on one replica; both serve it.
    let bundle = std::fs::read(dir.join("mlp.fornax")).unwrap();
    let (status, body) =
        request_to(&listen, "PUT", "/v1/models/wine", &[("Authorization", &format!("Bearer {TOKEN}"))], &bundle);
    assert_eq!((status, body["version"].as_u64()), (201, Some(2)), "{body}");
    std::thread::sleep(Duration::from_millis(1100));
    for row in &rows[40..60] {
        let (status, body) = predict(&listen, row);
        assert_eq!((status, body["version"].as_u64()), (200, Some(2)), "{body}");
    }

    // SIGTERM stops replica B gracefully; nginx routes everything to A.
    let status = Command::new("kill").args(["-TERM", &b.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    assert!(b.child.wait().unwrap().success(), "SIGTERM is a clean stop");
    for row in &rows[60..80] {
        let (status, body) = predict(&listen, row);
        assert_eq!(status, 200, "{body}");
    }
}
