//! Master/slave role handling of the broker (mirrors the non-DLedger parts of
//! `BrokerController.java`: `initialize` (haMasterAddress / `updateMasterHAServerAddrPeriodically`,
//! `printMasterAndSlaveDiff`), `start` (`handleSlaveSynchronize`), `doRegisterBrokerAll`
//! (registration result → HA master address and `SlaveSynchronize.masterAddr`), `shutdown`).
//!
//! * Every broker binds `haListenPort` (= listenPort + 1) through the store's HA service
//!   ([`store::ha`]); a master streams its commitlog to the slaves that connect there.
//! * A slave (`brokerRole=SLAVE`, `brokerId > 0`) follows `haMasterAddress` when it is set
//!   (length ≥ 6), otherwise the `haServerAddr` each REGISTER_BROKER answer carries (the
//!   namesrv fills it, with `masterAddr`, while the broker name has a live brokerId 0). It
//!   keeps retrying that address every 5 s, so it resumes after the master restarts.
//! * A slave pulls the master's metadata every 10 s ([`crate::slave`]) and refuses writes
//!   (the store answers SERVICE_NOT_AVAILABLE).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use store::config::BrokerRole;
use tracing::{info, warn, Instrument};

use crate::controller::BrokerController;
use crate::error::BrokerError;
use crate::out::RegisterBrokerResult;
use crate::slave::SlaveSynchronize;

/// `handleSlaveSynchronize` schedule: first run after 3 s, then every 10 s.
const SLAVE_SYNC_DELAY: Duration = Duration::from_secs(3);
const SLAVE_SYNC_PERIOD: Duration = Duration::from_secs(10);
/// `printMasterAndSlaveDiff` schedule.
const DIFF_DELAY: Duration = Duration::from_secs(10);
const DIFF_PERIOD: Duration = Duration::from_secs(60);

/// HA state of one broker.
#[derive(Default)]
pub struct HaGlue {
    /// Metadata sync from the master (slaves).
    pub slave_synchronize: SlaveSynchronize,
    /// `updateMasterHAServerAddrPeriodically`: take the HA address from registrations.
    update_master_ha_periodically: AtomicBool,
}

impl HaGlue {
    /// Not started.
    pub fn new() -> Self {
        Self::default()
    }

    /// Start replication for `broker`: bind the HA port (an error stops the broker, as in
    /// Java), pick the HA master address source, schedule the slave sync (slaves) or the lag
    /// log (masters). Must run before the first registration so its answer can be applied.
    pub fn start(broker: &Arc<BrokerController>) -> Result<(), BrokerError> {
        let role = broker.store_config().broker_role;
        let ha = &broker.ha;
        if let Some(store) = broker.store().default_store() {
            store
                .start_ha()
                .map_err(|e| BrokerError::Startup(format!("start HA service: {e}")))?;
            if role == BrokerRole::Slave {
                match broker.store_config().ha_master_address.as_deref() {
                    Some(a) if a.len() >= 6 => {
                        store.update_ha_master_address(a);
                        ha.update_master_ha_periodically
                            .store(false, Ordering::Release);
                    }
                    _ => ha
                        .update_master_ha_periodically
                        .store(true, Ordering::Release),
                }
            }
        } else {
            warn!("the message store has no HA service (in-memory store): replication disabled");
        }
        if role == BrokerRole::Slave {
            ha.slave_synchronize.set_master_addr(None);
            spawn_periodic(
                broker,
                "slaveSynchronize",
                SLAVE_SYNC_DELAY,
                SLAVE_SYNC_PERIOD,
                |b| Box::pin(async move { b.ha.slave_synchronize.sync_all(&b).await }),
            );
        } else {
            spawn_periodic(
                broker,
                "printMasterAndSlaveDiff",
                DIFF_DELAY,
                DIFF_PERIOD,
                |b| {
                    Box::pin(async move {
                        if let Some(s) = b.store().default_store() {
                            info!(
                                bytes = s.slave_fall_behind_much(),
                                slaves = s.ha_state().connection_count(),
                                "Slave fall behind master"
                            );
                        }
                    })
                },
            );
        }
        Ok(())
    }

    /// `doRegisterBrokerAll`'s use of the first namesrv's answer: the master's HA address
    /// for the HA client, the master's address for the metadata sync (cleared when the
    /// namesrv reports no master).
    pub fn on_register_result(&self, broker: &BrokerController, r: &RegisterBrokerResult) {
        if self.update_master_ha_periodically.load(Ordering::Acquire) {
            if let (Some(addr), Some(store)) = (
                r.ha_server_addr.as_deref().filter(|a| !a.is_empty()),
                broker.store().default_store(),
            ) {
                store.update_ha_master_address(addr);
            }
        }
        self.slave_synchronize
            .set_master_addr(r.master_addr.clone().filter(|a| !a.is_empty()));
    }

    /// Close the metadata-sync connections (the HA service stops with the store).
    pub async fn shutdown(&self) {
        self.slave_synchronize.shutdown().await;
    }
}

type Task = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

fn spawn_periodic(
    broker: &Arc<BrokerController>,
    name: &'static str,
    initial: Duration,
    period: Duration,
    f: impl Fn(Arc<BrokerController>) -> Task + Send + 'static,
) {
    let b = Arc::clone(broker);
    let mut stop = broker.shutdown_signal();
    tokio::spawn(
        async move {
            tokio::select! {
                _ = tokio::time::sleep(initial) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                f(Arc::clone(&b)).await;
            }
        }
        .instrument(tracing::debug_span!("task", name)),
    );
}

/// `UtilAll.getDiskPartitionSpaceUsedPercent`: used / (used + usable) of the file system
/// holding `path`, rounded up to whole percent, as a ratio; -1 when unknown.
pub fn disk_partition_space_used_percent(path: &std::path::Path) -> f64 {
    use std::os::unix::ffi::OsStrExt;
    if !path.exists() {
        return -1.0;
    }
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return -1.0;
    };
    // SAFETY: statvfs fills the zeroed plain-data struct; `c` is NUL terminated.
    let st = unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut st) != 0 {
            return -1.0;
        }
        st
    };
    let unit = st.f_frsize as i128;
    let total = st.f_blocks as i128 * unit;
    if total <= 0 {
        return -1.0;
    }
    let used = total - st.f_bfree as i128 * unit;
    let entire = used + st.f_bavail as i128 * unit;
    if entire <= 0 {
        return -1.0;
    }
    let round = i128::from((used * 100) % entire != 0);
    ((used * 100 / entire + round) as f64) / 100.0
}

/// `SendMessageProcessor.diskUtil`: `CL: %5.2f CQ: %5.2f INDEX: %5.2f` (part of the
/// SERVICE_NOT_AVAILABLE remark a slave answers sends with).
pub fn disk_util(cfg: &store::MessageStoreConfig) -> String {
    let cl = disk_partition_space_used_percent(&cfg.commit_log_dir()).min(100.0);
    let cq = disk_partition_space_used_percent(&cfg.consume_queue_dir());
    let index = disk_partition_space_used_percent(&cfg.index_dir());
    format!("CL: {cl:5.2} CQ: {cq:5.2} INDEX: {index:5.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_util_format() {
        let dir = std::env::temp_dir();
        let r = disk_partition_space_used_percent(&dir);
        assert!((0.0..=1.0).contains(&r), "{r}");
        assert_eq!(
            disk_partition_space_used_percent(std::path::Path::new("/no/such/dir")),
            -1.0
        );
        let cfg = store::MessageStoreConfig::with_root("/no/such/root");
        assert_eq!(disk_util(&cfg), "CL: -1.00 CQ: -1.00 INDEX: -1.00");
    }
}
