//! END_TRANSACTION (37) (mirrors `broker/.../processor/EndTransactionProcessor.java`).
//!
//! Java clients send it oneway, right after the local transaction (`fromTransactionCheck =
//! false`) or as the answer to CHECK_TRANSACTION_STATE (`true`). UNKNOW (type 0) and unknown
//! types get no answer. COMMIT (8): the half message at `commitLogOffset` is looked up and
//! validated (producer group, half queue offset, commitlog offset), written to its real topic
//! and queue with the COMMIT sys flag and `preparedTransactionOffset`, then an op record
//! settles the half. ROLLBACK (12): validated the same way, then only the op record is written.
//!
//! As in Java the committed message keeps every property of the half message (including
//! `TRAN_MSG`, `REAL_TOPIC`, `REAL_QID`): Java computes its properties string before clearing
//! them.

use std::sync::Arc;

use protocol::code::response;
use protocol::header::transaction::EndTransactionRequestHeader;
use protocol::message::{properties_to_string, property, sysflag, MessageExt};
use protocol::RemotingCommand;
use store::config::BrokerRole;
use store::message::{MessageExtBrokerInner, PutMessageStatus};
use tracing::{debug, warn};

use super::{Reply, RequestContext};
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::transaction::service;

/// Entry point for code 37.
pub async fn process(
    broker: &Arc<BrokerController>,
    ctx: &RequestContext,
    req: RemotingCommand,
) -> BrokerResult<Reply> {
    let h: EndTransactionRequestHeader = req.decode_header()?;
    debug!(header = ?h, "transaction request");
    if broker.store_config().broker_role == BrokerRole::Slave {
        warn!("message store is slave mode, so end transaction is forbidden");
        return Ok(Some(RemotingCommand::response(
            response::SLAVE_NOT_AVAILABLE,
            None,
        )));
    }
    let from_check = h.from_transaction_check.unwrap_or(false);
    let peer = ctx.remote_addr();
    let remark = req.remark.as_deref().unwrap_or("");
    match h.commit_or_rollback {
        sysflag::TRANSACTION_NOT_TYPE => {
            if from_check {
                warn!(producer = %peer, header = ?h, remark, "check producer transaction state, but it's pending status");
            } else {
                warn!(producer = %peer, header = ?h, remark, "the producer end transaction in sending message, and it's pending status");
            }
            return Ok(None);
        }
        sysflag::TRANSACTION_COMMIT_TYPE => {
            if from_check {
                warn!(producer = %peer, header = ?h, remark, "check producer transaction state, the producer commit the message");
            }
        }
        sysflag::TRANSACTION_ROLLBACK_TYPE => {
            if from_check {
                warn!(producer = %peer, header = ?h, remark, "check producer transaction state, the producer rollback the message");
            } else {
                warn!(producer = %peer, header = ?h, remark, "the producer end transaction in sending message, rollback the message");
            }
        }
        _ => return Ok(None),
    }

    let half = service::half_message_by_offset(broker, h.commit_log_offset)?;
    check_prepare_message(&half, &h)?;
    if h.commit_or_rollback == sysflag::TRANSACTION_COMMIT_TYPE {
        let mut inner = end_message_transaction(&half)?;
        inner.sys_flag = sysflag::reset_transaction_value(inner.sys_flag, h.commit_or_rollback);
        inner.prepared_transaction_offset = h.commit_log_offset;
        let resp = send_final_message(broker, inner).await?;
        service::delete_prepare_message(broker, &half).await;
        Ok(Some(resp))
    } else {
        service::delete_prepare_message(broker, &half).await;
        Ok(Some(RemotingCommand::success()))
    }
}

/// `checkPrepareMessage`.
fn check_prepare_message(half: &MessageExt, h: &EndTransactionRequestHeader) -> BrokerResult<()> {
    if half.property(property::PGROUP) != Some(h.producer_group.as_str()) {
        return Err(BrokerError::IllegalRequest(
            "The producer group wrong".to_string(),
        ));
    }
    if half.queue_offset != h.tran_state_table_offset {
        return Err(BrokerError::IllegalRequest(
            "The transaction state table offset wrong".to_string(),
        ));
    }
    if half.commit_log_offset != h.commit_log_offset {
        return Err(BrokerError::IllegalRequest(
            "The commit log offset wrong".to_string(),
        ));
    }
    Ok(())
}

/// `endMessageTransaction`: the message to write to the real topic.
fn end_message_transaction(half: &MessageExt) -> BrokerResult<MessageExtBrokerInner> {
    let topic = half
        .property(property::REAL_TOPIC)
        .ok_or_else(|| BrokerError::IllegalRequest("java.lang.NullPointerException".to_string()))?
        .to_string();
    let qid = half.property(property::REAL_QID).unwrap_or("null");
    let queue_id = qid.parse::<i32>().map_err(|_| {
        BrokerError::IllegalRequest(format!(
            "java.lang.NumberFormatException: For input string: \"{qid}\""
        ))
    })?;
    Ok(MessageExtBrokerInner {
        topic,
        queue_id,
        flag: half.flag,
        body: half.body.clone(),
        properties_string: properties_to_string(&half.properties),
        sys_flag: half.sys_flag,
        born_timestamp: half.born_timestamp,
        born_host: half.born_host,
        store_host: half.store_host,
        reconsume_times: half.reconsume_times,
        prepared_transaction_offset: 0,
    })
}

/// `sendFinalMessage`: store the committed message; the flush/replica timeouts count as
/// success, as in Java.
async fn send_final_message(
    broker: &Arc<BrokerController>,
    inner: MessageExtBrokerInner,
) -> BrokerResult<RemotingCommand> {
    let r = broker.put_message(inner).await;
    match r.status {
        PutMessageStatus::PutOk
        | PutMessageStatus::FlushDiskTimeout
        | PutMessageStatus::FlushSlaveTimeout
        | PutMessageStatus::SlaveNotAvailable => Ok(RemotingCommand::success()),
        PutMessageStatus::CreateMapedFileFailed => Err(BrokerError::IllegalRequest(
            "Create mapped file failed.".to_string(),
        )),
        PutMessageStatus::MessageIllegal | PutMessageStatus::PropertiesSizeExceeded => {
            Err(BrokerError::MessageIllegal(format!(
                "The message is illegal, maybe msg body or properties length not matched. msg body length limit {}B, msg properties length limit 32KB.",
                broker.store_config().max_message_size
            )))
        }
        PutMessageStatus::ServiceNotAvailable => Err(BrokerError::ServiceNotAvailable(
            "Service not available now.".to_string(),
        )),
        PutMessageStatus::OsPageCacheBusy => Err(BrokerError::IllegalRequest(
            "OS page cache busy, please try another machine".to_string(),
        )),
        PutMessageStatus::UnknownError => {
            Err(BrokerError::IllegalRequest("UNKNOWN_ERROR".to_string()))
        }
        PutMessageStatus::LmqConsumeQueueNumExceeded => Err(BrokerError::IllegalRequest(
            "UNKNOWN_ERROR DEFAULT".to_string(),
        )),
    }
}
