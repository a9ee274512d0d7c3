//! Smoke tests of the harness against the Java 4.9.7 cluster: proves the Maven build,
//! the Java server starters, the example programs, mqadmin and the driver convention.

use compat_tests::*;
use std::time::{Duration, Instant};

#[test]
fn java_quickstart_producer_consumer() -> anyhow::Result<()> {
    let t0 = Instant::now();
    let ns = JavaNamesrv::start()?;
    let broker = JavaBroker::start(&ns.addr(), &[])?;
    eprintln!(
        "[java_smoke] namesrv {} + broker {} up in {:.1}s",
        ns.addr(),
        broker.addr(),
        t0.elapsed().as_secs_f64()
    );
    let report = quickstart_roundtrip(
        &ns.addr(),
        Duration::from_secs(180),
        Duration::from_secs(90),
    )?;
    eprintln!(
        "[java_smoke] quickstart: {} SEND_OK in {:.1}s, {} distinct msgIds received in {:.1}s",
        report.sent_ok,
        report.produce_time.as_secs_f64(),
        report.received_msgids.len(),
        report.consume_time.as_secs_f64()
    );
    report.check()?;
    assert_eq!(count_send_ok(&report.producer.stdout), 1000);
    assert_eq!(count_distinct_msgids(&report.consumer_log), 1000);
    Ok(())
}

#[test]
fn java_ping_driver() -> anyhow::Result<()> {
    let cluster = Cluster::start(Flavor::Java)?;
    let out = run_driver(
        "Ping",
        &cluster.namesrv_addr(),
        &[],
        Duration::from_secs(90),
    )?;
    assert_eq!(out.req_i64("brokers")?, 1, "{}", out.output.describe());
    assert!(out.req_i64("writeQueues")? > 0);
    Ok(())
}

#[test]
fn java_version_driver_without_cluster() -> anyhow::Result<()> {
    // run_java + RESULT parsing, no servers involved
    let out = run_java("rmq.compat.Version", &[], &[], &[], Duration::from_secs(60))?;
    assert!(out.success(), "{}", out.describe());
    let r = parse_results(&out.stdout);
    assert_eq!(r.req("rocketmq")?, "V4_9_7");
    Ok(())
}

#[test]
fn java_mqadmin_cluster_list_and_restart_on_same_store() -> anyhow::Result<()> {
    let ns = JavaNamesrv::start()?;
    let b1 = JavaBroker::start(&ns.addr(), &[])?;
    let has_all =
        |t: &str| t.contains("DefaultCluster") && t.contains("broker-a") && t.contains("V4_9_7");
    // right after boot the Java broker may fail GET_BROKER_RUNTIME_INFO (no stats sample yet)
    let list = mqadmin_until(
        &ns.addr(),
        &["clusterList"],
        Duration::from_secs(20),
        has_all,
    )?;
    assert!(has_all(&list), "clusterList output:\n{list}");

    let out = mqadmin(
        &ns.addr(),
        &[
            "updateTopic",
            "-c",
            "DefaultCluster",
            "-t",
            "RestartTopic",
            "-r",
            "3",
            "-w",
            "3",
        ],
    )?;
    assert!(
        out.contains("create topic to") && out.contains("success"),
        "updateTopic output:\n{out}"
    );

    // Kill the broker, drop its handle, restart a new one on the same store: the topic
    // config must survive (and the store dir must still exist after the drop).
    let store = b1.store_dir();
    let old_addr = b1.addr();
    b1.kill9();
    drop(b1);
    assert!(
        store.join("config").is_dir(),
        "store dir {} kept",
        store.display()
    );
    let b2 = JavaBroker::start_with_store(&ns.addr(), &store, &[])?;
    assert_eq!(b2.store_dir(), store);
    assert_ne!(b2.addr(), old_addr);
    let route = mqadmin(&ns.addr(), &["topicRoute", "-t", "RestartTopic"])?;
    assert!(
        route.contains(&b2.addr()) && route.contains("\"writeQueueNums\":3"),
        "topicRoute output:\n{route}"
    );
    let t = Instant::now();
    b2.stop()?;
    eprintln!(
        "[java_smoke] graceful broker stop took {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
