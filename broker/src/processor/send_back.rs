//! CONSUMER_SEND_MSG_BACK (36): a consumer hands back a message it failed to consume (mirrors
//! `asyncConsumerSendMsgBack` of `broker/.../processor/SendMessageProcessor.java`).
//!
//! The message at the header's commitlog offset is re-stored, in Java's order of checks:
//! * the group must exist (or be auto-created), the broker must be writable, and a group with
//!   `retryQueueNums <= 0` is answered SUCCESS without storing anything;
//! * the `%RETRY%<group>` topic is created on demand (`retryQueueNums` queues, perm RW);
//! * while `reconsumeTimes < maxReconsumeTimes` (the group's `retryMaxTimes`, overridden by
//!   the header's `maxReconsumeTimes` from clients >= V3_4_9) and `delayLevel >= 0`, the copy
//!   goes to `%RETRY%<group>` with delay level `delayLevel`, or `3 + reconsumeTimes` when the
//!   client left it 0 — the store rewrites it to `SCHEDULE_TOPIC_XXXX` and the
//!   [`ScheduleMessageService`](crate::schedule::ScheduleMessageService) delivers it later;
//! * otherwise it goes to `%DLQ%<group>` (1 queue, perm RW) with `DELAY=0`.
//!
//! The copy keeps body, flag, sys flag, born/store hosts and properties, gains `RETRY_TOPIC`
//! (the original topic, once), `WAIT=false`, `DELAY` and `ORIGIN_MESSAGE_ID` (the first
//! message's offset id), and `reconsumeTimes + 1`. Only PUT_OK is SUCCESS; any other store
//! status is SYSTEM_ERROR with the status name as remark.

use std::sync::Arc;

use protocol::code::response;
use protocol::header::send::ConsumerSendMsgBackRequestHeader;
use protocol::message::{properties_to_string, property, DecodeOptions};
use protocol::RemotingCommand;
use rand::Rng;
use store::message::{MessageExtBrokerInner, PutMessageStatus};
use tracing::{debug, info};

use super::{Reply, RequestContext};
use crate::config::perm;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult, FAQ_SUFFIX};
use crate::topic::sys_flag;
use crate::topic::validator::{dlq_topic, retry_topic};

/// `MQVersion.Version.V3_4_9.ordinal()`: clients from here on send `maxReconsumeTimes`.
const V3_4_9: i32 = 121;
/// `SendMessageProcessor.DLQ_NUMS_PER_GROUP`.
pub const DLQ_NUMS_PER_GROUP: i32 = 1;

/// Entry point for code 36.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    let h: ConsumerSendMsgBackRequestHeader = req.decode_header()?;
    send_back(broker, ctx, &h, req.version).await.map(Some)
}

async fn send_back(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    h: &ConsumerSendMsgBackRequestHeader,
    client_version: i32,
) -> BrokerResult<RemotingCommand> {
    let Some(sgc) = broker.subscription_group_manager.find(&h.group) else {
        return Err(BrokerError::SubscriptionGroupNotExist(format!(
            "subscription group not exist, {} {FAQ_SUFFIX}",
            h.group
        )));
    };
    {
        let cfg = broker.broker_config();
        if !perm::is_writeable(cfg.broker_permission) {
            return Err(BrokerError::NoPermission(format!(
                "the broker[{}] sending message is forbidden",
                cfg.broker_ip1
            )));
        }
    }
    if sgc.retry_queue_nums <= 0 {
        return Ok(RemotingCommand::response(response::SUCCESS, None));
    }

    let mut new_topic = retry_topic(&h.group);
    let mut queue_id = rand::thread_rng().gen_range(0..99_999_999) % sgc.retry_queue_nums;
    let topic_sys_flag = if h.unit_mode { sys_flag::build(false, true) } else { 0 };
    let tc = broker.topic_config_manager.create_in_send_message_back(
        &new_topic,
        sgc.retry_queue_nums,
        perm::WRITE | perm::READ,
        topic_sys_flag,
    );
    if !perm::is_writeable(tc.perm) {
        return Err(BrokerError::NoPermission(format!(
            "the topic[{new_topic}] sending message is forbidden"
        )));
    }

    // lookMessageByOffset
    let looked = broker
        .store()
        .select_one_message_by_offset(h.offset)
        .and_then(|sel| protocol::message::decode(&sel.data, DecodeOptions::default()).ok());
    let Some((mut msg, _)) = looked else {
        return Err(BrokerError::IllegalRequest(format!(
            "look message by offset failed, {}",
            h.offset
        )));
    };

    if msg.property(property::RETRY_TOPIC).is_none() {
        let topic = msg.topic.clone();
        msg.put_property(property::RETRY_TOPIC, topic);
    }
    msg.put_property(property::WAIT, "false");

    let mut delay_level = h.delay_level;
    let mut max_reconsume_times = sgc.retry_max_times;
    if client_version >= V3_4_9 {
        if let Some(m) = h.max_reconsume_times {
            max_reconsume_times = m;
        }
    }
    if msg.reconsume_times >= max_reconsume_times || delay_level < 0 {
        new_topic = dlq_topic(&h.group);
        // nextInt(99999999) % DLQ_NUMS_PER_GROUP, which is 1.
        queue_id = 0;
        broker.topic_config_manager.create_in_send_message_back(
            &new_topic,
            DLQ_NUMS_PER_GROUP,
            perm::WRITE | perm::READ,
            0,
        );
        msg.put_property(property::DELAY, "0");
        info!(group = %h.group, origin = %msg.msg_id, reconsume_times = msg.reconsume_times,
            max_reconsume_times, "send back to dead letter queue");
    } else {
        if delay_level == 0 {
            delay_level = 3 + msg.reconsume_times;
        }
        msg.put_property(property::DELAY, delay_level.to_string());
    }

    let origin = msg
        .property(property::ORIGIN_MESSAGE_ID)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| msg.msg_id.clone());
    msg.put_property(property::ORIGIN_MESSAGE_ID, origin);

    let inner = MessageExtBrokerInner {
        topic: new_topic.clone(),
        queue_id,
        flag: msg.flag,
        body: msg.body.clone(),
        properties_string: properties_to_string(&msg.properties),
        sys_flag: msg.sys_flag,
        born_timestamp: msg.born_timestamp,
        born_host: msg.born_host,
        store_host: msg.store_host,
        reconsume_times: msg.reconsume_times + 1,
        prepared_transaction_offset: 0,
    };
    let r = broker.put_message(inner).await;
    match r.status {
        PutMessageStatus::PutOk => {
            debug!(group = %h.group, topic = %new_topic, peer = %ctx.remote_addr(),
                reconsume_times = msg.reconsume_times + 1, delay_level, "consumer send msg back");
            Ok(RemotingCommand::response(response::SUCCESS, None))
        }
        other => Err(BrokerError::IllegalRequest(other.as_str().to_string())),
    }
}
