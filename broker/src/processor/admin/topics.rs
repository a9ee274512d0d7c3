//! Topic administration: UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215),
//! GET_ALL_TOPIC_CONFIG (21), GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305), and the store
//! housekeeping triggers CLEAN_EXPIRED_CONSUMEQUEUE (306), CLEAN_UNUSED_TOPIC (316),
//! DELETE_EXPIRED_COMMITLOG (329).
//!
//! Mirrors `updateAndCreateTopic`, `deleteTopic`, `getAllTopicConfig`,
//! `getSystemTopicListFromBroker`, `cleanExpiredConsumeQueue`, `cleanUnusedTopic` and
//! `deleteExpiredCommitLog` of `broker/.../processor/AdminBrokerProcessor.java`.

use std::collections::HashSet;
use std::sync::Arc;

use protocol::body::{JsonBody, TopicConfig, TopicFilterType};
use protocol::code::response;
use protocol::header::admin::{
    CreateTopicRequestHeader, DeleteTopicRequestHeader, GetAllTopicConfigResponseHeader,
};
use protocol::RemotingCommand;
use tracing::{info, warn};

use super::{java_hash_order, success_null_remark, validate_slave, NOT_SET_ANY_RESPONSE_CODE};
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::processor::{Reply, RequestContext};
use crate::topic::validator::{
    is_base_system_topic, validate_topic, AUTO_CREATE_TOPIC_KEY_TOPIC, RMQ_SYS_BENCHMARK_TOPIC,
    RMQ_SYS_OFFSET_MOVED_EVENT, RMQ_SYS_SCHEDULE_TOPIC, RMQ_SYS_SELF_TEST_TOPIC,
    RMQ_SYS_TRACE_TOPIC, RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC, RMQ_SYS_TRANS_HALF_TOPIC,
    RMQ_SYS_TRANS_OP_HALF_TOPIC, SYSTEM_TOPIC_PREFIX,
};
use protocol::fastjson::order::JavaMapKind;

/// `TopicValidator.SYSTEM_TOPIC_SET` as initialised statically.
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

/// `MixAll.LMQ_PREFIX`.
const LMQ_PREFIX: &str = "%LMQ%";

/// `TopicValidator.isSystemTopic(topic, response)`: the built-in set, the `rmq_sys_` prefix,
/// and the topics the broker registered as system topics at start (cluster name, broker
/// name, reply topic, trace topic).
fn check_not_system_topic(broker: &BrokerController, topic: &str) -> BrokerResult<()> {
    if is_base_system_topic(topic)
        || topic.starts_with(SYSTEM_TOPIC_PREFIX)
        || broker.topic_config_manager.is_system_topic(topic)
    {
        return Err(BrokerError::IllegalRequest(format!(
            "The topic[{topic}] is conflict with system topic."
        )));
    }
    Ok(())
}

/// UPDATE_AND_CREATE_TOPIC: create or replace the topic, persist, and register the change
/// with every namesrv before answering (Java: `registerIncrementBrokerData`, synchronous).
/// Success carries Java's leftover remark `"not set any response code"` (T14).
pub async fn update_and_create_topic(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    validate_slave(broker)?;
    let h: CreateTopicRequestHeader = req.decode_header()?;
    info!(peer = %ctx.remote_addr(), topic = %h.topic, "updateAndCreateTopic called");
    validate_topic(&h.topic)?;
    check_not_system_topic(broker, &h.topic)?;
    let filter = TopicFilterType::from_name(&h.topic_filter_type).ok_or_else(|| {
        BrokerError::IllegalRequest(format!(
            "java.lang.IllegalArgumentException: No enum constant org.apache.rocketmq.common.TopicFilterType.{}",
            h.topic_filter_type
        ))
    })?;
    let tc = TopicConfig {
        topic_name: h.topic.clone(),
        read_queue_nums: h.read_queue_nums,
        write_queue_nums: h.write_queue_nums,
        perm: h.perm,
        topic_filter_type: filter,
        topic_sys_flag: h.topic_sys_flag.unwrap_or(0),
        order: false,
    };
    broker.topic_config_manager.update_topic_config(tc);
    broker.register_broker_all(true, false).await;
    Ok(Some(RemotingCommand::response(
        response::SUCCESS,
        Some(NOT_SET_ANY_RESPONSE_CODE.to_string()),
    )))
}

/// DELETE_TOPIC_IN_BROKER: drop the topic's config, then let the store delete the queues of
/// every topic that no longer has a config (`cleanUnusedTopic`). `%LMQ%` topics only lose
/// their queues.
pub fn delete_topic(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    validate_slave(broker)?;
    let h: DeleteTopicRequestHeader = req.decode_header()?;
    info!(peer = %ctx.remote_addr(), topic = %h.topic, "deleteTopic called");
    validate_topic(&h.topic)?;
    check_not_system_topic(broker, &h.topic)?;
    if h.topic.starts_with(LMQ_PREFIX) {
        if let Some(store) = broker.store().default_store() {
            store.delete_topic(&h.topic);
        }
        return Ok(Some(success_null_remark()));
    }
    broker.topic_config_manager.delete_topic_config(&h.topic);
    clean_unused_topics(broker);
    Ok(Some(success_null_remark()))
}

/// `messageStore.cleanUnusedTopic(topicConfigTable.keySet())`.
fn clean_unused_topics(broker: &BrokerController) {
    if let Some(store) = broker.store().default_store() {
        let keep: HashSet<String> = broker
            .topic_config_manager
            .topic_names()
            .into_iter()
            .collect();
        store.clean_unused_topic(&keep);
    }
}

/// GET_ALL_TOPIC_CONFIG: `TopicConfigSerializeWrapper` JSON, with an empty response header
/// (`"extFields":{}`).
pub fn get_all_topic_config(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
) -> BrokerResult<Reply> {
    let wrapper = broker.topic_config_manager.build_serialize_wrapper();
    let body = wrapper.encode();
    if body.is_empty() {
        warn!(peer = %ctx.remote_addr(), "No topic in this broker");
        return Err(BrokerError::IllegalRequest(
            "No topic in this broker".to_string(),
        ));
    }
    Ok(Some(
        RemotingCommand::response_with(response::SUCCESS, &GetAllTopicConfigResponseHeader {})
            .with_body(body),
    ))
}

/// GET_SYSTEM_TOPIC_LIST_FROM_BROKER: `TopicValidator.getSystemTopicSet()` as a TopicList
/// (the built-in set plus what the broker added at start).
pub fn get_system_topic_list(broker: &Arc<BrokerController>) -> BrokerResult<Reply> {
    // The static set first, then what `TopicConfigManager` added at start, in Java's
    // insertion order, so colliding buckets iterate as in Java's `HashSet`.
    let inserted = BASE_SYSTEM_TOPICS
        .iter()
        .map(|t| (*t).to_string())
        .chain(broker.topic_config_manager.system_topics());
    let list = OrderedTopicList {
        topic_list: java_hash_order(inserted, JavaMapKind::HashMap { initial: 16 }),
    };
    let body = protocol::fastjson::to_vec(&list)
        .map_err(|e| BrokerError::IllegalRequest(format!("encode TopicList: {e}")))?;
    Ok(Some(success_null_remark().with_body(body)))
}

/// `TopicList` with the set's iteration order decided here (see [`java_hash_order`]).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderedTopicList {
    #[serde(serialize_with = "protocol::fastjson::order::set")]
    topic_list: Vec<String>,
}

/// CLEAN_EXPIRED_CONSUMEQUEUE.
pub fn clean_expired_consume_queue(broker: &Arc<BrokerController>) -> BrokerResult<Reply> {
    warn!("invoke cleanExpiredConsumeQueue start.");
    if let Some(store) = broker.store().default_store() {
        store.clean_expired_consumer_queue();
    }
    warn!("invoke cleanExpiredConsumeQueue end.");
    Ok(Some(success_null_remark()))
}

/// DELETE_EXPIRED_COMMITLOG (`executeDeleteFilesManually`).
pub fn delete_expired_commit_log(broker: &Arc<BrokerController>) -> BrokerResult<Reply> {
    warn!("invoke deleteExpiredCommitLog start.");
    if let Some(store) = broker.store().default_store() {
        store.execute_delete_files_manually();
    }
    warn!("invoke deleteExpiredCommitLog end.");
    Ok(Some(success_null_remark()))
}

/// CLEAN_UNUSED_TOPIC.
pub fn clean_unused_topic(broker: &Arc<BrokerController>) -> BrokerResult<Reply> {
    warn!("invoke cleanUnusedTopic start.");
    clean_unused_topics(broker);
    warn!("invoke cleanUnusedTopic end.");
    Ok(Some(success_null_remark()))
}
