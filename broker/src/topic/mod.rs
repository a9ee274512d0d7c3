//! Topic configuration table of this broker (mirrors `broker/.../topic/TopicConfigManager.java`):
//! the built-in system topics, `topics.json` (`TopicConfigSerializeWrapper` with a
//! `DataVersion`), auto-creation of topics through the `TBW102` template on first send, and
//! retry/DLQ topic creation.
//!
//! Every change bumps the data version and persists the file; a newly created topic also
//! pokes [`TopicConfigManager::changed`] so the registration task re-registers with every
//! namesrv at once (Java: `registerBrokerAll(false, true, true)`).

pub mod validator;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::Notify;
use tracing::{info, warn};

use crate::body::{DataVersion, TopicConfig, TopicConfigSerializeWrapper, TopicFilterType};
use crate::config::{perm, BrokerConfig};
use crate::config_file;
use crate::error::BrokerError;
use validator::*;

/// `TopicSysFlag` bits.
pub mod sys_flag {
    /// FLAG_UNIT.
    pub const FLAG_UNIT: i32 = 0x1;
    /// FLAG_UNIT_SUB.
    pub const FLAG_UNIT_SUB: i32 = 0x1 << 1;

    /// `TopicSysFlag.buildSysFlag`.
    pub fn build(unit: bool, has_unit_sub: bool) -> i32 {
        let mut f = 0;
        if unit {
            f |= FLAG_UNIT;
        }
        if has_unit_sub {
            f |= FLAG_UNIT_SUB;
        }
        f
    }
}

struct Table {
    topics: HashMap<String, TopicConfig>,
    data_version: DataVersion,
}

/// The topic table.
pub struct TopicConfigManager {
    table: RwLock<Table>,
    system_topics: RwLock<Vec<String>>,
    auto_create_topic_enable: bool,
    path: PathBuf,
    changed: Arc<Notify>,
}

fn topic(name: &str, read: i32, write: i32, perm_bits: i32) -> TopicConfig {
    TopicConfig {
        topic_name: name.to_string(),
        read_queue_nums: read,
        write_queue_nums: write,
        perm: perm_bits,
        ..TopicConfig::default()
    }
}

impl TopicConfigManager {
    /// The table with the built-in topics of `TopicConfigManager`'s constructor; `path` is
    /// `<storePathRootDir>/config/topics.json`.
    pub fn new(cfg: &BrokerConfig, path: PathBuf) -> Self {
        let rw = perm::READ | perm::WRITE;
        let mut topics = HashMap::new();
        let mut system = Vec::new();
        let mut add = |tc: TopicConfig| {
            system.push(tc.topic_name.clone());
            topics.insert(tc.topic_name.clone(), tc);
        };
        add(topic(RMQ_SYS_SELF_TEST_TOPIC, 1, 1, rw));
        if cfg.auto_create_topic_enable {
            let n = cfg.default_topic_queue_nums;
            add(topic(AUTO_CREATE_TOPIC_KEY_TOPIC, n, n, perm::INHERIT | rw));
        }
        add(topic(RMQ_SYS_BENCHMARK_TOPIC, 1024, 1024, rw));
        let cluster_perm = perm::INHERIT | if cfg.cluster_topic_enable { rw } else { 0 };
        add(topic(&cfg.broker_cluster_name, 16, 16, cluster_perm));
        let broker_perm = perm::INHERIT | if cfg.broker_topic_enable { rw } else { 0 };
        add(topic(&cfg.broker_name, 1, 1, broker_perm));
        add(topic(RMQ_SYS_OFFSET_MOVED_EVENT, 1, 1, rw));
        add(topic(
            RMQ_SYS_SCHEDULE_TOPIC,
            SCHEDULE_TOPIC_QUEUE_NUM,
            SCHEDULE_TOPIC_QUEUE_NUM,
            rw,
        ));
        if cfg.trace_topic_enable {
            add(topic(&cfg.msg_trace_topic_name, 1, 1, rw));
        }
        add(topic(
            &format!("{}_{}", cfg.broker_cluster_name, REPLY_TOPIC_POSTFIX),
            1,
            1,
            rw,
        ));
        TopicConfigManager {
            table: RwLock::new(Table {
                topics,
                data_version: DataVersion::default(),
            }),
            system_topics: RwLock::new(system),
            auto_create_topic_enable: cfg.auto_create_topic_enable,
            path,
            changed: Arc::new(Notify::new()),
        }
    }

    /// Notified whenever a topic is created in the send path (re-register trigger).
    pub fn changed(&self) -> Arc<Notify> {
        self.changed.clone()
    }

    /// `ConfigManager.load`: merge `topics.json` over the built-in topics.
    pub fn load(&self) -> Result<(), BrokerError> {
        config_file::load_with_backup(&self.path, |text| {
            let w: TopicConfigSerializeWrapper =
                protocol::fastjson::from_str(text).map_err(|e| e.to_string())?;
            let mut t = self.table.write();
            for (name, tc) in w.topic_config_table {
                info!(topic = %name, read = tc.read_queue_nums, write = tc.write_queue_nums, perm = tc.perm, "load exist local topic");
                t.topics.insert(name, tc);
            }
            t.data_version = w.data_version;
            Ok(())
        })
    }

    /// `ConfigManager.persist`.
    pub fn persist(&self) {
        let text = {
            let t = self.table.read();
            let w = TopicConfigSerializeWrapper {
                topic_config_table: t.topics.clone(),
                data_version: t.data_version,
            };
            protocol::fastjson::to_string_pretty(&w)
        };
        match text {
            Ok(text) => {
                if let Err(e) = config_file::write_atomically(&self.path, &text) {
                    warn!(error = %e, "persist topics.json failed");
                }
            }
            Err(e) => warn!(error = %e, "encode topics.json failed"),
        }
    }

    /// `selectTopicConfig`.
    pub fn select(&self, topic: &str) -> Option<TopicConfig> {
        self.table.read().topics.get(topic).cloned()
    }

    /// Whether `topic` is ordered (`isOrderTopic`).
    pub fn is_order_topic(&self, topic: &str) -> bool {
        self.table
            .read()
            .topics
            .get(topic)
            .map(|t| t.order)
            .unwrap_or(false)
    }

    /// Whether `topic` is one of the system topics this broker created at start, or a
    /// `TopicValidator` system topic.
    pub fn is_system_topic(&self, topic: &str) -> bool {
        is_base_system_topic(topic) || self.system_topics.read().iter().any(|t| t == topic)
    }

    /// The system topic names (`TopicValidator.getSystemTopicSet`, as this broker sees it).
    pub fn system_topics(&self) -> Vec<String> {
        self.system_topics.read().clone()
    }

    /// `createTopicInSendMessageMethod`: create `topic` from the `default_topic` template
    /// (`TBW102`) if the template is inheritable. Returns the config (existing or new).
    pub fn create_in_send_message(
        &self,
        topic: &str,
        default_topic: &str,
        remote_addr: &str,
        client_default_queue_nums: i32,
        topic_sys_flag: i32,
    ) -> Option<TopicConfig> {
        let created = {
            let mut t = self.table.write();
            if let Some(tc) = t.topics.get(topic) {
                return Some(tc.clone());
            }
            let auto_create = self.auto_create_topic_enable;
            let template = match t.topics.get_mut(default_topic) {
                Some(d) => {
                    if default_topic == AUTO_CREATE_TOPIC_KEY_TOPIC && !auto_create {
                        d.perm = perm::READ | perm::WRITE;
                    }
                    d.clone()
                }
                None => {
                    warn!(
                        topic,
                        default_topic,
                        producer = remote_addr,
                        "create new topic failed: the default topic does not exist"
                    );
                    return None;
                }
            };
            if !perm::is_inherited(template.perm) {
                warn!(
                    topic,
                    default_topic,
                    perm = template.perm,
                    producer = remote_addr,
                    "create new topic failed: the default topic has no inherit perm"
                );
                return None;
            }
            let queue_nums = client_default_queue_nums
                .min(template.write_queue_nums)
                .max(0);
            let tc = TopicConfig {
                topic_name: topic.to_string(),
                read_queue_nums: queue_nums,
                write_queue_nums: queue_nums,
                perm: template.perm & !perm::INHERIT,
                topic_sys_flag,
                topic_filter_type: template.topic_filter_type,
                ..TopicConfig::default()
            };
            info!(
                topic,
                default_topic,
                queues = queue_nums,
                producer = remote_addr,
                "create new topic by default topic"
            );
            t.topics.insert(topic.to_string(), tc.clone());
            t.data_version.next_version();
            tc
        };
        self.persist();
        self.changed.notify_one();
        Some(created)
    }

    /// `createTopicInSendMessageBackMethod` (retry and DLQ topics).
    pub fn create_in_send_message_back(
        &self,
        topic: &str,
        queue_nums: i32,
        perm_bits: i32,
        topic_sys_flag: i32,
    ) -> TopicConfig {
        if let Some(tc) = self.select(topic) {
            return tc;
        }
        let created = {
            let mut t = self.table.write();
            if let Some(tc) = t.topics.get(topic) {
                return tc.clone();
            }
            let tc = TopicConfig {
                topic_name: topic.to_string(),
                read_queue_nums: queue_nums,
                write_queue_nums: queue_nums,
                perm: perm_bits,
                topic_sys_flag,
                ..TopicConfig::default()
            };
            info!(topic, queues = queue_nums, "create new topic");
            t.topics.insert(topic.to_string(), tc.clone());
            t.data_version.next_version();
            tc
        };
        self.persist();
        self.changed.notify_one();
        created
    }

    /// `updateTopicConfig` (admin UPDATE_AND_CREATE_TOPIC): insert or replace, bump, persist.
    pub fn update_topic_config(&self, tc: TopicConfig) {
        {
            let mut t = self.table.write();
            match t.topics.insert(tc.topic_name.clone(), tc.clone()) {
                Some(_) => info!(topic = %tc.topic_name, "update topic config"),
                None => info!(topic = %tc.topic_name, "create new topic"),
            }
            t.data_version.next_version();
        }
        self.persist();
    }

    /// `deleteTopicConfig`.
    pub fn delete_topic_config(&self, topic: &str) -> bool {
        let removed = {
            let mut t = self.table.write();
            let removed = t.topics.remove(topic).is_some();
            if removed {
                t.data_version.next_version();
            }
            removed
        };
        if removed {
            self.persist();
        } else {
            warn!(topic, "delete topic config failed: not exists");
        }
        removed
    }

    /// `updateOrderTopicConfig`: mark exactly the topics named by the namesrv's
    /// `ORDER_TOPIC_CONFIG` table as ordered.
    pub fn update_order_topic_config(&self, order_topics: &HashMap<String, String>) {
        let changed = {
            let mut t = self.table.write();
            let mut changed = false;
            for (name, tc) in t.topics.iter_mut() {
                let want = order_topics.contains_key(name);
                if tc.order != want {
                    tc.order = want;
                    changed = true;
                    info!(topic = %name, order = want, "update order topic config");
                }
            }
            if changed {
                t.data_version.next_version();
            }
            changed
        };
        if changed {
            self.persist();
        }
    }

    /// Snapshot for REGISTER_BROKER and GET_ALL_TOPIC_CONFIG.
    pub fn build_serialize_wrapper(&self) -> TopicConfigSerializeWrapper {
        let t = self.table.read();
        TopicConfigSerializeWrapper {
            topic_config_table: t.topics.clone(),
            data_version: t.data_version,
        }
    }

    /// `SlaveSynchronize.syncTopicConfig`: when the master's data version differs, replace
    /// the whole table and version with the master's and persist. Returns whether it did.
    pub fn replace_from_master(&self, w: TopicConfigSerializeWrapper) -> bool {
        {
            let mut t = self.table.write();
            if t.data_version == w.data_version {
                return false;
            }
            t.data_version.assign_new_one(&w.data_version);
            t.topics = w.topic_config_table;
        }
        self.persist();
        true
    }

    /// The current data version.
    pub fn data_version(&self) -> DataVersion {
        self.table.read().data_version
    }

    /// All topic names.
    pub fn topic_names(&self) -> Vec<String> {
        self.table.read().topics.keys().cloned().collect()
    }
}

/// `MessageExtBrokerInner.tagsString2tagsCode`: MULTI_TAG topics hash the whole string too.
pub fn tags_code(_filter: TopicFilterType, tags: Option<&str>) -> i64 {
    match tags {
        None | Some("") => 0,
        Some(t) => protocol::message::tags_hash_code(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manager(dir: &std::path::Path, cfg: &BrokerConfig) -> TopicConfigManager {
        TopicConfigManager::new(cfg, dir.join("config/topics.json"))
    }

    fn cfg() -> BrokerConfig {
        BrokerConfig {
            broker_name: "broker-a".into(),
            broker_cluster_name: "DefaultCluster".into(),
            ..BrokerConfig::default()
        }
    }

    #[test]
    fn built_in_topics_as_java() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let m = manager(dir.path(), &cfg());
        let t = |n: &str| m.select(n).unwrap_or_else(|| panic!("missing {n}"));
        assert_eq!((t("TBW102").read_queue_nums, t("TBW102").perm), (8, 7));
        assert_eq!(t("SCHEDULE_TOPIC_XXXX").write_queue_nums, 18);
        assert_eq!(t("BenchmarkTest").read_queue_nums, 1024);
        assert_eq!(
            (
                t("DefaultCluster").read_queue_nums,
                t("DefaultCluster").perm
            ),
            (16, 7)
        );
        assert_eq!((t("broker-a").read_queue_nums, t("broker-a").perm), (1, 7));
        assert_eq!(t("SELF_TEST_TOPIC").read_queue_nums, 1);
        assert_eq!(t("OFFSET_MOVED_EVENT").read_queue_nums, 1);
        assert_eq!(t("DefaultCluster_REPLY_TOPIC").read_queue_nums, 1);
        assert!(m.select("RMQ_SYS_TRACE_TOPIC").is_none());
        assert_eq!(m.topic_names().len(), 8);

        let c = BrokerConfig {
            auto_create_topic_enable: false,
            cluster_topic_enable: false,
            trace_topic_enable: true,
            ..cfg()
        };
        let m = manager(dir.path(), &c);
        assert!(m.select("TBW102").is_none());
        assert_eq!(
            m.select("DefaultCluster").map(|t| t.perm),
            Some(perm::INHERIT)
        );
        assert!(m.select("RMQ_SYS_TRACE_TOPIC").is_some());
    }

    #[test]
    fn auto_create_through_template_persists_and_reloads() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let m = manager(dir.path(), &cfg());
        let v0 = m.data_version();
        let tc = m
            .create_in_send_message("NewTopic", "TBW102", "127.0.0.1:1", 4, 0)
            .unwrap_or_else(|| panic!("not created"));
        assert_eq!(
            (tc.read_queue_nums, tc.write_queue_nums, tc.perm),
            (4, 4, 6)
        );
        assert!(m.data_version().counter > v0.counter);
        // the template caps the queue count; a non-inheritable template refuses
        let big = m.create_in_send_message("Big", "TBW102", "x", 64, 0);
        assert_eq!(big.map(|t| t.write_queue_nums), Some(8));
        assert!(m
            .create_in_send_message("Nope", "NewTopic", "x", 4, 0)
            .is_none());
        assert!(m
            .create_in_send_message("Nope", "Missing", "x", 4, 0)
            .is_none());

        let text =
            std::fs::read_to_string(dir.path().join("config/topics.json")).unwrap_or_default();
        assert!(
            text.contains("\"NewTopic\":{") && text.contains("\t\"dataVersion\":{"),
            "{text}"
        );
        let again = manager(dir.path(), &cfg());
        again.load().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            again.select("NewTopic").map(|t| t.write_queue_nums),
            Some(4)
        );
        assert_eq!(again.data_version(), m.data_version());
    }

    #[test]
    fn loads_java_written_topics_json() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("config/topics.json");
        std::fs::create_dir_all(dir.path().join("config")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            &path,
            "{\n\t\"dataVersion\":{\n\t\t\"counter\":3,\n\t\t\"timestamp\":1700000000123\n\t},\n\t\"topicConfigTable\":{\n\t\t\"OrderTopic\":{\n\t\t\t\"order\":true,\n\t\t\t\"perm\":6,\n\t\t\t\"readQueueNums\":8,\n\t\t\t\"topicFilterType\":\"MULTI_TAG\",\n\t\t\t\"topicName\":\"OrderTopic\",\n\t\t\t\"topicSysFlag\":1,\n\t\t\t\"writeQueueNums\":8\n\t\t}\n\t}\n}",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let m = manager(dir.path(), &cfg());
        m.load().unwrap_or_else(|e| panic!("{e}"));
        let t = m
            .select("OrderTopic")
            .unwrap_or_else(|| panic!("not loaded"));
        assert!(t.order);
        assert_eq!(t.topic_filter_type, TopicFilterType::MultiTag);
        assert_eq!(
            (m.data_version().counter, m.data_version().timestamp),
            (3, 1_700_000_000_123)
        );
        assert!(m.select("TBW102").is_some(), "built-ins stay");
    }
}
