//! `MessageQueue`: `{"brokerName":…,"queueId":…,"topic":…}`, also used as a map key.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::fastjson::java_string_cmp;

/// `org.apache.rocketmq.common.message.MessageQueue`.
///
/// `Ord` is Java's `compareTo`: topic, then broker name, then queue id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MessageQueue {
    /// Topic.
    pub topic: String,
    /// Broker name.
    pub broker_name: String,
    /// Queue id.
    pub queue_id: i32,
}

impl MessageQueue {
    /// `new MessageQueue(topic, brokerName, queueId)`.
    pub fn new(topic: impl Into<String>, broker_name: impl Into<String>, queue_id: i32) -> Self {
        MessageQueue {
            topic: topic.into(),
            broker_name: broker_name.into(),
            queue_id,
        }
    }

    /// Java's `hashCode()`.
    pub fn java_hash_code(&self) -> i32 {
        let mut h: i32 = 1;
        h = h
            .wrapping_mul(31)
            .wrapping_add(crate::fastjson::java_string_hash(&self.broker_name));
        h = h.wrapping_mul(31).wrapping_add(self.queue_id);
        h.wrapping_mul(31)
            .wrapping_add(crate::fastjson::java_string_hash(&self.topic))
    }
}

impl PartialOrd for MessageQueue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for MessageQueue {
    fn cmp(&self, other: &Self) -> Ordering {
        java_string_cmp(&self.topic, &other.topic)
            .then_with(|| java_string_cmp(&self.broker_name, &other.broker_name))
            .then_with(|| self.queue_id.cmp(&other.queue_id))
    }
}
