//! LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42): queue locks for orderly consumers (mirrors
//! `broker/.../client/rebalance/RebalanceLockManager.java` and `lockBatchMQ` /
//! `unlockBatchMQ` of `AdminBrokerProcessor.java`).
//!
//! A lock is held by a client id and lapses after `lockMaxLiveTime` (60 s) without renewal;
//! the consumer renews every 20 s.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use parking_lot::Mutex;

use protocol::body::{
    JsonBody, LockBatchRequestBody, LockBatchResponseBody, MessageQueue, UnlockBatchRequestBody,
};
use protocol::RemotingCommand;
use tracing::{info, warn};

use super::state::{self, lock_max_live_time_ms, LockEntry};
use super::success_null_remark;
use crate::client::now_ms;
use crate::controller::BrokerController;
use crate::error::{BrokerError, BrokerResult};
use crate::processor::Reply;

/// `RebalanceLockManager`: group → queue → lock.
#[derive(Debug, Default)]
pub struct RebalanceLockManager {
    table: Mutex<HashMap<String, HashMap<MessageQueue, LockEntry>>>,
}

impl RebalanceLockManager {
    /// `tryLockBatch` at time `now`: the queues now held by `client_id` (already held ones
    /// are renewed; free or expired ones are taken over).
    pub fn try_lock_batch(
        &self,
        group: &str,
        mqs: &HashSet<MessageQueue>,
        client_id: &str,
        now: i64,
        max_live: i64,
    ) -> HashSet<MessageQueue> {
        let mut table = self.table.lock();
        let group_locks = table.entry(group.to_string()).or_default();
        let mut locked = HashSet::new();
        for mq in mqs {
            match group_locks.get_mut(mq) {
                None => {
                    info!(group, client = client_id, mq = ?mq, "tryLockBatch: lock a message queue which has not been locked yet");
                    group_locks.insert(
                        mq.clone(),
                        LockEntry {
                            client_id: client_id.to_string(),
                            last_update_timestamp: now,
                        },
                    );
                    locked.insert(mq.clone());
                }
                Some(e) if e.is_locked_by(client_id, now, max_live) => {
                    e.last_update_timestamp = now;
                    locked.insert(mq.clone());
                }
                Some(e) if e.is_expired(now, max_live) => {
                    warn!(group, old = %e.client_id, new = client_id, mq = ?mq, "tryLockBatch: the old client lock expired, take it over");
                    e.client_id = client_id.to_string();
                    e.last_update_timestamp = now;
                    locked.insert(mq.clone());
                }
                Some(e) => {
                    warn!(group, owner = %e.client_id, client = client_id, mq = ?mq, "tryLockBatch: the message queue is locked by another client");
                }
            }
        }
        locked
    }

    /// `unlockBatch`: release the queues `client_id` holds.
    pub fn unlock_batch(&self, group: &str, mqs: &HashSet<MessageQueue>, client_id: &str) {
        let mut table = self.table.lock();
        let Some(group_locks) = table.get_mut(group) else {
            warn!(group, client = client_id, "unlockBatch: group not exist");
            return;
        };
        for mq in mqs {
            match group_locks.get(mq) {
                Some(e) if e.client_id == client_id => {
                    group_locks.remove(mq);
                    info!(group, client = client_id, mq = ?mq, "unlockBatch: unlock mq");
                }
                Some(e) => {
                    warn!(group, owner = %e.client_id, client = client_id, mq = ?mq, "unlockBatch: mq locked by another client");
                }
                None => warn!(group, client = client_id, mq = ?mq, "unlockBatch: mq not locked"),
            }
        }
    }
}

/// LOCK_BATCH_MQ.
pub fn lock_batch_mq(broker: &Arc<BrokerController>, req: &RemotingCommand) -> BrokerResult<Reply> {
    let body = LockBatchRequestBody::decode(req.body_bytes())
        .map_err(|e| BrokerError::BadBody(format!("LockBatchRequestBody: {e}")))?;
    let ok = state::of(broker).locks.try_lock_batch(
        &body.consumer_group,
        &body.mq_set,
        &body.client_id,
        now_ms(),
        lock_max_live_time_ms(),
    );
    let resp = LockBatchResponseBody { lock_ok_mq_set: ok };
    Ok(Some(success_null_remark().with_body(resp.encode())))
}

/// UNLOCK_BATCH_MQ.
pub fn unlock_batch_mq(
    broker: &Arc<BrokerController>,
    req: &RemotingCommand,
) -> BrokerResult<Reply> {
    let body = UnlockBatchRequestBody::decode(req.body_bytes())
        .map_err(|e| BrokerError::BadBody(format!("UnlockBatchRequestBody: {e}")))?;
    state::of(broker)
        .locks
        .unlock_batch(&body.consumer_group, &body.mq_set, &body.client_id);
    Ok(Some(success_null_remark()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mqs(ids: &[i32]) -> HashSet<MessageQueue> {
        ids.iter()
            .map(|i| MessageQueue::new("T", "b", *i))
            .collect()
    }

    #[test]
    fn lock_renew_steal_after_expiry_unlock() {
        let m = RebalanceLockManager::default();
        assert_eq!(
            m.try_lock_batch("g", &mqs(&[0, 1]), "c1", 1000, 60_000),
            mqs(&[0, 1])
        );
        // held by c1: c2 gets nothing, c1 renews
        assert!(m
            .try_lock_batch("g", &mqs(&[0, 1]), "c2", 2000, 60_000)
            .is_empty());
        assert_eq!(
            m.try_lock_batch("g", &mqs(&[1, 2]), "c1", 3000, 60_000),
            mqs(&[1, 2])
        );
        // queue 0 was last renewed at 1000: expired for c2 at 61001, queue 1 (3000) not yet
        assert_eq!(
            m.try_lock_batch("g", &mqs(&[0, 1]), "c2", 61_001, 60_000),
            mqs(&[0])
        );
        // another group is independent
        assert_eq!(
            m.try_lock_batch("g2", &mqs(&[1]), "c2", 61_001, 60_000),
            mqs(&[1])
        );
        // only the owner unlocks
        m.unlock_batch("g", &mqs(&[1]), "c2");
        assert!(m
            .try_lock_batch("g", &mqs(&[1]), "c2", 61_002, 60_000)
            .is_empty());
        m.unlock_batch("g", &mqs(&[1]), "c1");
        assert_eq!(
            m.try_lock_batch("g", &mqs(&[1]), "c2", 61_003, 60_000),
            mqs(&[1])
        );
    }
}
