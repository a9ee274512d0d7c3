//! Store interop with the Java 4.9.7 broker on one `storePathRootDir`:
//! 1. the real Java broker stores 1000 quickstart messages and stops cleanly;
//! 2. our `DefaultMessageStore` opens that store (normal recovery), reads every message back
//!    through the consume queues (bodies, UNIQ_KEYs, queue offsets, tags) and through the
//!    Java-built index, then appends 50 messages of its own and shuts down;
//! 3. a Java broker restarts on the same store and the Java quickstart consumer receives all
//!    1050 messages.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use compat_tests::*;
use protocol::message::msgid::UniqIdGenerator;
use protocol::message::{decode_all, tags_hash_code, DecodeOptions};
use store::{
    DefaultMessageStore, GetMessageStatus, MessageExtBrokerInner, MessageStoreConfig,
    PutMessageStatus,
};

const TOPIC: &str = "TopicTest";

#[test]
fn java_writes_rust_reads_rust_writes_java_reads() -> anyhow::Result<()> {
    let ns = JavaNamesrv::start()?;
    let b1 = JavaBroker::start(&ns.addr(), &[])?;
    let producer = run_java_client(
        &ns.addr(),
        examples::QUICKSTART_PRODUCER,
        &[],
        Duration::from_secs(180),
    )?;
    let sent: HashSet<String> = send_ok_msgids(&producer.stdout).into_iter().collect();
    assert_eq!(sent.len(), QUICKSTART_COUNT, "{}", producer.describe());
    let store_dir = b1.store_dir();
    let store_keep = b1.store();
    let store_host: std::net::SocketAddr = b1.addr().parse()?;
    b1.stop()?;
    drop(b1);
    assert!(
        !store_dir.join("abort").exists(),
        "Java broker did not stop cleanly"
    );

    // ---- our store on Java's data
    let cfg = MessageStoreConfig::with_root(store_dir.to_string_lossy().into_owned());
    let s = Arc::new(DefaultMessageStore::open(cfg)?);
    assert!(s.last_exit_ok());
    s.start()?;
    let mut bodies = HashSet::new();
    let mut uniq = HashSet::new();
    let mut queues = 0;
    let tag_a = tags_hash_code("TagA");
    for q in 0..16 {
        let max = s.get_max_offset_in_queue(TOPIC, q);
        if max == 0 {
            continue;
        }
        queues += 1;
        let mut off = s.get_min_offset_in_queue(TOPIC, q);
        assert_eq!(off, 0);
        while off < max {
            let r = s
                .get_message("g", TOPIC, q, off, 32, 0, None)
                .expect("store readable");
            assert_eq!(r.status, GetMessageStatus::Found, "queue {q} offset {off}");
            for (i, m) in decode_all(&r.to_body(), DecodeOptions::default())
                .into_iter()
                .enumerate()
            {
                assert_eq!(m.topic, TOPIC);
                assert_eq!(m.queue_id, q);
                assert_eq!(m.queue_offset, off + i as i64);
                assert_eq!(m.tags(), Some("TagA"));
                assert_eq!(m.store_size as usize, r.messages[i].size());
                assert_eq!(m.body_crc, protocol::message::body_crc32(&m.body));
                bodies.insert(String::from_utf8_lossy(&m.body).into_owned());
                uniq.insert(m.uniq_key().unwrap_or_default().to_string());
            }
            let cq = s.get_consume_queue(TOPIC, q).unwrap();
            assert_eq!(cq.get_unit(off).unwrap().tags_code, tag_a);
            off = r.next_begin_offset;
        }
    }
    assert!(queues >= 1);
    let expected: HashSet<String> = (0..QUICKSTART_COUNT)
        .map(|i| format!("Hello RocketMQ {i}"))
        .collect();
    assert_eq!(bodies, expected);
    assert_eq!(uniq, sent);
    // Java-built index files answer our queries
    for id in sent.iter().take(20) {
        let r = s.query_message(TOPIC, id, 32, 0, i64::MAX);
        let found = r.messages.iter().any(|m| {
            protocol::message::decode(&m.data, DecodeOptions::default())
                .map(|(x, _)| x.uniq_key() == Some(id.as_str()))
                .unwrap_or(false)
        });
        assert!(found, "index lookup of {id}");
    }

    // ---- append with our store
    let gen = UniqIdGenerator::new("127.0.0.1".parse()?);
    let mut ours = HashSet::new();
    for i in 0..50 {
        let id = gen.next_id();
        ours.insert(id.clone());
        let msg = MessageExtBrokerInner {
            topic: TOPIC.into(),
            queue_id: i % 4,
            body: Bytes::from(format!("Hello from Rust {i}")),
            properties_string: format!(
                "TAGS\u{1}TagR\u{2}UNIQ_KEY\u{1}{id}\u{2}CLUSTER\u{1}DefaultCluster"
            ),
            born_timestamp: s.now(),
            born_host: "127.0.0.1:40000".parse()?,
            store_host,
            ..Default::default()
        };
        assert_eq!(s.put_message_blocking(msg).status, PutMessageStatus::PutOk);
    }
    s.shutdown();
    drop(s);
    assert!(!store_dir.join("abort").exists());

    // ---- Java broker on the store we wrote, Java consumer reads everything
    let b2 = JavaBroker::start_with_store(&ns.addr(), &store_dir, &[])?;
    let consumer = spawn_java_client(&ns.addr(), examples::QUICKSTART_CONSUMER, &[])?;
    let want = QUICKSTART_COUNT + 50;
    let log = consumer.wait_until(&format!("{want} msgIds"), Duration::from_secs(120), |t| {
        distinct_uniq_keys(t).len() >= want
    });
    consumer.kill9();
    let log = log.unwrap_or_else(|_| consumer.log_text());
    let got = distinct_uniq_keys(&log);
    let all: HashSet<String> = sent.union(&ours).cloned().collect();
    assert_eq!(
        got.len(),
        want,
        "missing {:?}",
        all.difference(&got).take(5).collect::<Vec<_>>()
    );
    assert_eq!(got, all);
    let b2_log = b2.log_text();
    b2.stop()?;
    drop(store_keep);
    let _ = b2_log;
    Ok(())
}

fn mqstore_exe() -> anyhow::Result<std::path::PathBuf> {
    // always (re)build: a stale binary from an older checkout may lack `put`
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let st = std::process::Command::new(cargo)
        .args(["build", "-p", "store", "--bin", "mqstore"])
        .current_dir(workspace_root())
        .status()?;
    anyhow::ensure!(st.success(), "cargo build mqstore failed");
    let exe = rmq_bin("mqstore");
    anyhow::ensure!(exe.is_file(), "mqstore not found at {}", exe.display());
    Ok(exe)
}

fn read_all_uniq_keys(s: &DefaultMessageStore) -> HashSet<String> {
    let mut uniq = HashSet::new();
    for q in 0..16 {
        let max = s.get_max_offset_in_queue(TOPIC, q);
        let mut off = s.get_min_offset_in_queue(TOPIC, q);
        while off < max {
            let r = s
                .get_message("g", TOPIC, q, off, 32, 0, None)
                .expect("readable");
            assert_eq!(r.status, GetMessageStatus::Found, "queue {q} offset {off}");
            for m in decode_all(&r.to_body(), DecodeOptions::default()) {
                uniq.insert(m.uniq_key().unwrap_or_default().to_string());
            }
            off = r.next_begin_offset;
        }
    }
    uniq
}

/// Crash both ways: the Java broker is SIGKILLed and we run abnormal recovery on its store;
/// then our store "crashes" (exits without shutdown, abort file left) and the Java broker
/// recovers abnormally from our data.
#[test]
fn java_crash_then_rust_recovers_rust_crash_then_java_recovers() -> anyhow::Result<()> {
    let mqstore = mqstore_exe()?;
    let ns = JavaNamesrv::start()?;
    let b1 = JavaBroker::start(&ns.addr(), &[])?;
    let producer = run_java_client(
        &ns.addr(),
        examples::QUICKSTART_PRODUCER,
        &[],
        Duration::from_secs(180),
    )?;
    let sent: HashSet<String> = send_ok_msgids(&producer.stdout).into_iter().collect();
    assert_eq!(sent.len(), QUICKSTART_COUNT, "{}", producer.describe());
    let store_dir = b1.store_dir();
    let store_keep = b1.store();
    let store_host = b1.addr();
    b1.kill9();
    drop(b1);
    assert!(store_dir.join("abort").exists());

    let cfg = MessageStoreConfig::with_root(store_dir.to_string_lossy().into_owned());
    let s = Arc::new(DefaultMessageStore::open(cfg)?);
    assert!(!s.last_exit_ok());
    s.start()?;
    assert_eq!(read_all_uniq_keys(&s), sent);
    let probe = sent.iter().next().cloned().unwrap_or_default();
    assert!(!s
        .query_message(TOPIC, &probe, 32, 0, i64::MAX)
        .messages
        .is_empty());
    s.shutdown();
    drop(s);
    assert!(!store_dir.join("abort").exists());

    let out = std::process::Command::new(&mqstore)
        .arg("put")
        .arg(&store_dir)
        .args([
            "--topic",
            TOPIC,
            "--count",
            "50",
            "--queues",
            "4",
            "--crash",
            "--store-host",
            &store_host,
        ])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "mqstore put: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours: HashSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.strip_prefix("PUT ")
                .and_then(|r| r.split(' ').next())
                .map(str::to_string)
        })
        .collect();
    assert_eq!(ours.len(), 50);
    assert!(
        store_dir.join("abort").exists(),
        "--crash must leave the abort file"
    );

    let b2 = JavaBroker::start_with_store(&ns.addr(), &store_dir, &[])?;
    let consumer = spawn_java_client(&ns.addr(), examples::QUICKSTART_CONSUMER, &[])?;
    let want = QUICKSTART_COUNT + 50;
    let log = consumer.wait_until(&format!("{want} msgIds"), Duration::from_secs(120), |t| {
        distinct_uniq_keys(t).len() >= want
    });
    consumer.kill9();
    let log = log.unwrap_or_else(|_| consumer.log_text());
    let got = distinct_uniq_keys(&log);
    let all: HashSet<String> = sent.union(&ours).cloned().collect();
    assert_eq!(
        got,
        all,
        "missing {:?}",
        all.difference(&got).take(5).collect::<Vec<_>>()
    );
    b2.stop()?;
    drop(store_keep);
    Ok(())
}
