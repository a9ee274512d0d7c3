//! SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320) (mirrors
//! `broker/.../processor/{SendMessageProcessor,AbstractSendMessageProcessor}.java`).
//!
//! Checks in Java's order (`msgCheck`): order topic on a non-writable broker, topic name
//! rules, topics clients may not send to, topic lookup with auto-creation through the
//! request's default topic (`TBW102`) and retry-topic creation, queue id range. Then the
//! message is built (CLUSTER property added, WAIT dropped from the stored properties of a
//! single send, retry/DLQ rewrite for `%RETRY%` topics, half-message rewrite for transactional
//! sends) and stored; the store's status maps to Java's response codes and remarks. Every
//! reply carries the MSG_REGION and TRACE_ON ext fields, which the Java client reads without
//! a null check.

use std::sync::Arc;

use protocol::code::{request, response};
use protocol::header::send::{
    SendMessageRequestHeader, SendMessageRequestHeaderV2, SendMessageResponseHeader,
};
use protocol::message::property;
use protocol::message::{properties_to_string, string_to_properties, sysflag};
use protocol::RemotingCommand;
use rand::Rng;
use store::message::{MessageExtBatch, MessageExtBrokerInner, PutMessageResult, PutMessageStatus};
use tracing::{debug, warn};

use super::{Reply, RequestContext};
use crate::body::{TopicConfig, TopicFilterType};
use crate::config::perm;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult, FAQ_APPLY_TOPIC, FAQ_SUFFIX};
use crate::topic::sys_flag;
use crate::topic::validator::{
    check_send_allowed, dlq_topic, validate_topic, RETRY_GROUP_TOPIC_PREFIX,
    RMQ_SYS_TRANS_HALF_TOPIC,
};

/// `MQVersion.Version.V3_4_9.ordinal()`: clients from here on send `maxReconsumeTimes`.
const V3_4_9: i32 = 121;
/// `DLQ_NUMS_PER_GROUP`.
const DLQ_NUMS_PER_GROUP: i32 = 1;
/// `MessageConst.PROPERTY_TRANSACTION_PREPARED`.
const PROPERTY_TRANSACTION_PREPARED: &str = "TRAN_MSG";

/// Entry point for codes 10, 310, 320.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    let header = parse_request_header(&req)?;
    let region = broker.broker_config().region_id.clone();
    let trace_on = broker.broker_config().trace_on.to_string();
    let mut resp = match handle(broker, ctx, &req, header).await {
        Ok(r) => r,
        Err(e) => e.to_response(),
    };
    // preSend adds these before any check, so every reply carries them.
    resp.set_ext(property::MSG_REGION, region);
    resp.set_ext(property::TRACE_ON, trace_on);
    Ok(Some(resp))
}

/// `parseRequestHeader`: V2 (short keys) for 310/320, V1 for 10.
fn parse_request_header(req: &RemotingCommand) -> BrokerResult<SendMessageRequestHeader> {
    match req.code {
        request::SEND_MESSAGE_V2 | request::SEND_BATCH_MESSAGE => {
            let v2: SendMessageRequestHeaderV2 = req.decode_header()?;
            Ok(v2.to_v1())
        }
        _ => Ok(req.decode_header()?),
    }
}

async fn handle(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
    h: SendMessageRequestHeader,
) -> BrokerResult<RemotingCommand> {
    let start_at = broker.broker_config().start_accept_send_request_time_stamp;
    if crate::client::now_ms() < start_at {
        return Err(BrokerError::IllegalRequest(format!(
            "broker unable to service, until {start_at}"
        )));
    }
    let topic_config = msg_check(broker, ctx, &h)?;
    if h.batch {
        send_batch(broker, ctx, req, &h, &topic_config).await
    } else {
        send_single(broker, ctx, req, &h, topic_config).await
    }
}

/// `AbstractSendMessageProcessor.msgCheck`.
fn msg_check(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    h: &SendMessageRequestHeader,
) -> BrokerResult<TopicConfig> {
    let cfg = broker.broker_config();
    if !perm::is_writeable(cfg.broker_permission)
        && broker.topic_config_manager.is_order_topic(&h.topic)
    {
        return Err(BrokerError::NoPermission(format!(
            "the broker[{}] sending message is forbidden",
            cfg.broker_ip1
        )));
    }
    drop(cfg);
    validate_topic(&h.topic)?;
    check_send_allowed(&h.topic)?;

    let tcm = &broker.topic_config_manager;
    let topic_config = match tcm.select(&h.topic) {
        Some(tc) => tc,
        None => {
            let topic_sys_flag = if h.unit_mode {
                if h.topic.starts_with(RETRY_GROUP_TOPIC_PREFIX) {
                    sys_flag::build(false, true)
                } else {
                    sys_flag::build(true, false)
                }
            } else {
                0
            };
            warn!(topic = %h.topic, producer = %ctx.remote_addr(), "the topic not exist");
            let created = tcm.create_in_send_message(
                &h.topic,
                &h.default_topic,
                &ctx.remote_addr(),
                h.default_topic_queue_nums,
                topic_sys_flag,
            );
            match created {
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
    let id_valid = topic_config
        .write_queue_nums
        .max(topic_config.read_queue_nums);
    if h.queue_id >= id_valid {
        return Err(BrokerError::IllegalRequest(format!(
            "request queueId[{}] is illegal, {} Producer: {}",
            h.queue_id,
            topic_config_to_string(&topic_config),
            ctx.remote_addr()
        )));
    }
    Ok(topic_config)
}

/// `TopicConfig.toString()`.
fn topic_config_to_string(tc: &TopicConfig) -> String {
    let mut p = ['-', '-', '-'];
    if perm::is_readable(tc.perm) {
        p[0] = 'R';
    }
    if perm::is_writeable(tc.perm) {
        p[1] = 'W';
    }
    if perm::is_inherited(tc.perm) {
        p[2] = 'X';
    }
    format!(
        "TopicConfig [topicName={}, readQueueNums={}, writeQueueNums={}, perm={}, topicFilterType={}, topicSysFlag={}, order={}]",
        tc.topic_name,
        tc.read_queue_nums,
        tc.write_queue_nums,
        p.iter().collect::<String>(),
        filter_type_name(tc.topic_filter_type),
        tc.topic_sys_flag,
        tc.order
    )
}

fn filter_type_name(t: TopicFilterType) -> &'static str {
    match t {
        TopicFilterType::MultiTag => "MULTI_TAG",
        _ => "SINGLE_TAG",
    }
}

fn random_queue_id(write_queue_nums: i32) -> i32 {
    if write_queue_nums <= 0 {
        return 0;
    }
    rand::thread_rng().gen_range(0..99_999_999) % write_queue_nums
}

async fn send_single(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
    h: &SendMessageRequestHeader,
    topic_config: TopicConfig,
) -> BrokerResult<RemotingCommand> {
    let mut queue_id = h.queue_id;
    if queue_id < 0 {
        queue_id = random_queue_id(topic_config.write_queue_nums);
    }
    // The reply carries this queue id even when the message is rerouted to a DLQ (Java's
    // handleRetryAndDLQ only changes the message's queue).
    let reply_queue_id = queue_id;
    let mut props = string_to_properties(h.properties.as_deref().unwrap_or(""));
    let mut topic = h.topic.clone();
    let mut topic_config = topic_config;

    // handleRetryAndDLQ
    if let Some(group) = h.topic.strip_prefix(RETRY_GROUP_TOPIC_PREFIX) {
        let Some(sgc) = broker.subscription_group_manager.find(group) else {
            return Err(BrokerError::SubscriptionGroupNotExist(format!(
                "subscription group not exist, {group} {FAQ_SUFFIX}"
            )));
        };
        let mut max_reconsume_times = sgc.retry_max_times;
        if req.version >= V3_4_9 {
            if let Some(m) = h.max_reconsume_times {
                max_reconsume_times = m;
            }
        }
        let reconsume_times = h.reconsume_times.unwrap_or(0);
        if reconsume_times >= max_reconsume_times {
            topic = dlq_topic(group);
            // Java: random % DLQ_NUMS_PER_GROUP, which is always 0 with one DLQ queue.
            queue_id = 0;
            topic_config = broker.topic_config_manager.create_in_send_message_back(
                &topic,
                DLQ_NUMS_PER_GROUP,
                perm::WRITE | perm::READ,
                0,
            );
            // Java calls msg.setDelayTimeLevel(0) here, but then replaces the properties with
            // the request's, so a DELAY sent by the client survives into the DLQ message.
        }
    }
    let mut sys = h.sys_flag;
    if topic_config.topic_filter_type == TopicFilterType::MultiTag {
        sys |= sysflag::MULTI_TAGS_FLAG;
    }

    let cluster = broker.broker_config().broker_cluster_name.clone();
    props.insert(property::CLUSTER.to_string(), cluster);
    let transactional = props
        .get(PROPERTY_TRANSACTION_PREPARED)
        .map(|v| v.eq_ignore_ascii_case("true"))
        .unwrap_or(false);
    // There is no need to store "WAIT=true" (Java removes it from the stored string only).
    let wait = props.shift_remove(property::WAIT);

    let mut msg = MessageExtBrokerInner {
        topic,
        queue_id,
        flag: h.flag,
        body: req.body.clone().unwrap_or_default(),
        properties_string: String::new(),
        sys_flag: sys,
        born_timestamp: h.born_timestamp,
        born_host: ctx.channel.peer_addr(),
        store_host: broker.store_host(),
        reconsume_times: h.reconsume_times.unwrap_or(0),
        prepared_transaction_offset: 0,
    };
    if transactional {
        if broker.broker_config().reject_transaction_message {
            return Err(BrokerError::NoPermission(format!(
                "the broker[{}] sending transaction message is forbidden",
                broker.broker_config().broker_ip1
            )));
        }
        // TransactionalMessageBridge.parseHalfMessageInner
        props.insert(property::REAL_TOPIC.to_string(), msg.topic.clone());
        props.insert(property::REAL_QID.to_string(), msg.queue_id.to_string());
        if let Some(w) = wait {
            props.insert(property::WAIT.to_string(), w);
        }
        msg.sys_flag =
            sysflag::reset_transaction_value(msg.sys_flag, sysflag::TRANSACTION_NOT_TYPE);
        msg.topic = RMQ_SYS_TRANS_HALF_TOPIC.to_string();
        msg.queue_id = 0;
    }
    msg.properties_string = properties_to_string(&props);

    let result = broker.put_message(msg).await;
    handle_put_result(broker, result, reply_queue_id)
}

async fn send_batch(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
    h: &SendMessageRequestHeader,
    topic_config: &TopicConfig,
) -> BrokerResult<RemotingCommand> {
    let mut queue_id = h.queue_id;
    if queue_id < 0 {
        queue_id = random_queue_id(topic_config.write_queue_nums);
    }
    if h.topic.len() > i8::MAX as usize {
        return Err(BrokerError::MessageIllegal(format!(
            "message topic length too long {}",
            h.topic.len()
        )));
    }
    let mut sys = h.sys_flag;
    if topic_config.topic_filter_type == TopicFilterType::MultiTag {
        sys |= sysflag::MULTI_TAGS_FLAG;
    }
    let mut props = string_to_properties(h.properties.as_deref().unwrap_or(""));
    props.insert(
        property::CLUSTER.to_string(),
        broker.broker_config().broker_cluster_name.clone(),
    );
    let batch = MessageExtBatch {
        topic: h.topic.clone(),
        queue_id,
        sys_flag: sys,
        born_timestamp: h.born_timestamp,
        born_host: ctx.channel.peer_addr(),
        store_host: broker.store_host(),
        reconsume_times: h.reconsume_times.unwrap_or(0),
        body: req.body.clone().unwrap_or_default(),
        properties_string: properties_to_string(&props),
    };
    let result = broker.put_messages(batch).await;
    handle_put_result(broker, result, queue_id)
}

/// `handlePutMessageResult`.
fn handle_put_result(
    broker: &Arc<BrokerController>,
    r: PutMessageResult,
    queue_id: i32,
) -> BrokerResult<RemotingCommand> {
    let code = match r.status {
        PutMessageStatus::PutOk => response::SUCCESS,
        PutMessageStatus::FlushDiskTimeout => response::FLUSH_DISK_TIMEOUT,
        PutMessageStatus::FlushSlaveTimeout => response::FLUSH_SLAVE_TIMEOUT,
        PutMessageStatus::SlaveNotAvailable => response::SLAVE_NOT_AVAILABLE,
        PutMessageStatus::CreateMapedFileFailed => {
            return Err(BrokerError::Store(
                "create mapped file failed, server is busy or broken.".to_string(),
            ))
        }
        PutMessageStatus::MessageIllegal | PutMessageStatus::PropertiesSizeExceeded => {
            return Err(BrokerError::MessageIllegal(format!(
                "the message is illegal, maybe msg body or properties length not matched. msg body length limit {}B, msg properties length limit 32KB.",
                broker.store_config().max_message_size
            )))
        }
        PutMessageStatus::ServiceNotAvailable => {
            return Err(BrokerError::ServiceNotAvailable(format!(
                "service not available now. It may be caused by one of the following reasons: the broker's disk is full [{}], messages are put to the slave, message store has been shut down, etc.",
                crate::ha_glue::disk_util(broker.store_config())
            )))
        }
        PutMessageStatus::OsPageCacheBusy => {
            return Err(BrokerError::Store(
                "[PC_SYNCHRONIZED]broker busy, start flow control for a while".to_string(),
            ))
        }
        PutMessageStatus::LmqConsumeQueueNumExceeded => {
            return Err(BrokerError::Store("[LMQ_CONSUME_QUEUE_NUM_EXCEEDED]broker config enableLmq and enableMultiDispatch, lmq consumeQueue num exceed maxLmqConsumeQueueNum config num, default limit 2w.".to_string()))
        }
        PutMessageStatus::UnknownError => return Err(BrokerError::Store("UNKNOWN_ERROR".to_string())),
    };
    let Some(append) = r.append else {
        return Err(BrokerError::Store(
            "store putMessage return null".to_string(),
        ));
    };
    debug!(msg_id = %append.msg_id, queue_id, queue_offset = append.logics_offset, "stored");
    let header = SendMessageResponseHeader {
        msg_id: append.msg_id,
        queue_id,
        queue_offset: append.logics_offset,
        transaction_id: None,
    };
    Ok(RemotingCommand::response_with(code, &header))
}
