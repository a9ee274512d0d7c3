//! Queue lock bodies: LOCK_BATCH_MQ and UNLOCK_BATCH_MQ.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::MessageQueue;
use crate::fastjson::order;

/// `LockBatchRequestBody`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LockBatchRequestBody {
    /// Consumer group.
    pub consumer_group: String,
    /// Client id.
    pub client_id: String,
    /// Queues to lock (`HashSet`).
    #[serde(serialize_with = "order::hash_set")]
    pub mq_set: HashSet<MessageQueue>,
}

/// `LockBatchResponseBody`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LockBatchResponseBody {
    /// Queues locked (`getLockOKMQSet()`: `"lockOKMQSet"`).
    #[serde(rename = "lockOKMQSet", serialize_with = "order::hash_set")]
    pub lock_ok_mq_set: HashSet<MessageQueue>,
}

/// `UnlockBatchRequestBody`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UnlockBatchRequestBody {
    /// Consumer group.
    pub consumer_group: String,
    /// Client id.
    pub client_id: String,
    /// Queues to unlock (`HashSet`).
    #[serde(serialize_with = "order::hash_set")]
    pub mq_set: HashSet<MessageQueue>,
}
