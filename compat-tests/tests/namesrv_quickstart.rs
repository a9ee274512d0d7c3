//! Our `mqnamesrv` with the unmodified Java 4.9.7 broker and the official quickstart
//! Producer/Consumer (example 4.7.0 on the 4.9.7 client): 1000 messages through our routes.
//!
//! Needs `cargo build -p namesrv --bins` (same CARGO_TARGET_DIR) and a JDK + Maven.

mod namesrv_common;

use compat_tests::*;
use namesrv_common::{wait_route, Client};
use std::time::Duration;

#[test]
fn java_broker_and_quickstart_clients_through_rmq_namesrv() -> anyhow::Result<()> {
    let ns = RmqNamesrv::start()?;
    let broker = JavaBroker::start(&ns.addr(), &[])?;
    let c = Client::new()?;
    // the broker registers right after boot; the TBW102 route is what the producer falls back on
    let tbw = wait_route(&c, &ns.addr(), "TBW102", Duration::from_secs(30))?;
    assert_eq!(tbw.broker_datas.len(), 1);
    assert_eq!(
        tbw.broker_datas[0].broker_addrs.get(&0),
        Some(&broker.addr())
    );

    let report = quickstart_roundtrip(
        &ns.addr(),
        Duration::from_secs(120),
        Duration::from_secs(90),
    )?;
    eprintln!(
        "[namesrv_quickstart] {} SEND_OK in {:.1}s, {} distinct msgIds received in {:.1}s",
        report.sent_ok,
        report.produce_time.as_secs_f64(),
        report.received_msgids.len(),
        report.consume_time.as_secs_f64()
    );
    report.check()?;

    // the auto-created topic reached our namesrv through the broker's registration
    let route = wait_route(&c, &ns.addr(), "TopicTest", Duration::from_secs(10))?;
    assert_eq!(route.queue_datas[0].broker_name, "broker-a");
    Ok(())
}
