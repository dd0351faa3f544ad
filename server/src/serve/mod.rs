//! `fornax serve`: the web app's files and a FastAPI-style prediction API on one port.

mod api;
mod api_error;
mod batcher;
mod connections;
mod datasets;
mod image_request;
mod image_upload;
mod job_journal;
mod jobs;
mod jobs_api;
mod logging;
mod metrics;
mod model_info;
mod openapi;
mod path_params;
mod prediction_log;
mod put_error;
mod registry;
mod served;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use clap::Args;
use tower_http::cors::CorsLayer;
use tower_http::services::{ServeDir, ServeFile};

use batcher::BatchSettings;
use datasets::Datasets;
use jobs::Jobs;
use metrics::Metrics;
use prediction_log::PredictionLog;
use registry::Registry;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "FORNAX_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Directory of bundles: each NAME.fornax is served as model NAME.
    #[arg(long, env = "FORNAX_MODELS", default_value = "models")]
    models: PathBuf,
    /// Directory of the CSVs uploaded for training jobs.
    #[arg(long, env = "FORNAX_DATASETS", default_value = "datasets")]
    datasets: PathBuf,
    /// Directory of the training jobs' records (one per server: not shared by replicas).
    #[arg(long, env = "FORNAX_JOBS", default_value = "jobs")]
    jobs: PathBuf,
    /// Device that training jobs run on: cpu, vulkan or cuda.
    #[arg(long, env = "FORNAX_DEVICE", default_value = "cpu")]
    device: String,
    /// Directory of the built web app (trunk's dist/) to serve at `/`.
    #[arg(long, env = "FORNAX_WEB")]
    web: Option<PathBuf>,
    /// A file holding the admin token (instead of the FORNAX_TOKEN environment variable).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Seconds a request may take, reading its body included; then 408.
    #[arg(long, env = "FORNAX_REQUEST_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// Seconds a client has to send a request's headers; then the connection is closed.
    #[arg(long, env = "FORNAX_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,
    /// Rows at which a micro-batch of concurrent predictions stops growing.
    #[arg(long, env = "FORNAX_MAX_BATCH_ROWS", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_batch_rows: u64,
    /// Microseconds a micro-batch waits for more requests after its first. 0: none; a
    /// batch is then whatever queued while the previous pass ran, which on a CPU gives
    /// the best latency and throughput alike (`cargo xtask bench serve`). A wait helps
    /// where one pass costs about the same for 1 or 256 rows, as on a GPU.
    #[arg(long, env = "FORNAX_BATCH_WAIT_US", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    batch_wait_us: u64,
    /// Prediction requests that may wait per model version; beyond it, 503 with Retry-After.
    #[arg(long, env = "FORNAX_QUEUE", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    queue: u64,
    /// Rows whose predictions are remembered per model version (identical rows are
    /// answered from memory); 0 turns the cache off.
    #[arg(long, env = "FORNAX_CACHE_ROWS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(0..=10_000_000))]
    cache_rows: u64,
    /// SQLite file that every prediction (inputs, output, model version, time) is
    /// appended to.
    #[arg(long, env = "FORNAX_PREDICTION_LOG", default_value = "predictions.sqlite")]
    prediction_log: PathBuf,
    /// Log no predictions.
    #[arg(long, conflicts_with = "prediction_log")]
    no_prediction_log: bool,
    /// A web origin (`https://studio.example.com`) whose pages may call this API, e.g. a
    /// studio served elsewhere that deploys here; repeat for several. Pages this server
    /// serves itself need none.
    #[arg(long = "cors-origin", env = "FORNAX_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    cors_origins: Vec<HeaderValue>,
    /// How the server logs on stderr: `text` or `json` (one object per line). FORNAX_LOG
    /// filters like RUST_LOG (default `info`, a line per request; `warn` for fewer).
    #[arg(long, env = "FORNAX_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: logging::LogFormat,
    /// Days a logged prediction is kept.
    #[arg(long, env = "FORNAX_LOG_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=36_500))]
    log_retention_days: u64,
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

/// `scheme://host[:port]`, exactly as a browser sends it in `Origin`.
fn parse_origin(text: &str) -> Result<HeaderValue, String> {
    let text = text.trim();
    let rest = text.strip_prefix("http://").or_else(|| text.strip_prefix("https://"));
    let valid = rest.is_some_and(|host| !host.is_empty() && !host.contains('/'));
    match HeaderValue::from_str(text) {
        Ok(value) if valid => Ok(value),
        _ => Err(format!(
            "`{text}` is not an origin like https://studio.example.com or http://127.0.0.1:8080 (no path, no trailing slash)"
        )),
    }
}

/// Lets the pages of `origins` call the API from the browser: read answers, and send
/// the token and JSON or bundle bodies.
fn cors(origins: Vec<HeaderValue>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// Ctrl-C, or SIGTERM (how service managers and Kubernetes stop a process).
async fn stop_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match terminate.as_mut() {
            Some(signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminated => {}
    }
}

pub fn run(args: ServeArgs) -> Result<(), String> {
    // Settings first, so a mistake in them changes nothing on disk.
    let token = admin_token(args.token_file.as_deref())?;
    logging::init(args.log_format)?;
    if let Some(web) = &args.web
        && !web.join("index.html").is_file()
    {
        return Err(format!("{} has no index.html: build the app first (cargo xtask serve does)", web.display()));
    }
    let device = crate::cli::train::device(&args.device)?;
    std::fs::create_dir_all(&args.models).map_err(|e| format!("cannot create {}: {e}", args.models.display()))?;
    let settings = BatchSettings {
        max_rows: args.max_batch_rows as usize,
        max_wait: Duration::from_micros(args.batch_wait_us),
        queue: args.queue as usize,
        cache_rows: args.cache_rows as usize,
    };
    let log = match args.no_prediction_log {
        true => None,
        false => {
            Some(PredictionLog::open(&args.prediction_log, Duration::from_secs(args.log_retention_days * 24 * 3600))?)
        }
    };
    let metrics = Arc::new(Metrics::default());
    let (registry, problems) = Registry::open(&args.models, settings, metrics.clone());
    for (name, problem) in problems {
        tracing::warn!(model = %name, %problem, "a model was not loaded");
    }
    let registry = Arc::new(registry);
    let datasets = Arc::new(Datasets::new(&args.datasets));
    let journal = job_journal::JobJournal::new(&args.jobs);
    let jobs = Jobs::start(registry.clone(), datasets.clone(), journal, device, &args.device);
    let request_timeout = Duration::from_secs(args.request_timeout);
    let state = Arc::new(api::AppState { registry, datasets, jobs, metrics, log, token, request_timeout });
    let mut app: Router = api::router(state.clone()).merge(openapi::router());
    if let Some(web) = &args.web {
        app = app.fallback_service(ServeDir::new(web).fallback(ServeFile::new(web.join("index.html"))));
    }
    if !args.cors_origins.is_empty() {
        app = app.layer(cors(args.cors_origins));
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
        let url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
        println!("Fornax is serving on {url}  (models: {url}/v1/models; stop with Ctrl-C)");
        tracing::info!(%url, models = %args.models.display(), device = %args.device, "serving");
        connections::serve(listener, app, Duration::from_secs(args.header_timeout), stop_signal()).await;
        Ok::<(), String>(())
    })?;
    // In-flight requests have finished: write the predictions they logged.
    if let Some(log) = &state.log {
        log.close();
    }
    tracing::info!("stopped");
    Ok(())
}
