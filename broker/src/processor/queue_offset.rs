//! Queue offset lookups: SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30),
//! GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32). In Java these four live in
//! `AdminBrokerProcessor` (`searchOffsetByTimestamp`, `getMaxOffset`, `getMinOffset`,
//! `getEarliestMsgStoretime`); they are split out here because clients use them on the data
//! path.

use std::sync::Arc;

use protocol::code::{request, response};
use protocol::header::admin::{
    GetEarliestMsgStoretimeRequestHeader, GetEarliestMsgStoretimeResponseHeader,
    GetMaxOffsetRequestHeader, GetMaxOffsetResponseHeader, GetMinOffsetRequestHeader,
    GetMinOffsetResponseHeader, SearchOffsetRequestHeader, SearchOffsetResponseHeader,
};
use protocol::RemotingCommand;

use super::{Reply, RequestContext};
use crate::controller::BrokerController;
use crate::error::BrokerResult;

/// Entry point for codes 29-32.
pub async fn process(
    broker: &Arc<BrokerController>,
    _ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    let store = broker.store();
    let resp = match req.code {
        request::SEARCH_OFFSET_BY_TIMESTAMP => {
            let h: SearchOffsetRequestHeader = req.decode_header()?;
            let offset = store.offset_in_queue_by_time(&h.topic, h.queue_id, h.timestamp);
            RemotingCommand::response_with(
                response::SUCCESS,
                &SearchOffsetResponseHeader { offset },
            )
        }
        request::GET_MAX_OFFSET => {
            let h: GetMaxOffsetRequestHeader = req.decode_header()?;
            let offset = store.max_offset_in_queue(&h.topic, h.queue_id);
            RemotingCommand::response_with(
                response::SUCCESS,
                &GetMaxOffsetResponseHeader { offset },
            )
        }
        request::GET_MIN_OFFSET => {
            let h: GetMinOffsetRequestHeader = req.decode_header()?;
            let offset = store.min_offset_in_queue(&h.topic, h.queue_id);
            RemotingCommand::response_with(
                response::SUCCESS,
                &GetMinOffsetResponseHeader { offset },
            )
        }
        _ => {
            let h: GetEarliestMsgStoretimeRequestHeader = req.decode_header()?;
            let timestamp = store.earliest_message_time(&h.topic, h.queue_id);
            RemotingCommand::response_with(
                response::SUCCESS,
                &GetEarliestMsgStoretimeResponseHeader { timestamp },
            )
        }
    };
    Ok(Some(resp))
}
