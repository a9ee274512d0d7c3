//! Client-side bodies relayed by the broker: `ConsumerRunningInfo` (GET_CONSUMER_RUNNING_INFO),
//! `ProcessQueueInfo`, `ConsumeStatus`, `ConsumeMessageDirectlyResult`, `CMResult`, and
//! `CheckClientRequestBody` (CHECK_CLIENT_CONFIG).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{MessageQueue, SubscriptionData};
use crate::fastjson::order;

/// `ConsumerRunningInfo`. `properties` is a `java.util.Properties` (written in the hash order
/// of JDK 9+'s inner `ConcurrentHashMap(8)`; keys sharing a bucket come out sorted, where
/// Java keeps insertion order); `mqTable` and `statusTable` are `TreeMap`s and
/// `subscriptionSet` a `TreeSet` (order kept as given).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumerRunningInfo {
    /// Client properties (`PROP_*` keys and the consumer's config).
    #[serde(serialize_with = "order::java_properties")]
    pub properties: BTreeMap<String, String>,
    /// Subscriptions.
    #[serde(serialize_with = "order::set")]
    pub subscription_set: Vec<SubscriptionData>,
    /// Queue → process queue state.
    pub mq_table: BTreeMap<MessageQueue, ProcessQueueInfo>,
    /// Topic → consume statistics.
    pub status_table: BTreeMap<String, ConsumeStatus>,
    /// Thread dump, when requested.
    pub jstack: Option<String>,
}

/// `ConsumerRunningInfo.PROP_*` keys.
pub mod running_info_prop {
    /// Namesrv address.
    pub const NAMESERVER_ADDR: &str = "PROP_NAMESERVER_ADDR";
    /// Thread pool core size.
    pub const THREADPOOL_CORE_SIZE: &str = "PROP_THREADPOOL_CORE_SIZE";
    /// Orderly consumer (note the Java value has no underscore).
    pub const CONSUME_ORDERLY: &str = "PROP_CONSUMEORDERLY";
    /// Consume type.
    pub const CONSUME_TYPE: &str = "PROP_CONSUME_TYPE";
    /// Client version.
    pub const CLIENT_VERSION: &str = "PROP_CLIENT_VERSION";
    /// Start time.
    pub const CONSUMER_START_TIMESTAMP: &str = "PROP_CONSUMER_START_TIMESTAMP";
}

/// `ProcessQueueInfo` (14 properties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProcessQueueInfo {
    /// Committed offset.
    pub commit_offset: i64,
    /// Lowest cached offset.
    pub cached_msg_min_offset: i64,
    /// Highest cached offset.
    pub cached_msg_max_offset: i64,
    /// Cached messages.
    pub cached_msg_count: i32,
    /// Cached size (`getCachedMsgSizeInMiB()`: `"cachedMsgSizeInMiB"`).
    #[serde(rename = "cachedMsgSizeInMiB")]
    pub cached_msg_size_in_mib: i32,
    /// Lowest transaction offset.
    pub transaction_msg_min_offset: i64,
    /// Highest transaction offset.
    pub transaction_msg_max_offset: i64,
    /// Transaction messages.
    pub transaction_msg_count: i32,
    /// Locked (`isLocked()`).
    pub locked: bool,
    /// Unlock attempts.
    pub try_unlock_times: i64,
    /// Last lock time.
    pub last_lock_timestamp: i64,
    /// Dropped (`isDroped()`: Java's spelling).
    pub droped: bool,
    /// Last pull time.
    pub last_pull_timestamp: i64,
    /// Last consume time.
    pub last_consume_timestamp: i64,
}

/// `ConsumeStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumeStatus {
    /// `pullRT`.
    #[serde(rename = "pullRT")]
    pub pull_rt: f64,
    /// `pullTPS`.
    #[serde(rename = "pullTPS")]
    pub pull_tps: f64,
    /// `consumeRT`.
    #[serde(rename = "consumeRT")]
    pub consume_rt: f64,
    /// `consumeOKTPS`.
    #[serde(rename = "consumeOKTPS")]
    pub consume_ok_tps: f64,
    /// `consumeFailedTPS`.
    #[serde(rename = "consumeFailedTPS")]
    pub consume_failed_tps: f64,
    /// `consumeFailedMsgs`.
    #[serde(rename = "consumeFailedMsgs")]
    pub consume_failed_msgs: i64,
}

/// `CMResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CMResult {
    /// `CR_SUCCESS`.
    CrSuccess,
    /// `CR_LATER`.
    CrLater,
    /// `CR_ROLLBACK`.
    CrRollback,
    /// `CR_COMMIT`.
    CrCommit,
    /// `CR_THROW_EXCEPTION`.
    CrThrowException,
    /// `CR_RETURN_NULL`.
    CrReturnNull,
}

/// `ConsumeMessageDirectlyResult` (CONSUME_MESSAGE_DIRECTLY reply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumeMessageDirectlyResult {
    /// Orderly consumer (`isOrder()`).
    pub order: bool,
    /// Auto commit (`isAutoCommit()`, default true).
    pub auto_commit: bool,
    /// Result.
    #[serde(deserialize_with = "crate::fastjson::lenient")]
    pub consume_result: Option<CMResult>,
    /// Remark.
    pub remark: Option<String>,
    /// Time spent (Java's spelling `spentTimeMills`).
    pub spent_time_mills: i64,
}

impl Default for ConsumeMessageDirectlyResult {
    fn default() -> Self {
        ConsumeMessageDirectlyResult {
            order: false,
            auto_commit: true,
            consume_result: None,
            remark: None,
            spent_time_mills: 0,
        }
    }
}

/// `CheckClientRequestBody`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CheckClientRequestBody {
    /// Client id.
    pub client_id: String,
    /// Consumer group.
    pub group: String,
    /// The subscription to check.
    pub subscription_data: Option<SubscriptionData>,
}
