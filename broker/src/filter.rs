//! Broker-side message filtering for pulls (mirrors `broker/.../filter/ExpressionMessageFilter.java`
//! for TAG subscriptions): a consume-queue entry matches when the subscription is `*`, has
//! class-filter mode, or its `codeSet` contains the entry's tags hash code.
//!
//! SQL92 subscriptions are refused earlier (`enablePropertyFilter=false`, Java's default); a
//! SQL92 evaluator can be plugged in by implementing `store::message::MessageFilter`.

use std::collections::HashSet;

use crate::body::SubscriptionData;

/// `SubscriptionData.SUB_ALL`.
pub const SUB_ALL: &str = "*";
/// `ExpressionType.TAG`.
pub const EXPRESSION_TYPE_TAG: &str = "TAG";

/// `ExpressionType.isTagType`: null, empty or "TAG".
pub fn is_tag_type(expression_type: Option<&str>) -> bool {
    match expression_type {
        None => true,
        Some(t) => t.is_empty() || t == EXPRESSION_TYPE_TAG,
    }
}

/// A TAG filter built from a subscription.
#[derive(Debug, Clone)]
pub struct TagMessageFilter {
    match_all: bool,
    codes: HashSet<i32>,
}

impl TagMessageFilter {
    /// From the consumer's subscription.
    pub fn new(sub: &SubscriptionData) -> Self {
        TagMessageFilter {
            match_all: sub.class_filter_mode
                || sub.sub_string == SUB_ALL
                || sub.sub_string.is_empty(),
            codes: sub.code_set.iter().copied().collect(),
        }
    }

    /// A filter that passes everything.
    pub fn all() -> Self {
        TagMessageFilter {
            match_all: true,
            codes: HashSet::new(),
        }
    }

    /// `isMatchedByConsumeQueue` on a tags hash code.
    pub fn matches(&self, tags_code: i64) -> bool {
        self.match_all || self.codes.contains(&(tags_code as i32))
    }
}

impl store::message::MessageFilter for TagMessageFilter {
    fn is_matched_by_consume_queue(&self, tags_code: i64) -> bool {
        self.matches(tags_code)
    }
    fn is_matched_by_commit_log(&self, _msg_bytes: &[u8]) -> bool {
        true
    }
}

/// `FilterAPI.build`: a TAG subscription from its expression (`"TagA || TagB"`, `"*"`).
pub fn build_subscription(
    topic: &str,
    sub_string: Option<&str>,
    expression_type: Option<&str>,
) -> SubscriptionData {
    let mut sd = SubscriptionData {
        topic: topic.to_string(),
        expression_type: expression_type
            .filter(|t| !t.is_empty())
            .unwrap_or(EXPRESSION_TYPE_TAG)
            .to_string(),
        ..SubscriptionData::default()
    };
    let s = sub_string.map(str::trim).unwrap_or("");
    if s.is_empty() || s == SUB_ALL {
        sd.sub_string = SUB_ALL.to_string();
    } else {
        sd.sub_string = s.to_string();
        if is_tag_type(Some(&sd.expression_type)) {
            for tag in s.split("||").map(str::trim).filter(|t| !t.is_empty()) {
                sd.tags_set.insert(tag.to_string());
                sd.code_set.insert(protocol::message::java_string_hash(tag));
            }
        }
    }
    sd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_matching() {
        let sd = build_subscription("T", Some("TagA || TagB"), None);
        let f = TagMessageFilter::new(&sd);
        assert!(f.matches(2598919));
        assert!(f.matches(2598920));
        assert!(!f.matches(42));
        assert!(TagMessageFilter::new(&build_subscription("T", Some("*"), Some("TAG"))).matches(7));
    }
}
