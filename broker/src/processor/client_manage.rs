//! HEART_BEAT (34), UNREGISTER_CLIENT (35), CHECK_CLIENT_CONFIG (46) (mirrors
//! `broker/.../processor/ClientManageProcessor.java`).
//!
//! A heartbeat registers the client's producer groups and consumer groups (with their
//! subscriptions and consume settings) on this connection, creates the consumer group's
//! `%RETRY%` topic, and pushes NOTIFY_CONSUMER_IDS_CHANGED to the group when its membership
//! or subscriptions changed.

use std::sync::Arc;

use protocol::code::request;
use protocol::header::consumer::{UnregisterClientRequestHeader, UnregisterClientResponseHeader};
use protocol::RemotingCommand;
use tracing::{debug, info};

use super::{Reply, RequestContext};
use crate::body::{CheckClientRequestBody, HeartbeatData};
use crate::client::broker2client::notify_consumer_ids_changed_now;
use crate::client::ClientChannelInfo;
use crate::config::perm;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::filter::is_tag_type;
use crate::topic::{sys_flag, validator::retry_topic};

/// Entry point for codes 34, 35, 46.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    match req.code {
        request::HEART_BEAT => heart_beat(broker, ctx, &req).await,
        request::UNREGISTER_CLIENT => unregister_client(broker, ctx, &req).await,
        _ => check_client_config(broker, &req),
    }
}

async fn heart_beat(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let hb: HeartbeatData = protocol::fastjson::from_slice(req.body_bytes())
        .map_err(|e| BrokerError::BadBody(format!("HeartbeatData: {e}")))?;
    let info = ClientChannelInfo::new(
        ctx.channel.clone(),
        hb.client_id.clone(),
        req.language,
        req.version,
    );

    for data in &hb.consumer_data_set {
        let mut notify_enabled = true;
        if let Some(sgc) = broker.subscription_group_manager.find(&data.group_name) {
            notify_enabled = sgc.notify_consumer_ids_changed_enable;
            let topic_sys_flag = if data.unit_mode {
                sys_flag::build(false, true)
            } else {
                0
            };
            broker.topic_config_manager.create_in_send_message_back(
                &retry_topic(&data.group_name),
                sgc.retry_queue_nums,
                perm::WRITE | perm::READ,
                topic_sys_flag,
            );
        }
        let subs: Vec<_> = data.subscription_data_set.to_vec();
        let (changed, notify) = broker.consumer_manager.register(
            &data.group_name,
            info.clone(),
            data.consume_type,
            data.message_model,
            data.consume_from_where,
            &subs,
            notify_enabled,
        );
        if changed {
            info!(group = %data.group_name, client = %hb.client_id, peer = %ctx.remote_addr(), "registerConsumer info changed");
        }
        notify_consumer_ids_changed_now(&notify, &data.group_name, notify_globally(broker)).await;
    }
    for data in &hb.producer_data_set {
        broker
            .producer_manager
            .register(&data.group_name, info.clone());
    }
    debug!(client = %hb.client_id, "heartbeat");
    Ok(Some(RemotingCommand::success()))
}

async fn unregister_client(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: UnregisterClientRequestHeader = req.decode_header()?;
    if let Some(group) = &h.producer_group {
        broker
            .producer_manager
            .unregister(group, &ctx.channel, &h.client_id);
    }
    if let Some(group) = &h.consumer_group {
        let notify_enabled = broker
            .subscription_group_manager
            .find(group)
            .map(|g| g.notify_consumer_ids_changed_enable)
            .unwrap_or(true);
        let notify = broker
            .consumer_manager
            .unregister(group, &ctx.channel, notify_enabled);
        notify_consumer_ids_changed_now(&notify, group, notify_globally(broker)).await;
    }
    Ok(Some(RemotingCommand::response_with(
        protocol::code::response::SUCCESS,
        &UnregisterClientResponseHeader {},
    )))
}

/// `BrokerConfig.notifyConsumerIdsChangedEnable`.
fn notify_globally(broker: &Arc<BrokerController>) -> bool {
    broker.broker_config().notify_consumer_ids_changed_enable
}

fn check_client_config(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let body: Option<CheckClientRequestBody> =
        protocol::fastjson::from_slice(req.body_bytes()).ok();
    if let Some(sd) = body.and_then(|b| b.subscription_data) {
        if is_tag_type(Some(&sd.expression_type)) {
            return Ok(Some(RemotingCommand::success()));
        }
        if !broker.broker_config().enable_property_filter {
            return Err(BrokerError::IllegalRequest(format!(
                "The broker does not support consumer to filter message by {}",
                sd.expression_type
            )));
        }
        crate::filter_sql::check_client_subscription(&sd)?;
    }
    Ok(Some(RemotingCommand::success()))
}
