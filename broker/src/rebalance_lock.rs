//! Queue locks of orderly consumers (mirrors
//! `broker/.../client/rebalance/RebalanceLockManager.java`).
//!
//! An orderly push consumer locks each message queue it was assigned (LOCK_BATCH_MQ, at
//! rebalance and every 20 s) and pulls a queue only while it holds its lock. A lock belongs
//! to one client id per consumer group; it is renewed by every lock request of its holder and
//! expires `rocketmq.broker.rebalance.lockMaxLiveTime` ms (60 s) after the last renewal, after
//! which another client may take it. UNLOCK_BATCH_MQ releases locks held by the caller.
//! Locks are not persisted and not released when a connection closes (Java keeps them until
//! they expire).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use parking_lot::Mutex;
use protocol::body::MessageQueue;
use tracing::{info, warn};

use crate::client::now_ms;

/// Java's default `rocketmq.broker.rebalance.lockMaxLiveTime` (ms).
pub const REBALANCE_LOCK_MAX_LIVE_TIME_MS: i64 = 60_000;

/// Environment variable overriding the lock lifetime (ms); Java reads the system property
/// `rocketmq.broker.rebalance.lockMaxLiveTime`.
pub const LOCK_MAX_LIVE_TIME_ENV: &str = "ROCKETMQ_BROKER_REBALANCE_LOCK_MAX_LIVE_TIME";

#[derive(Debug, Clone)]
struct LockEntry {
    client_id: String,
    last_update_timestamp: i64,
}

impl LockEntry {
    fn is_expired(&self, now: i64, max_live: i64) -> bool {
        now - self.last_update_timestamp > max_live
    }

    fn is_locked(&self, client_id: &str, now: i64, max_live: i64) -> bool {
        self.client_id == client_id && !self.is_expired(now, max_live)
    }
}

/// `RebalanceLockManager`: group → queue → holder.
pub struct RebalanceLockManager {
    table: Mutex<HashMap<String, HashMap<MessageQueue, LockEntry>>>,
    max_live_ms: i64,
}

impl Default for RebalanceLockManager {
    fn default() -> Self {
        Self::new()
    }
}

impl RebalanceLockManager {
    /// With the lifetime from [`LOCK_MAX_LIVE_TIME_ENV`], else Java's 60 s.
    pub fn new() -> Self {
        let max_live_ms = std::env::var(LOCK_MAX_LIVE_TIME_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(REBALANCE_LOCK_MAX_LIVE_TIME_MS);
        Self::with_max_live_time(Duration::from_millis(max_live_ms.max(0) as u64))
    }

    /// With an explicit lock lifetime.
    pub fn with_max_live_time(max_live: Duration) -> Self {
        RebalanceLockManager {
            table: Mutex::new(HashMap::new()),
            max_live_ms: i64::try_from(max_live.as_millis()).unwrap_or(i64::MAX),
        }
    }

    /// The lock lifetime in ms.
    pub fn max_live_ms(&self) -> i64 {
        self.max_live_ms
    }

    /// `tryLock`: lock one queue for `client_id`; true if it holds the lock afterwards.
    pub fn try_lock(&self, group: &str, mq: &MessageQueue, client_id: &str) -> bool {
        let set = HashSet::from([mq.clone()]);
        !self.try_lock_batch(group, &set, client_id).is_empty()
    }

    /// `tryLockBatch`: the subset of `mqs` that `client_id` holds afterwards. Queues not
    /// locked by anyone, or whose lock expired, are taken; the caller's own locks are renewed.
    pub fn try_lock_batch(
        &self,
        group: &str,
        mqs: &HashSet<MessageQueue>,
        client_id: &str,
    ) -> HashSet<MessageQueue> {
        let now = now_ms();
        let max_live = self.max_live_ms;
        let mut locked = HashSet::with_capacity(mqs.len());
        let mut table = self.table.lock();
        let group_value = table.entry(group.to_string()).or_default();
        for mq in mqs {
            match group_value.get_mut(mq) {
                None => {
                    info!(group, client = client_id, mq = ?mq, "tryLockBatch, message queue not locked, I got it");
                    group_value.insert(
                        mq.clone(),
                        LockEntry {
                            client_id: client_id.to_string(),
                            last_update_timestamp: now,
                        },
                    );
                    locked.insert(mq.clone());
                }
                Some(e) if e.is_locked(client_id, now, max_live) => {
                    e.last_update_timestamp = now;
                    locked.insert(mq.clone());
                }
                Some(e) if e.is_expired(now, max_live) => {
                    warn!(group, old_client = %e.client_id, new_client = client_id, mq = ?mq,
                        "tryLockBatch, message queue lock expired, I got it");
                    e.client_id = client_id.to_string();
                    e.last_update_timestamp = now;
                    locked.insert(mq.clone());
                }
                Some(e) => {
                    warn!(group, other_client = %e.client_id, new_client = client_id, mq = ?mq,
                        "tryLockBatch, message queue locked by other client");
                }
            }
        }
        locked
    }

    /// `unlockBatch`: release the queues of `mqs` that `client_id` holds (an expired lock of
    /// the caller is released too, as in Java).
    pub fn unlock_batch(&self, group: &str, mqs: &HashSet<MessageQueue>, client_id: &str) {
        let mut table = self.table.lock();
        let Some(group_value) = table.get_mut(group) else {
            warn!(group, client = client_id, "unlockBatch, group not exist");
            return;
        };
        for mq in mqs {
            match group_value.get(mq) {
                Some(e) if e.client_id == client_id => {
                    group_value.remove(mq);
                    info!(group, mq = ?mq, client = client_id, "unlockBatch");
                }
                Some(e) => {
                    warn!(holder = %e.client_id, group, mq = ?mq, client = client_id,
                        "unlockBatch, but mq locked by other client");
                }
                None => {
                    warn!(group, mq = ?mq, client = client_id, "unlockBatch, but mq not locked");
                }
            }
        }
    }

    /// The live holder of `mq` in `group`, if any (for diagnostics and tests).
    pub fn holder(&self, group: &str, mq: &MessageQueue) -> Option<String> {
        let now = now_ms();
        self.table
            .lock()
            .get(group)
            .and_then(|g| g.get(mq))
            .filter(|e| !e.is_expired(now, self.max_live_ms))
            .map(|e| e.client_id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mq(id: i32) -> MessageQueue {
        MessageQueue::new("T", "broker-a", id)
    }

    #[test]
    fn lock_renew_conflict_unlock() {
        let m = RebalanceLockManager::with_max_live_time(Duration::from_secs(60));
        let all: HashSet<_> = (0..4).map(mq).collect();
        assert_eq!(m.try_lock_batch("G", &all, "c1").len(), 4);
        // c2 gets nothing while c1 holds everything.
        assert!(m.try_lock_batch("G", &all, "c2").is_empty());
        // Renewal by the holder.
        assert_eq!(m.try_lock_batch("G", &all, "c1").len(), 4);
        // Another group is independent.
        assert_eq!(m.try_lock_batch("G2", &all, "c2").len(), 4);
        // c2 cannot unlock c1's queues.
        m.unlock_batch("G", &all, "c2");
        assert_eq!(m.holder("G", &mq(0)).as_deref(), Some("c1"));
        let two: HashSet<_> = [mq(0), mq(1)].into_iter().collect();
        m.unlock_batch("G", &two, "c1");
        assert_eq!(m.holder("G", &mq(0)), None);
        let got = m.try_lock_batch("G", &all, "c2");
        assert_eq!(got, two);
        assert!(m.try_lock("G", &mq(2), "c1"));
        assert!(!m.try_lock("G", &mq(2), "c2"));
    }

    #[test]
    fn expired_lock_is_taken_over() {
        let m = RebalanceLockManager::with_max_live_time(Duration::from_millis(0));
        let one: HashSet<_> = [mq(0)].into_iter().collect();
        assert_eq!(m.try_lock_batch("G", &one, "c1").len(), 1);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(m.try_lock_batch("G", &one, "c2").len(), 1);
        assert_eq!(m.holder("G", &mq(0)), None); // lifetime 0: expired at once
        // unknown group: no-op
        m.unlock_batch("nope", &one, "c1");
    }
}
