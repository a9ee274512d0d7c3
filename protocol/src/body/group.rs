//! Group bodies: `GroupList`, `GetConsumerListByGroupResponseBody`,
//! `SubscriptionGroupConfig` and `SubscriptionGroupWrapper` (GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
//! `subscriptionGroup.json`).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::DataVersion;
use crate::fastjson::order;

/// `GroupList`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GroupList {
    /// Group names (`HashSet`).
    #[serde(serialize_with = "order::hash_set")]
    pub group_list: HashSet<String>,
}

/// `GetConsumerListByGroupResponseBody`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GetConsumerListByGroupResponseBody {
    /// Client ids (`List`).
    pub consumer_id_list: Vec<String>,
}

/// `SubscriptionGroupConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscriptionGroupConfig {
    /// Group name.
    pub group_name: String,
    /// Consuming allowed (default true).
    pub consume_enable: bool,
    /// Start from the min offset (default true).
    pub consume_from_min_enable: bool,
    /// Broadcasting allowed (default true).
    pub consume_broadcast_enable: bool,
    /// Retry queues (default 1).
    pub retry_queue_nums: i32,
    /// Max retries (default 16).
    pub retry_max_times: i32,
    /// Broker id to consume from (default 0 = master).
    pub broker_id: i64,
    /// Broker id when consuming slowly (default 1).
    pub which_broker_when_consume_slowly: i64,
    /// Push NOTIFY_CONSUMER_IDS_CHANGED (default true).
    pub notify_consumer_ids_changed_enable: bool,
}

impl Default for SubscriptionGroupConfig {
    fn default() -> Self {
        SubscriptionGroupConfig {
            group_name: String::new(),
            consume_enable: true,
            consume_from_min_enable: true,
            consume_broadcast_enable: true,
            retry_queue_nums: 1,
            retry_max_times: 16,
            broker_id: 0,
            which_broker_when_consume_slowly: 1,
            notify_consumer_ids_changed_enable: true,
        }
    }
}

impl SubscriptionGroupConfig {
    /// A config with Java's defaults for `group_name`.
    pub fn new(group_name: impl Into<String>) -> Self {
        SubscriptionGroupConfig {
            group_name: group_name.into(),
            ..Default::default()
        }
    }
}

/// `SubscriptionGroupWrapper`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscriptionGroupWrapper {
    /// Group → config (the broker's `ConcurrentHashMap(1024)`).
    #[serde(serialize_with = "order::concurrent_map_1024")]
    pub subscription_group_table: HashMap<String, SubscriptionGroupConfig>,
    /// Version of the table.
    pub data_version: DataVersion,
}
