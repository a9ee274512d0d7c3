//! Consumer/producer group administration: UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200),
//! GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201), DELETE_SUBSCRIPTIONGROUP (207),
//! GET_CONSUMER_CONNECTION_LIST (203), GET_PRODUCER_CONNECTION_LIST (204),
//! GET_ALL_PRODUCER_INFO (328), QUERY_TOPIC_CONSUME_BY_WHO (300).
//!
//! Mirrors `updateAndCreateSubscriptionGroup`, `getAllSubscriptionGroup`,
//! `deleteSubscriptionGroup`, `getConsumerConnectionList`, `getProducerConnectionList`,
//! `getAllProducerInfo` and `queryTopicConsumeByWho` of
//! `broker/.../processor/AdminBrokerProcessor.java` (plus `ProducerManager.getProducerTable`).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;

use protocol::body::{
    Connection, ConsumerConnection, GroupList, JsonBody, ProducerConnection, ProducerInfo,
    ProducerTableInfo, SubscriptionGroupConfig,
};
use protocol::code::response;
use protocol::header::admin::{
    DeleteSubscriptionGroupRequestHeader, GetConsumerConnectionListRequestHeader,
    GetProducerConnectionListRequestHeader, QueryTopicConsumeByWhoRequestHeader,
};
use protocol::RemotingCommand;
use tracing::{info, warn};

use super::{success_null_remark, validate_slave};
use crate::client::ClientChannelInfo;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::processor::{Reply, RequestContext};

/// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: the body is a `SubscriptionGroupConfig`.
pub fn update_and_create_subscription_group(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    validate_slave(broker)?;
    info!(peer = %ctx.remote_addr(), "updateAndCreateSubscriptionGroup called");
    if req.body.is_none() {
        return Err(BrokerError::IllegalRequest(
            "java.lang.NullPointerException".to_string(),
        ));
    }
    let cfg = SubscriptionGroupConfig::decode(req.body_bytes())
        .map_err(|e| BrokerError::BadBody(format!("SubscriptionGroupConfig: {e}")))?;
    info!(group = %cfg.group_name, "update subscription group config");
    broker.subscription_group_manager.update(cfg);
    Ok(Some(success_null_remark()))
}

/// GET_ALL_SUBSCRIPTIONGROUP_CONFIG: `SubscriptionGroupManager.encode()`.
pub fn get_all_subscription_group(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
) -> BrokerResult<Reply> {
    let body = broker.subscription_group_manager.build_wrapper().encode();
    if body.is_empty() {
        warn!(peer = %ctx.remote_addr(), "No subscription group in this broker");
        return Err(BrokerError::IllegalRequest(
            "No subscription group in this broker".to_string(),
        ));
    }
    Ok(Some(success_null_remark().with_body(body)))
}

/// DELETE_SUBSCRIPTIONGROUP: drop the group's config and, with `removeOffset`, its offsets.
pub fn delete_subscription_group(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    validate_slave(broker)?;
    let h: DeleteSubscriptionGroupRequestHeader = req.decode_header()?;
    info!(peer = %ctx.remote_addr(), group = %h.group_name, "deleteSubscriptionGroup called");
    if !broker.subscription_group_manager.delete(&h.group_name) {
        warn!(group = %h.group_name, "delete subscription group failed, the group does not exist");
    }
    if h.remove_offset {
        broker.consumer_offset_manager.remove_group(&h.group_name);
    }
    Ok(Some(success_null_remark()))
}

fn connection(info: &ClientChannelInfo) -> Connection {
    Connection {
        client_id: info.client_id.clone(),
        client_addr: info.channel.peer_addr().to_string(),
        language: info.language,
        version: info.version,
    }
}

/// GET_CONSUMER_CONNECTION_LIST: the group's members, subscriptions and consume settings;
/// CONSUMER_NOT_ONLINE when nobody of the group is connected.
pub fn get_consumer_connection_list(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: GetConsumerConnectionListRequestHeader = req.decode_header()?;
    let Some(group) = broker.consumer_manager.group_info(&h.consumer_group) else {
        return Ok(Some(RemotingCommand::response(
            response::CONSUMER_NOT_ONLINE,
            Some(format!(
                "the consumer group[{}] not online",
                h.consumer_group
            )),
        )));
    };
    let body = ConsumerConnection {
        connection_set: group.channel_info_table.values().map(connection).collect(),
        subscription_table: group.subscription_table.clone(),
        consume_type: group.consume_type,
        message_model: group.message_model,
        consume_from_where: group.consume_from_where,
    };
    Ok(Some(success_null_remark().with_body(body.encode())))
}

/// GET_PRODUCER_CONNECTION_LIST: SYSTEM_ERROR `the producer group[g] not exist` when the
/// group has no channel table.
pub fn get_producer_connection_list(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: GetProducerConnectionListRequestHeader = req.decode_header()?;
    let all = broker.producer_manager.all();
    let Some(channels) = all.get(&h.producer_group) else {
        return Err(BrokerError::IllegalRequest(format!(
            "the producer group[{}] not exist",
            h.producer_group
        )));
    };
    let body = ProducerConnection {
        connection_set: channels.iter().map(connection).collect(),
    };
    Ok(Some(success_null_remark().with_body(body.encode())))
}

/// `InetSocketAddress.toString()` of a connected channel (JDK 14+): `/1.2.3.4:5` or
/// `/[0:0:0:0:0:0:0:1]:5` (the IPv6 literal in Java's uncompressed form).
fn java_socket_address(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("/{a}"),
        SocketAddr::V6(a) => {
            let segs: Vec<String> = a.ip().segments().iter().map(|s| format!("{s:x}")).collect();
            format!("/[{}]:{}", segs.join(":"), a.port())
        }
    }
}

/// GET_ALL_PRODUCER_INFO: `ProducerManager.getProducerTable()`.
pub fn get_all_producer_info(broker: &Arc<BrokerController>) -> BrokerResult<Reply> {
    let data: HashMap<String, Vec<ProducerInfo>> = broker
        .producer_manager
        .all()
        .into_iter()
        .map(|(group, infos)| {
            let list = infos
                .iter()
                .map(|i| ProducerInfo {
                    client_id: i.client_id.clone(),
                    remote_ip: java_socket_address(&i.channel.peer_addr()),
                    language: i.language,
                    version: i.version,
                    last_update_timestamp: i.last_update_timestamp,
                })
                .collect();
            (group, list)
        })
        .collect();
    let body = ProducerTableInfo { data };
    Ok(Some(success_null_remark().with_body(body.encode())))
}

/// QUERY_TOPIC_CONSUME_BY_WHO: groups subscribed to the topic now, plus groups with a
/// committed offset on it.
pub fn query_topic_consume_by_who(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: QueryTopicConsumeByWhoRequestHeader = req.decode_header()?;
    let mut groups: HashSet<String> = broker
        .consumer_manager
        .groups_consuming(&h.topic)
        .into_iter()
        .collect();
    groups.extend(broker.consumer_offset_manager.groups_of_topic(&h.topic));
    let body = GroupList { group_list: groups };
    Ok(Some(success_null_remark().with_body(body.encode())))
}
