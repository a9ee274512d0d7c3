//! GET_CONSUMER_LIST_BY_GROUP (38), UPDATE_CONSUMER_OFFSET (15), QUERY_CONSUMER_OFFSET (14)
//! (mirrors `broker/.../processor/ConsumerManageProcessor.java`).

use std::sync::Arc;

use protocol::code::{request, response};
use protocol::header::consumer::{
    GetConsumerListByGroupRequestHeader, GetConsumerListByGroupResponseHeader,
    QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader,
    UpdateConsumerOffsetRequestHeader, UpdateConsumerOffsetResponseHeader,
};
use protocol::RemotingCommand;
use tracing::warn;

use super::{Reply, RequestContext};
use crate::body::GetConsumerListByGroupResponseBody;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};

/// Entry point for codes 14, 15, 38.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    match req.code {
        request::GET_CONSUMER_LIST_BY_GROUP => consumer_list(broker, ctx, &req),
        request::UPDATE_CONSUMER_OFFSET => update_offset(broker, ctx, &req),
        _ => query_offset(broker, &req),
    }
}

fn consumer_list(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: GetConsumerListByGroupRequestHeader = req.decode_header()?;
    match broker.consumer_manager.client_ids(&h.consumer_group) {
        Some(ids) if !ids.is_empty() => {
            let body = GetConsumerListByGroupResponseBody {
                consumer_id_list: ids,
            };
            let bytes = protocol::fastjson::to_vec(&body)
                .map_err(|e| BrokerError::BadBody(e.to_string()))?;
            Ok(Some(
                RemotingCommand::response_with(
                    response::SUCCESS,
                    &GetConsumerListByGroupResponseHeader {},
                )
                .with_body(bytes),
            ))
        }
        _ => {
            warn!(group = %h.consumer_group, peer = %ctx.remote_addr(), "getConsumerGroupInfo failed");
            Err(BrokerError::IllegalRequest(format!(
                "no consumer for this group, {}",
                h.consumer_group
            )))
        }
    }
}

fn update_offset(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: UpdateConsumerOffsetRequestHeader = req.decode_header()?;
    broker.consumer_offset_manager.commit_offset(
        &ctx.remote_addr(),
        &h.consumer_group,
        &h.topic,
        h.queue_id,
        h.commit_offset,
    );
    Ok(Some(RemotingCommand::response_with(
        response::SUCCESS,
        &UpdateConsumerOffsetResponseHeader {},
    )))
}

/// The protocol.md §8 rule: no committed offset → 0 if the queue still starts at 0 and its
/// first message is in memory (a brand-new group on a young queue), else QUERY_NOT_FOUND.
fn query_offset(broker: &Arc<BrokerController>, req: &RemotingCommand) -> BrokerResult<Reply> {
    let h: QueryConsumerOffsetRequestHeader = req.decode_header()?;
    let mut offset =
        broker
            .consumer_offset_manager
            .query_offset(&h.consumer_group, &h.topic, h.queue_id);
    if offset < 0 {
        let store = broker.store();
        let min = store.min_offset_in_queue(&h.topic, h.queue_id);
        if min <= 0 && !store.check_in_disk_by_consume_offset(&h.topic, h.queue_id, 0) {
            offset = 0;
        } else {
            return Err(BrokerError::QueryNotFound(
                "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first".to_string(),
            ));
        }
    }
    Ok(Some(RemotingCommand::response_with(
        response::SUCCESS,
        &QueryConsumerOffsetResponseHeader { offset },
    )))
}
