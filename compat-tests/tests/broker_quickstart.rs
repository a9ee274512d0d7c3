//! The unmodified Java 4.9.7 quickstart Producer (1000 sync sends) and push Consumer against
//! our broker: once with our namesrv, once with the Java namesrv.
//!
//! Needs our binaries: `cargo build -p broker -p namesrv` with the same CARGO_TARGET_DIR.

use compat_tests::*;
use std::time::{Duration, Instant};

fn roundtrip(ns_addr: &str, label: &str) -> anyhow::Result<()> {
    let broker = RmqBroker::start(ns_addr, &[])?;
    let t0 = Instant::now();
    let report = quickstart_roundtrip(ns_addr, Duration::from_secs(180), Duration::from_secs(90))?;
    eprintln!(
        "[broker_quickstart/{label}] {} SEND_OK in {:.1}s, {} distinct msgIds received in {:.1}s (total {:.1}s)",
        report.sent_ok,
        report.produce_time.as_secs_f64(),
        report.received_msgids.len(),
        report.consume_time.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    if let Err(e) = report.check() {
        eprintln!("--- broker log (tail) ---\n{}", broker.proc().log_tail(60));
        return Err(e);
    }
    Ok(())
}

#[test]
fn quickstart_rmq_namesrv_rmq_broker() -> anyhow::Result<()> {
    let ns = RmqNamesrv::start()?;
    roundtrip(&ns.addr(), "rmq-ns")
}

#[test]
fn quickstart_java_namesrv_rmq_broker() -> anyhow::Result<()> {
    let ns = JavaNamesrv::start()?;
    roundtrip(&ns.addr(), "java-ns")
}
