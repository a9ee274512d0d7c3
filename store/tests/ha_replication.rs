//! Master → slave replication between two stores in one process over the HA protocol:
//! byte-identical commitlogs across file boundaries, consume queues rebuilt on the slave,
//! SYNC_MASTER statuses, reconnect after the master restarts.

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use store::{BrokerRole, DefaultMessageStore, MessageStoreConfig, PutMessageStatus};

fn free_port() -> i32 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    i32::from(l.local_addr().expect("local addr").port())
}

fn cfg(root: &Path, role: BrokerRole, port: i32) -> MessageStoreConfig {
    let mut c = small_config(root);
    c.broker_role = role;
    c.ha_listen_port = port;
    c.ha_send_heartbeat_interval = 500;
    c.ha_housekeeping_interval = 3000;
    c.slave_timeout = 1500;
    c
}

fn start(c: MessageStoreConfig) -> Arc<DefaultMessageStore> {
    let s = open(c);
    s.start_ha().expect("start HA");
    s
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn commitlog_bytes(s: &DefaultMessageStore, from: i64, to: i64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut off = from;
    while off < to {
        let sel = s.commit_log().get_data_ext(off, false).unwrap_or_else(|| {
            let files: Vec<(i64, usize, usize)> = s
                .commit_log()
                .queue()
                .mapped_files()
                .iter()
                .map(|f| (f.file_from_offset(), f.wrote_position(), f.read_position()))
                .collect();
            panic!("no data at {off} (want {from}..{to}); files {files:?}")
        });
        let take = sel.data.len().min((to - off) as usize);
        out.extend_from_slice(&sel.data[..take]);
        off += take as i64;
    }
    out
}

fn body(i: usize) -> String {
    // mixed sizes: 10 B .. ~9 KiB, so records straddle 32 KiB frames and 64 KiB files
    "x".repeat(10 + (i * 7919) % 9000)
}

#[test]
fn async_master_replicates_byte_identical() {
    let (dm, ds) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (pm, ps) = (free_port(), free_port());
    let master = start(cfg(dm.path(), BrokerRole::AsyncMaster, pm));
    let slave = start(cfg(ds.path(), BrokerRole::Slave, ps));
    slave.update_ha_master_address(&format!("127.0.0.1:{pm}"));
    wait_until("slave connection", Duration::from_secs(10), || {
        master.ha_state().connection_count() == 1
    });
    // the connection counts at accept, the slave's first report (0 = "send me your last
    // file") comes a moment later: settle it before the master rolls over to a second file
    let r = master.put_message_blocking(msg("HaTopic", 0, &body(0), ""));
    assert_eq!(r.status, PutMessageStatus::PutOk);
    wait_until("first replication", Duration::from_secs(10), || {
        slave.max_phy_offset() == master.max_phy_offset()
    });
    let n = 300;
    for i in 1..n {
        let r = master.put_message_blocking(msg("HaTopic", (i % 4) as i32, &body(i), ""));
        assert_eq!(r.status, PutMessageStatus::PutOk);
    }
    let max = master.max_phy_offset();
    assert!(max > 4 * 64 * 1024, "several commitlog files: {max}");
    wait_until("slave catch-up", Duration::from_secs(20), || {
        slave.max_phy_offset() == max && master.ha_state().push2slave_max_offset() == max
    });
    assert_eq!(
        commitlog_bytes(&master, 0, max),
        commitlog_bytes(&slave, 0, max)
    );
    wait_dispatched(&slave);
    let total: i64 = (0..4)
        .map(|q| slave.get_max_offset_in_queue("HaTopic", q))
        .sum();
    assert_eq!(total, n as i64);
    let got = slave
        .get_message("g", "HaTopic", 1, 0, 32, 0, None)
        .expect("slave readable");
    assert!(!got.messages.is_empty());
    // the slave refuses writes
    let r = slave.put_message_blocking(msg("HaTopic", 0, "nope", ""));
    assert_eq!(r.status, PutMessageStatus::ServiceNotAvailable);
    slave.shutdown();
    master.shutdown();
}

#[test]
fn sync_master_statuses_and_reconnect() {
    let (dm, ds) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (pm, ps) = (free_port(), free_port());
    let master = start(cfg(dm.path(), BrokerRole::SyncMaster, pm));
    // no slave yet: stored, but SLAVE_NOT_AVAILABLE
    let r = master.put_message_blocking(msg("SyncTopic", 0, "early", ""));
    assert_eq!(r.status, PutMessageStatus::SlaveNotAvailable);
    assert!(r.is_ok());

    let slave = start(cfg(ds.path(), BrokerRole::Slave, ps));
    slave.update_ha_master_address(&format!("127.0.0.1:{pm}"));
    wait_until("slave connection", Duration::from_secs(10), || {
        master.ha_state().connection_count() == 1
    });
    for i in 0..50 {
        let r = master.put_message_blocking(msg("SyncTopic", 0, &body(i), ""));
        assert_eq!(r.status, PutMessageStatus::PutOk, "message {i}");
        let a = r.append.expect("append result");
        assert!(slave.max_phy_offset() >= a.wrote_offset + i64::from(a.wrote_bytes));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = rt.block_on(master.put_message(msg("SyncTopic", 0, "async api", "")));
    assert_eq!(r.status, PutMessageStatus::PutOk);

    // master restart on the same store and port: the slave reconnects and catches up
    let max_before = master.max_phy_offset();
    master.shutdown();
    drop(master);
    let master = start(cfg(dm.path(), BrokerRole::SyncMaster, pm));
    wait_until("slave reconnect", Duration::from_secs(20), || {
        master.ha_state().connection_count() == 1
    });
    assert_eq!(master.max_phy_offset(), max_before);
    let r = master.put_message_blocking(msg("SyncTopic", 0, "after restart", ""));
    assert_eq!(r.status, PutMessageStatus::PutOk);
    let max = master.max_phy_offset();
    wait_until("slave catch-up", Duration::from_secs(10), || {
        slave.max_phy_offset() == max
    });
    assert_eq!(
        commitlog_bytes(&master, 0, max),
        commitlog_bytes(&slave, 0, max)
    );

    // the slave goes away: FLUSH_SLAVE_TIMEOUT is impossible without a connection, so
    // after the disconnect the master answers SLAVE_NOT_AVAILABLE again
    slave.shutdown();
    wait_until("disconnect noticed", Duration::from_secs(10), || {
        master.ha_state().connection_count() == 0
    });
    let r = master.put_message_blocking(msg("SyncTopic", 0, "alone", ""));
    assert_eq!(r.status, PutMessageStatus::SlaveNotAvailable);
    master.shutdown();
}

#[test]
fn sync_master_times_out_on_a_silent_slave() {
    // a fake slave that connects, reports offset 0 once and then never acknowledges
    let dm = tempfile::tempdir().unwrap();
    let pm = free_port();
    let master = start(cfg(dm.path(), BrokerRole::SyncMaster, pm));
    let mut fake = std::net::TcpStream::connect(("127.0.0.1", pm as u16)).unwrap();
    std::io::Write::write_all(&mut fake, &0i64.to_be_bytes()).unwrap();
    wait_until("fake slave connection", Duration::from_secs(10), || {
        master.ha_state().connection_count() == 1
    });
    let t0 = Instant::now();
    let r = master.put_message_blocking(msg("SyncTopic", 0, "unacked", ""));
    assert_eq!(r.status, PutMessageStatus::FlushSlaveTimeout);
    assert!(t0.elapsed() >= Duration::from_millis(1400));
    // the master reads frames' worth of data and housekeeping closes the silent connection
    wait_until("housekeeping close", Duration::from_secs(10), || {
        master.ha_state().connection_count() == 0
    });
    drop(fake);
    master.shutdown();
}

/// SYNC_MASTER put throughput with an in-process slave (`cargo test --release -p store
/// --test ha_replication -- --ignored --nocapture sync_master_throughput`).
#[test]
#[ignore]
fn sync_master_throughput() {
    let (dm, ds) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (pm, ps) = (free_port(), free_port());
    let mut mc = cfg(dm.path(), BrokerRole::SyncMaster, pm);
    mc.mapped_file_size_commit_log = 1 << 30;
    let mut sc = cfg(ds.path(), BrokerRole::Slave, ps);
    sc.mapped_file_size_commit_log = 1 << 30;
    let master = start(mc);
    let slave = start(sc);
    slave.update_ha_master_address(&format!("127.0.0.1:{pm}"));
    wait_until("slave connection", Duration::from_secs(10), || {
        master.ha_state().connection_count() == 1
    });
    let body = "x".repeat(1024);
    let r = master.put_message_blocking(msg("T", 0, &body, ""));
    assert_eq!(r.status, PutMessageStatus::PutOk);
    for threads in [1usize, 8] {
        let t0 = Instant::now();
        let per = 2000;
        std::thread::scope(|s| {
            for _ in 0..threads {
                let m = &master;
                let b = &body;
                s.spawn(move || {
                    for _ in 0..per {
                        let r = m.put_message_blocking(msg("T", 0, b, ""));
                        assert_eq!(r.status, PutMessageStatus::PutOk);
                    }
                });
            }
        });
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "{threads} threads: {:.0} puts/s, {:.3} ms per put",
            (threads * per) as f64 / secs,
            secs * 1000.0 / per as f64
        );
    }
    slave.shutdown();
    master.shutdown();
}
