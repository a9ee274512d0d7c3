//! Helpers shared by the `broker_scenarios_*` tests: run one scenario driver (package
//! `rmq.compat.scenario`) against a cluster of either flavor, and check its `RESULT` values.
//!
//! Every scenario runs the same driver with the same expectations against the Java 4.9.7
//! namesrv + broker and against ours. `RMQ_SCENARIO_FLAVORS=java` (or `rmq`) limits a run to
//! one flavor while debugging.
#![allow(dead_code)]

use std::time::Duration;

use anyhow::{bail, Result};
use compat_tests::{run_driver, Broker, DriverOutput, Flavor};

/// The flavors to run (both unless `RMQ_SCENARIO_FLAVORS` says otherwise).
pub fn flavors() -> Vec<Flavor> {
    match std::env::var("RMQ_SCENARIO_FLAVORS").as_deref() {
        Ok("java") => vec![Flavor::Java],
        Ok("rmq") => vec![Flavor::Rmq],
        _ => vec![Flavor::Java, Flavor::Rmq],
    }
}

/// Run `rmq.compat.scenario.<class>`; on failure show the broker's log tail.
pub fn driver(
    broker: &Broker,
    namesrv: &str,
    class: &str,
    args: &[&str],
    timeout_secs: u64,
) -> Result<DriverOutput> {
    let out = run_driver(
        &format!("rmq.compat.scenario.{class}"),
        namesrv,
        args,
        Duration::from_secs(timeout_secs),
    );
    match out {
        Ok(o) => {
            eprintln!(
                "[{}] {class} {:?}: {:?}",
                broker.flavor().name(),
                args,
                o.results
            );
            Ok(o)
        }
        Err(e) => {
            eprintln!(
                "--- {} broker log ({class} {args:?} failed) ---\n{}",
                broker.flavor().name(),
                broker.proc().log_tail(80)
            );
            Err(e)
        }
    }
}

/// Every `(key, value)` must be printed by the driver with exactly that integer value.
pub fn expect(flavor: Flavor, what: &str, out: &DriverOutput, want: &[(&str, i64)]) -> Result<()> {
    let mut bad = Vec::new();
    for (k, v) in want {
        match out.get(k).map(str::parse::<i64>) {
            Some(Ok(got)) if got == *v => {}
            got => bad.push(format!("{k}: want {v}, got {got:?}")),
        }
    }
    if !bad.is_empty() {
        bail!(
            "[{}] {what}: {}\nresults: {:?}\n{}",
            flavor.name(),
            bad.join("; "),
            out.results,
            out.output.describe()
        );
    }
    Ok(())
}
