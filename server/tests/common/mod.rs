//! What the server's integration tests share: a real `fornax` binary, real bundles
//! trained by `fornax train`, a real `fornax serve` on a loopback port, and raw
//! HTTP/1.1 from the standard library.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub const FORNAX: &str = env!("CARGO_BIN_EXE_fornax");
pub const TOKEN: &str = "test-token-123";

pub fn wine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/demo/wine.csv")
}

/// Every row of the wine demo as a prediction request's row (the target left out).
pub fn wine_rows() -> Vec<Value> {
    let text = std::fs::read_to_string(wine()).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            let row: serde_json::Map<String, Value> = header
                .iter()
                .zip(line.split(','))
                .filter(|(h, _)| **h != "cultivar")
                .map(|(h, v)| (h.to_string(), Value::from(v.parse::<f64>().unwrap())))
                .collect();
            Value::Object(row)
        })
        .collect()
}

/// A fresh, empty directory for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fornax-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Trains a wine model (`mlp` or `linear`) into `out`.
pub fn train_wine(out: &Path, model: &str) {
    let status = Command::new(FORNAX)
        .args(["train", "--data"])
        .arg(wine())
        .args(["--target", "cultivar", "--epochs", "30", "--model", model, "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// Runs `fornax` with `args` in a shell whose largest writable file is `limit_kib`
/// KiB, so writing more fails like a full disk does (EFBIG rather than ENOSPC; the
/// signal the kernel would send instead is ignored, as a real full disk sends none).
pub fn fornax_with_file_limit(limit_kib: u64, args: &[&str]) -> Command {
    let mut command = Command::new("sh");
    // dash's `ulimit -f` counts 512-byte blocks.
    command.arg("-c").arg(format!("trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"", limit_kib * 2)).arg(FORNAX);
    command.args(args);
    command
}

/// A running `fornax serve`; killed (and its directory removed) when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Server {
    /// Kills the server with SIGKILL, keeping its directory for a restart.
    pub fn kill9(mut self) -> PathBuf {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::take(&mut self.dir)
    }
}

/// Serves `dir/models` from `command` (a `fornax` invocation without arguments),
/// with `extra` flags. The admin token is [`TOKEN`], from the environment unless
/// `extra` names a `--token-file`.
pub fn serve_with(mut command: Command, dir: PathBuf, extra: &[&str]) -> Server {
    if extra.contains(&"--token-file") {
        command.env_remove("FORNAX_TOKEN");
    } else {
        command.env("FORNAX_TOKEN", TOKEN);
    }
    // The prediction log (predictions.sqlite) lands in the working directory.
    let mut child = command
        .current_dir(&dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--models"])
        .arg(dir.join("models"))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr =
        line.split("http://").nth(1).and_then(|s| s.split_whitespace().next()).expect("address line").to_string();
    Server { child, addr, dir }
}

pub fn serve(dir: PathBuf) -> Server {
    serve_with(Command::new(FORNAX), dir, &[])
}

/// A second server (a replica) on the directory another [`Server`] owns; dropping it
/// leaves the directory to that owner.
pub fn serve_shared(dir: &Path) -> Server {
    let mut server = serve(dir.to_path_buf());
    server.dir = PathBuf::new();
    server
}

/// Trains a wine bundle into a fresh models directory and serves it as `wine`, beside
/// a broken bundle that the server must skip.
pub fn start() -> Server {
    let dir = temp_dir(&format!("serve-{:?}", std::thread::current().id()));
    let models = dir.join("models");
    train_wine(&models.join("wine.fornax"), "mlp");
    std::fs::write(models.join("broken.fornax"), b"not a bundle").unwrap();
    serve(dir)
}

/// A GET; returns the whole response (status line, headers, body) as text.
pub fn request_text(server: &Server, path: &str) -> String {
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// One request; returns the status code and the body as JSON.
pub fn request(server: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    request_to(&server.addr, method, path, headers, body)
}

/// [`request`] to any address (a proxy in front of servers).
pub fn request_to(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) and close before reading a large body: that is fine.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no HTTP status in `{text}`"));
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}
