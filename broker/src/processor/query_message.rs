//! QUERY_MESSAGE (12) and VIEW_MESSAGE_BY_ID (33) (mirrors
//! `broker/.../processor/QueryMessageProcessor.java`). Bodies are the stored records back to
//! back; a single record goes out without a copy.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use protocol::code::{request, response};
use protocol::header::admin::{
    QueryMessageRequestHeader, QueryMessageResponseHeader, ViewMessageRequestHeader,
};
use protocol::RemotingCommand;

use super::{Reply, RequestContext};
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};

/// `MixAll.UNIQUE_MSG_QUERY_FLAG`.
const UNIQUE_MSG_QUERY_FLAG: &str = "_UNIQUE_KEY_QUERY";

/// Entry point for codes 12, 33.
pub async fn process(
    broker: &Arc<BrokerController>,
    _ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    if req.code == request::QUERY_MESSAGE {
        query_message(broker, &req)
    } else {
        view_message_by_id(broker, &req)
    }
}

fn query_message(broker: &Arc<BrokerController>, req: &RemotingCommand) -> BrokerResult<Reply> {
    let mut h: QueryMessageRequestHeader = req.decode_header()?;
    if req.ext(UNIQUE_MSG_QUERY_FLAG) == Some("true") {
        h.max_num = broker.store_config().default_query_max_num;
    }
    let r = broker.store().query_message(
        &h.topic,
        &h.key,
        h.max_num,
        h.begin_timestamp,
        h.end_timestamp,
    );
    let header = QueryMessageResponseHeader {
        index_last_update_timestamp: r.index_last_update_timestamp,
        index_last_update_phyoffset: r.index_last_update_phyoffset,
    };
    if r.buffer_total_size == 0 {
        return Ok(Some(
            RemotingCommand::response_with(response::QUERY_NOT_FOUND, &header)
                .with_remark("can not find message, maybe time range not correct"),
        ));
    }
    let body = match r.messages.as_slice() {
        [one] => one.data.clone(),
        many => {
            let mut buf = BytesMut::with_capacity(r.buffer_total_size);
            for m in many {
                buf.extend_from_slice(&m.data);
            }
            Bytes::from(buf)
        }
    };
    Ok(Some(
        RemotingCommand::response_with(response::SUCCESS, &header).with_body(body),
    ))
}

fn view_message_by_id(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let h: ViewMessageRequestHeader = req.decode_header()?;
    match broker.store().select_one_message_by_offset(h.offset) {
        Some(buf) => Ok(Some(RemotingCommand::success().with_body(buf.data))),
        None => Err(BrokerError::IllegalRequest(format!(
            "can not find message by the offset, {}",
            h.offset
        ))),
    }
}
