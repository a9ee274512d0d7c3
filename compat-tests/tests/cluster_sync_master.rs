//! SYNC_MASTER (+ SYNC_FLUSH) send statuses seen by the unmodified Java 4.9.7 producer, Java
//! pair and rmq pair in the same run, step by step:
//!
//! | step | expected status |
//! |---|---|
//! | no slave yet | SLAVE_NOT_AVAILABLE (stored anyway) |
//! | slave connected | SEND_OK |
//! | slave paused (SIGSTOP: connected, no acks), within `haHousekeepingInterval` (20 s) | FLUSH_SLAVE_TIMEOUT after `slaveTimeout` (3 s) |
//! | after the master dropped the silent connection | SLAVE_NOT_AVAILABLE |
//! | slave resumed (SIGCONT), reconnected | SEND_OK |
//!
//! Plus what the slave answers a direct send (SERVICE_NOT_AVAILABLE and Java's remark, disk
//! figures masked) and the pull redirection of `slaveReadEnable` with
//! `accessMessageInMemoryMaxRatio=0` (master suggests brokerId 1, the slave serves).

mod cluster_common;

use std::time::{Duration, Instant};

use cluster_common::*;
use compat_tests::*;

#[derive(Debug, PartialEq)]
struct Outcome {
    statuses: Vec<String>,
    slave_send: (i64, String),
    master_pull: (String, String),
    slave_pull: (String, String, bool),
}

fn step(
    ns: &str,
    topic: &str,
    n: usize,
    tmp: &std::path::Path,
    label: &str,
) -> anyhow::Result<String> {
    let idfile = tmp.join(format!("{label}.txt"));
    let p = produce(ns, topic, n, &idfile, Duration::from_secs(180))?;
    let s = p.req("statuses")?.to_string();
    eprintln!("  {label}: {s}");
    Ok(s)
}

fn run(flavor: Flavor) -> anyhow::Result<Outcome> {
    eprintln!("== {} SYNC_MASTER + SYNC_FLUSH", flavor.name());
    let ns = Namesrv::start(flavor)?;
    let c = Client::new()?;
    let read_conf = [
        ("slaveReadEnable", "true"),
        ("accessMessageInMemoryMaxRatio", "0"),
    ];
    let master = start_broker(
        flavor,
        &ns.addr(),
        "broker-s",
        "SYNC_MASTER",
        "SYNC_FLUSH",
        &read_conf,
    )?;
    let topic = "HaSyncTopic";
    let tmp = scratch("rmq-ha-sync-")?;
    let mut statuses = Vec::new();
    c.wait_brokers(
        &ns.addr(),
        "broker-s",
        &ids(Some(&master), None),
        Duration::from_secs(60),
    )?;
    create_topic(&ns.addr(), "HaCluster", topic, 1)?;
    wait_topic_route(
        &c,
        &ns.addr(),
        topic,
        &["broker-s"],
        Duration::from_secs(30),
    )?;
    statuses.push(step(&ns.addr(), topic, 5, tmp.path(), "no-slave")?);

    let slave = start_broker(
        flavor,
        &ns.addr(),
        "broker-s",
        "SLAVE",
        "ASYNC_FLUSH",
        &read_conf,
    )?;
    let result = (|| -> anyhow::Result<Outcome> {
        c.wait_brokers(
            &ns.addr(),
            "broker-s",
            &ids(Some(&master), Some(&slave)),
            Duration::from_secs(60),
        )?;
        // wait for the slave to have everything (a Java slave reports 5 s after connecting)
        wait_replicated(
            &master.store_dir(),
            &slave.store_dir(),
            Duration::from_secs(60),
        )?;
        statuses.push(step(&ns.addr(), topic, 5, tmp.path(), "slave-up")?);

        sigstop(&slave);
        let paused = Instant::now();
        statuses.push(step(&ns.addr(), topic, 3, tmp.path(), "slave-paused")?);
        assert!(
            paused.elapsed() < Duration::from_secs(19),
            "the paused steps took too long for the test's premise"
        );
        // haHousekeepingInterval (20 s) without a report: the master drops the connection
        let wait = Duration::from_secs(26).saturating_sub(paused.elapsed());
        std::thread::sleep(wait);
        statuses.push(step(&ns.addr(), topic, 2, tmp.path(), "slave-dropped")?);

        sigcont(&slave);
        // the slave notices the closed connection, reconnects and reports within ~5 s
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            std::thread::sleep(Duration::from_secs(3));
            if wait_replicated(
                &master.store_dir(),
                &slave.store_dir(),
                Duration::from_secs(1),
            )
            .is_ok()
            {
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "slave did not resume replication"
            );
        }
        std::thread::sleep(Duration::from_secs(6));
        statuses.push(step(&ns.addr(), topic, 3, tmp.path(), "slave-resumed")?);

        let (code, remark) = probe_send(&ns.addr(), &slave.addr(), "broker-s", topic)?;
        let slave_send = (code, mask_disk(&remark));

        // pull redirection: ratio 0 means any backlog counts as "not in memory"
        let mp = probe_pull(&ns.addr(), &master.addr(), topic, "ha_probe_group", 0, 0)?;
        let sp = probe_pull(&ns.addr(), &slave.addr(), topic, "ha_probe_group", 0, 0)?;
        eprintln!(
            "  master pull {:?}\n  slave pull {:?}",
            mp.results, sp.results
        );
        Ok(Outcome {
            statuses: statuses.clone(),
            slave_send,
            master_pull: (
                mp.get("pull_status").unwrap_or("?").to_string(),
                mp.get("suggest").unwrap_or("?").to_string(),
            ),
            slave_pull: (
                sp.get("pull_status").unwrap_or("?").to_string(),
                sp.get("suggest").unwrap_or("?").to_string(),
                sp.req_i64("pull_count")? > 0,
            ),
        })
    })();
    sigcont(&slave);
    if result.is_err() {
        dump("master", &master);
        dump("slave", &slave);
    }
    result
}

#[test]
fn sync_master_statuses_match_java() -> anyhow::Result<()> {
    let java = run(Flavor::Java)?;
    let rmq = run(Flavor::Rmq)?;
    eprintln!("java: {java:?}\nrmq:  {rmq:?}");
    assert_eq!(
        java.statuses,
        vec![
            "SLAVE_NOT_AVAILABLE*5",
            "SEND_OK*5",
            "FLUSH_SLAVE_TIMEOUT*3",
            "SLAVE_NOT_AVAILABLE*2",
            "SEND_OK*3"
        ],
        "the Java reference behaves as documented"
    );
    assert_eq!(rmq.statuses, java.statuses);
    assert_eq!(rmq.slave_send, java.slave_send);
    assert_eq!(java.slave_send.0, 14);
    assert_eq!(rmq.master_pull, java.master_pull);
    assert_eq!(rmq.slave_pull, java.slave_pull);
    Ok(())
}
