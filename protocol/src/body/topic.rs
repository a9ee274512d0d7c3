//! `TopicConfig`, `TopicFilterType`, `PermName`, `TopicConfigSerializeWrapper`, `TopicList`.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{BodyError, DataVersion};
use crate::fastjson::order;

/// `PermName`: topic permission bits.
pub mod perm {
    /// Priority.
    pub const PERM_PRIORITY: i32 = 0x1 << 3;
    /// Readable.
    pub const PERM_READ: i32 = 0x1 << 2;
    /// Writeable.
    pub const PERM_WRITE: i32 = 0x1 << 1;
    /// Inherited.
    pub const PERM_INHERIT: i32 = 0x1;

    /// `isReadable`.
    pub fn is_readable(perm: i32) -> bool {
        perm & PERM_READ == PERM_READ
    }
    /// `isWriteable`.
    pub fn is_writeable(perm: i32) -> bool {
        perm & PERM_WRITE == PERM_WRITE
    }
    /// `isInherited`.
    pub fn is_inherited(perm: i32) -> bool {
        perm & PERM_INHERIT == PERM_INHERIT
    }
    /// `perm2String`: `"RWX"` with `-` for missing bits.
    pub fn perm_to_string(perm: i32) -> String {
        let mut s = String::with_capacity(3);
        s.push(if is_readable(perm) { 'R' } else { '-' });
        s.push(if is_writeable(perm) { 'W' } else { '-' });
        s.push(if is_inherited(perm) { 'X' } else { '-' });
        s
    }
}

/// `TopicFilterType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TopicFilterType {
    /// `SINGLE_TAG` (the default).
    #[default]
    SingleTag,
    /// `MULTI_TAG`.
    MultiTag,
}

impl TopicFilterType {
    /// The Java enum name.
    pub fn name(self) -> &'static str {
        match self {
            TopicFilterType::SingleTag => "SINGLE_TAG",
            TopicFilterType::MultiTag => "MULTI_TAG",
        }
    }

    /// `valueOf(name)` (exact).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "SINGLE_TAG" => Some(TopicFilterType::SingleTag),
            "MULTI_TAG" => Some(TopicFilterType::MultiTag),
            _ => None,
        }
    }
}

/// `org.apache.rocketmq.common.TopicConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicConfig {
    /// Topic name.
    pub topic_name: String,
    /// Read queues (default 16).
    pub read_queue_nums: i32,
    /// Write queues (default 16).
    pub write_queue_nums: i32,
    /// Permission bits (default 6 = R|W).
    pub perm: i32,
    /// Filter type.
    #[serde(deserialize_with = "crate::fastjson::lenient_or_default")]
    pub topic_filter_type: TopicFilterType,
    /// System flag.
    pub topic_sys_flag: i32,
    /// Ordered topic (`isOrder()`).
    pub order: bool,
}

/// `TopicConfig.defaultReadQueueNums` / `defaultWriteQueueNums`.
pub const DEFAULT_QUEUE_NUMS: i32 = 16;

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            topic_name: String::new(),
            read_queue_nums: DEFAULT_QUEUE_NUMS,
            write_queue_nums: DEFAULT_QUEUE_NUMS,
            perm: perm::PERM_READ | perm::PERM_WRITE,
            topic_filter_type: TopicFilterType::SingleTag,
            topic_sys_flag: 0,
            order: false,
        }
    }
}

impl TopicConfig {
    /// `new TopicConfig(name)`.
    pub fn new(topic_name: impl Into<String>) -> Self {
        TopicConfig {
            topic_name: topic_name.into(),
            ..Default::default()
        }
    }

    /// `new TopicConfig(name, read, write, perm)`.
    pub fn with_queues(topic_name: impl Into<String>, read: i32, write: i32, perm: i32) -> Self {
        TopicConfig {
            topic_name: topic_name.into(),
            read_queue_nums: read,
            write_queue_nums: write,
            perm,
            ..Default::default()
        }
    }

    /// `encode()`: `"name read write perm filterType"` (drops `topicSysFlag` and `order`).
    pub fn encode_text(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.topic_name,
            self.read_queue_nums,
            self.write_queue_nums,
            self.perm,
            self.topic_filter_type.name()
        )
    }

    /// `decode(text)`: the inverse of [`encode_text`](Self::encode_text); `String.split(" ")`
    /// must give exactly 5 parts (trailing empty parts dropped, like Java).
    pub fn decode_text(text: &str) -> Result<Self, BodyError> {
        let bad = || BodyError::TopicConfigText(text.to_owned());
        let mut parts: Vec<&str> = text.split(' ').collect();
        while parts.len() > 1 && parts.last() == Some(&"") {
            parts.pop();
        }
        let [name, read, write, perm, filter] = parts.as_slice() else {
            return Err(bad());
        };
        Ok(TopicConfig {
            topic_name: (*name).to_owned(),
            read_queue_nums: read.parse().map_err(|_| bad())?,
            write_queue_nums: write.parse().map_err(|_| bad())?,
            perm: perm.parse().map_err(|_| bad())?,
            topic_filter_type: TopicFilterType::from_name(filter).ok_or_else(bad)?,
            topic_sys_flag: 0,
            order: false,
        })
    }
}

/// `TopicConfigSerializeWrapper` (GET_ALL_TOPIC_CONFIG body, `topics.json`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicConfigSerializeWrapper {
    /// Topic name → config (the broker's `ConcurrentHashMap(1024)`).
    #[serde(serialize_with = "order::concurrent_map_1024")]
    pub topic_config_table: HashMap<String, TopicConfig>,
    /// Version of the table.
    pub data_version: DataVersion,
}

/// `TopicList`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicList {
    /// Topic names (`HashSet`).
    #[serde(serialize_with = "order::hash_set")]
    pub topic_list: HashSet<String>,
    /// Set by some namesrv queries.
    pub broker_addr: Option<String>,
}
