//! `fornax serve`: the web app's files and a FastAPI-style prediction API on one port.

mod api;
mod api_error;
mod connections;
mod http_types;
mod openapi;
mod registry;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use clap::Args;
use tower_http::services::{ServeDir, ServeFile};

pub use registry::Registry;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Directory of bundles: each NAME.fornax is served as model NAME.
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Directory of the built web app (trunk's dist/) to serve at `/`.
    #[arg(long)]
    web: Option<PathBuf>,
    /// A file holding the admin token (instead of the FORNAX_TOKEN environment variable).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Seconds a request may take, reading its body included; then 408.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// Seconds a client has to send a request's headers; then the connection is closed.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,
}

/// The bearer token of the admin routes: from FORNAX_TOKEN or `--token-file` (surrounding
/// whitespace trimmed), never both; `None` leaves admin routes disabled.
fn admin_token(file: Option<&Path>) -> Result<Option<String>, String> {
    let from_env = std::env::var("FORNAX_TOKEN").ok().filter(|t| !t.is_empty());
    match (from_env, file) {
        (Some(_), Some(_)) => Err("give the admin token by FORNAX_TOKEN or by --token-file, not both".into()),
        (from_env, None) => Ok(from_env),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?;
            match text.trim() {
                "" => Err(format!("the token file {} is empty", path.display())),
                token => Ok(Some(token.to_string())),
            }
        }
    }
}

pub fn run(args: ServeArgs) -> Result<(), String> {
    // Settings first, so a mistake in them changes nothing on disk.
    let token = admin_token(args.token_file.as_deref())?;
    std::fs::create_dir_all(&args.models).map_err(|e| format!("cannot create {}: {e}", args.models.display()))?;
    let (registry, problems) = Registry::open(&args.models);
    for (name, problem) in problems {
        eprintln!("warning: model `{name}` was not loaded: {problem}");
    }
    let request_timeout = Duration::from_secs(args.request_timeout);
    let state = Arc::new(api::AppState { registry, token, request_timeout });
    let mut app: Router = api::router(state).merge(openapi::router());
    if let Some(web) = &args.web {
        if !web.join("index.html").is_file() {
            return Err(format!("{} has no index.html: build the app first (cargo xtask serve does)", web.display()));
        }
        app = app.fallback_service(ServeDir::new(web).fallback(ServeFile::new(web.join("index.html"))));
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
        let url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
        println!("Fornax is serving on {url}  (models: {url}/v1/models; stop with Ctrl-C)");
        connections::serve(listener, app, Duration::from_secs(args.header_timeout), async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        Ok(())
    })
}
