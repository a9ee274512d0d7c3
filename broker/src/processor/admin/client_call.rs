//! Admin requests the broker answers by calling its consumers over their own connections:
//! INVOKE_BROKER_TO_RESET_OFFSET (222, pushes RESET_CONSUMER_CLIENT_OFFSET 220 oneway),
//! INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223, calls GET_CONSUMER_STATUS_FROM_CLIENT 221),
//! GET_CONSUMER_RUNNING_INFO (307) and CONSUME_MESSAGE_DIRECTLY (309) (forwarded as is, the
//! client's reply goes back to the caller).
//!
//! Mirrors `Broker2Client.resetOffset` / `getConsumeStatus` / `callClient` and
//! `resetOffset`, `getConsumerStatus`, `getConsumerRunningInfo`, `consumeMessageDirectly`,
//! `callConsumer` of `broker/.../processor/AdminBrokerProcessor.java`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use protocol::body::{JsonBody, MessageQueue, ResetOffsetBody};
use protocol::code::{request, response};
use protocol::fastjson::order;
use protocol::header::consumer::{
    ConsumeMessageDirectlyResultRequestHeader, GetConsumerRunningInfoRequestHeader,
    GetConsumerStatusRequestHeader, ResetOffsetRequestHeader,
};
use protocol::message::decode_offset_msg_id;
use protocol::{LanguageCode, ProtocolError, RemotingCommand};
use serde::{Deserialize, Serialize, Serializer};
use tracing::{error, info, warn};

use super::success_leftover_remark;
use super::version::{version_desc, V3_0_7_SNAPSHOT, V3_1_8_SNAPSHOT};
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::processor::{Reply, RequestContext};

/// `Broker2Client.callClient`'s timeout.
const CALL_CLIENT_TIMEOUT: Duration = Duration::from_millis(10_000);
/// `getConsumeStatus`'s per-client timeout.
const CONSUMER_STATUS_TIMEOUT: Duration = Duration::from_millis(5_000);
/// `LanguageCode.CPP`.
const LANGUAGE_CPP: LanguageCode = LanguageCode(1);

/// A `HashMap<MessageQueue, Long>` written in Java `HashMap` order (nested maps need it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
struct MqOffsets(HashMap<MessageQueue, i64>);

impl Serialize for MqOffsets {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        order::hash_map(&self.0, s)
    }
}

/// `GetConsumerStatusBody` (not in the protocol crate yet).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct GetConsumerStatusBody {
    /// clientId → queue → offset (`HashMap`).
    #[serde(serialize_with = "order::hash_map")]
    consumer_table: HashMap<String, MqOffsets>,
    /// queue → offset (`HashMap`), what one client answers.
    message_queue_table: MqOffsets,
}

impl JsonBody for GetConsumerStatusBody {}

/// `MessageQueueForC`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageQueueForC {
    broker_name: String,
    offset: i64,
    queue_id: i32,
    topic: String,
}

/// `ResetOffsetBodyForC`: the table as a list, for C++ clients.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResetOffsetBodyForC {
    offset_table: Vec<MessageQueueForC>,
}

impl ResetOffsetBodyForC {
    fn encode(&self) -> Vec<u8> {
        protocol::fastjson::to_vec(self).unwrap_or_default()
    }
}

/// INVOKE_BROKER_TO_RESET_OFFSET: compute each write queue's new offset (the offset at
/// `timestamp`, or the max offset for -1; only moving backwards unless `isForce`) and push
/// it to every online member of the group.
pub async fn reset_offset(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: ResetOffsetRequestHeader = req.decode_header()?;
    info!(
        peer = %ctx.remote_addr(), topic = %h.topic, group = %h.group, timestamp = h.timestamp,
        force = h.is_force, "[reset-offset] reset offset started"
    );
    let is_c = req.language == LANGUAGE_CPP;
    let (topic, group) = (&h.topic, &h.group);
    let Some(tc) = broker.topic_config_manager.select(topic) else {
        error!(topic = %topic, "[reset-offset] reset offset failed, no topic in this broker");
        return Err(BrokerError::IllegalRequest(format!(
            "[reset-offset] reset offset failed, no topic in this broker. topic={topic}"
        )));
    };
    let broker_name = broker.broker_config().broker_name.clone();
    let store = broker.store();
    let mut offsets: HashMap<MessageQueue, i64> = HashMap::new();
    for i in 0..tc.write_queue_nums.max(0) {
        let consumer_offset = broker.consumer_offset_manager.query_offset(group, topic, i);
        if consumer_offset == -1 {
            return Err(BrokerError::IllegalRequest(format!(
                "THe consumer group <{group}> not exist"
            )));
        }
        let mut ts_offset = if h.timestamp == -1 {
            store.max_offset_in_queue(topic, i)
        } else {
            store.offset_in_queue_by_time(topic, i, h.timestamp)
        };
        if ts_offset < 0 {
            warn!(topic = %topic, queue = i, offset = ts_offset, "reset offset is invalid");
            ts_offset = 0;
        }
        let offset = if h.is_force || ts_offset < consumer_offset {
            ts_offset
        } else {
            consumer_offset
        };
        offsets.insert(
            MessageQueue::new(topic.clone(), broker_name.clone(), i),
            offset,
        );
    }

    let push_header = ResetOffsetRequestHeader {
        topic: topic.clone(),
        group: group.clone(),
        timestamp: h.timestamp,
        is_force: false,
    };
    let push_body = if is_c {
        let mut list: Vec<MessageQueueForC> = offsets
            .iter()
            .map(|(mq, off)| MessageQueueForC {
                broker_name: mq.broker_name.clone(),
                offset: *off,
                queue_id: mq.queue_id,
                topic: mq.topic.clone(),
            })
            .collect();
        list.sort_by_key(|m| m.queue_id);
        ResetOffsetBodyForC { offset_table: list }.encode()
    } else {
        ResetOffsetBody {
            offset_table: offsets.clone(),
        }
        .encode()
    };

    let members = broker
        .consumer_manager
        .group_info(group)
        .map(|g| g.channel_info_table.into_values().collect::<Vec<_>>())
        .unwrap_or_default();
    if members.is_empty() {
        let remark = format!(
            "Consumer not online, so can not reset offset, Group: {group} Topic: {topic} Timestamp: {}",
            h.timestamp
        );
        error!("{remark}");
        return Ok(Some(RemotingCommand::response(
            response::CONSUMER_NOT_ONLINE,
            Some(remark),
        )));
    }
    for member in members {
        if member.version < V3_0_7_SNAPSHOT {
            warn!(peer = %member.channel.peer_addr(), version = member.version, "[reset-offset] the client does not support this feature");
            return Err(BrokerError::IllegalRequest(format!(
                "the client does not support this feature. version={}",
                version_desc(member.version)
            )));
        }
        let cmd =
            RemotingCommand::request_with(request::RESET_CONSUMER_CLIENT_OFFSET, &push_header)
                .with_body(push_body.clone());
        match member.channel.send_oneway(cmd).await {
            Ok(()) => {
                info!(topic = %topic, group = %group, client = %member.client_id, "[reset-offset] reset offset success")
            }
            Err(e) => {
                error!(topic = %topic, group = %group, error = %e, "[reset-offset] reset offset exception")
            }
        }
    }
    let body = ResetOffsetBody {
        offset_table: offsets,
    };
    Ok(Some(success_leftover_remark().with_body(body.encode())))
}

/// INVOKE_BROKER_TO_GET_CONSUMER_STATUS: ask each member (or the one whose client id is
/// `clientAddr`) for its queue offsets of the topic.
pub async fn get_consumer_status(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: GetConsumerStatusRequestHeader = req.decode_header()?;
    info!(peer = %ctx.remote_addr(), topic = %h.topic, group = %h.group, "[get-consumer-status] get consumer status");
    let Some(group) = broker.consumer_manager.group_info(&h.group) else {
        // Java dereferences the missing group info.
        return Err(BrokerError::IllegalRequest(
            "java.lang.NullPointerException: Cannot invoke \"org.apache.rocketmq.broker.client.ConsumerGroupInfo.getChannelInfoTable()\" because the return value of \"org.apache.rocketmq.broker.client.ConsumerManager.getConsumerGroupInfo(String)\" is null, org.apache.rocketmq.broker.client.net.Broker2Client.getConsumeStatus(Broker2Client.java:243)"
                .to_string(),
        ));
    };
    let members: Vec<_> = group.channel_info_table.into_values().collect();
    if members.is_empty() {
        return Err(BrokerError::IllegalRequest(format!(
            "No Any Consumer online in the consumer group: [{}]",
            h.group
        )));
    }
    let wanted = h
        .client_addr
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let ask = GetConsumerStatusRequestHeader {
        topic: h.topic.clone(),
        group: h.group.clone(),
        client_addr: None,
    };
    let mut table: HashMap<String, MqOffsets> = HashMap::new();
    for member in members {
        if member.version < V3_0_7_SNAPSHOT {
            warn!(peer = %member.channel.peer_addr(), version = member.version, "[get-consumer-status] the client does not support this feature");
            return Err(BrokerError::IllegalRequest(format!(
                "the client does not support this feature. version={}",
                version_desc(member.version)
            )));
        }
        if wanted.is_some_and(|w| w != member.client_id) {
            continue;
        }
        let cmd = RemotingCommand::request_with(request::GET_CONSUMER_STATUS_FROM_CLIENT, &ask);
        match member.channel.invoke(cmd, CONSUMER_STATUS_TIMEOUT).await {
            Ok(resp) if resp.code == response::SUCCESS && resp.body.is_some() => {
                match GetConsumerStatusBody::decode(resp.body_bytes()) {
                    Ok(body) => {
                        info!(topic = %h.topic, group = %h.group, client = %member.client_id, "[get-consumer-status] get consumer status success");
                        table.insert(member.client_id.clone(), body.message_queue_table);
                    }
                    Err(e) => {
                        error!(client = %member.client_id, error = %e, "[get-consumer-status] bad GetConsumerStatusBody")
                    }
                }
            }
            Ok(_) => {}
            Err(e) => {
                error!(topic = %h.topic, group = %h.group, error = %e, "[get-consumer-status] get consumer status exception")
            }
        }
        if wanted.is_some() {
            break;
        }
    }
    let body = GetConsumerStatusBody {
        consumer_table: table,
        message_queue_table: MqOffsets::default(),
    };
    Ok(Some(success_leftover_remark().with_body(body.encode())))
}

/// GET_CONSUMER_RUNNING_INFO: forwarded to the client.
pub async fn get_consumer_running_info(
    broker: &Arc<BrokerController>,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    let h: GetConsumerRunningInfoRequestHeader = req.decode_header()?;
    call_consumer(
        broker,
        request::GET_CONSUMER_RUNNING_INFO,
        req,
        &h.consumer_group,
        &h.client_id,
    )
    .await
}

/// CONSUME_MESSAGE_DIRECTLY: attach the stored message named by `msgId` (an offset msgId)
/// and our broker name, then forward to the client.
pub async fn consume_message_directly(
    broker: &Arc<BrokerController>,
    mut req: RemotingCommand,
) -> BrokerResult<Reply> {
    let h: ConsumeMessageDirectlyResultRequestHeader = req.decode_header()?;
    let broker_name = broker.broker_config().broker_name.clone();
    req.set_ext("brokerName", broker_name);
    let msg_id = h.msg_id.clone().unwrap_or_default();
    let (_, offset) =
        decode_offset_msg_id(&msg_id).map_err(|e| BrokerError::IllegalRequest(e.to_string()))?;
    let record = broker.store().select_one_message_by_offset(offset).ok_or_else(|| {
        // Java reads the size of the missing buffer.
        BrokerError::IllegalRequest(
            "java.lang.NullPointerException: Cannot invoke \"org.apache.rocketmq.store.SelectMappedBufferResult.getSize()\" because \"selectMappedBufferResult\" is null, org.apache.rocketmq.broker.processor.AdminBrokerProcessor.consumeMessageDirectly(AdminBrokerProcessor.java:1238)"
                .to_string(),
        )
    })?;
    req.body = Some(record.data);
    let client_id = h.client_id.clone().unwrap_or_default();
    call_consumer(
        broker,
        request::CONSUME_MESSAGE_DIRECTLY,
        req,
        &h.consumer_group,
        &client_id,
    )
    .await
}

/// `callConsumer`: send `code` with the request's ext fields and body to the member
/// `client_id` of `group` and return its reply.
async fn call_consumer(
    broker: &Arc<BrokerController>,
    code: i32,
    req: RemotingCommand,
    group: &str,
    client_id: &str,
) -> BrokerResult<Reply> {
    let member = broker.consumer_manager.group_info(group).and_then(|g| {
        g.channel_info_table
            .into_values()
            .find(|i| i.client_id == client_id)
    });
    let Some(member) = member else {
        return Err(BrokerError::IllegalRequest(format!(
            "The Consumer <{group}> <{client_id}> not online"
        )));
    };
    if member.version < V3_1_8_SNAPSHOT {
        return Err(BrokerError::IllegalRequest(format!(
            "The Consumer <{client_id}> Version <{}> too low to finish, please upgrade it to V3_1_8_SNAPSHOT",
            version_desc(member.version)
        )));
    }
    let mut forward = RemotingCommand::request(code);
    forward.ext_fields = req.ext_fields;
    forward.body = req.body;
    match member.channel.invoke(forward, CALL_CLIENT_TIMEOUT).await {
        Ok(resp) => Ok(Some(resp)),
        Err(ProtocolError::Timeout { addr, millis }) => Ok(Some(RemotingCommand::response(
            response::CONSUME_MSG_TIMEOUT,
            Some(format!(
                "consumer <{group}> <{client_id}> Timeout: org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <{addr}> timeout, {millis}(ms)"
            )),
        ))),
        Err(e) => Err(BrokerError::IllegalRequest(format!(
            "invoke consumer <{group}> <{client_id}> Exception: {e}"
        ))),
    }
}
