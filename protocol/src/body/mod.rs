//! Request and response bodies of RocketMQ 4.9.7, with Java's exact JSON shapes.
//!
//! Every type is a Rust mirror of a Java `RemotingSerializable` (or a bean nested in one),
//! checked against the getters of the class at tag `rocketmq-all-4.9.7`: fastjson writes
//! one property per getter (`isXxx` booleans included, computed getters too), sorted by
//! name, nulls omitted. Java nullable objects are `Option`s where null is common; Java
//! `HashMap`/`HashSet`/`ConcurrentHashMap` fields are std `HashMap`/`HashSet` written in
//! Java's iteration order ([`crate::fastjson::order`]); `TreeMap`s are `BTreeMap`s; sets of
//! beans are `Vec`s. Unknown keys are ignored when reading, missing keys keep the defaults
//! Java's constructors set.
//!
//! Encode with [`JsonBody::encode`] (compact fastjson), decode with [`JsonBody::decode`].
//! [`TopicRouteData::encode_for`] picks the route's standard form by client version (T3);
//! [`RegisterBrokerBody`] also has the zlib form; [`properties`] has the Java `Properties`
//! text used by the config bodies.

mod acl;
mod connection;
mod consumer_info;
mod data_version;
mod group;
mod heartbeat;
mod kv;
mod lock;
mod message_queue;
mod offset;
pub mod properties;
mod query;
mod register;
mod route;
mod stats;
mod topic;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::fastjson;

pub use acl::ClusterAclVersionInfo;
pub use connection::{
    Connection, ConsumerConnection, ProducerConnection, ProducerInfo, ProducerTableInfo,
};
pub use consumer_info::{
    running_info_prop, CMResult, CheckClientRequestBody, ConsumeMessageDirectlyResult,
    ConsumeStatus, ConsumerRunningInfo, ProcessQueueInfo,
};
pub use data_version::DataVersion;
pub use group::{
    GetConsumerListByGroupResponseBody, GroupList, SubscriptionGroupConfig,
    SubscriptionGroupWrapper,
};
pub use heartbeat::{
    expression_type, ConsumeFromWhere, ConsumeType, ConsumerData, HeartbeatData, MessageModel,
    ProducerData, SubscriptionData, SUB_ALL,
};
pub use kv::KVTable;
pub use lock::{LockBatchRequestBody, LockBatchResponseBody, UnlockBatchRequestBody};
pub use message_queue::MessageQueue;
pub use offset::{
    format_local_millis, ConsumerOffsetSerializeWrapper, DelayOffsetSerializeWrapper,
    QueryConsumeTimeSpanBody, QueryCorrectionOffsetBody, QueueTimeSpan, ResetOffsetBody,
};
pub use query::{ConsumeQueueData, QueryConsumeQueueResponseBody};
pub use register::{RegisterBrokerBody, MAX_INFLATED};
pub use route::{
    BrokerData, ClusterInfo, QueueData, TopicRouteData, MASTER_ID, STANDARD_JSON_MIN_VERSION,
};
pub use stats::{
    BrokerStatsData, BrokerStatsItem, ConsumeStats, ConsumeStatsList, OffsetWrapper, TopicOffset,
    TopicStatsTable,
};
pub use topic::{
    perm, TopicConfig, TopicConfigSerializeWrapper, TopicFilterType, TopicList, DEFAULT_QUEUE_NUMS,
};

/// Errors decoding a body.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The JSON is malformed or does not fit the type.
    #[error("invalid JSON body: {0}")]
    Json(#[from] fastjson::Error),
    /// The compressed `RegisterBrokerBody` is malformed.
    #[error("invalid compressed register body: {0}")]
    Compressed(String),
    /// A `TopicConfig.encode()` line is malformed.
    #[error("invalid topic config text {0:?}")]
    TopicConfigText(String),
    /// `Properties.load` would throw.
    #[error("invalid properties text: {0}")]
    Properties(String),
}

/// A body that travels as fastjson JSON (`RemotingSerializable`).
pub trait JsonBody: Serialize + DeserializeOwned + Sized {
    /// `encode()`: compact fastjson bytes.
    ///
    /// Body types have no fallible `Serialize` code, so this cannot fail for them; should a
    /// custom implementation fail, the error is logged and an empty body returned.
    fn encode(&self) -> Vec<u8> {
        match fastjson::to_vec(self) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!("cannot encode body {}: {e}", std::any::type_name::<Self>());
                Vec::new()
            }
        }
    }

    /// `toJson()`: compact fastjson text.
    fn to_json(&self) -> String {
        String::from_utf8(self.encode()).unwrap_or_default()
    }

    /// `toJson(true)`: pretty text, as the broker's config files.
    fn to_json_pretty(&self) -> String {
        match fastjson::to_string_pretty(self) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("cannot encode body {}: {e}", std::any::type_name::<Self>());
                String::new()
            }
        }
    }

    /// `decode(bytes, Class)`.
    fn decode(bytes: &[u8]) -> Result<Self, BodyError> {
        Ok(fastjson::from_slice(bytes)?)
    }
}

macro_rules! json_bodies {
    ($($t:ty),* $(,)?) => {$( impl JsonBody for $t {} )*};
}

json_bodies!(
    ClusterAclVersionInfo,
    Connection,
    ConsumerConnection,
    ProducerConnection,
    ProducerInfo,
    ProducerTableInfo,
    CheckClientRequestBody,
    ConsumeMessageDirectlyResult,
    ConsumeStatus,
    ConsumerRunningInfo,
    ProcessQueueInfo,
    DataVersion,
    GetConsumerListByGroupResponseBody,
    GroupList,
    SubscriptionGroupConfig,
    SubscriptionGroupWrapper,
    ConsumerData,
    HeartbeatData,
    ProducerData,
    SubscriptionData,
    KVTable,
    LockBatchRequestBody,
    LockBatchResponseBody,
    UnlockBatchRequestBody,
    MessageQueue,
    ConsumerOffsetSerializeWrapper,
    DelayOffsetSerializeWrapper,
    QueryConsumeTimeSpanBody,
    QueryCorrectionOffsetBody,
    QueueTimeSpan,
    ResetOffsetBody,
    ConsumeQueueData,
    QueryConsumeQueueResponseBody,
    RegisterBrokerBody,
    BrokerData,
    ClusterInfo,
    QueueData,
    TopicRouteData,
    BrokerStatsData,
    BrokerStatsItem,
    ConsumeStats,
    ConsumeStatsList,
    OffsetWrapper,
    TopicOffset,
    TopicStatsTable,
    TopicConfig,
    TopicConfigSerializeWrapper,
    TopicList,
);

/// Milliseconds since the Unix epoch (`System.currentTimeMillis()`).
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
