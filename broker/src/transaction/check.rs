//! The transaction check service and what it does with each half message (mirrors
//! `broker/.../transaction/TransactionalMessageCheckService.java`,
//! `AbstractTransactionalMessageCheckListener.java`,
//! `queue/DefaultTransactionalMessageCheckListener.java` and
//! `client/net/Broker2Client.checkProducerTransactionState`).
//!
//! [`start`] runs [`service::check`](super::service::check) every `transactionCheckInterval`
//! ms with the current `transactionTimeOut` and `transactionCheckMax` (on a master only, as
//! `startProcessorByHa` does). A half message to check is sent to one live producer channel of
//! its `PGROUP` as a oneway CHECK_TRANSACTION_STATE whose body is the half re-encoded with its
//! real topic and queue id; the producer answers with END_TRANSACTION
//! (`fromTransactionCheck=true`). A half checked too often goes to `TRANS_CHECK_MAX_TIME_TOPIC`.

use std::sync::Arc;
use std::time::Duration;

use protocol::code::request;
use protocol::header::transaction::CheckTransactionStateRequestHeader;
use protocol::message::{encode, properties_to_string, property, MessageExt};
use protocol::RemotingCommand;
use rand::Rng;
use store::config::BrokerRole;
use store::message::{MessageExtBrokerInner, PutMessageStatus};
use tracing::{debug, error, info, warn, Instrument};

use super::{service, RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC, TCMT_QUEUE_NUMS};
use crate::config::perm;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};

/// Start `TransactionalMessageCheckService` (a no-op on a slave). The first pass runs one
/// interval after start; the interval, timeout and max are re-read before every pass.
pub fn start(broker: &Arc<BrokerController>) {
    if broker.store_config().broker_role == BrokerRole::Slave {
        return;
    }
    let b = broker.clone();
    let mut stop = broker.shutdown_signal();
    tokio::spawn(
        async move {
            info!("start transaction check service");
            loop {
                let interval = b.broker_config().transaction_check_interval.max(10) as u64;
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(interval)) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
                let (timeout, check_max) = {
                    let c = b.broker_config();
                    (c.transaction_time_out, c.transaction_check_max)
                };
                let begin = std::time::Instant::now();
                debug!(timeout, check_max, "begin to check prepare message");
                service::check(&b, timeout, check_max).await;
                debug!(
                    elapsed_ms = begin.elapsed().as_millis() as u64,
                    "end to check prepare message"
                );
            }
            info!("end transaction check service");
        }
        .instrument(tracing::info_span!("TransactionalMessageCheckService")),
    );
}

/// `resolveHalfMsg`: ask the producer, off the check loop.
pub fn resolve_half_msg(b: &Arc<BrokerController>, msg: MessageExt) {
    let b = b.clone();
    tokio::spawn(async move {
        if let Err(e) = send_check_message(&b, msg).await {
            error!(error = %e, "send check message error");
        }
    });
}

/// `sendCheckMessage` + `Broker2Client.checkProducerTransactionState`.
pub async fn send_check_message(b: &BrokerController, mut msg: MessageExt) -> BrokerResult<()> {
    let uniq = msg.property(property::UNIQ_KEY).map(str::to_string);
    let header = CheckTransactionStateRequestHeader {
        tran_state_table_offset: msg.queue_offset,
        commit_log_offset: msg.commit_log_offset,
        msg_id: uniq.clone(),
        transaction_id: uniq,
        offset_msg_id: Some(msg.msg_id.clone()),
        bname: None,
    };
    let real_topic = msg
        .property(property::REAL_TOPIC)
        .map(str::to_string)
        .ok_or_else(|| {
            BrokerError::IllegalRequest(format!("half message {} has no REAL_TOPIC", msg.msg_id))
        })?;
    let real_qid = msg
        .property(property::REAL_QID)
        .and_then(|q| q.parse::<i32>().ok())
        .ok_or_else(|| {
            BrokerError::IllegalRequest(format!(
                "half message {} has no valid REAL_QID",
                msg.msg_id
            ))
        })?;
    msg.topic = real_topic;
    msg.queue_id = real_qid;
    msg.store_size = 0;
    let Some(group) = msg.property(property::PGROUP).map(str::to_string) else {
        warn!(msg_id = %msg.msg_id, "check transaction failed, half message has no producer group");
        return Ok(());
    };
    let Some(channel) = b.producer_manager.available_channel(&group) else {
        warn!(group = %group, "check transaction failed, channel is null");
        return Ok(());
    };
    let body = encode(&msg).map_err(BrokerError::Protocol)?;
    let cmd =
        RemotingCommand::request_with(request::CHECK_TRANSACTION_STATE, &header).with_body(body);
    if let Err(e) = channel.send_oneway(cmd).await {
        error!(group = %group, msg_id = %msg.msg_id, error = %e, "check transaction failed because invoke producer exception");
    } else {
        debug!(group = %group, peer = %channel.peer_addr(), commit_log_offset = msg.commit_log_offset, "CHECK_TRANSACTION_STATE sent");
    }
    Ok(())
}

/// `DefaultTransactionalMessageCheckListener.resolveDiscardMsg`: a half checked too often is
/// moved to `TRANS_CHECK_MAX_TIME_TOPIC`.
pub async fn resolve_discard_msg(b: &BrokerController, msg: &MessageExt) {
    error!(msg_id = %msg.msg_id, real_topic = ?msg.property(property::REAL_TOPIC), "half message has been checked too many times, discard it by moving it to TRANS_CHECK_MAX_TIME_TOPIC");
    let tc = b.topic_config_manager.create_in_send_message_back(
        RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
        TCMT_QUEUE_NUMS,
        perm::READ | perm::WRITE,
        0,
    );
    // Java: `ThreadLocalRandom.nextInt(99999999) % TCMT_QUEUE_NUMS` (always 0 with one queue)
    let queue_id = rand::thread_rng()
        .gen_range(0..99_999_999i32)
        .rem_euclid(TCMT_QUEUE_NUMS.max(1));
    let inner = MessageExtBrokerInner {
        topic: tc.topic_name,
        queue_id,
        flag: msg.flag,
        body: msg.body.clone(),
        properties_string: properties_to_string(&msg.properties),
        sys_flag: msg.sys_flag,
        born_timestamp: msg.born_timestamp,
        born_host: msg.born_host,
        store_host: msg.store_host,
        reconsume_times: msg.reconsume_times,
        prepared_transaction_offset: 0,
    };
    let r = b.put_message(inner).await;
    if r.status == PutMessageStatus::PutOk {
        info!(
            queue_offset = msg.queue_offset,
            commit_log_offset = msg.commit_log_offset,
            "put checked-too-many-time half message to TRANS_CHECK_MAX_TIME_TOPIC OK"
        );
    } else {
        error!(msg_id = %msg.msg_id, status = r.status.as_str(), "put checked-too-many-time half message to TRANS_CHECK_MAX_TIME_TOPIC failed");
    }
}
