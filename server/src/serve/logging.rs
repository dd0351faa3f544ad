//! Structured logs on stderr: one line per request (method, path, route, model,
//! status, latency) and what the server does on its own (loading models, jobs, the
//! prediction log), as text for people or JSON for log collectors. `FORNAX_LOG`
//! filters them like `RUST_LOG` does (default `info`; `warn` drops the request lines).

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn init(format: LogFormat) -> Result<(), String> {
    let filter = EnvFilter::try_from_env("FORNAX_LOG")
        .or_else(|_| EnvFilter::try_new("info"))
        .map_err(|e| format!("FORNAX_LOG is not a valid filter: {e}"))?;
    // Colours only for a person at a terminal, never in a file or a collector's pipe.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(colour);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(|e| format!("cannot start logging: {e}"))
}
