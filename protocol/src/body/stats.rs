//! Statistics bodies: `ConsumeStats` (GET_CONSUME_STATS), `TopicStatsTable`
//! (GET_TOPIC_STATS_INFO), `ConsumeStatsList`, `BrokerStatsData` (VIEW_BROKER_STATS_DATA).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::MessageQueue;
use crate::fastjson::order;

/// `OffsetWrapper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OffsetWrapper {
    /// Max offset of the queue.
    pub broker_offset: i64,
    /// Committed consumer offset.
    pub consumer_offset: i64,
    /// Store time of the last consumed message.
    pub last_timestamp: i64,
}

/// `ConsumeStats`: bean-keyed `offsetTable` (`{{"brokerName":…}:{…}}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumeStats {
    /// Queue → offsets (`HashMap`).
    #[serde(serialize_with = "order::hash_map")]
    pub offset_table: HashMap<MessageQueue, OffsetWrapper>,
    /// Consume TPS.
    pub consume_tps: f64,
}

impl ConsumeStats {
    /// `computeTotalDiff()`: Σ brokerOffset − consumerOffset.
    pub fn compute_total_diff(&self) -> i64 {
        self.offset_table.values().fold(0i64, |acc, o| {
            acc.wrapping_add(o.broker_offset.wrapping_sub(o.consumer_offset))
        })
    }
}

/// `TopicOffset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicOffset {
    /// Min offset.
    pub min_offset: i64,
    /// Max offset.
    pub max_offset: i64,
    /// Store time of the last message.
    pub last_update_timestamp: i64,
}

/// `TopicStatsTable`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicStatsTable {
    /// Queue → offsets (`HashMap`).
    #[serde(serialize_with = "order::hash_map")]
    pub offset_table: HashMap<MessageQueue, TopicOffset>,
}

/// `ConsumeStatsList` (GET_BROKER_CONSUME_STATS).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumeStatsList {
    /// One `{group: [stats per topic]}` map per group.
    pub consume_stats_list: Vec<HashMap<String, Vec<ConsumeStats>>>,
    /// Broker address.
    pub broker_addr: Option<String>,
    /// Total lag.
    pub total_diff: i64,
}

/// `BrokerStatsItem`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BrokerStatsItem {
    /// Sum.
    pub sum: i64,
    /// TPS.
    pub tps: f64,
    /// Average per time.
    pub avgpt: f64,
}

/// `BrokerStatsData`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BrokerStatsData {
    /// Last minute.
    pub stats_minute: BrokerStatsItem,
    /// Last hour.
    pub stats_hour: BrokerStatsItem,
    /// Last day.
    pub stats_day: BrokerStatsItem,
}
