//! RESUME_CHECK_HALF_MESSAGE (323): put a half (prepared) message back into
//! `RMQ_SYS_TRANS_HALF_TOPIC` with its check counter reset, so the transaction check
//! service asks the producer again (mirrors `resumeCheckHalfMessage` and
//! `toMessageExtBrokerInner` of `broker/.../processor/AdminBrokerProcessor.java`).

use std::sync::Arc;

use protocol::code::request;
use protocol::header::transaction::ResumeCheckHalfMessageRequestHeader;
use protocol::message::codec::{decode_slice, DecodeOptions};
use protocol::message::decode_offset_msg_id;
use protocol::message::property::{properties_to_string, TRANSACTION_CHECK_TIMES};
use protocol::RemotingCommand;
use store::message::{MessageExtBrokerInner, PutMessageStatus};
use tracing::{error, info};

use super::success_null_remark;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::processor::Reply;
use crate::topic::validator::RMQ_SYS_TRANS_HALF_TOPIC;

const FAILED: &str = "Put message back to RMQ_SYS_TRANS_HALF_TOPIC failed.";
const EXCEPTION: &str =
    "Exception was thrown when putting message back to RMQ_SYS_TRANS_HALF_TOPIC.";

/// RESUME_CHECK_HALF_MESSAGE.
pub async fn resume_check_half_message(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    debug_assert_eq!(req.code, request::RESUME_CHECK_HALF_MESSAGE);
    let h: ResumeCheckHalfMessageRequestHeader = req.decode_header()?;
    let exception = || {
        error!("{EXCEPTION}");
        BrokerError::IllegalRequest(EXCEPTION.to_string())
    };
    let msg_id = h.msg_id.clone().unwrap_or_default();
    let (_, offset) = decode_offset_msg_id(&msg_id).map_err(|_| exception())?;
    let record = broker
        .store()
        .select_one_message_by_offset(offset)
        .ok_or_else(exception)?;
    let (mut msg, _) =
        decode_slice(&record.data, DecodeOptions::default()).map_err(|_| exception())?;
    msg.properties
        .insert(TRANSACTION_CHECK_TIMES.to_string(), "0".to_string());
    let inner = MessageExtBrokerInner {
        topic: RMQ_SYS_TRANS_HALF_TOPIC.to_string(),
        queue_id: 0,
        flag: msg.flag,
        body: msg.body.clone(),
        properties_string: properties_to_string(msg.properties.iter()),
        sys_flag: msg.sys_flag,
        born_timestamp: msg.born_timestamp,
        born_host: msg.born_host,
        store_host: msg.store_host,
        reconsume_times: msg.reconsume_times,
        prepared_transaction_offset: 0,
    };
    let result = broker.put_message(inner).await;
    if result.status == PutMessageStatus::PutOk {
        info!(
            real_topic = msg
                .properties
                .get("REAL_TOPIC")
                .map(String::as_str)
                .unwrap_or(""),
            "Put message back to RMQ_SYS_TRANS_HALF_TOPIC."
        );
        Ok(Some(success_null_remark()))
    } else {
        error!("{FAILED}");
        Err(BrokerError::IllegalRequest(FAILED.to_string()))
    }
}
