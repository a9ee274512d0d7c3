//! QUERY_CONSUME_QUEUE reply: `QueryConsumeQueueResponseBody` and `ConsumeQueueData`.

use serde::{Deserialize, Serialize};

use super::SubscriptionData;

/// `ConsumeQueueData`: one consume queue unit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumeQueueData {
    /// Commitlog offset.
    pub physic_offset: i64,
    /// Message size.
    pub physic_size: i32,
    /// Tag hash code.
    pub tags_code: i64,
    /// Extension unit as JSON.
    pub extend_data_json: Option<String>,
    /// Bloom filter bits.
    pub bit_map: Option<String>,
    /// Filter result (`isEval()`).
    pub eval: bool,
    /// Message text.
    pub msg: Option<String>,
}

/// `QueryConsumeQueueResponseBody`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QueryConsumeQueueResponseBody {
    /// Subscription of the consumer group, if any.
    pub subscription_data: Option<SubscriptionData>,
    /// Filter data.
    pub filter_data: Option<String>,
    /// Units.
    pub queue_data: Vec<ConsumeQueueData>,
    /// Max index.
    pub max_queue_index: i64,
    /// Min index.
    pub min_queue_index: i64,
}
