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
        request::SEND_REPLY_MESSAGE_V2 => {
            req.decode_header::<SendMessageRequestHeaderV2>()?.to_v1()
        }
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
        queue_id =
            rand::thread_rng().gen_range(0..99_999_999) % topic_config.write_queue_nums.max(1);
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
            (st, _) => {
                warn!(status = st.as_str(), topic = %h.topic, "process reply message, store putMessage failed")
            }
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
        warn!(
            "{} is null, can not reply message",
            property::REPLY_TO_CLIENT
        );
        return (
            false,
            format!(
                "reply message properties[{}] is null",
                property::REPLY_TO_CLIENT
            ),
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
            let topic_sys_flag = match (h.unit_mode, h.topic.starts_with(RETRY_GROUP_TOPIC_PREFIX))
            {
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
                    .create_in_send_message_back(
                        &h.topic,
                        1,
                        perm::WRITE | perm::READ,
                        topic_sys_flag,
                    ),
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
        if perm::is_writeable(tc.perm) {
            'W'
        } else {
            '-'
        },
        if perm::is_inherited(tc.perm) {
            'X'
        } else {
            '-'
        },
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use protocol::body::{HeartbeatData, JsonBody, ProducerData};
    use protocol::code::{request, response};
    use protocol::header::send::{ReplyMessageRequestHeader, SendMessageResponseHeader};
    use protocol::message::property::find_property;
    use protocol::message::{decode_all, DecodeOptions};
    use protocol::net::{Channel, RemotingClient, RequestHandler};
    use protocol::RemotingCommand;
    use tokio::sync::mpsc;

    use crate::processor::send_back::test_support::{pull, send, start, T};

    /// The requester: answers PUSH_REPLY_MESSAGE_TO_CLIENT with `code` and records it.
    struct Requester(mpsc::UnboundedSender<RemotingCommand>, i32);

    impl RequestHandler for Requester {
        async fn handle(
            self: Arc<Self>,
            _ch: Channel,
            req: RemotingCommand,
        ) -> Option<RemotingCommand> {
            let _ = self.0.send(req);
            Some(RemotingCommand::response(self.1, None))
        }
    }

    fn producer_heartbeat(client_id: &str) -> RemotingCommand {
        let hb = HeartbeatData {
            client_id: client_id.into(),
            producer_data_set: vec![ProducerData {
                group_name: "req_pg".into(),
            }],
            consumer_data_set: Vec::new(),
        };
        RemotingCommand::request(request::HEART_BEAT).with_body(hb.encode())
    }

    const REPLY_TOPIC: &str = "DefaultCluster_REPLY_TOPIC";

    #[tokio::test]
    async fn reply_is_pushed_to_the_requester_and_stored() {
        let b = start(|_| {}).await;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let requester = RemotingClient::with_handler(Arc::new(Requester(tx, response::SUCCESS)));
        let r = requester
            .invoke(&b.addr, producer_heartbeat("req@1"), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.code, response::SUCCESS);

        let responder = RemotingClient::new();
        let props = "CORRELATION_ID\u{1}cid-1\u{2}REPLY_TO_CLIENT\u{1}req@1\u{2}TTL\u{1}3000\u{2}MSG_TYPE\u{1}reply";
        let r = responder
            .invoke(
                &b.addr,
                send(
                    request::SEND_REPLY_MESSAGE_V2,
                    REPLY_TOPIC,
                    0,
                    props,
                    "pong",
                ),
                T,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.code, r.remark.as_deref()), (response::SUCCESS, None));
        assert_eq!(r.ext("MSG_REGION"), Some("DefaultRegion"));
        assert_eq!(r.ext("TRACE_ON"), Some("true"));
        let h: SendMessageResponseHeader = r.decode_header().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (h.queue_id, h.queue_offset, h.msg_id.len()),
            (0, 0, 32),
            "stored: real msg id"
        );

        let push = tokio::time::timeout(T, rx.recv()).await.ok().flatten();
        let push = push.unwrap_or_else(|| panic!("no push"));
        assert_eq!(push.code, request::PUSH_REPLY_MESSAGE_TO_CLIENT);
        assert_eq!(push.body_bytes(), b"pong");
        let ph: ReplyMessageRequestHeader = push.decode_header().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ph.topic, REPLY_TOPIC);
        assert_eq!(ph.producer_group, "pg");
        assert!(ph.born_host.starts_with("127.0.0.1:"), "{}", ph.born_host);
        assert_eq!(ph.store_host, b.addr);
        let pprops = ph.properties.unwrap_or_default();
        assert_eq!(find_property(&pprops, "CORRELATION_ID"), Some("cid-1"));
        assert!(
            find_property(&pprops, "PUSH_REPLY_TIME").is_some(),
            "{pprops:?}"
        );

        // The stored copy has the properties exactly as sent.
        let p = responder
            .invoke(&b.addr, pull(REPLY_TOPIC, 0, 0, "reader"), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.code, response::SUCCESS, "{:?}", p.remark);
        let stored = decode_all(
            &p.body.clone().unwrap_or_default(),
            DecodeOptions::default(),
        );
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].properties_string(), props);
        b.stop().await;
    }

    #[tokio::test]
    async fn reply_push_failures_are_system_errors() {
        let b = start(|c| c.broker.store_reply_message_enable = false).await;
        let c = RemotingClient::new();
        let r = c
            .invoke(
                &b.addr,
                send(
                    request::SEND_REPLY_MESSAGE_V2,
                    REPLY_TOPIC,
                    0,
                    "CORRELATION_ID\u{1}x",
                    "r",
                ),
                T,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (r.code, r.remark.as_deref()),
            (
                response::SYSTEM_ERROR,
                Some("reply message properties[REPLY_TO_CLIENT] is null")
            )
        );
        assert_eq!(r.ext("MSG_REGION"), Some("DefaultRegion"));
        let r = c
            .invoke(
                &b.addr,
                send(
                    request::SEND_REPLY_MESSAGE_V2,
                    REPLY_TOPIC,
                    0,
                    "REPLY_TO_CLIENT\u{1}gone@1",
                    "r",
                ),
                T,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (r.code, r.remark.as_deref()),
            (
                response::SYSTEM_ERROR,
                Some("push reply message fail, channel of <gone@1> not found.")
            )
        );

        // The requester answers the push with an error.
        let (tx, _rx) = mpsc::unbounded_channel();
        let requester =
            RemotingClient::with_handler(Arc::new(Requester(tx, response::SYSTEM_ERROR)));
        let r = requester
            .invoke(&b.addr, producer_heartbeat("req@2"), T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.code, response::SUCCESS);
        let r = c
            .invoke(
                &b.addr,
                send(
                    request::SEND_REPLY_MESSAGE_V2,
                    REPLY_TOPIC,
                    0,
                    "REPLY_TO_CLIENT\u{1}req@2",
                    "r",
                ),
                T,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (r.code, r.remark.as_deref()),
            (
                response::SYSTEM_ERROR,
                Some("push reply message to req@2fail.")
            )
        );

        // Unknown topic without a template: TOPIC_NOT_EXIST as on the send path.
        let mut req = send(
            request::SEND_REPLY_MESSAGE_V2,
            "NoSuchReplyTopic",
            0,
            "",
            "r",
        );
        req.set_ext("c", "NoTemplate");
        let r = c
            .invoke(&b.addr, req, T)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.code, response::TOPIC_NOT_EXIST, "{:?}", r.remark);
        b.stop().await;
    }
}
