//! Topic name rules and the system-topic sets (mirrors `common/.../topic/TopicValidator.java`
//! and the topic constants of `MixAll`).

use crate::error::BrokerError;

/// `AUTO_CREATE_TOPIC_KEY_TOPIC`: the template of auto-created topics.
pub const AUTO_CREATE_TOPIC_KEY_TOPIC: &str = "TBW102";
/// `RMQ_SYS_SCHEDULE_TOPIC`.
pub const RMQ_SYS_SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";
/// `RMQ_SYS_BENCHMARK_TOPIC`.
pub const RMQ_SYS_BENCHMARK_TOPIC: &str = "BenchmarkTest";
/// `RMQ_SYS_TRANS_HALF_TOPIC`.
pub const RMQ_SYS_TRANS_HALF_TOPIC: &str = "RMQ_SYS_TRANS_HALF_TOPIC";
/// `RMQ_SYS_TRACE_TOPIC`.
pub const RMQ_SYS_TRACE_TOPIC: &str = "RMQ_SYS_TRACE_TOPIC";
/// `RMQ_SYS_TRANS_OP_HALF_TOPIC`.
pub const RMQ_SYS_TRANS_OP_HALF_TOPIC: &str = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
/// `RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC`.
pub const RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: &str = "TRANS_CHECK_MAX_TIME_TOPIC";
/// `RMQ_SYS_SELF_TEST_TOPIC`.
pub const RMQ_SYS_SELF_TEST_TOPIC: &str = "SELF_TEST_TOPIC";
/// `RMQ_SYS_OFFSET_MOVED_EVENT`.
pub const RMQ_SYS_OFFSET_MOVED_EVENT: &str = "OFFSET_MOVED_EVENT";
/// `SYSTEM_TOPIC_PREFIX`.
pub const SYSTEM_TOPIC_PREFIX: &str = "rmq_sys_";
/// `MixAll.RETRY_GROUP_TOPIC_PREFIX`.
pub const RETRY_GROUP_TOPIC_PREFIX: &str = "%RETRY%";
/// `MixAll.DLQ_GROUP_TOPIC_PREFIX`.
pub const DLQ_GROUP_TOPIC_PREFIX: &str = "%DLQ%";
/// `MixAll.REPLY_TOPIC_POSTFIX`.
pub const REPLY_TOPIC_POSTFIX: &str = "REPLY_TOPIC";
/// `TopicValidator.TOPIC_MAX_LENGTH`.
pub const TOPIC_MAX_LENGTH: usize = 127;
/// `TopicConfigManager.SCHEDULE_TOPIC_QUEUE_NUM`.
pub const SCHEDULE_TOPIC_QUEUE_NUM: i32 = 18;

const BASE_SYSTEM_TOPICS: &[&str] = &[
    AUTO_CREATE_TOPIC_KEY_TOPIC,
    RMQ_SYS_SCHEDULE_TOPIC,
    RMQ_SYS_BENCHMARK_TOPIC,
    RMQ_SYS_TRANS_HALF_TOPIC,
    RMQ_SYS_TRACE_TOPIC,
    RMQ_SYS_TRANS_OP_HALF_TOPIC,
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
    RMQ_SYS_SELF_TEST_TOPIC,
    RMQ_SYS_OFFSET_MOVED_EVENT,
];

const NOT_ALLOWED_SEND_TOPICS: &[&str] = &[
    RMQ_SYS_SCHEDULE_TOPIC,
    RMQ_SYS_TRANS_HALF_TOPIC,
    RMQ_SYS_TRANS_OP_HALF_TOPIC,
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
    RMQ_SYS_SELF_TEST_TOPIC,
    RMQ_SYS_OFFSET_MOVED_EVENT,
];

/// `isTopicOrGroupIllegal`: any character outside `^[%|a-zA-Z0-9_-]+$`.
pub fn is_topic_or_group_illegal(s: &str) -> bool {
    s.chars()
        .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '%' | '|' | '_' | '-')))
}

/// `validateTopic`: blank, illegal characters, too long → SYSTEM_ERROR with Java's remark.
/// The length is counted in UTF-16 units as Java does (only ASCII passes the character
/// check anyway).
pub fn validate_topic(topic: &str) -> Result<(), BrokerError> {
    if topic.trim().is_empty() {
        return Err(BrokerError::IllegalRequest(
            "The specified topic is blank.".to_string(),
        ));
    }
    if is_topic_or_group_illegal(topic) {
        return Err(BrokerError::IllegalRequest(
            "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"
                .to_string(),
        ));
    }
    if topic.encode_utf16().count() > TOPIC_MAX_LENGTH {
        return Err(BrokerError::IllegalRequest(
            "The specified topic is longer than topic max length.".to_string(),
        ));
    }
    Ok(())
}

/// `isNotAllowedSendTopic` with its NO_PERMISSION remark.
pub fn check_send_allowed(topic: &str) -> Result<(), BrokerError> {
    if NOT_ALLOWED_SEND_TOPICS.contains(&topic) {
        return Err(BrokerError::NoPermission(format!(
            "Sending message to topic[{topic}] is forbidden."
        )));
    }
    Ok(())
}

/// `isSystemTopic` for the fixed set and the `rmq_sys_` prefix (the broker also adds the
/// cluster-, broker- and reply-topic names at start, see `TopicConfigManager`).
pub fn is_base_system_topic(topic: &str) -> bool {
    BASE_SYSTEM_TOPICS.contains(&topic) || topic.starts_with(SYSTEM_TOPIC_PREFIX)
}

/// `MixAll.getRetryTopic`.
pub fn retry_topic(group: &str) -> String {
    format!("{RETRY_GROUP_TOPIC_PREFIX}{group}")
}

/// `MixAll.getDLQTopic`.
pub fn dlq_topic(group: &str) -> String {
    format!("{DLQ_GROUP_TOPIC_PREFIX}{group}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_rules() {
        assert!(validate_topic("TopicTest").is_ok());
        assert!(validate_topic("%RETRY%g_1|x-y").is_ok());
        assert!(validate_topic("").is_err());
        assert!(validate_topic("a b").is_err());
        assert!(validate_topic("主题").is_err());
        assert!(validate_topic(&"a".repeat(127)).is_ok());
        assert!(validate_topic(&"a".repeat(128)).is_err());
        assert!(check_send_allowed("SCHEDULE_TOPIC_XXXX").is_err());
        assert!(check_send_allowed("TBW102").is_ok());
    }
}
