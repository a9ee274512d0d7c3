//! Master/slave replication of the commitlog (non-DLedger HA), wire-compatible with Java
//! 4.9.7's `org.apache.rocketmq.store.ha` package: a Rust master serves Java slaves and a
//! Rust slave follows a Java master.
//!
//! Mirrors `HAService.java` (accept loop, `GroupTransferService`, `HAClient`),
//! `HAConnection.java` (`ReadSocketService`, `WriteSocketService`) and `WaitNotifyObject.java`.
//!
//! # Wire format (plain TCP on `haListenPort`, forced to `listenPort + 1` by the broker)
//!
//! All integers are big-endian (Java `ByteBuffer`).
//!
//! Slave → master: nothing but 8-byte values, each the slave's commitlog max offset
//! (`getMaxPhyOffset`):
//!
//! ```text
//! +----------------------+
//! | long slaveMaxOffset  |   8 bytes, repeated
//! +----------------------+
//! ```
//!
//! The master takes the first value as the offset to start streaming from and every later
//! one as an acknowledgement (`push2SlaveMaxOffset` = max ack over all slaves). It only looks
//! at the last complete 8-byte value of each read.
//!
//! Master → slave: frames
//!
//! ```text
//! +--------------------------+------------------+---------------------------------+
//! | long masterPhyOffset (8) | int bodySize (4) | bodySize raw commitlog bytes     |
//! +--------------------------+------------------+---------------------------------+
//! ```
//!
//! `masterPhyOffset` is the commitlog offset of the first body byte; bodies are verbatim
//! slices of the master's commitlog, at most `haTransferBatchSize` (32 KiB) long, never
//! crossing a commitlog file (the end-of-file blank tail is sent too), not aligned to
//! records. A frame with `bodySize = 0` is the heartbeat the master sends after
//! `haSendHeartbeatInterval` (5 s) without writing. A slave reporting 0 (no data) is served
//! from the start of the master's last commitlog file.
//!
//! The slave checks that `masterPhyOffset` equals its own max offset (unless it has no data),
//! appends the body at that offset (so its commitlog files become byte-identical copies of
//! the master's) and acknowledges its new max offset. Its consume queues and index are built
//! by the ordinary dispatcher from the replicated bytes.
//!
//! # SYNC_MASTER
//!
//! With `brokerRole=SYNC_MASTER`, a put with `WAIT=true` completes only once a slave has
//! acknowledged `wroteOffset + wroteBytes` (`PUT_OK`), or with `FLUSH_SLAVE_TIMEOUT` after
//! `slaveTimeout` ms; with no slave connected, or one more than `haSlaveFallbehindMax` bytes
//! behind, it answers `SLAVE_NOT_AVAILABLE` at once (the message is stored either way).
//! See [`HaState`] and `DefaultMessageStore::put_message`.

mod client;
mod connection;
pub mod frame;
mod service;

use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::flush::Completion;
use crate::message::PutMessageStatus;

pub use service::HaService;

/// HA networking failures.
#[derive(Debug, thiserror::Error)]
pub enum HaError {
    /// The HA port could not be bound (Java: the broker fails to start).
    #[error("cannot listen on HA port {port}: {source}")]
    Bind {
        /// `haListenPort`.
        port: i32,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// `haListenPort` is not a TCP port.
    #[error("invalid haListenPort {0}")]
    BadPort(i32),
    /// A service thread could not be spawned.
    #[error("cannot spawn HA thread {name}: {source}")]
    Spawn {
        /// Thread name.
        name: &'static str,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Socket error on an HA connection.
    #[error("HA connection {peer}: {source}")]
    Io {
        /// Remote address.
        peer: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The peer broke the protocol (offset mismatch, bad frame, ack beyond our data).
    #[error("HA protocol violation from {peer}: {what}")]
    Protocol {
        /// Remote address.
        peer: String,
        /// What was wrong.
        what: String,
    },
    /// The peer closed the connection or stayed silent too long.
    #[error("HA connection {peer} closed: {why}")]
    Closed {
        /// Remote address.
        peer: String,
        /// Why.
        why: &'static str,
    },
}

/// A put waiting for its bytes to reach a slave (`GroupTransferService` request).
struct TransferWaiter {
    next_offset: i64,
    deadline: Instant,
    done: Completion,
}

/// Replication state shared by the put path and the HA connections (lives in
/// `DefaultMessageStore`, whether or not the [`HaService`] runs).
///
/// Mirrors `HAService.push2SlaveMaxOffset`, `connectionCount`, `isSlaveOK`,
/// `notifyTransferSome`, the `GroupTransferService` request list and the master writers'
/// `WaitNotifyObject`.
#[derive(Default)]
pub struct HaState {
    push2slave_max_offset: AtomicI64,
    connection_count: AtomicI32,
    waiters: Mutex<Vec<TransferWaiter>>,
    /// Bumped on every commitlog append; HA writers sleep on it (`WaitNotifyObject`).
    data_gen: Mutex<u64>,
    data_cv: Condvar,
}

impl std::fmt::Debug for HaState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HaState")
            .field("push2slave_max_offset", &self.push2slave_max_offset())
            .field("connection_count", &self.connection_count())
            .finish()
    }
}

/// What a SYNC_MASTER put must wait for (`submitReplicaRequest`).
pub(crate) enum ReplicaWait {
    /// Nothing (not SYNC_MASTER, or `WAIT=false`, or the put failed).
    None,
    /// `SLAVE_NOT_AVAILABLE` right away.
    NotAvailable,
    /// A waiter was registered; its completion arrives by the given deadline or never
    /// (then the caller answers `FLUSH_SLAVE_TIMEOUT`).
    Pending(Instant),
}

impl HaState {
    /// `push2SlaveMaxOffset`: the highest offset any slave acknowledged.
    pub fn push2slave_max_offset(&self) -> i64 {
        self.push2slave_max_offset.load(Ordering::Acquire)
    }

    /// Live slave connections (`connectionCount`).
    pub fn connection_count(&self) -> i32 {
        self.connection_count.load(Ordering::Acquire)
    }

    pub(crate) fn connection_opened(&self) {
        self.connection_count.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn connection_closed(&self) {
        self.connection_count.fetch_sub(1, Ordering::AcqRel);
    }

    /// `isSlaveOK(masterPutWhere)`: a slave is connected and less than `fallbehind_max` bytes
    /// behind.
    pub fn is_slave_ok(&self, master_put_where: i64, fallbehind_max: i64) -> bool {
        self.connection_count() > 0
            && master_put_where - self.push2slave_max_offset() < fallbehind_max
    }

    /// `notifyTransferSome(offset)`: raise `push2SlaveMaxOffset` and complete the waiters
    /// it satisfies.
    pub fn notify_transfer_some(&self, offset: i64) {
        let prev = self
            .push2slave_max_offset
            .fetch_max(offset, Ordering::AcqRel);
        if offset <= prev {
            return;
        }
        let now = Instant::now();
        let mut waiters = self.waiters.lock();
        let pending = std::mem::take(&mut *waiters);
        for w in pending {
            if w.next_offset <= offset {
                w.done.complete(PutMessageStatus::PutOk);
            } else if w.deadline + Duration::from_secs(1) < now {
                // its producer gave up at the deadline (FLUSH_SLAVE_TIMEOUT); drop it
                w.done.complete(PutMessageStatus::FlushSlaveTimeout);
            } else {
                waiters.push(w);
            }
        }
    }

    /// Register a put that waits for `next_offset` to be acknowledged. Completes at once if
    /// it already is.
    pub(crate) fn wait_transfer(&self, next_offset: i64, deadline: Instant, done: Completion) {
        let mut waiters = self.waiters.lock();
        // read under the lock: notify_transfer_some raises the offset before locking
        if self.push2slave_max_offset() >= next_offset {
            drop(waiters);
            done.complete(PutMessageStatus::PutOk);
            return;
        }
        let now = Instant::now();
        if waiters.len() > 4096 {
            let pending = std::mem::take(&mut *waiters);
            for w in pending {
                if w.deadline + Duration::from_secs(1) < now {
                    w.done.complete(PutMessageStatus::FlushSlaveTimeout);
                } else {
                    waiters.push(w);
                }
            }
        }
        waiters.push(TransferWaiter {
            next_offset,
            deadline,
            done,
        });
    }

    /// Fail every waiter (shutdown).
    pub(crate) fn fail_all_waiters(&self) {
        let pending = std::mem::take(&mut *self.waiters.lock());
        for w in pending {
            w.done.complete(PutMessageStatus::FlushSlaveTimeout);
        }
    }

    /// New commitlog data: wake the HA writers (`WaitNotifyObject.wakeupAll`).
    pub(crate) fn wakeup_writers(&self) {
        let mut g = self.data_gen.lock();
        *g = g.wrapping_add(1);
        self.data_cv.notify_all();
    }

    /// The current data generation (read before looking for data, then pass it to
    /// [`HaState::wait_for_data`]).
    pub(crate) fn data_generation(&self) -> u64 {
        *self.data_gen.lock()
    }

    /// Sleep until the generation moves past `seen` or `timeout` passes
    /// (`allWaitForRunning(100)`).
    pub(crate) fn wait_for_data(&self, seen: u64, timeout: Duration) {
        let mut g = self.data_gen.lock();
        if *g == seen {
            self.data_cv.wait_for(&mut g, timeout);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completion() -> (Completion, std::sync::mpsc::Receiver<PutMessageStatus>) {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        (Completion::Blocking(tx), rx)
    }

    #[test]
    fn waiters_complete_in_offset_order() {
        let s = HaState::default();
        let far = Instant::now() + Duration::from_secs(10);
        let (c1, r1) = completion();
        let (c2, r2) = completion();
        s.wait_transfer(100, far, c1);
        s.wait_transfer(200, far, c2);
        s.notify_transfer_some(150);
        assert_eq!(r1.try_recv().ok(), Some(PutMessageStatus::PutOk));
        assert!(r2.try_recv().is_err());
        s.notify_transfer_some(120); // lower ack: ignored
        assert_eq!(s.push2slave_max_offset(), 150);
        s.notify_transfer_some(200);
        assert_eq!(r2.try_recv().ok(), Some(PutMessageStatus::PutOk));
        let (c3, r3) = completion();
        s.wait_transfer(180, far, c3);
        assert_eq!(r3.try_recv().ok(), Some(PutMessageStatus::PutOk));
    }

    #[test]
    fn slave_ok_needs_a_connection_and_small_lag() {
        let s = HaState::default();
        assert!(!s.is_slave_ok(10, 1000));
        s.connection_opened();
        assert!(s.is_slave_ok(10, 1000));
        assert!(!s.is_slave_ok(5000, 1000));
        s.notify_transfer_some(4500);
        assert!(s.is_slave_ok(5000, 1000));
        s.connection_closed();
        assert!(!s.is_slave_ok(5000, 1000));
    }

    #[test]
    fn writers_wake_on_data() {
        let s = std::sync::Arc::new(HaState::default());
        let g = s.data_generation();
        let s2 = s.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            s2.wakeup_writers();
        });
        let t0 = Instant::now();
        s.wait_for_data(g, Duration::from_secs(5));
        assert!(t0.elapsed() < Duration::from_secs(4));
        let _ = t.join();
    }
}
