//! `mqbroker`: parse the command line, set up logging, run the broker until SIGINT/SIGTERM.

use broker::startup::{build_config, parse_args, Action, USAGE};
use tracing_subscriber::EnvFilter;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cl = match parse_args(&args) {
        Ok(cl) => cl,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            std::process::exit(1);
        }
    };
    if cl.action == Action::Help {
        out(USAGE);
        return;
    }
    let (cfg, warnings) = match build_config(&cl) {
        Ok(x) => x,
        Err(e) => {
            out(&e);
            std::process::exit(-3);
        }
    };
    if matches!(cl.action, Action::PrintAll | Action::PrintImportant) {
        let text: Vec<String> = cfg
            .all_properties(cl.action == Action::PrintImportant)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out(&text.join("\n"));
        return;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("RMQ_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    for w in &warnings {
        tracing::warn!("{w}");
    }
    for (k, v) in cfg.all_properties(false) {
        tracing::debug!(key = k, value = %v, "config");
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        builder.worker_threads(worker_threads());
    }
    let rt = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = rt.block_on(broker::run(cfg, shutdown_signal()));
    if let Err(e) = result {
        eprintln!("broker failed: {e}");
        std::process::exit(1);
    }
}

/// Tokio workers: all cores but one, at least one. The remaining core is for the store's own
/// threads (dispatch, flush, group commit) and the kernel's network work; on a 2-core
/// machine a second worker mostly adds futex wake-ups and context switches between the two
/// (benchmark: broker CPU per 1 KiB sync send 13.0 -> 9.9 us, per batched message 4.2 ->
/// 3.3 us, same or better throughput). `TOKIO_WORKER_THREADS` overrides.
fn worker_threads() -> usize {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    cores.saturating_sub(1).max(1)
}

/// Print a line to stdout, ignoring a closed pipe (`mqbroker -p | head`).
fn out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
