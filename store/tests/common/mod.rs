#![allow(dead_code)]
use std::sync::Arc;

use bytes::Bytes;
use store::{DefaultMessageStore, MessageExtBrokerInner, MessageStoreConfig};

pub fn small_config(root: &std::path::Path) -> MessageStoreConfig {
    let mut c = MessageStoreConfig::with_root(root.to_string_lossy().into_owned());
    c.mapped_file_size_commit_log = 64 * 1024;
    c.mapped_file_size_consume_queue = 100 * 20;
    c.max_hash_slot_num = 1000;
    c.max_index_num = 4000;
    c.flush_interval_commit_log = 50;
    c.flush_interval_consume_queue = 50;
    c
}

pub fn msg(topic: &str, queue_id: i32, body: &str, props: &str) -> MessageExtBrokerInner {
    MessageExtBrokerInner {
        topic: topic.into(),
        queue_id,
        body: Bytes::from(body.to_string()),
        properties_string: props.into(),
        born_timestamp: 1_700_000_000_000,
        born_host: "127.0.0.1:50000".parse().unwrap(),
        store_host: "127.0.0.1:10911".parse().unwrap(),
        ..Default::default()
    }
}

pub fn open(c: MessageStoreConfig) -> Arc<DefaultMessageStore> {
    let s = Arc::new(DefaultMessageStore::open(c).unwrap());
    s.start().unwrap();
    s
}

pub fn wait_dispatched(s: &DefaultMessageStore) {
    for _ in 0..2000 {
        if s.dispatch_behind_bytes() <= 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("dispatch did not catch up");
}
