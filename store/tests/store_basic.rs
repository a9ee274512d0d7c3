mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::*;
use protocol::message::{decode_all, sysflag, DecodeOptions};
use store::*;

#[test]
fn put_get_roundtrip_and_statuses() {
    let d = tempfile::tempdir().unwrap();
    let s = open(small_config(d.path()));
    for i in 0..10 {
        let r = s.put_message_blocking(msg(
            "TopicTest",
            i % 2,
            &format!("body-{i}"),
            &format!("TAGS\u{1}Tag{}\u{2}KEYS\u{1}k{i} shared", i % 3),
        ));
        assert_eq!(r.status, PutMessageStatus::PutOk);
        let a = r.append.unwrap();
        assert_eq!(a.logics_offset, (i / 2) as i64);
        assert_eq!(a.msg_id.len(), 32);
    }
    wait_dispatched(&s);
    assert_eq!(s.get_max_offset_in_queue("TopicTest", 0), 5);
    assert_eq!(s.get_max_offset_in_queue("TopicTest", 1), 5);
    assert_eq!(s.get_min_offset_in_queue("TopicTest", 1), 0);

    let r = s.get_message("g", "TopicTest", 0, 0, 32, 0, None).unwrap();
    assert_eq!(r.status, GetMessageStatus::Found);
    assert_eq!(r.message_count(), 5);
    assert_eq!(r.next_begin_offset, 5);
    let msgs = decode_all(&r.to_body(), DecodeOptions::default());
    assert_eq!(msgs.len(), 5);
    assert_eq!(msgs[2].body, Bytes::from_static(b"body-4"));
    assert_eq!(msgs[2].queue_offset, 2);
    assert_eq!(msgs[2].store_size as usize, r.messages[2].size());
    assert_eq!(msgs[2].commit_log_offset, r.messages[2].start_offset);
    assert_eq!(msgs[2].body_crc, protocol::message::body_crc32(b"body-4"));

    // statuses
    let st = |off| {
        s.get_message("g", "TopicTest", 0, off, 32, 0, None)
            .unwrap()
    };
    assert_eq!(st(5).status, GetMessageStatus::OffsetOverflowOne);
    assert_eq!(st(5).next_begin_offset, 5);
    assert_eq!(st(9).status, GetMessageStatus::OffsetOverflowBadly);
    assert_eq!(st(9).next_begin_offset, 5);
    assert_eq!(
        s.get_message("g", "Nope", 0, 3, 32, 0, None)
            .unwrap()
            .status,
        GetMessageStatus::NoMessageInQueue
    );
    let r = s.get_message("g", "TopicTest", 0, 1, 2, 0, None).unwrap();
    assert_eq!(r.message_count(), 2);
    assert_eq!(r.next_begin_offset, 3);

    // filter on tags
    struct TagFilter(i64);
    impl MessageFilter for TagFilter {
        fn is_matched_by_consume_queue(&self, c: i64) -> bool {
            c == self.0
        }
        fn is_matched_by_commit_log(&self, _: &[u8]) -> bool {
            true
        }
    }
    let f = TagFilter(protocol::message::tags_hash_code("Tag1"));
    let r = s
        .get_message("g", "TopicTest", 0, 0, 32, 0, Some(&f))
        .unwrap();
    // queue 0 holds i = 0,2,4,6,8 -> tags 0,2,1,0,2
    assert_eq!(r.message_count(), 1);
    assert_eq!(r.message_queue_offsets, vec![2]);
    let f = TagFilter(12345);
    let r = s
        .get_message("g", "TopicTest", 0, 0, 32, 0, Some(&f))
        .unwrap();
    assert_eq!(r.status, GetMessageStatus::NoMatchedMessage);
    assert_eq!(r.next_begin_offset, 5);

    // lookups
    let first = s.select_one_message_by_offset(0).unwrap();
    let m = s.look_message_by_offset(0).unwrap();
    assert_eq!(m.body, Bytes::from_static(b"body-0"));
    assert_eq!(first.size() as i32, m.store_size);
    let q = s.query_message("TopicTest", "shared", 32, 0, i64::MAX);
    assert_eq!(q.messages.len(), 10);
    let q = s.query_message("TopicTest", "k7", 32, 0, i64::MAX);
    assert_eq!(q.messages.len(), 1);
    let now = s.now();
    assert!(s.get_earliest_message_time("TopicTest", 1) <= now);
    assert_eq!(s.get_offset_in_queue_by_time("TopicTest", 0, 0), 0);
    assert_eq!(s.get_offset_in_queue_by_time("TopicTest", 0, i64::MAX), 4);
    assert!(!s.check_in_disk_by_consume_offset("TopicTest", 0, 0));
    s.shutdown();
    assert!(!d.path().join("abort").exists());
}

#[test]
fn batch_put_and_ids() {
    let d = tempfile::tempdir().unwrap();
    let s = open(small_config(d.path()));
    let mut p = protocol::message::Properties::new();
    p.insert("UNIQ_KEY".into(), "U1".into());
    let members: Vec<_> = (0..3)
        .map(|i| protocol::message::BatchMessage {
            flag: i,
            body: Bytes::from(format!("b{i}")),
            properties: p.clone(),
        })
        .collect();
    let body = protocol::message::encode_batch(&members).unwrap();
    let batch = MessageExtBatch {
        topic: "BatchTopic".into(),
        queue_id: 3,
        sys_flag: 0,
        born_timestamp: 1,
        born_host: "[::1]:5000".parse().unwrap(),
        store_host: "127.0.0.1:10911".parse().unwrap(),
        reconsume_times: 0,
        body: Bytes::from(body),
        properties_string: "CLUSTER\u{1}DefaultCluster".into(),
    };
    let r = s.put_messages_blocking(batch);
    assert_eq!(r.status, PutMessageStatus::PutOk);
    let a = r.append.unwrap();
    assert_eq!(a.msg_num, 3);
    assert_eq!(a.msg_id.split(',').count(), 3);
    wait_dispatched(&s);
    let g = s.get_message("g", "BatchTopic", 3, 0, 32, 0, None).unwrap();
    let msgs = decode_all(&g.to_body(), DecodeOptions::default());
    assert_eq!(msgs.len(), 3);
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(m.flag, i as i32);
        assert_eq!(m.queue_offset, i as i64);
        assert_eq!(
            m.sys_flag & sysflag::BORNHOST_V6_FLAG,
            sysflag::BORNHOST_V6_FLAG
        );
        assert_eq!(m.born_host, "[::1]:5000".parse().unwrap());
        assert_eq!(m.property("CLUSTER"), Some("DefaultCluster"));
        assert_eq!(m.property("UNIQ_KEY"), Some("U1"));
    }
    // illegal: transactional batch
    let mut bad = msg("T", 0, "x", "");
    bad.sys_flag = sysflag::TRANSACTION_PREPARED_TYPE;
    let batch = MessageExtBatch {
        topic: "T".into(),
        queue_id: 0,
        sys_flag: sysflag::TRANSACTION_PREPARED_TYPE,
        born_timestamp: 0,
        born_host: bad.born_host,
        store_host: bad.store_host,
        reconsume_times: 0,
        body: Bytes::new(),
        properties_string: String::new(),
    };
    assert_eq!(
        s.put_messages_blocking(batch).status,
        PutMessageStatus::MessageIllegal
    );
    s.shutdown();
}

#[test]
fn roll_files_and_recover_normally() {
    let d = tempfile::tempdir().unwrap();
    let body = "x".repeat(3000);
    {
        let s = open(small_config(d.path()));
        for i in 0..60 {
            let r = s.put_message_blocking(msg("Roll", 0, &body, &format!("KEYS\u{1}key{i}")));
            assert_eq!(r.status, PutMessageStatus::PutOk, "{i}");
        }
        wait_dispatched(&s);
        assert!(s.commit_log().queue().len() >= 3);
        s.shutdown();
    }
    // every full file ends with a blank marker
    let files: Vec<_> = {
        let mut v: Vec<_> = std::fs::read_dir(d.path().join("commitlog"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let f0 = std::fs::read(&files[0]).unwrap();
    assert_eq!(f0.len(), 64 * 1024);
    let mut pos = 0;
    loop {
        let size = i32::from_be_bytes(f0[pos..pos + 4].try_into().unwrap()) as usize;
        let magic = u32::from_be_bytes(f0[pos + 4..pos + 8].try_into().unwrap());
        if magic == 0xCBD43194 {
            assert_eq!(size, 64 * 1024 - pos);
            break;
        }
        assert_eq!(magic, 0xDAA320A7);
        pos += size;
    }
    let s = open(small_config(d.path()));
    assert!(s.last_exit_ok());
    assert_eq!(s.get_max_offset_in_queue("Roll", 0), 60);
    let r = s.put_message_blocking(msg("Roll", 0, "after", ""));
    assert_eq!(r.append.unwrap().logics_offset, 60);
    wait_dispatched(&s);
    let g = s.get_message("g", "Roll", 0, 59, 32, 0, None).unwrap();
    assert_eq!(g.message_count(), 2);
    assert_eq!(
        s.query_message("Roll", "key33", 32, 0, i64::MAX)
            .messages
            .len(),
        1
    );
    s.shutdown();
}

#[test]
fn abnormal_recovery_truncates_garbage_and_rebuilds_queues() {
    let d = tempfile::tempdir().unwrap();
    let end;
    {
        let s = open(small_config(d.path()));
        for i in 0..20 {
            s.put_message_blocking(msg("Crash", 0, &format!("m{i}"), ""));
        }
        wait_dispatched(&s);
        s.flush();
        end = s.max_phy_offset();
        // simulate a crash: no shutdown, abort stays
        std::mem::forget(s);
    }
    assert!(d.path().join("abort").exists());
    // garbage after the last record and a torn record
    let cl = d.path().join("commitlog/00000000000000000000");
    let mut raw = std::fs::read(&cl).unwrap();
    let torn = raw[0..60].to_vec();
    raw[end as usize..end as usize + 60].copy_from_slice(&torn);
    std::fs::write(&cl, &raw).unwrap();
    // wipe the consume queue: it must be rebuilt from the commitlog
    std::fs::remove_dir_all(d.path().join("consumequeue/Crash")).unwrap();
    // we "crashed" in-process: the fcntl lock is still ours, which POSIX lets us re-take
    let s = open(small_config(d.path()));
    assert!(!s.last_exit_ok());
    assert_eq!(s.max_phy_offset(), end);
    assert_eq!(s.get_max_offset_in_queue("Crash", 0), 20);
    let r = s.put_message_blocking(msg("Crash", 0, "next", ""));
    assert_eq!(r.append.as_ref().unwrap().wrote_offset, end);
    assert_eq!(r.append.unwrap().logics_offset, 20);
    s.shutdown();
}

#[test]
fn crc_corruption_truncates_at_bad_record() {
    let d = tempfile::tempdir().unwrap();
    let mut offsets = Vec::new();
    {
        let s = open(small_config(d.path()));
        for i in 0..10 {
            let r = s.put_message_blocking(msg("Crc", 1, &format!("payload-{i}"), ""));
            offsets.push(r.append.unwrap().wrote_offset);
        }
        wait_dispatched(&s);
        s.shutdown();
    }
    // flip a body byte of record 6
    let cl = d.path().join("commitlog/00000000000000000000");
    let mut raw = std::fs::read(&cl).unwrap();
    let p = offsets[6] as usize + 84 + 4;
    raw[p] ^= 0xFF;
    std::fs::write(&cl, &raw).unwrap();
    let s = open(small_config(d.path()));
    assert_eq!(s.max_phy_offset(), offsets[6]);
    assert_eq!(s.get_max_offset_in_queue("Crc", 1), 6);
    s.shutdown();
}

#[test]
fn delay_message_rewrite() {
    let d = tempfile::tempdir().unwrap();
    let s = open(small_config(d.path()));
    let r = s.put_message_blocking(msg("Real", 2, "later", "DELAY\u{1}3\u{2}TAGS\u{1}a"));
    assert_eq!(r.status, PutMessageStatus::PutOk);
    let r2 = s.put_message_blocking(msg("Real", 2, "much later", "DELAY\u{1}99"));
    assert_eq!(r2.status, PutMessageStatus::PutOk);
    wait_dispatched(&s);
    assert_eq!(s.get_max_offset_in_queue("SCHEDULE_TOPIC_XXXX", 2), 1);
    assert_eq!(s.get_max_offset_in_queue("SCHEDULE_TOPIC_XXXX", 17), 1);
    let cq = s.get_consume_queue("SCHEDULE_TOPIC_XXXX", 2).unwrap();
    let u = cq.get_unit(0).unwrap();
    let m = s.look_message_by_offset(u.offset).unwrap();
    assert_eq!(m.property("REAL_TOPIC"), Some("Real"));
    assert_eq!(m.property("REAL_QID"), Some("2"));
    assert_eq!(u.tags_code, m.store_timestamp + 10_000);
    let u = s
        .get_consume_queue("SCHEDULE_TOPIC_XXXX", 17)
        .unwrap()
        .get_unit(0)
        .unwrap();
    let m = s.look_message_by_offset(u.offset).unwrap();
    assert_eq!(m.property("DELAY"), Some("18"));
    assert_eq!(u.tags_code, m.store_timestamp + 7_200_000);
    s.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_flush_group_commit_concurrent() {
    let d = tempfile::tempdir().unwrap();
    let mut c = small_config(d.path());
    c.flush_disk_type = FlushDiskType::SyncFlush;
    c.mapped_file_size_commit_log = 1024 * 1024;
    let s = open(c);
    let mut tasks = Vec::new();
    for t in 0..8 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            for i in 0..50 {
                let r = s
                    .put_message(msg("Sync", t % 4, &format!("{t}-{i}"), "WAIT\u{1}true"))
                    .await;
                assert_eq!(r.status, PutMessageStatus::PutOk);
                assert!(
                    s.commit_log().queue().flushed_where()
                        >= r.append.as_ref().unwrap().wrote_offset
                );
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    wait_dispatched(&s);
    let total: i64 = (0..4).map(|q| s.get_max_offset_in_queue("Sync", q)).sum();
    assert_eq!(total, 400);
    s.shutdown();
}

#[test]
fn illegal_and_slave() {
    let d = tempfile::tempdir().unwrap();
    let mut c = small_config(d.path());
    c.max_message_size = 100;
    let s = open(c);
    assert_eq!(
        s.put_message_blocking(msg("T", 0, &"x".repeat(101), ""))
            .status,
        PutMessageStatus::MessageIllegal
    );
    assert_eq!(
        s.put_message_blocking(msg(&"t".repeat(128), 0, "x", ""))
            .status,
        PutMessageStatus::MessageIllegal
    );
    assert_eq!(
        s.put_message_blocking(msg("T", 0, &"x".repeat(100), ""))
            .status,
        PutMessageStatus::PutOk
    );
    s.shutdown();
    assert_eq!(
        s.put_message_blocking(msg("T", 0, "x", "")).status,
        PutMessageStatus::ServiceNotAvailable
    );
    drop(s);
    let mut c = small_config(d.path());
    c.broker_role = BrokerRole::Slave;
    let s = open(c);
    assert_eq!(
        s.put_message_blocking(msg("T", 0, "x", "")).status,
        PutMessageStatus::ServiceNotAvailable
    );
    s.shutdown();
}

#[test]
fn ha_style_append_on_slave() {
    let d1 = tempfile::tempdir().unwrap();
    let d2 = tempfile::tempdir().unwrap();
    let master = open(small_config(d1.path()));
    for i in 0..30 {
        master.put_message_blocking(msg("Ha", 0, &"y".repeat(2000), &format!("KEYS\u{1}k{i}")));
    }
    let mut c = small_config(d2.path());
    c.broker_role = BrokerRole::Slave;
    let slave = open(c);
    let mut off = 0i64;
    while off < master.max_phy_offset() {
        let data = master.get_commit_log_data(off).unwrap();
        assert_eq!(data.start_offset, off);
        // 1 KiB frames, like HA's 32 KiB batches
        let n = data.size().min(1024);
        assert!(slave.append_to_commit_log(off, &data.data[..n]));
        off += n as i64;
    }
    wait_dispatched(&slave);
    assert_eq!(slave.max_phy_offset(), master.max_phy_offset());
    assert_eq!(slave.get_max_offset_in_queue("Ha", 0), 30);
    assert_eq!(
        slave
            .query_message("Ha", "k29", 4, 0, i64::MAX)
            .messages
            .len(),
        1
    );
    master.shutdown();
    slave.shutdown();
}

#[test]
fn cleanup_deletes_expired_files_and_queues_follow() {
    let d = tempfile::tempdir().unwrap();
    let mut c = small_config(d.path());
    c.file_reserved_time = 0;
    c.delete_commit_log_files_interval = 0;
    c.delete_consume_queue_files_interval = 0;
    c.delete_when = "99".into();
    let s = open(c);
    let body = "c".repeat(3000);
    for i in 0..150 {
        s.put_message_blocking(msg("Old", 0, &body, &format!("KEYS\u{1}old{i}")));
    }
    wait_dispatched(&s);
    let files_before = s.commit_log().queue().len();
    assert!(files_before >= 7);
    // not time yet, not manual: nothing happens (unless the disk is really full)
    s.clean_files_periodically();
    let after_noop = s.commit_log().queue().len();
    s.execute_delete_files_manually();
    s.clean_files_periodically();
    let files_after = s.commit_log().queue().len();
    assert!(
        files_after < files_before.min(after_noop),
        "{files_before} -> {files_after}"
    );
    assert_eq!(files_after, files_before.saturating_sub(10).max(1));
    let min_phy = s.min_phy_offset();
    assert!(min_phy > 0);
    // the consume queue lost the entries pointing into deleted files
    let min_q = s.get_min_offset_in_queue("Old", 0);
    assert!(min_q > 0);
    let r = s.get_message("g", "Old", 0, 0, 32, 0, None).unwrap();
    assert_eq!(r.status, GetMessageStatus::OffsetTooSmall);
    assert_eq!(r.next_begin_offset, min_q);
    let r = s.get_message("g", "Old", 0, min_q, 32, 0, None).unwrap();
    assert_eq!(r.status, GetMessageStatus::Found);
    assert!(r.messages[0].start_offset >= min_phy);
    s.shutdown();
    // a restart agrees
    let s = open(small_config(d.path()));
    assert_eq!(s.min_phy_offset(), min_phy);
    assert_eq!(s.get_min_offset_in_queue("Old", 0), min_q);
    assert_eq!(s.get_max_offset_in_queue("Old", 0), 150);
    s.shutdown();
}

#[test]
fn delayed_message_is_delivered_to_real_topic() {
    let d = tempfile::tempdir().unwrap();
    let mut c = small_config(d.path());
    c.message_delay_level = "1s 2s".into();
    let s = open(c);
    let r = s.put_message_blocking(msg(
        "RealT",
        1,
        "delayed",
        "DELAY\u{1}1\u{2}TAGS\u{1}tg\u{2}UNIQ_KEY\u{1}UK1",
    ));
    assert_eq!(r.status, PutMessageStatus::PutOk);
    let t0 = std::time::Instant::now();
    while s.get_max_offset_in_queue("RealT", 1) == 0 {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(10),
            "not delivered"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(t0.elapsed() >= std::time::Duration::from_millis(800));
    let g = s.get_message("g", "RealT", 1, 0, 32, 0, None).unwrap();
    let m = decode_all(&g.to_body(), DecodeOptions::default()).remove(0);
    assert_eq!(m.body, Bytes::from_static(b"delayed"));
    assert_eq!(m.uniq_key(), Some("UK1"));
    assert_eq!(m.property("REAL_TOPIC"), Some("RealT"));
    assert_eq!(s.delay_offset_table().get(&1), Some(&1));
    s.shutdown();
    let json = std::fs::read_to_string(d.path().join("config/delayOffset.json")).unwrap();
    assert!(json.contains("\"offsetTable\":{1:1"), "{json}");
    // restart keeps the cursor: no redelivery
    let mut c = small_config(d.path());
    c.message_delay_level = "1s 2s".into();
    let s = open(c);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(s.get_max_offset_in_queue("RealT", 1), 1);
    s.shutdown();
}
