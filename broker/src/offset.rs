//! Committed consumer offsets (mirrors `broker/.../offset/ConsumerOffsetManager.java`):
//! `topic@group` → queueId → next offset to consume, persisted to `consumerOffset.json` every
//! `flushConsumerOffsetInterval` ms and at shutdown.

use std::collections::HashMap;
use std::path::PathBuf;

use parking_lot::RwLock;
use tracing::{debug, warn};

use crate::body::ConsumerOffsetSerializeWrapper;
use crate::config_file;
use crate::error::BrokerError;

/// `ConsumerOffsetManager.TOPIC_GROUP_SEPARATOR`.
pub const TOPIC_GROUP_SEPARATOR: &str = "@";

/// The offset table.
pub struct ConsumerOffsetManager {
    table: RwLock<HashMap<String, HashMap<i32, i64>>>,
    path: PathBuf,
}

fn key(topic: &str, group: &str) -> String {
    format!("{topic}{TOPIC_GROUP_SEPARATOR}{group}")
}

impl ConsumerOffsetManager {
    /// Empty table; `path` is `<storePathRootDir>/config/consumerOffset.json`.
    pub fn new(path: PathBuf) -> Self {
        ConsumerOffsetManager {
            table: RwLock::new(HashMap::new()),
            path,
        }
    }

    /// Replace the table with `consumerOffset.json`.
    pub fn load(&self) -> Result<(), BrokerError> {
        config_file::load_with_backup(&self.path, |text| {
            let w: ConsumerOffsetSerializeWrapper =
                protocol::fastjson::from_str(text).map_err(|e| e.to_string())?;
            *self.table.write() = w.offset_table;
            Ok(())
        })
    }

    /// Write `consumerOffset.json`.
    pub fn persist(&self) {
        let text = protocol::fastjson::to_string_pretty(&self.build_wrapper());
        match text {
            Ok(text) => {
                if let Err(e) = config_file::write_atomically(&self.path, &text) {
                    warn!(error = %e, "persist consumerOffset.json failed");
                }
            }
            Err(e) => warn!(error = %e, "encode consumerOffset.json failed"),
        }
    }

    /// `commitOffset`.
    pub fn commit_offset(
        &self,
        client: &str,
        group: &str,
        topic: &str,
        queue_id: i32,
        offset: i64,
    ) {
        let k = key(topic, group);
        let mut t = self.table.write();
        let prev = t.entry(k).or_default().insert(queue_id, offset);
        if let Some(prev) = prev {
            if offset < prev {
                debug!(
                    client,
                    group, topic, queue_id, offset, prev, "update consumer offset less than store"
                );
            }
        }
    }

    /// `queryOffset`: -1 when unknown.
    pub fn query_offset(&self, group: &str, topic: &str, queue_id: i32) -> i64 {
        self.table
            .read()
            .get(&key(topic, group))
            .and_then(|m| m.get(&queue_id).copied())
            .unwrap_or(-1)
    }

    /// All queue offsets of `group` on `topic`.
    pub fn query_offsets(&self, group: &str, topic: &str) -> Option<HashMap<i32, i64>> {
        self.table.read().get(&key(topic, group)).cloned()
    }

    /// `whichTopicByConsumer`.
    pub fn topics_of_group(&self, group: &str) -> Vec<String> {
        self.table
            .read()
            .keys()
            .filter_map(|k| k.split_once(TOPIC_GROUP_SEPARATOR))
            .filter(|(_, g)| *g == group)
            .map(|(t, _)| t.to_string())
            .collect()
    }

    /// `whichGroupByTopic`.
    pub fn groups_of_topic(&self, topic: &str) -> Vec<String> {
        self.table
            .read()
            .keys()
            .filter_map(|k| k.split_once(TOPIC_GROUP_SEPARATOR))
            .filter(|(t, _)| *t == topic)
            .map(|(_, g)| g.to_string())
            .collect()
    }

    /// `cloneOffset`.
    pub fn clone_offset(&self, src_group: &str, dest_group: &str, topic: &str) {
        let mut t = self.table.write();
        if let Some(m) = t.get(&key(topic, src_group)).cloned() {
            t.insert(key(topic, dest_group), m);
        }
    }

    /// `removeOffset`: every entry of `group`.
    pub fn remove_group(&self, group: &str) {
        self.table.write().retain(
            |k, _| !matches!(k.split_once(TOPIC_GROUP_SEPARATOR), Some((_, g)) if g == group),
        );
    }

    /// `getOffsetTable().putAll(master's)` (slave sync): the master's entry replaces ours
    /// per `topic@group`; entries only we have are kept.
    pub fn put_all(&self, table: HashMap<String, HashMap<i32, i64>>) {
        self.table.write().extend(table);
    }

    /// Snapshot (GET_ALL_CONSUMER_OFFSET, persistence).
    pub fn build_wrapper(&self) -> ConsumerOffsetSerializeWrapper {
        ConsumerOffsetSerializeWrapper {
            offset_table: self.table.read().clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_file_with_unquoted_int_keys_round_trips() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("consumerOffset.json");
        std::fs::write(
            &path,
            "{\n\t\"offsetTable\":{\n\t\t\"TopicTest@g4\":{0:12,1:7,2:0,3:1234567890123\n\t\t},\n\t\t\"%RETRY%g4@g4\":{0:5\n\t\t}\n\t}\n}",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let m = ConsumerOffsetManager::new(path.clone());
        m.load().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.query_offset("g4", "TopicTest", 3), 1_234_567_890_123);
        assert_eq!(m.query_offset("g4", "%RETRY%g4", 0), 5);
        assert_eq!(m.query_offset("g4", "TopicTest", 9), -1);
        assert_eq!(m.query_offset("other", "TopicTest", 0), -1);
        m.commit_offset("c", "g4", "TopicTest", 1, 8);
        m.persist();
        let again = ConsumerOffsetManager::new(path);
        again.load().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.query_offset("g4", "TopicTest", 1), 8);
        let mut topics = again.topics_of_group("g4");
        topics.sort();
        assert_eq!(
            topics,
            vec!["%RETRY%g4".to_string(), "TopicTest".to_string()]
        );
        again.remove_group("g4");
        assert_eq!(again.query_offset("g4", "TopicTest", 1), -1);
    }
}
