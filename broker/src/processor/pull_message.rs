//! PULL_MESSAGE (11), main port only (mirrors `broker/.../processor/PullMessageProcessor.java`).
//!
//! Checks: broker readable, subscription group (auto-created) and consume enabled, topic
//! exists and readable, queue id in range, subscription (from the request when the
//! SUBSCRIPTION flag is set, else the one registered by the heartbeat, which must be at least
//! as new as the request's `subVersion`). Then the store is read with a TAG filter and the
//! `GetMessageStatus` maps to the response code (remark = status name, protocol.md §7).
//! With nothing to return and the SUSPEND flag set, the request parks in the
//! [`PullRequestHoldService`](crate::longpolling::PullRequestHoldService) until a matching
//! message arrives or `suspendTimeoutMillis` ends, then the pull runs once more without
//! suspension. The commit offset carried by the pull is stored when the COMMIT_OFFSET flag is
//! set (on a master).

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use protocol::code::response;
use protocol::header::pull::{PullMessageRequestHeader, PullMessageResponseHeader};
use protocol::message::sysflag::pull as pull_flag;
use protocol::RemotingCommand;
use store::config::BrokerRole;
use store::message::GetMessageStatus;
use tracing::{debug, info};

use super::{Reply, RequestContext};
use crate::body::SubscriptionData;
use crate::config::perm;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult, FAQ_APPLY_TOPIC, FAQ_SUFFIX};
use crate::filter::{build_subscription, is_tag_type};
use crate::filter_sql::ExpressionMessageFilter;

/// Longest suspension honoured (a cap on client-supplied values).
const SUSPEND_MAX: Duration = Duration::from_secs(60);

/// Entry point for code 11.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    let h: PullMessageRequestHeader = req.decode_header()?;
    match pull_once(broker, ctx, &h, true)? {
        Outcome::Reply(r) => Ok(Some(r)),
        Outcome::Suspend { filter, timeout } => {
            let woken = broker
                .pull_hold
                .suspend(&h.topic, h.queue_id, h.queue_offset, filter);
            let mut stop = broker.shutdown_signal();
            tokio::select! {
                _ = woken => {}
                _ = tokio::time::sleep(timeout) => {}
                _ = ctx.channel.closed() => return Ok(None),
                _ = stop.wait_for(|s| *s) => {}
            }
            match pull_once(broker, ctx, &h, false)? {
                Outcome::Reply(r) => Ok(Some(r)),
                Outcome::Suspend { .. } => Ok(None),
            }
        }
    }
}

enum Outcome {
    Reply(RemotingCommand),
    Suspend {
        filter: Arc<ExpressionMessageFilter>,
        timeout: Duration,
    },
}

/// One pass of `PullMessageProcessor.processRequest(channel, request, brokerAllowSuspend)`.
fn pull_once(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    h: &PullMessageRequestHeader,
    allow_suspend: bool,
) -> BrokerResult<Outcome> {
    let (broker_perm, broker_ip1, long_polling, short_polling_ms, slave_read, property_filter) = {
        let b = broker.broker_config();
        (
            b.broker_permission,
            b.broker_ip1.clone(),
            b.long_polling_enable,
            b.short_polling_time_mills,
            b.slave_read_enable,
            b.enable_property_filter,
        )
    };
    if !perm::is_readable(broker_perm) {
        return Err(BrokerError::NoPermission(format!(
            "the broker[{broker_ip1}] pulling message is forbidden"
        )));
    }
    let Some(sgc) = broker.subscription_group_manager.find(&h.consumer_group) else {
        return Err(BrokerError::SubscriptionGroupNotExist(format!(
            "subscription group [{}] does not exist, {}",
            h.consumer_group, FAQ_SUFFIX
        )));
    };
    if !sgc.consume_enable {
        return Err(BrokerError::NoPermission(format!(
            "subscription group no permission, {}",
            h.consumer_group
        )));
    }
    let has_suspend = pull_flag::has_suspend(h.sys_flag);
    let has_commit_offset = pull_flag::has_commit_offset(h.sys_flag);
    let has_subscription = pull_flag::has_subscription(h.sys_flag);

    let Some(tc) = broker.topic_config_manager.select(&h.topic) else {
        return Err(BrokerError::TopicNotExist(format!(
            "topic[{}] not exist, apply first please! {}",
            h.topic, FAQ_APPLY_TOPIC
        )));
    };
    if !perm::is_readable(tc.perm) {
        return Err(BrokerError::NoPermission(format!(
            "the topic[{}] pulling message is forbidden",
            h.topic
        )));
    }
    if h.queue_id < 0 || h.queue_id >= tc.read_queue_nums {
        return Err(BrokerError::IllegalRequest(format!(
            "queueId[{}] is illegal, topic:[{}] topicConfig.readQueueNums:[{}] consumer:[{}]",
            h.queue_id,
            h.topic,
            tc.read_queue_nums,
            // Java prints the InetSocketAddress, with its leading slash.
            format_args!("/{}", ctx.remote_addr())
        )));
    }

    let subscription: SubscriptionData = if has_subscription {
        build_subscription(
            &h.topic,
            h.subscription.as_deref(),
            h.expression_type.as_deref(),
        )
    } else {
        let Some(group) = broker.consumer_manager.group_info(&h.consumer_group) else {
            return Err(BrokerError::SubscriptionNotExist(format!(
                "the consumer's group info not exist{FAQ_SUFFIX}"
            )));
        };
        if !sgc.consume_broadcast_enable
            && group.message_model == Some(crate::body::MessageModel::Broadcasting)
        {
            return Err(BrokerError::NoPermission(format!(
                "the consumer group[{}] can not consume by broadcast way",
                h.consumer_group
            )));
        }
        let Some(sd) = group.find_subscription_data(&h.topic).cloned() else {
            return Err(BrokerError::SubscriptionNotExist(format!(
                "the consumer's subscription not exist{FAQ_SUFFIX}"
            )));
        };
        if sd.sub_version < h.sub_version {
            return Err(BrokerError::SubscriptionNotLatest(
                "the consumer's subscription not latest".to_string(),
            ));
        }
        sd
    };
    let filter_data =
        crate::filter_sql::resolve_filter_data(broker, h, has_subscription, &subscription)?;
    if !is_tag_type(Some(&subscription.expression_type)) && !property_filter {
        return Err(BrokerError::IllegalRequest(format!(
            "The broker does not support consumer to filter message by {}",
            subscription.expression_type
        )));
    }
    let filter = crate::filter_sql::pull_filter(broker, &subscription, filter_data);

    let role = broker.store_config().broker_role;
    let Some(r) = broker.store().get_message(
        &h.consumer_group,
        &h.topic,
        h.queue_id,
        h.queue_offset,
        h.max_msg_nums,
        Some(filter.as_ref() as &dyn store::message::MessageFilter),
    ) else {
        return Err(BrokerError::Store(
            "store getMessage return null".to_string(),
        ));
    };

    let mut code = match r.status {
        GetMessageStatus::Found => response::SUCCESS,
        GetMessageStatus::MessageWasRemoving | GetMessageStatus::NoMatchedMessage => {
            response::PULL_RETRY_IMMEDIATELY
        }
        GetMessageStatus::NoMatchedLogicQueue | GetMessageStatus::NoMessageInQueue => {
            if h.queue_offset != 0 {
                info!(topic = %h.topic, queue_id = h.queue_id, group = %h.consumer_group, request_offset = h.queue_offset, next = r.next_begin_offset, "the broker store no queue data, fix the request offset");
                response::PULL_OFFSET_MOVED
            } else {
                response::PULL_NOT_FOUND
            }
        }
        GetMessageStatus::OffsetFoundNull | GetMessageStatus::OffsetOverflowOne => {
            response::PULL_NOT_FOUND
        }
        GetMessageStatus::OffsetOverflowBadly | GetMessageStatus::OffsetTooSmall => {
            response::PULL_OFFSET_MOVED
        }
    };
    // Java sets PULL_RETRY_IMMEDIATELY here for a slave without slaveReadEnable, but its
    // status switch then overwrites the code: a 4.9.7 slave serves pulls either way (that is
    // how consumers keep reading while the master is down), only the suggestion differs.
    let mut suggest = match (slave_read, r.suggest_pulling_from_slave) {
        (true, true) => sgc.which_broker_when_consume_slowly,
        (true, false) => sgc.broker_id,
        (false, _) => 0,
    };
    if code == response::PULL_OFFSET_MOVED {
        if role == BrokerRole::Slave && !broker.store_config().offset_check_in_slave {
            suggest = sgc.broker_id;
            code = response::PULL_RETRY_IMMEDIATELY;
        } else {
            generate_offset_moved_event(broker, h, r.next_begin_offset);
        }
    }

    // storeOffsetEnable: the pull's commit offset is stored on the first (suspendable) pass.
    if allow_suspend && has_commit_offset && role != BrokerRole::Slave {
        broker.consumer_offset_manager.commit_offset(
            &ctx.remote_addr(),
            &h.consumer_group,
            &h.topic,
            h.queue_id,
            h.commit_offset,
        );
    }

    if code == response::PULL_NOT_FOUND && allow_suspend && has_suspend {
        let timeout_ms = if long_polling {
            h.suspend_timeout_millis
        } else {
            short_polling_ms
        };
        let timeout = Duration::from_millis(timeout_ms.max(0) as u64).min(SUSPEND_MAX);
        debug!(topic = %h.topic, queue_id = h.queue_id, offset = h.queue_offset, ?timeout, "suspend pull");
        return Ok(Outcome::Suspend { filter, timeout });
    }

    let header = PullMessageResponseHeader {
        suggest_which_broker_id: suggest,
        next_begin_offset: r.next_begin_offset,
        min_offset: r.min_offset,
        max_offset: r.max_offset,
    };
    let mut resp = RemotingCommand::response_with(code, &header).with_remark(r.status.as_str());
    if code == response::SUCCESS {
        resp.body = Some(concat_records(&r.messages));
    }
    Ok(Outcome::Reply(resp))
}

/// `OffsetMovedEvent` (JSON body of the OFFSET_MOVED_EVENT messages).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct OffsetMovedEvent {
    consumer_group: String,
    message_queue: crate::body::MessageQueue,
    offset_request: i64,
    offset_new: i64,
}

/// `generateOffsetMovedEvent`: record a corrected pull offset in the `OFFSET_MOVED_EVENT`
/// topic (tags and keys = the group), as the Java master does.
fn generate_offset_moved_event(
    broker: &Arc<BrokerController>,
    h: &PullMessageRequestHeader,
    offset_new: i64,
) {
    let event = OffsetMovedEvent {
        consumer_group: h.consumer_group.clone(),
        message_queue: crate::body::MessageQueue::new(
            h.topic.clone(),
            broker.broker_config().broker_name.clone(),
            h.queue_id,
        ),
        offset_request: h.queue_offset,
        offset_new,
    };
    let body = match protocol::fastjson::to_vec(&event) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "encode OffsetMovedEvent failed");
            return;
        }
    };
    let props: Vec<(&str, &str)> = vec![
        ("TAGS", h.consumer_group.as_str()),
        ("DELAY", "0"),
        ("KEYS", h.consumer_group.as_str()),
    ];
    let host = broker.store_host();
    let msg = store::message::MessageExtBrokerInner {
        topic: crate::topic::validator::RMQ_SYS_OFFSET_MOVED_EVENT.to_string(),
        queue_id: 0,
        flag: 0,
        body: Bytes::from(body),
        properties_string: protocol::message::properties_to_string(props),
        sys_flag: 0,
        born_timestamp: crate::client::now_ms(),
        born_host: host,
        store_host: host,
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    };
    let b = broker.clone();
    tokio::spawn(async move {
        let r = b.put_message(msg).await;
        debug!(status = ?r.status, "offset moved event stored");
    });
}

/// The pull body: the stored records back to back. A single record is passed on without a
/// copy (it is a slice of the mapped commitlog); several are joined into one buffer, as
/// Java's default `transferMsgByHeap=true` does.
fn concat_records(msgs: &[store::mapped_file::SelectMappedBuffer]) -> Bytes {
    match msgs {
        [] => Bytes::new(),
        [one] => one.data.clone(),
        many => {
            let total = many.iter().map(|m| m.data.len()).sum();
            let mut buf = BytesMut::with_capacity(total);
            for m in many {
                buf.extend_from_slice(&m.data);
            }
            buf.freeze()
        }
    }
}
