//! The half-message check and the commit/rollback lookups (mirrors
//! `broker/.../transaction/queue/TransactionalMessageServiceImpl.java` and `OperationResult`).
//!
//! [`check`] is `TransactionalMessageServiceImpl.check` step for step: per half queue, read the
//! op queue from its offset into a `removeMap` (half offset → op offset), walk the half queue
//! from its offset, skip halves with an op record, discard halves checked
//! `transactionCheckMax` times (or older than the store's file reserved time), stop at halves
//! stored after the pass began or younger than the timeout / immunity time, and for the rest
//! append a renewed copy and ask the producer. Both offsets move forward only over what was
//! settled.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use protocol::message::{property, MessageExt};
use store::message::PutMessageStatus;
use tracing::{debug, error, info, warn};

use super::bridge::{self, PullResult, PullStatus};
use super::check;
use super::{REMOVETAG, RMQ_SYS_TRANS_HALF_TOPIC, RMQ_SYS_TRANS_OP_HALF_TOPIC};
use crate::client::now_ms;
use crate::controller::BrokerController;
use crate::error::BrokerError;

/// `MAX_PROCESS_TIME_LIMIT`: one queue is walked at most this long per pass.
const MAX_PROCESS_TIME_LIMIT_MS: u128 = 60_000;
/// `MAX_RETRY_COUNT_WHEN_HALF_NULL`.
const MAX_RETRY_COUNT_WHEN_HALF_NULL: i32 = 1;
/// `PULL_MSG_RETRY_NUMBER`: halves are read one at a time.
const PULL_MSG_RETRY_NUMBER: i32 = 1;
/// Op messages read per batch.
const OP_PULL_BATCH: i32 = 32;

/// `getLong`: Java `Long.parseLong`, -1 on failure.
fn get_long(s: &str) -> i64 {
    s.parse::<i64>().unwrap_or_else(|_| {
        error!(value = s, "GetLong error");
        -1
    })
}

/// `getInt`: Java `Integer.parseInt`, -1 on failure.
fn get_int(s: &str) -> i32 {
    s.parse::<i32>().unwrap_or_else(|_| {
        error!(value = s, "GetInt error");
        -1
    })
}

/// `needDiscard`: checked `check_max` times already? Otherwise bump `TRANSACTION_CHECK_TIMES`.
fn need_discard(msg: &mut MessageExt, check_max: i32) -> bool {
    let mut check_time = 1;
    if let Some(s) = msg.property(property::TRANSACTION_CHECK_TIMES) {
        check_time = get_int(s);
        if check_time >= check_max {
            return true;
        }
        check_time += 1;
    }
    msg.put_property(property::TRANSACTION_CHECK_TIMES, check_time.to_string());
    false
}

/// `needSkip`: born longer ago than the store keeps files.
fn need_skip(b: &BrokerController, msg: &MessageExt) -> bool {
    let age = now_ms() - msg.born_timestamp;
    let reserved = i64::from(b.store_config().file_reserved_time) * 3600 * 1000;
    if age > reserved {
        info!(msg_id = %msg.msg_id, born = msg.born_timestamp, "half message exceeds file reserved time, skip it");
        return true;
    }
    false
}

/// `getImmunityTime`: seconds → ms; -1 (or garbage) means the transaction timeout.
fn immunity_time(s: &str, transaction_timeout: i64) -> i64 {
    let v = get_long(s);
    if v == -1 {
        transaction_timeout
    } else {
        v.saturating_mul(1000)
    }
}

/// `calculateOpOffset`: advance over the contiguous run of settled op offsets.
fn calculate_op_offset(done: &mut [i64], old: i64) -> i64 {
    done.sort_unstable();
    let mut new = old;
    for &d in done.iter() {
        if d == new {
            new += 1;
        } else {
            break;
        }
    }
    new
}

/// `fillOpRemoveMap`: read up to 32 op messages from `op_offset`; ops for halves below
/// `mini_offset` are already settled (`done`), the others go to `remove_map`.
fn fill_op_remove_map(
    b: &BrokerController,
    remove_map: &mut HashMap<i64, i64>,
    queue_id: i32,
    op_offset: i64,
    mini_offset: i64,
    done: &mut Vec<i64>,
) -> Option<PullResult> {
    let pull = bridge::get_op_message(b, queue_id, op_offset, OP_PULL_BATCH)?;
    match pull.status {
        PullStatus::OffsetIllegal | PullStatus::NoMatchedMsg => {
            warn!(op_offset, queue_id, status = ?pull.status, "the miss op offset is illegal");
            bridge::update_consume_offset(
                b,
                RMQ_SYS_TRANS_OP_HALF_TOPIC,
                queue_id,
                pull.next_begin_offset,
            );
            return Some(pull);
        }
        PullStatus::NoNewMsg => return Some(pull),
        PullStatus::Found => {}
    }
    let Some(ops) = &pull.msgs else {
        return Some(pull);
    };
    for op in ops {
        let half_offset = get_long(&String::from_utf8_lossy(&op.body));
        if op.tags() == Some(REMOVETAG) {
            if half_offset < mini_offset {
                done.push(op.queue_offset);
            } else {
                remove_map.insert(half_offset, op.queue_offset);
            }
        } else {
            error!(op_queue_offset = op.queue_offset, tags = ?op.tags(), "found an illegal tag in op message");
        }
    }
    debug!(?remove_map, ?done, "op remove map");
    Some(pull)
}

/// `checkPrepareQueueOffset` (halves inside their immunity time): true = settled or renewed,
/// skip it.
async fn check_prepare_queue_offset(
    b: &BrokerController,
    remove_map: &mut HashMap<i64, i64>,
    done: &mut Vec<i64>,
    msg: &MessageExt,
) -> bool {
    match msg.property(property::TRAN_PREPARED_QUEUE_OFFSET) {
        None => bridge::put_message(b, bridge::renew_immunity_half_message_inner(msg)).await,
        Some(s) => {
            let first = get_long(s);
            if first == -1 {
                return false;
            }
            match remove_map.remove(&first) {
                Some(op) => {
                    done.push(op);
                    true
                }
                None => {
                    bridge::put_message(b, bridge::renew_immunity_half_message_inner(msg)).await
                }
            }
        }
    }
}

/// `putBackHalfMsgQueue`: append a renewed copy; on success `msg` takes the copy's queue
/// offset, commitlog offset and message id (what the check request carries).
async fn put_back_half_msg_queue(b: &BrokerController, msg: &mut MessageExt, offset: i64) -> bool {
    let r = bridge::put_message_return_result(b, bridge::renew_half_message_inner(msg)).await;
    match (&r.status, &r.append) {
        (PutMessageStatus::PutOk, Some(a)) => {
            msg.queue_offset = a.logics_offset;
            msg.commit_log_offset = a.wrote_offset;
            msg.msg_id = a.msg_id.clone();
            debug!(offset, queue_offset = msg.queue_offset, commit_log_offset = msg.commit_log_offset, msg_id = %msg.msg_id, "send check message, restored in half queue");
            true
        }
        _ => {
            error!(topic = %msg.topic, queue_id = msg.queue_id, msg_id = %msg.msg_id, status = r.status.as_str(), "put back to half queue failed");
            false
        }
    }
}

/// `getHalfMsg`: the half at `offset` (one message), with the pull result.
fn get_half_msg(
    b: &BrokerController,
    queue_id: i32,
    offset: i64,
) -> (Option<PullResult>, Option<MessageExt>) {
    let r = bridge::get_half_message(b, queue_id, offset, PULL_MSG_RETRY_NUMBER);
    let msg = r
        .as_ref()
        .and_then(|r| r.msgs.as_ref())
        .and_then(|v| v.first().cloned());
    (r, msg)
}

/// `TransactionalMessageServiceImpl.check(transactionTimeout, transactionCheckMax, listener)`.
pub async fn check(b: &Arc<BrokerController>, transaction_timeout: i64, check_max: i32) {
    let queues = bridge::fetch_message_queues(b, RMQ_SYS_TRANS_HALF_TOPIC);
    if queues.is_empty() {
        warn!("the queue of topic is empty: {RMQ_SYS_TRANS_HALF_TOPIC}");
        return;
    }
    for queue_id in queues {
        check_queue(b, queue_id, transaction_timeout, check_max).await;
    }
}

async fn check_queue(
    b: &Arc<BrokerController>,
    queue_id: i32,
    transaction_timeout: i64,
    check_max: i32,
) {
    let started = Instant::now();
    let start_time = now_ms();
    let half_offset = bridge::fetch_consume_offset(b, RMQ_SYS_TRANS_HALF_TOPIC, queue_id);
    let op_offset = bridge::fetch_consume_offset(b, RMQ_SYS_TRANS_OP_HALF_TOPIC, queue_id);
    debug!(queue_id, half_offset, op_offset, "before check");
    if half_offset < 0 || op_offset < 0 {
        error!(
            queue_id,
            half_offset, op_offset, "illegal offset read, skip this queue"
        );
        return;
    }
    let mut done_op: Vec<i64> = Vec::new();
    let mut remove_map: HashMap<i64, i64> = HashMap::new();
    let Some(mut pull) = fill_op_remove_map(
        b,
        &mut remove_map,
        queue_id,
        op_offset,
        half_offset,
        &mut done_op,
    ) else {
        error!(
            queue_id,
            half_offset, op_offset, "check failed, op pull result is null"
        );
        return;
    };
    let mut get_message_null_count = 1;
    let mut new_offset = half_offset;
    let mut i = half_offset;
    loop {
        if started.elapsed().as_millis() > MAX_PROCESS_TIME_LIMIT_MS {
            info!(
                queue_id,
                "process time reach max {MAX_PROCESS_TIME_LIMIT_MS} ms"
            );
            break;
        }
        if let Some(op) = remove_map.remove(&i) {
            debug!(
                half_offset = i,
                "half offset has been committed/rolled back"
            );
            done_op.push(op);
        } else {
            let (half_pull, msg) = get_half_msg(b, queue_id, i);
            let Some(mut msg) = msg else {
                let c = get_message_null_count;
                get_message_null_count += 1;
                if c > MAX_RETRY_COUNT_WHEN_HALF_NULL {
                    break;
                }
                match half_pull {
                    Some(r) if r.status != PullStatus::NoNewMsg => {
                        info!(offset = i, queue_id, status = ?r.status, next = r.next_begin_offset, "illegal offset, continue check");
                        i = r.next_begin_offset;
                        new_offset = i;
                        continue;
                    }
                    _ => {
                        debug!(offset = i, queue_id, "no new msg");
                        break;
                    }
                }
            };
            if need_discard(&mut msg, check_max) || need_skip(b, &msg) {
                check::resolve_discard_msg(b, &msg).await;
                new_offset = i + 1;
                i += 1;
                continue;
            }
            if msg.store_timestamp >= start_time {
                debug!(
                    offset = i,
                    store = msg.store_timestamp,
                    "fresh stored, check it later"
                );
                break;
            }
            let age = now_ms() - msg.born_timestamp;
            let mut immunity = transaction_timeout;
            let immunity_prop = msg
                .property(property::CHECK_IMMUNITY_TIME_IN_SECONDS)
                .map(str::to_string);
            match immunity_prop {
                Some(s) => {
                    immunity = immunity_time(&s, transaction_timeout);
                    if age < immunity
                        && check_prepare_queue_offset(b, &mut remove_map, &mut done_op, &msg).await
                    {
                        new_offset = i + 1;
                        i += 1;
                        continue;
                    }
                }
                None => {
                    if (0..immunity).contains(&age) {
                        debug!(
                            offset = i,
                            immunity,
                            born = msg.born_timestamp,
                            "new arrived, check it later"
                        );
                        break;
                    }
                }
            }
            let need_check = match &pull.msgs {
                None => age > immunity,
                Some(ops) => ops
                    .last()
                    .map(|last| last.born_timestamp - start_time > transaction_timeout)
                    .unwrap_or(false),
            } || age <= -1;
            if need_check {
                if !put_back_half_msg_queue(b, &mut msg, i).await {
                    tokio::task::yield_now().await;
                    continue;
                }
                check::resolve_half_msg(b, msg);
            } else {
                let next = pull.next_begin_offset;
                match fill_op_remove_map(
                    b,
                    &mut remove_map,
                    queue_id,
                    next,
                    half_offset,
                    &mut done_op,
                ) {
                    Some(p) => pull = p,
                    None => {
                        error!(queue_id, op_offset = next, "op pull result is null");
                        break;
                    }
                }
                debug!(offset = i, queue_id, "need to get more op messages");
                tokio::task::yield_now().await;
                continue;
            }
        }
        new_offset = i + 1;
        i += 1;
        if (i - half_offset) % 64 == 0 {
            tokio::task::yield_now().await;
        }
    }
    if new_offset != half_offset {
        bridge::update_consume_offset(b, RMQ_SYS_TRANS_HALF_TOPIC, queue_id, new_offset);
    }
    let new_op_offset = calculate_op_offset(&mut done_op, op_offset);
    if new_op_offset != op_offset {
        bridge::update_consume_offset(b, RMQ_SYS_TRANS_OP_HALF_TOPIC, queue_id, new_op_offset);
    }
    debug!(queue_id, new_offset, new_op_offset, "after check");
}

/// `getHalfMessageByOffset` (`commitMessage` / `rollbackMessage`): the half message the
/// END_TRANSACTION header points at (`OperationResult` with SUCCESS), or Java's
/// "Find prepared transaction message failed" (SYSTEM_ERROR).
pub fn half_message_by_offset(
    b: &BrokerController,
    commit_log_offset: i64,
) -> Result<MessageExt, BrokerError> {
    bridge::look_message_by_offset(b, commit_log_offset).ok_or_else(|| {
        BrokerError::IllegalRequest("Find prepared transaction message failed".to_string())
    })
}

/// `deletePrepareMessage`: write the op record of a settled half.
pub async fn delete_prepare_message(b: &Arc<BrokerController>, half: &MessageExt) -> bool {
    if bridge::put_op_message(b, half, REMOVETAG).await {
        debug!(msg_id = %half.msg_id, queue_id = half.queue_id, "transaction op message written");
        true
    } else {
        error!(msg_id = %half.msg_id, queue_id = half.queue_id, "transaction op message write failed");
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discard_counts_like_java() {
        let mut m = MessageExt::default();
        assert!(!need_discard(&mut m, 3));
        assert_eq!(m.property(property::TRANSACTION_CHECK_TIMES), Some("1"));
        assert!(!need_discard(&mut m, 3));
        assert!(!need_discard(&mut m, 3));
        assert_eq!(m.property(property::TRANSACTION_CHECK_TIMES), Some("3"));
        assert!(need_discard(&mut m, 3));
        m.put_property(property::TRANSACTION_CHECK_TIMES, "x");
        assert!(!need_discard(&mut m, 3));
        assert_eq!(m.property(property::TRANSACTION_CHECK_TIMES), Some("0"));
    }

    #[test]
    fn op_offset_advances_over_contiguous_run() {
        assert_eq!(calculate_op_offset(&mut [5, 3, 4, 7], 3), 6);
        assert_eq!(calculate_op_offset(&mut [], 3), 3);
        assert_eq!(calculate_op_offset(&mut [4], 3), 3);
    }

    #[test]
    fn immunity() {
        assert_eq!(immunity_time("5", 6000), 5000);
        assert_eq!(immunity_time("-1", 6000), 6000);
        assert_eq!(immunity_time("zz", 6000), 6000);
    }
}
