//! `mqnamesrv`: parses flags like `NamesrvStartup`, sets up logging (stderr, `RUST_LOG`,
//! default `info`), binds `listenPort` on all interfaces (IPv6 and IPv4), prints Java's boot line and serves
//! until SIGINT/SIGTERM.
//!
//! Exit codes follow Java: 0 after `-h`/`-p`/`-m` and after a signal, 1 for a bad command line,
//! 255 (`System.exit(-1)`) when start-up fails.

use std::io::Write;
use std::process::ExitCode;

use namesrv::config::KeyOutcome;
use namesrv::startup::{config_listing, load_config_file, parse_args, usage};
use namesrv::{Config, Namesrv};
use tracing::{error, info, warn};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = match parse_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            print!("{}", usage());
            return ExitCode::from(1);
        }
    };
    if cli.help {
        print!("{}", usage());
        return ExitCode::SUCCESS;
    }
    init_tracing();

    let mut config = Config::default();
    if let Some(file) = &cli.config_file {
        match load_config_file(&mut config, file) {
            Ok(outcomes) => {
                for (key, outcome) in outcomes {
                    match outcome {
                        KeyOutcome::Unknown => {
                            warn!(key = %key, file = %file, "unknown config key (kept, but unused)")
                        }
                        KeyOutcome::BadValue => {
                            warn!(key = %key, file = %file, "config value does not parse; default kept")
                        }
                        KeyOutcome::Set | KeyOutcome::Extension => {}
                    }
                }
                println!("load config properties file OK, {file}");
            }
            Err(e) => {
                eprintln!("cannot load config file: {e}");
                return ExitCode::from(255);
            }
        }
    }
    if cli.print_config || cli.print_important {
        print!("{}", config_listing(&config, !cli.print_config, &clock()));
        let _ = std::io::stdout().flush();
        return ExitCode::SUCCESS;
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(255);
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!(error = %e, "name server failed to start");
            eprintln!("{e}");
            ExitCode::from(255)
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let port = u16::try_from(config.netty.listen_port).map_err(|_| {
        anyhow::anyhow!("listenPort {} is not a TCP port", config.netty.listen_port)
    })?;
    // Java binds the wildcard address: dual-stack where IPv6 exists, else IPv4 only.
    let listener = match tokio::net::TcpListener::bind(("::", port)).await {
        Ok(l) => l,
        Err(_) => tokio::net::TcpListener::bind(("0.0.0.0", port))
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on port {port}: {e}"))?,
    };
    if config.namesrv.cluster_test {
        warn!("clusterTest=true is not supported (Java's ClusterTestRequestProcessor); serving as a normal name server");
    }
    let ns = Namesrv::new(config)?;
    let serialize_type = match std::env::var("ROCKETMQ_SERIALIZE_TYPE").as_deref() {
        Ok("ROCKETMQ") => "ROCKETMQ",
        _ => "JSON",
    };
    let tip = format!("The Name Server boot success. serializeType={serialize_type}");
    info!(port, "{tip}");
    println!("{tip}");
    let _ = std::io::stdout().flush();
    ns.serve(listener, shutdown_signal()).await;
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => info!("SIGTERM received, shutting down"),
                _ = int.recv() => info!("SIGINT received, shutting down"),
            }
        }
        _ => {
            warn!("cannot install signal handlers; stop with SIGKILL");
            std::future::pending::<()>().await
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Local wall-clock time as `HH:mm:ss.SSS` (logback's default console pattern).
fn clock() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    // SAFETY: localtime_r writes only into the tm we pass.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&secs, &mut tm).is_null() };
    let (h, m, s) = if ok {
        (tm.tm_hour, tm.tm_min, tm.tm_sec)
    } else {
        let day = now.as_secs() % 86_400;
        (
            (day / 3600) as i32,
            (day / 60 % 60) as i32,
            (day % 60) as i32,
        )
    };
    format!("{h:02}:{m:02}:{s:02}.{:03}", now.subsec_millis())
}
