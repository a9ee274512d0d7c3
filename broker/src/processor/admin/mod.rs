//! The broker's default processor: every request code Java's `AdminBrokerProcessor` answers
//! that has no dedicated processor here (mirrors
//! `broker/.../processor/AdminBrokerProcessor.java`; its helpers `Broker2Client`,
//! `RebalanceLockManager`, `Configuration` and `prepareRuntimeInfo` live in the submodules).
//!
//! [`process`] is reached from the dispatch table's default branch, so unknown codes get
//! Java's `getUnknownCmdResponse` (code 3, `" request type N not supported"`), and so does
//! PULL_MESSAGE on the VIP port (T17).
//!
//! | file | codes |
//! |---|---|
//! | `topics` | 17, 21, 215, 305, 306, 316, 329 |
//! | `groups` | 200, 201, 203, 204, 207, 300, 328 |
//! | `stats` | 43, 45, 202, 208, 303, 308, 314, 315, 317, 321 |
//! | `config` | 25, 26 |
//! | `runtime` | 28 |
//! | `client_call` | 222, 223, 307, 309 (broker → client calls) |
//! | `lock` | 41, 42 |
//! | `acl` | 50-54 (answered as a broker with `aclEnable=false`) |
//! | `half` | 323 |
//!
//! Java leaves the remark `"not set any response code"` on some successful replies
//! (`createResponseCommand(null)` followed by `setCode(SUCCESS)` only): T14 for
//! UPDATE_AND_CREATE_TOPIC, and the same for INVOKE_BROKER_TO_RESET_OFFSET,
//! INVOKE_BROKER_TO_GET_CONSUMER_STATUS and QUERY_CONSUME_QUEUE. We do the same.

mod acl;
mod client_call;
mod config;
mod groups;
mod half;
mod lock;
mod runtime;
mod state;
mod stats;
mod topics;
mod version;

use std::sync::Arc;

use protocol::code::{request, response};
use protocol::fastjson::java_string_hash;
use protocol::fastjson::order::{self, JavaMapKind};
use protocol::RemotingCommand;

use super::{unknown_code, Reply, RequestContext};
use crate::config::BrokerRole;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};

pub use state::AdminState;

/// `RemotingCommand.createResponseCommand(null)`'s remark, left on replies that only set
/// the code.
pub const NOT_SET_ANY_RESPONSE_CODE: &str = "not set any response code";

/// Entry point: every code not routed to another processor.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    match req.code {
        request::UPDATE_AND_CREATE_TOPIC => {
            topics::update_and_create_topic(broker, ctx, &req).await
        }
        request::DELETE_TOPIC_IN_BROKER => topics::delete_topic(broker, ctx, &req),
        request::GET_ALL_TOPIC_CONFIG => topics::get_all_topic_config(broker, ctx),
        request::UPDATE_BROKER_CONFIG => config::update_broker_config(broker, ctx, &req).await,
        request::GET_BROKER_CONFIG => config::get_broker_config(broker),
        request::GET_BROKER_RUNTIME_INFO => runtime::get_broker_runtime_info(broker),
        request::LOCK_BATCH_MQ => lock::lock_batch_mq(broker, &req),
        request::UNLOCK_BATCH_MQ => lock::unlock_batch_mq(broker, &req),
        request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP => {
            groups::update_and_create_subscription_group(broker, ctx, &req)
        }
        request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG => {
            groups::get_all_subscription_group(broker, ctx)
        }
        request::DELETE_SUBSCRIPTIONGROUP => groups::delete_subscription_group(broker, ctx, &req),
        request::GET_TOPIC_STATS_INFO => stats::get_topic_stats_info(broker, &req),
        request::GET_CONSUMER_CONNECTION_LIST => groups::get_consumer_connection_list(broker, &req),
        request::GET_PRODUCER_CONNECTION_LIST => groups::get_producer_connection_list(broker, &req),
        request::GET_ALL_PRODUCER_INFO => groups::get_all_producer_info(broker),
        request::GET_CONSUME_STATS => stats::get_consume_stats(broker, &req),
        request::GET_ALL_CONSUMER_OFFSET => stats::get_all_consumer_offset(broker, ctx),
        request::GET_ALL_DELAY_OFFSET => stats::get_all_delay_offset(broker),
        request::INVOKE_BROKER_TO_RESET_OFFSET => {
            client_call::reset_offset(broker, ctx, &req).await
        }
        request::INVOKE_BROKER_TO_GET_CONSUMER_STATUS => {
            client_call::get_consumer_status(broker, ctx, &req).await
        }
        request::QUERY_TOPIC_CONSUME_BY_WHO => groups::query_topic_consume_by_who(broker, &req),
        request::QUERY_CONSUME_TIME_SPAN => stats::query_consume_time_span(broker, &req),
        request::GET_SYSTEM_TOPIC_LIST_FROM_BROKER => topics::get_system_topic_list(broker),
        request::CLEAN_EXPIRED_CONSUMEQUEUE => topics::clean_expired_consume_queue(broker),
        request::DELETE_EXPIRED_COMMITLOG => topics::delete_expired_commit_log(broker),
        request::CLEAN_UNUSED_TOPIC => topics::clean_unused_topic(broker),
        request::GET_CONSUMER_RUNNING_INFO => {
            client_call::get_consumer_running_info(broker, req).await
        }
        request::QUERY_CORRECTION_OFFSET => stats::query_correction_offset(broker, &req),
        request::CONSUME_MESSAGE_DIRECTLY => {
            client_call::consume_message_directly(broker, req).await
        }
        request::CLONE_GROUP_OFFSET => stats::clone_group_offset(broker, &req),
        request::VIEW_BROKER_STATS_DATA => stats::view_broker_stats_data(&req),
        request::GET_BROKER_CONSUME_STATS => stats::fetch_all_consume_stats_in_broker(broker, &req),
        request::QUERY_CONSUME_QUEUE => stats::query_consume_queue(broker, &req),
        request::UPDATE_AND_CREATE_ACL_CONFIG
        | request::DELETE_ACL_CONFIG
        | request::GET_BROKER_CLUSTER_ACL_INFO
        | request::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG
        | request::GET_BROKER_CLUSTER_ACL_CONFIG => acl::process(broker, ctx, &req),
        request::RESUME_CHECK_HALF_MESSAGE => half::resume_check_half_message(broker, &req).await,
        code => Ok(Some(unknown_code(code))),
    }
}

/// `keys` (given in insertion order, duplicates ignored) in the iteration order of a Java
/// `HashMap`/`HashSet`/`ConcurrentHashMap` of `kind` that had them inserted in that order:
/// by bucket of the spread `String.hashCode()`, insertion order within a bucket.
fn java_hash_order(keys: impl IntoIterator<Item = String>, kind: JavaMapKind) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<String> = keys
        .into_iter()
        .filter(|k| seen.insert(k.clone()))
        .collect();
    let mask = order::capacity(kind, unique.len()).saturating_sub(1);
    let mut indexed: Vec<(usize, String)> = unique.into_iter().enumerate().collect();
    indexed.sort_by_key(|(i, k)| {
        let h = java_string_hash(k) as u32;
        (u64::from(h ^ (h >> 16)) & mask, *i)
    });
    indexed.into_iter().map(|(_, k)| k).collect()
}

/// `response.setCode(SUCCESS); response.setRemark(null)`.
fn success_null_remark() -> RemotingCommand {
    RemotingCommand::response(response::SUCCESS, None)
}

/// `response.setCode(SUCCESS)` on a `createResponseCommand(null)` reply (remark left as is).
fn success_leftover_remark() -> RemotingCommand {
    RemotingCommand::response(
        response::SUCCESS,
        Some(NOT_SET_ANY_RESPONSE_CODE.to_string()),
    )
}

/// `validateSlave`: topic and group changes must go to the master.
fn validate_slave(broker: &BrokerController) -> BrokerResult<()> {
    if broker.store_config().broker_role == BrokerRole::Slave {
        return Err(BrokerError::IllegalRequest(
            "Can't modify topic or subscription group from slave broker, please execute it from master broker."
                .to_string(),
        ));
    }
    Ok(())
}

/// `MessageStore.getMessageStoreTimeStamp(topic, queueId, consumeQueueOffset)`: the store
/// time of the message at a queue offset, -1 if there is none.
fn store_timestamp(broker: &BrokerController, topic: &str, queue_id: i32, offset: i64) -> i64 {
    if offset < 0 {
        return -1;
    }
    if let Some(store) = broker.store().default_store() {
        return store.get_message_store_timestamp(topic, queue_id, offset);
    }
    // Other stores: read the record and take its STORETIMESTAMP.
    broker
        .store()
        .get_message("", topic, queue_id, offset, 1, None)
        .and_then(|r| r.messages.into_iter().next())
        .and_then(|m| {
            protocol::message::codec::parse_view(&m.data)
                .ok()
                .map(|v| v.header.store_timestamp)
        })
        .unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_order_keeps_insertion_order_within_a_bucket() {
        // "AdminTopic" and "%RETRY%AdminCG" share bucket 8 of a 16-slot table.
        let a = java_hash_order(
            ["AdminTopic".to_string(), "%RETRY%AdminCG".to_string()],
            JavaMapKind::HashMap { initial: 16 },
        );
        assert_eq!(a, ["AdminTopic", "%RETRY%AdminCG"]);
        let b = java_hash_order(
            [
                "%RETRY%AdminCG".to_string(),
                "AdminTopic".to_string(),
                "AdminTopic".to_string(),
            ],
            JavaMapKind::HashMap { initial: 16 },
        );
        assert_eq!(b, ["%RETRY%AdminCG", "AdminTopic"]);
    }
}
