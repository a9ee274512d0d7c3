//! SEND_REPLY_MESSAGE (324) and SEND_REPLY_MESSAGE_V2 (325), and the broker → client push
//! PUSH_REPLY_MESSAGE_TO_CLIENT (326) (mirrors `broker/.../processor/ReplyMessageProcessor.java`
//! and `Broker2Client.callClient`).
//!
//! Request-reply: a requester (`DefaultMQProducer.request`) sends a message carrying
//! `CORRELATION_ID`, `REPLY_TO_CLIENT` (its client id) and `TTL`; a responder builds the reply
//! with `MessageUtil.createReplyMessage` (topic `<cluster>_REPLY_TOPIC`, `MSG_TYPE=reply`) and
//! its producer sends it with code 325. The broker then
//! 1. runs the send checks (`AbstractSendMessageProcessor.msgCheck`);
//! 2. pushes the reply synchronously (10 s) to the producer connection registered under the
//!    `REPLY_TO_CLIENT` client id, with a `ReplyMessageRequestHeader` whose properties gain
//!    `PUSH_REPLY_TIME`; SUCCESS from the client makes the answer SUCCESS with
//!    `msgId="0", queueOffset=0`, anything else (unknown client, error, timeout) makes it
//!    SYSTEM_ERROR with Java's remark;
//! 3. if `storeReplyMessageEnable` (default true) also stores the reply (properties exactly as
//!    sent: no `CLUSTER`, no `PUSH_REPLY_TIME`), and on a successful put reports its msgId /
//!    queue offset in the answer's header, whatever the push result.
//!
//! Every answer carries the `MSG_REGION` and `TRACE_ON` ext fields.

use std::sync::Arc;
use std::time::Duration;

use protocol::code::{request, response};
use protocol::header::send::{
    ReplyMessageRequestHeader, SendMessageRequestHeader, SendMessageRequestHeaderV2,
    SendMessageResponseHeader,
};
use protocol::message::{properties_to_string, property, string_to_properties};
use protocol::RemotingCommand;
use rand::Rng;
use store::message::{MessageExtBrokerInner, PutMessageStatus};
use tracing::{debug, warn};

use super::{Reply, RequestContext};
use crate::body::{TopicConfig, TopicFilterType};
use crate::config::perm;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult, FAQ_APPLY_TOPIC};
use crate::topic::sys_flag;
use crate::topic::validator::{check_send_allowed, validate_topic, RETRY_GROUP_TOPIC_PREFIX};

/// `Broker2Client.callClient` timeout.
const CALL_CLIENT_TIMEOUT: Duration = Duration::from_millis(10_000);

/// Entry point for codes 324 and 325.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    let h: SendMessageRequestHeader = match req.code {
        request::SEND_REPLY_MESSAGE_V2 => req.decode_header::<SendMessageRequestHeaderV2>()?.to_v1(),
        _ => req.decode_header()?,
    };
    let (region, trace_on) = {
        let c = broker.broker_config();
        (c.region_id.clone(), c.trace_on.to_string())
    };
    let mut resp = match handle(broker, ctx, &req, &h).await {
        Ok(r) => r,
        Err(e) => e.to_response(),
    };
    resp.set_ext(property::MSG_REGION, region);
    resp.set_ext(property::TRACE_ON, trace_on);
    Ok(Some(resp))
}

async fn handle(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
    h: &SendMessageRequestHeader,
) -> BrokerResult<RemotingCommand> {
    let start_at = broker.broker_config().start_accept_send_request_time_stamp;
    if crate::client::now_ms() < start_at {
        return Err(BrokerError::IllegalRequest(format!(
            "broker unable to service, until {start_at}"
        )));
    }
    let topic_config = msg_check(broker, ctx, h)?;
    let mut queue_id = h.queue_id;
    if queue_id < 0 {
        queue_id = rand::thread_rng().gen_range(0..99_999_999) % topic_config.write_queue_nums.max(1);
    }
    let body = req.body.clone().unwrap_or_default();
    let properties = h.properties.clone().unwrap_or_default();

    // pushReplyMessage
    let (push_ok, push_remark) = push_reply_message(broker, ctx, h, &properties, &body).await;
    let mut header = SendMessageResponseHeader::default();
    let mut code = response::SUCCESS;
    let mut remark = None;
    if push_ok {
        // "set to zero to avoid client decoding exception"
        header.msg_id = "0".to_string();
        header.queue_id = queue_id;
        header.queue_offset = 0;
    } else {
        code = response::SYSTEM_ERROR;
        remark = Some(push_remark);
    }

    if broker.broker_config().store_reply_message_enable {
        let inner = MessageExtBrokerInner {
            topic: h.topic.clone(),
            queue_id,
            flag: h.flag,
            body: body.clone(),
            properties_string: properties.clone(),
            sys_flag: h.sys_flag,
            born_timestamp: h.born_timestamp,
            born_host: ctx.channel.peer_addr(),
            store_host: broker.store_host(),
            reconsume_times: h.reconsume_times.unwrap_or(0),
            prepared_transaction_offset: 0,
        };
        let r = broker.put_message(inner).await;
        match (r.status, r.append) {
            (
                PutMessageStatus::PutOk
                | PutMessageStatus::FlushDiskTimeout
                | PutMessageStatus::FlushSlaveTimeout
                | PutMessageStatus::SlaveNotAvailable,
                Some(a),
            ) => {
                header.msg_id = a.msg_id;
                header.queue_id = queue_id;
                header.queue_offset = a.logics_offset;
            }
            (st, _) => warn!(status = st.as_str(), topic = %h.topic, "process reply message, store putMessage failed"),
        }
    }
    let mut resp = RemotingCommand::response_with(code, &header);
    resp.remark = remark;
    Ok(resp)
}

/// `pushReplyMessage`: (pushed OK, remark when not).
async fn push_reply_message(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    h: &SendMessageRequestHeader,
    properties: &str,
    body: &bytes::Bytes,
) -> (bool, String) {
    let store_host = broker.store_host();
    let mut header = ReplyMessageRequestHeader {
        producer_group: h.producer_group.clone(),
        topic: h.topic.clone(),
        default_topic: h.default_topic.clone(),
        default_topic_queue_nums: h.default_topic_queue_nums,
        queue_id: h.queue_id,
        sys_flag: h.sys_flag,
        born_timestamp: h.born_timestamp,
        flag: h.flag,
        properties: h.properties.clone(),
        reconsume_times: h.reconsume_times,
        unit_mode: h.unit_mode,
        born_host: host_string(&ctx.channel.peer_addr()),
        store_host: host_string(&store_host),
        store_timestamp: crate::client::now_ms(),
    };
    let mut props = string_to_properties(properties);
    let Some(sender_id) = props.get(property::REPLY_TO_CLIENT).cloned() else {
        warn!("{} is null, can not reply message", property::REPLY_TO_CLIENT);
        return (
            false,
            format!("reply message properties[{}] is null", property::REPLY_TO_CLIENT),
        );
    };
    let Some(channel) = broker.producer_manager.find_channel(&sender_id) else {
        let remark = format!("push reply message fail, channel of <{sender_id}> not found.");
        warn!("{remark}");
        return (false, remark);
    };
    props.insert(
        property::PUSH_REPLY_TIME.to_string(),
        crate::client::now_ms().to_string(),
    );
    header.properties = Some(properties_to_string(&props));
    let cmd = RemotingCommand::request_with(request::PUSH_REPLY_MESSAGE_TO_CLIENT, &header)
        .with_body(body.clone());
    match channel.invoke(cmd, CALL_CLIENT_TIMEOUT).await {
        Ok(r) if r.code == response::SUCCESS => {
            debug!(client = %sender_id, "reply message pushed");
            (true, String::new())
        }
        Ok(r) => {
            warn!(client = %sender_id, remark = ?r.remark, "push reply message return fail");
            (false, format!("push reply message to {sender_id}fail."))
        }
        Err(e) => {
            warn!(client = %sender_id, peer = %channel.peer_addr(), error = %e, "push reply message fail");
            (false, format!("push reply message to {sender_id}fail."))
        }
    }
}

/// `InetAddress.getHostAddress() + ":" + port`.
fn host_string(a: &std::net::SocketAddr) -> String {
    format!("{}:{}", a.ip(), a.port())
}

/// `AbstractSendMessageProcessor.msgCheck` (the same checks as the send path).
fn msg_check(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    h: &SendMessageRequestHeader,
) -> BrokerResult<TopicConfig> {
    {
        let cfg = broker.broker_config();
        if !perm::is_writeable(cfg.broker_permission)
            && broker.topic_config_manager.is_order_topic(&h.topic)
        {
            return Err(BrokerError::NoPermission(format!(
                "the broker[{}] sending message is forbidden",
                cfg.broker_ip1
            )));
        }
    }
    validate_topic(&h.topic)?;
    check_send_allowed(&h.topic)?;
    let tcm = &broker.topic_config_manager;
    let tc = match tcm.select(&h.topic) {
        Some(tc) => tc,
        None => {
            let topic_sys_flag = match (h.unit_mode, h.topic.starts_with(RETRY_GROUP_TOPIC_PREFIX)) {
                (false, _) => 0,
                (true, true) => sys_flag::build(false, true),
                (true, false) => sys_flag::build(true, false),
            };
            warn!(topic = %h.topic, producer = %ctx.remote_addr(), "the topic not exist");
            match tcm.create_in_send_message(
                &h.topic,
                &h.default_topic,
                &ctx.remote_addr(),
                h.default_topic_queue_nums,
                topic_sys_flag,
            ) {
                Some(tc) => tc,
                None if h.topic.starts_with(RETRY_GROUP_TOPIC_PREFIX) => tcm
                    .create_in_send_message_back(&h.topic, 1, perm::WRITE | perm::READ, topic_sys_flag),
                None => {
                    return Err(BrokerError::TopicNotExist(format!(
                        "topic[{}] not exist, apply first please!{}",
                        h.topic, FAQ_APPLY_TOPIC
                    )))
                }
            }
        }
    };
    let id_valid = tc.write_queue_nums.max(tc.read_queue_nums);
    if h.queue_id >= id_valid {
        return Err(BrokerError::IllegalRequest(format!(
            "request queueId[{}] is illegal, {} Producer: {}",
            h.queue_id,
            topic_config_to_string(&tc),
            ctx.remote_addr()
        )));
    }
    Ok(tc)
}

/// `TopicConfig.toString()`.
fn topic_config_to_string(tc: &TopicConfig) -> String {
    let p: String = [
        if perm::is_readable(tc.perm) { 'R' } else { '-' },
        if perm::is_writeable(tc.perm) { 'W' } else { '-' },
        if perm::is_inherited(tc.perm) { 'X' } else { '-' },
    ]
    .iter()
    .collect();
    let filter = match tc.topic_filter_type {
        TopicFilterType::MultiTag => "MULTI_TAG",
        _ => "SINGLE_TAG",
    };
    format!(
        "TopicConfig [topicName={}, readQueueNums={}, writeQueueNums={}, perm={}, topicFilterType={}, topicSysFlag={}, order={}]",
        tc.topic_name, tc.read_queue_nums, tc.write_queue_nums, p, filter, tc.topic_sys_flag, tc.order
    )
}
