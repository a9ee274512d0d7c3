//! A Java 4.9.7 broker that dies or goes silent loses its routes on our name server:
//! * `kill -9`: its connection closes and the routes go at once (T10, `onChannelDestroy`);
//! * SIGSTOP (connection open, no more registrations): the routes go after the (shortened)
//!   `brokerChannelExpiredTimeMs`, and come back once the broker runs and registers again.
//!
//! The broker registers every 10 s (`registerNameServerPeriod`, Java's minimum); our name
//! server scans every 200 ms and expires brokers silent for 15 s (Java: 10 s / 120 s).

mod namesrv_common;

use compat_tests::*;
use namesrv_common::{signal_group, wait_no_route, wait_route, Client};
use std::time::{Duration, Instant};

const EXPIRY_MS: u64 = 15_000;

fn start_pair() -> anyhow::Result<(RmqNamesrv, JavaBroker)> {
    let expiry = EXPIRY_MS.to_string();
    let ns = RmqNamesrv::start_with_conf(&[
        ("scanNotActiveBrokerIntervalMs", "200"),
        ("brokerChannelExpiredTimeMs", &expiry),
    ])?;
    let broker = JavaBroker::start(&ns.addr(), &[("registerNameServerPeriod", "10000")])?;
    Ok((ns, broker))
}

#[test]
fn killed_java_broker_loses_its_routes_at_once() -> anyhow::Result<()> {
    let (ns, broker) = start_pair()?;
    let c = Client::new()?;
    // every broker registers a topic named after itself
    wait_route(&c, &ns.addr(), "broker-a", Duration::from_secs(30))?;
    broker.kill9();
    let took = wait_no_route(&c, &ns.addr(), "broker-a", Duration::from_secs(10))?;
    eprintln!(
        "[namesrv_expiry] routes gone {:.2}s after kill -9",
        took.as_secs_f64()
    );
    assert!(
        took < Duration::from_millis(EXPIRY_MS),
        "removed by expiry, not by the closed connection"
    );
    assert!(c.route(&ns.addr(), "TBW102")?.is_none());
    Ok(())
}

#[test]
fn silent_java_broker_expires_and_comes_back() -> anyhow::Result<()> {
    let (ns, broker) = start_pair()?;
    let c = Client::new()?;
    wait_route(&c, &ns.addr(), "broker-a", Duration::from_secs(30))?;

    signal_group(broker.pid(), libc::SIGSTOP);
    let stopped = Instant::now();
    let result = wait_no_route(
        &c,
        &ns.addr(),
        "broker-a",
        Duration::from_millis(EXPIRY_MS + 15_000),
    );
    signal_group(broker.pid(), libc::SIGCONT);
    let took = result?;
    eprintln!(
        "[namesrv_expiry] routes gone {:.2}s after SIGSTOP",
        took.as_secs_f64()
    );
    // the last registration was at most 10 s before the stop
    assert!(
        stopped.elapsed() >= Duration::from_millis(EXPIRY_MS - 10_000),
        "expired too early: {took:?}"
    );

    // running again, the broker reconnects and registers within its 10 s period
    let route = wait_route(&c, &ns.addr(), "broker-a", Duration::from_secs(30))?;
    assert_eq!(
        route.broker_datas[0].broker_addrs.get(&0),
        Some(&broker.addr())
    );
    Ok(())
}
