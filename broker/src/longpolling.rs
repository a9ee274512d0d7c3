//! Long polling of pulls (mirrors `broker/.../longpolling/{PullRequestHoldService,
//! NotifyMessageArrivingListener,ManyPullRequest}.java`).
//!
//! A pull that finds nothing new and carries the SUSPEND flag parks here, keyed by
//! `topic@queueId`, until either a matching message arrives (the store's dispatcher calls
//! [`PullRequestHoldService::notify_message_arriving`] through the arriving listener), the
//! 5-second sweep sees the queue grew, or the client's suspend time runs out. The waiting is
//! done by the request's own task (`pull_message`), which then re-runs the pull without
//! suspension, as Java's `executeRequestWhenWakeup` does.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::filter_sql::ExpressionMessageFilter;

struct Waiter {
    pull_from_offset: i64,
    filter: Arc<ExpressionMessageFilter>,
    wake: oneshot::Sender<()>,
}

/// Parked pulls.
#[derive(Default)]
pub struct PullRequestHoldService {
    table: Mutex<HashMap<(String, i32), Vec<Waiter>>>,
}

impl PullRequestHoldService {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// `suspendPullRequest`: park a pull; the receiver fires on a matching arrival.
    pub fn suspend(
        &self,
        topic: &str,
        queue_id: i32,
        pull_from_offset: i64,
        filter: Arc<ExpressionMessageFilter>,
    ) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.table
            .lock()
            .entry((topic.to_string(), queue_id))
            .or_default()
            .push(Waiter {
                pull_from_offset,
                filter,
                wake: tx,
            });
        rx
    }

    /// `notifyMessageArriving`: wake parked pulls of the queue that now have something to
    /// read (`max_offset` > their offset) matching their tag filter (`tags_code` `None` =
    /// unknown, matches). Pulls whose task gave up are dropped.
    pub fn notify_message_arriving(
        &self,
        topic: &str,
        queue_id: i32,
        max_offset: i64,
        tags_code: Option<i64>,
    ) {
        self.notify_message_arriving_with_properties(topic, queue_id, max_offset, tags_code, None);
    }

    /// [`Self::notify_message_arriving`] with the arriving message's properties string: SQL92
    /// filters are evaluated on it too (Java: `isMatchedByCommitLog(null, properties)`).
    pub fn notify_message_arriving_with_properties(
        &self,
        topic: &str,
        queue_id: i32,
        max_offset: i64,
        tags_code: Option<i64>,
        properties: Option<&str>,
    ) {
        let mut table = self.table.lock();
        let key = (topic.to_string(), queue_id);
        let Some(list) = table.get_mut(&key) else {
            return;
        };
        let waiters = std::mem::take(list);
        let mut keep = Vec::with_capacity(waiters.len());
        for w in waiters {
            if w.wake.is_closed() {
                continue;
            }
            let matched = max_offset > w.pull_from_offset
                && tags_code.map(|c| w.filter.matches(c)).unwrap_or(true)
                && properties
                    .map(|p| w.filter.matches_properties(p))
                    .unwrap_or(true);
            if matched {
                let _ = w.wake.send(());
            } else {
                keep.push(w);
            }
        }
        if keep.is_empty() {
            table.remove(&key);
        } else if let Some(list) = table.get_mut(&key) {
            list.extend(keep);
        } else {
            table.insert(key, keep);
        }
    }

    /// The queues that have parked pulls (for the periodic `checkHoldRequest`).
    pub fn held_queues(&self) -> Vec<(String, i32)> {
        self.table.lock().keys().cloned().collect()
    }

    /// Number of parked pulls.
    pub fn len(&self) -> usize {
        self.table.lock().values().map(Vec::len).sum()
    }

    /// Nothing parked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The store → hold service bridge (`NotifyMessageArrivingListener`).
pub struct NotifyMessageArrivingListener {
    /// Where to deliver arrivals.
    pub hold: Arc<PullRequestHoldService>,
}

impl store::message::MessageArrivingListener for NotifyMessageArrivingListener {
    fn arriving(
        &self,
        topic: &str,
        queue_id: i32,
        queue_offset: i64,
        tags_code: i64,
        _store_timestamp: i64,
        properties: &str,
    ) {
        self.hold.notify_message_arriving_with_properties(
            topic,
            queue_id,
            queue_offset,
            Some(tags_code),
            Some(properties),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{build_subscription, TagMessageFilter};

    #[test]
    fn wakes_only_matching() {
        let hold = PullRequestHoldService::new();
        let a = Arc::new(ExpressionMessageFilter::from_tag(TagMessageFilter::new(
            &build_subscription("T", Some("TagA"), None),
        )));
        let mut rx_a = hold.suspend("T", 0, 5, a);
        let mut rx_all = hold.suspend(
            "T",
            0,
            5,
            Arc::new(ExpressionMessageFilter::from_tag(TagMessageFilter::all())),
        );
        hold.notify_message_arriving("T", 0, 6, Some(2598920)); // TagB
        assert!(rx_a.try_recv().is_err());
        assert!(rx_all.try_recv().is_ok());
        hold.notify_message_arriving("T", 0, 5, Some(2598919)); // not beyond offset
        assert!(rx_a.try_recv().is_err());
        hold.notify_message_arriving("T", 0, 7, Some(2598919));
        assert!(rx_a.try_recv().is_ok());
        assert!(hold.is_empty());
    }
}
