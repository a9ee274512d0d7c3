//! Store access for transactions (mirrors
//! `broker/.../transaction/queue/TransactionalMessageBridge.java`): reading half and op
//! messages with the system group's offsets, renewing half messages, writing op messages.

use std::sync::Arc;

use protocol::message::{
    decode, properties_to_string, property, DecodeOptions, MessageExt, Properties,
};
use store::message::{GetMessageStatus, MessageExtBrokerInner, PutMessageResult, PutMessageStatus};
use tracing::{error, warn};

use super::{CID_SYS_RMQ_TRANS, REMOVETAG, RMQ_SYS_TRANS_HALF_TOPIC, RMQ_SYS_TRANS_OP_HALF_TOPIC};
use crate::config::perm;
use crate::controller::BrokerController;

/// `PullStatus` of the client API, as the bridge maps store results to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullStatus {
    /// Messages found.
    Found,
    /// Nothing (more) in the queue.
    NoNewMsg,
    /// Entries there, none matched (cannot happen without a filter).
    NoMatchedMsg,
    /// The offset is outside the queue or the data is gone.
    OffsetIllegal,
}

/// The bridge's `PullResult`.
#[derive(Debug, Clone)]
pub struct PullResult {
    /// Status.
    pub status: PullStatus,
    /// Where the next read starts.
    pub next_begin_offset: i64,
    /// Messages read (`None` unless `Found`), decoded with the body kept as stored.
    pub msgs: Option<Vec<MessageExt>>,
}

/// `brokerIP1:listenPort` as text (the "client" of the system group's offset commits).
fn store_host_str(b: &BrokerController) -> String {
    b.store_host().to_string()
}

/// `fetchConsumeOffset`: the system group's committed offset of the queue, else the queue's
/// min offset.
pub fn fetch_consume_offset(b: &BrokerController, topic: &str, queue_id: i32) -> i64 {
    let off = b
        .consumer_offset_manager
        .query_offset(CID_SYS_RMQ_TRANS, topic, queue_id);
    if off == -1 {
        b.store().min_offset_in_queue(topic, queue_id)
    } else {
        off
    }
}

/// `updateConsumeOffset`.
pub fn update_consume_offset(b: &BrokerController, topic: &str, queue_id: i32, offset: i64) {
    b.consumer_offset_manager.commit_offset(
        &store_host_str(b),
        CID_SYS_RMQ_TRANS,
        topic,
        queue_id,
        offset,
    );
}

/// `fetchMessageQueues`: queue ids `0..readQueueNums` of `topic`, creating the topic (one
/// queue, read+write) the way `selectTopicConfig` does.
pub fn fetch_message_queues(b: &BrokerController, topic: &str) -> Vec<i32> {
    let tc = match b.topic_config_manager.select(topic) {
        Some(tc) => tc,
        None => b.topic_config_manager.create_in_send_message_back(
            topic,
            1,
            perm::WRITE | perm::READ,
            0,
        ),
    };
    (0..tc.read_queue_nums.max(0)).collect()
}

/// `getHalfMessage`.
pub fn get_half_message(
    b: &BrokerController,
    queue_id: i32,
    offset: i64,
    nums: i32,
) -> Option<PullResult> {
    get_message(b, RMQ_SYS_TRANS_HALF_TOPIC, queue_id, offset, nums)
}

/// `getOpMessage`.
pub fn get_op_message(
    b: &BrokerController,
    queue_id: i32,
    offset: i64,
    nums: i32,
) -> Option<PullResult> {
    get_message(b, RMQ_SYS_TRANS_OP_HALF_TOPIC, queue_id, offset, nums)
}

fn get_message(
    b: &BrokerController,
    topic: &str,
    queue_id: i32,
    offset: i64,
    nums: i32,
) -> Option<PullResult> {
    let Some(r) = b
        .store()
        .get_message(CID_SYS_RMQ_TRANS, topic, queue_id, offset, nums, None)
    else {
        error!(
            topic,
            group = CID_SYS_RMQ_TRANS,
            offset,
            "get message from store returned null"
        );
        return None;
    };
    let mut msgs = None;
    let status = match r.status {
        GetMessageStatus::Found => {
            msgs = Some(decode_list(&r.messages));
            PullStatus::Found
        }
        GetMessageStatus::NoMatchedMessage => {
            warn!(
                topic,
                offset,
                status = r.status.as_str(),
                "no matched message"
            );
            PullStatus::NoMatchedMsg
        }
        GetMessageStatus::NoMessageInQueue | GetMessageStatus::OffsetOverflowOne => {
            PullStatus::NoNewMsg
        }
        GetMessageStatus::MessageWasRemoving
        | GetMessageStatus::NoMatchedLogicQueue
        | GetMessageStatus::OffsetFoundNull
        | GetMessageStatus::OffsetOverflowBadly
        | GetMessageStatus::OffsetTooSmall => {
            warn!(topic, offset, status = r.status.as_str(), "offset illegal");
            PullStatus::OffsetIllegal
        }
    };
    Some(PullResult {
        status,
        next_begin_offset: r.next_begin_offset,
        msgs,
    })
}

/// `decodeMsgList`: `MessageDecoder.decode(bb, readBody=true, deCompressBody=false)`; records
/// that do not decode are skipped.
fn decode_list(bufs: &[store::mapped_file::SelectMappedBuffer]) -> Vec<MessageExt> {
    bufs.iter()
        .filter_map(|sel| match decode(&sel.data, DecodeOptions::default()) {
            Ok((m, _)) => Some(m),
            Err(e) => {
                warn!(error = %e, "undecodable record in transaction queue");
                None
            }
        })
        .collect()
}

/// `lookMessageByOffset`: the message at a commitlog offset.
pub fn look_message_by_offset(b: &BrokerController, commit_log_offset: i64) -> Option<MessageExt> {
    if commit_log_offset < 0 {
        return None;
    }
    let sel = b.store().select_one_message_by_offset(commit_log_offset)?;
    match decode(&sel.data, DecodeOptions::default()) {
        Ok((m, _)) => Some(m),
        Err(e) => {
            warn!(commit_log_offset, error = %e, "undecodable record at commitlog offset");
            None
        }
    }
}

/// `renewHalfMessageInner`: a copy of a half message to append again. As in Java the user
/// flag and reconsume times are not carried over.
pub fn renew_half_message_inner(msg: &MessageExt) -> MessageExtBrokerInner {
    MessageExtBrokerInner {
        topic: msg.topic.clone(),
        queue_id: msg.queue_id,
        flag: 0,
        body: msg.body.clone(),
        properties_string: properties_to_string(&msg.properties),
        sys_flag: msg.sys_flag,
        born_timestamp: msg.born_timestamp,
        born_host: msg.born_host,
        store_host: msg.store_host,
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

/// `renewImmunityHalfMessageInner`: as [`renew_half_message_inner`], remembering the queue
/// offset of the first copy in `TRAN_PREPARED_QUEUE_OFFSET`.
pub fn renew_immunity_half_message_inner(msg: &MessageExt) -> MessageExtBrokerInner {
    let mut props = msg.properties.clone();
    let first = msg
        .property(property::TRAN_PREPARED_QUEUE_OFFSET)
        .map(str::to_string)
        .unwrap_or_else(|| msg.queue_offset.to_string());
    props.insert(property::TRAN_PREPARED_QUEUE_OFFSET.to_string(), first);
    let mut inner = renew_half_message_inner(msg);
    inner.properties_string = properties_to_string(&props);
    inner
}

/// `putMessage`: true when stored.
pub async fn put_message(b: &BrokerController, inner: MessageExtBrokerInner) -> bool {
    let (topic, queue_id) = (inner.topic.clone(), inner.queue_id);
    let r = b.put_message(inner).await;
    if r.status == PutMessageStatus::PutOk {
        true
    } else {
        error!(topic = %topic, queue_id, status = r.status.as_str(), "put message failed");
        false
    }
}

/// `putMessageReturnResult`.
pub async fn put_message_return_result(
    b: &BrokerController,
    inner: MessageExtBrokerInner,
) -> PutMessageResult {
    b.put_message(inner).await
}

/// `putOpMessage(half, REMOVETAG)` → `addRemoveTagInTransactionOp`: an op message on the op
/// queue with the half's queue id, tag `d`, body = the half's queue offset. Like Java it
/// reports success even if the write failed (the failure is logged).
pub async fn put_op_message(b: &Arc<BrokerController>, half: &MessageExt, op_type: &str) -> bool {
    if op_type != REMOVETAG {
        return true;
    }
    // `new Message(opTopic, "d", body)`: properties {TAGS=d, WAIT=true}, written in Java
    // HashMap order (WAIT hashes to bucket 13, TAGS to 14).
    let mut props = Properties::new();
    props.insert(property::WAIT.to_string(), "true".to_string());
    props.insert(property::TAGS.to_string(), REMOVETAG.to_string());
    let inner = MessageExtBrokerInner {
        topic: RMQ_SYS_TRANS_OP_HALF_TOPIC.to_string(),
        queue_id: half.queue_id,
        flag: 0,
        body: bytes::Bytes::from(half.queue_offset.to_string().into_bytes()),
        properties_string: properties_to_string(&props),
        sys_flag: 0,
        born_timestamp: crate::client::now_ms(),
        born_host: b.store_host(),
        store_host: b.store_host(),
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    };
    put_message(b, inner).await;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immunity_copy_remembers_first_offset() {
        let mut m = MessageExt {
            topic: RMQ_SYS_TRANS_HALF_TOPIC.into(),
            queue_offset: 7,
            flag: 5,
            ..MessageExt::default()
        };
        m.put_property("A", "1");
        let inner = renew_immunity_half_message_inner(&m);
        assert_eq!(inner.flag, 0);
        assert!(inner
            .properties_string
            .contains("TRAN_PREPARED_QUEUE_OFFSET\u{1}7"));
        m.put_property(property::TRAN_PREPARED_QUEUE_OFFSET, "3");
        m.queue_offset = 9;
        let inner = renew_immunity_half_message_inner(&m);
        assert!(inner
            .properties_string
            .contains("TRAN_PREPARED_QUEUE_OFFSET\u{1}3"));
    }
}
