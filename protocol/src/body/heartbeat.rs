//! HEART_BEAT body: `HeartbeatData`, `ProducerData`, `ConsumerData`, `SubscriptionData` and
//! the consumer enums.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::now_millis;
use crate::fastjson::order;

/// `ExpressionType` constants.
pub mod expression_type {
    /// SQL92 filter.
    pub const SQL92: &str = "SQL92";
    /// Tag filter (`"TagA || TagB"`, `*`).
    pub const TAG: &str = "TAG";

    /// `isTagType`: null, empty or `TAG`.
    pub fn is_tag_type(t: Option<&str>) -> bool {
        matches!(t, None | Some("") | Some(TAG))
    }
}

/// `ConsumeType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsumeType {
    /// Pull consumer.
    ConsumeActively,
    /// Push consumer.
    ConsumePassively,
}

/// `MessageModel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageModel {
    /// Every consumer gets every message.
    Broadcasting,
    /// Load-balanced.
    Clustering,
}

/// `ConsumeFromWhere` (ordinals as in Java, deprecated names included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsumeFromWhere {
    /// `CONSUME_FROM_LAST_OFFSET`.
    ConsumeFromLastOffset,
    /// Deprecated.
    ConsumeFromLastOffsetAndFromMinWhenBootFirst,
    /// Deprecated.
    ConsumeFromMinOffset,
    /// Deprecated.
    ConsumeFromMaxOffset,
    /// `CONSUME_FROM_FIRST_OFFSET`.
    ConsumeFromFirstOffset,
    /// `CONSUME_FROM_TIMESTAMP`.
    ConsumeFromTimestamp,
}

/// `SubscriptionData`. `filterClassSource` is read but never written
/// (`@JSONField(serialize = false)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscriptionData {
    /// Class filter mode (legacy).
    pub class_filter_mode: bool,
    /// Topic.
    pub topic: String,
    /// Expression (`"*"`, `"TagA || TagB"`, SQL).
    pub sub_string: String,
    /// Tags (`HashSet<String>`).
    #[serde(serialize_with = "order::hash_set")]
    pub tags_set: HashSet<String>,
    /// Tag hash codes (`HashSet<Integer>`).
    #[serde(serialize_with = "order::hash_set")]
    pub code_set: HashSet<i32>,
    /// Version (defaults to now).
    pub sub_version: i64,
    /// `TAG` or `SQL92`.
    pub expression_type: String,
    /// Never serialized.
    #[serde(skip_serializing)]
    pub filter_class_source: Option<String>,
}

/// `SubscriptionData.SUB_ALL`.
pub const SUB_ALL: &str = "*";

impl Default for SubscriptionData {
    fn default() -> Self {
        SubscriptionData {
            class_filter_mode: false,
            topic: String::new(),
            sub_string: String::new(),
            tags_set: HashSet::new(),
            code_set: HashSet::new(),
            sub_version: now_millis(),
            expression_type: expression_type::TAG.to_owned(),
            filter_class_source: None,
        }
    }
}

impl SubscriptionData {
    /// `FilterAPI.buildSubscriptionData(topic, subString)`: `*`/empty subscribes all,
    /// otherwise the expression splits on `||`, each tag trimmed, with its Java hash code.
    pub fn from_tag_expression(topic: impl Into<String>, sub_string: &str) -> Self {
        let mut data = SubscriptionData {
            topic: topic.into(),
            sub_string: sub_string.to_owned(),
            ..Default::default()
        };
        if sub_string.is_empty() || sub_string == SUB_ALL {
            data.sub_string = SUB_ALL.to_owned();
        } else {
            for tag in sub_string.split("||") {
                let tag = tag.trim();
                if !tag.is_empty() {
                    data.code_set.insert(crate::fastjson::java_string_hash(tag));
                    data.tags_set.insert(tag.to_owned());
                }
            }
        }
        data
    }
}

/// `ProducerData`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProducerData {
    /// Producer group.
    pub group_name: String,
}

/// `ConsumerData`. The enums are `None` when absent or unknown (Java: `null`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumerData {
    /// Consumer group.
    pub group_name: String,
    /// Pull or push.
    #[serde(deserialize_with = "crate::fastjson::lenient")]
    pub consume_type: Option<ConsumeType>,
    /// Broadcasting or clustering.
    #[serde(deserialize_with = "crate::fastjson::lenient")]
    pub message_model: Option<MessageModel>,
    /// Where a new consumer starts.
    #[serde(deserialize_with = "crate::fastjson::lenient")]
    pub consume_from_where: Option<ConsumeFromWhere>,
    /// Subscriptions (`HashSet<SubscriptionData>`, order kept).
    #[serde(serialize_with = "order::set")]
    pub subscription_data_set: Vec<SubscriptionData>,
    /// Unit mode (`isUnitMode()`).
    pub unit_mode: bool,
}

/// `HeartbeatData` (HEART_BEAT request body).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HeartbeatData {
    /// Client id (`getClientID()`: `"clientID"`).
    #[serde(rename = "clientID")]
    pub client_id: String,
    /// Producer groups (`HashSet`, order kept).
    #[serde(serialize_with = "order::set")]
    pub producer_data_set: Vec<ProducerData>,
    /// Consumer groups (`HashSet`, order kept).
    #[serde(serialize_with = "order::set")]
    pub consumer_data_set: Vec<ConsumerData>,
}
