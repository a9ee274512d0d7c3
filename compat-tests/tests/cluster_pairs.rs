//! Master/slave pairs in every pairing — rmq→rmq, Java master→rmq slave, rmq master→Java
//! slave — as ASYNC_MASTER and as SYNC_MASTER (unmodified Java 4.9.7 brokers and clients):
//!
//! 1. the slave learns the master's HA address from its namesrv registration;
//! 2. a Java producer sends `RMQ_HA_MESSAGES` (default 2000; the figure is 10000)
//!    messages of mixed sizes (16 B .. 65 KiB, 8 MiB commitlog files so the stream crosses
//!    files): all SEND_OK (on a SYNC_MASTER that means the slave has each one);
//! 3. the slave's commitlog is byte-identical to the master's up to the master's max offset;
//! 4. the slave has synced the topic config from the master (metadata sync);
//! 5. sends straight to the slave are refused (SERVICE_NOT_AVAILABLE);
//! 6. with the master stopped, a new consumer group reads every message from the slave,
//!    every body intact.
//!
//! Tests run one pair each; `--test-threads=1` keeps the 2-core CI box calm.

mod cluster_common;

use std::time::Duration;

use cluster_common::*;
use compat_tests::*;

fn pair(master_flavor: Flavor, slave_flavor: Flavor, role: &str) -> anyhow::Result<()> {
    let label = format!("{}->{} {role}", master_flavor.name(), slave_flavor.name());
    let n = messages();
    let ns = Namesrv::start(master_flavor)?;
    let c = Client::new()?;
    let master = start_broker(
        master_flavor,
        &ns.addr(),
        "broker-a",
        role,
        "ASYNC_FLUSH",
        &[],
    )?;
    let slave = start_broker(
        slave_flavor,
        &ns.addr(),
        "broker-a",
        "SLAVE",
        "ASYNC_FLUSH",
        &[],
    )?;
    let result = (|| -> anyhow::Result<()> {
        c.wait_brokers(
            &ns.addr(),
            "broker-a",
            &ids(Some(&master), Some(&slave)),
            Duration::from_secs(60),
        )?;
        let topic = "HaPairTopic";
        create_topic(&ns.addr(), "HaCluster", topic, 4)?;
        wait_topic_route(
            &c,
            &ns.addr(),
            topic,
            &["broker-a"],
            Duration::from_secs(30),
        )?;
        let tmp = scratch("rmq-ha-pair-")?;
        let warm = tmp.path().join("warm.txt");
        let warm_n = 4;
        warm_up(&ns.addr(), topic, warm_n, &warm, &[(&master, &slave)])?;

        let bulk = tmp.path().join("bulk.txt");
        let p = produce(&ns.addr(), topic, n, &bulk, Duration::from_secs(600))?;
        let idfile = tmp.path().join("ids.txt");
        concat_ids(&[&warm, &bulk], &idfile)?;
        eprintln!("[{label}] producer: {:?}", p.results);
        assert_eq!(
            p.req_i64("SEND_OK")?,
            n as i64,
            "[{label}] {}",
            p.output.describe()
        );

        let (first, end) = wait_replicated(
            &master.store_dir(),
            &slave.store_dir(),
            Duration::from_secs(90),
        )?;
        eprintln!("[{label}] slave commitlog byte-identical over [{first}, {end})");
        assert_eq!(first, 0, "[{label}] the slave got the whole commitlog");
        assert!(
            end > COMMITLOG_FILE_SIZE as i64,
            "[{label}] the run crossed a commitlog file"
        );

        // metadata sync (every 10 s): the topic and the producer's auto-created group...
        let deadline = std::time::Instant::now() + Duration::from_secs(40);
        loop {
            let topics = std::fs::read_to_string(slave.store_dir().join("config/topics.json"))
                .unwrap_or_default();
            if topics.contains(topic) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "[{label}] slave never synced topic {topic}:\n{topics}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }

        // the slave refuses writes, with Java's code
        let (code, remark) = probe_send(&ns.addr(), &slave.addr(), "broker-a", topic)?;
        assert_eq!(
            code, 14,
            "[{label}] SERVICE_NOT_AVAILABLE from the slave: {remark}"
        );
        assert!(
            remark.contains("messages are put to the slave"),
            "[{label}] {remark}"
        );

        // master down: everything is readable from the slave
        master.stop()?;
        c.wait_brokers(
            &ns.addr(),
            "broker-a",
            &ids(None, Some(&slave)),
            Duration::from_secs(60),
        )?;
        let group = format!("ha_pair_{}_{}", master_flavor.name(), slave_flavor.name());
        let got = consume(&ns.addr(), topic, &idfile, &group, 240, 3)?;
        eprintln!("[{label}] consumer on the slave: {:?}", got.results);
        assert_eq!(got.req_i64("expected")?, (n + warm_n) as i64, "[{label}]");
        assert_eq!(
            got.req_i64("missing")?,
            0,
            "[{label}] {:?}",
            got.get("missing_sample")
        );
        assert_eq!(got.req_i64("bad_body")?, 0, "[{label}]");
        assert_eq!(got.req_i64("unexpected")?, 0, "[{label}]");
        Ok(())
    })();
    if result.is_err() {
        dump(&format!("{label} master"), &master);
        dump(&format!("{label} slave"), &slave);
    }
    result
}

#[test]
fn rmq_master_rmq_slave_async() -> anyhow::Result<()> {
    pair(Flavor::Rmq, Flavor::Rmq, "ASYNC_MASTER")
}

#[test]
fn rmq_master_rmq_slave_sync() -> anyhow::Result<()> {
    pair(Flavor::Rmq, Flavor::Rmq, "SYNC_MASTER")
}

#[test]
fn java_master_rmq_slave_async() -> anyhow::Result<()> {
    pair(Flavor::Java, Flavor::Rmq, "ASYNC_MASTER")
}

#[test]
fn java_master_rmq_slave_sync() -> anyhow::Result<()> {
    pair(Flavor::Java, Flavor::Rmq, "SYNC_MASTER")
}

#[test]
fn rmq_master_java_slave_async() -> anyhow::Result<()> {
    pair(Flavor::Rmq, Flavor::Java, "ASYNC_MASTER")
}

#[test]
fn rmq_master_java_slave_sync() -> anyhow::Result<()> {
    pair(Flavor::Rmq, Flavor::Java, "SYNC_MASTER")
}

/// `haMasterAddress` on the slave: it replicates from that address even though its own
/// namesrv (a different one) knows no master and returns no `haServerAddr`.
#[test]
fn rmq_slave_follows_ha_master_address() -> anyhow::Result<()> {
    let ns_master = Namesrv::start(Flavor::Rmq)?;
    let ns_slave = Namesrv::start(Flavor::Rmq)?;
    let master = start_broker(
        Flavor::Rmq,
        &ns_master.addr(),
        "broker-h",
        "ASYNC_MASTER",
        "ASYNC_FLUSH",
        &[],
    )?;
    let ha_addr = format!("127.0.0.1:{}", master.port() + 1);
    let slave = start_broker(
        Flavor::Rmq,
        &ns_slave.addr(),
        "broker-h",
        "SLAVE",
        "ASYNC_FLUSH",
        &[("haMasterAddress", &ha_addr)],
    )?;
    let tmp = scratch("rmq-ha-fixed-")?;
    let idfile = tmp.path().join("ids.txt");
    let p = produce(
        &ns_master.addr(),
        "HaFixedTopic",
        100,
        &idfile,
        Duration::from_secs(180),
    )?;
    assert_eq!(p.req_i64("SEND_OK")?, 100, "{}", p.output.describe());
    let r = wait_replicated(
        &master.store_dir(),
        &slave.store_dir(),
        Duration::from_secs(60),
    );
    if r.is_err() {
        dump("master", &master);
        dump("slave", &slave);
    }
    let (first, end) = r?;
    assert_eq!(first, 0);
    assert!(end > 0);
    Ok(())
}
