//! Byte-compatible re-implementation of the RocketMQ 4.9.7 `DefaultMessageStore`.
//!
//! A Java 4.9.7 broker and this store can take turns on the same `storePathRootDir`: commitlog,
//! consume queues, index files, `checkpoint`, `abort` and `lock` use Java's exact formats and
//! protocols (see `store.md`; per-format layouts are in the module docs of [`commitlog`],
//! [`consume_queue`], [`index`], [`checkpoint`], [`lock`], [`mapped_file`]).
//!
//! # Usage
//!
//! ```no_run
//! # async fn demo() -> store::Result<()> {
//! use std::sync::Arc;
//! use store::{DefaultMessageStore, MessageStoreConfig, MessageExtBrokerInner};
//! let mut cfg = MessageStoreConfig::with_root("/tmp/store");
//! let unknown = cfg.apply_map(&Default::default()); // broker.conf keys the store ignores
//! let store = Arc::new(DefaultMessageStore::open(cfg)?); // lock + load + recover
//! store.start()?;                                         // dispatch catch-up, services, abort file
//! let r = store.put_message(MessageExtBrokerInner { topic: "T".into(), ..Default::default() }).await;
//! let got = store.get_message("group", "T", 0, 0, 32, 0, None);
//! store.shutdown();
//! # let _ = (unknown, r, got); Ok(()) }
//! ```
//!
//! # API summary
//!
//! * Lifecycle: [`DefaultMessageStore::open`]`(MessageStoreConfig) -> Result<Self>`,
//!   `start(self: &Arc<Self>)`, `shutdown(&self)`.
//! * Writes: `async put_message(MessageExtBrokerInner) -> PutMessageResult`,
//!   `async put_messages(MessageExtBatch)`, blocking twins `put_message_blocking` /
//!   `put_messages_blocking`; HA: `get_commit_log_data`, `append_to_commit_log`,
//!   `reset_write_offset`.
//! * Reads (lock-free apart from short per-queue read locks; results are zero-copy `Bytes`):
//!   `get_message(group, topic, queue_id, offset, max_msg_nums, max_total_bytes, filter)`,
//!   `select_one_message_by_offset`, `look_message_by_offset`, `query_message`,
//!   `get_max/min_offset_in_queue`, `get_offset_in_queue_by_time`,
//!   `get_earliest_message_time`, `get_message_store_timestamp`,
//!   `check_in_disk_by_consume_offset`, `max/min_phy_offset`, `get_message_ids`.
//! * Hooks: [`MessageFilter`], [`MessageArrivingListener`].
//! * Utilities: [`config_file`] (Java `ConfigManager` persist/load dance), [`config`].
//!
//! * Delayed messages: the `CommitLog.putMessage` delay rewrite and the
//!   `ScheduleMessageService` delivery thread (masters only) with `delayOffset.json`
//!   (`delay_offset_table`, `delay_offset_json(pretty)`, `persist_delay_offsets`).
//!
//! * Replication ([`ha`]): `start_ha` binds `haListenPort` and runs Java 4.9.7's HA protocol
//!   (master streams commitlog frames, slave appends them byte for byte);
//!   `update_ha_master_address` points a slave at its master; on a SYNC_MASTER, `put_message`
//!   waits for a slave's acknowledgement (PUT_OK / FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE).
//!
//! Transactions, statistics and the other config JSON files are broker concerns.

pub mod checkpoint;
pub mod commitlog;
pub mod config;
pub mod config_file;
pub mod consume_queue;
pub mod default_store;
pub mod error;
mod flush;
pub mod ha;
pub mod index;
pub mod lock;
pub mod mapped_file;
pub mod message;
mod schedule;

pub use config::{BrokerRole, FlushDiskType, MessageStoreConfig};
pub use default_store::DefaultMessageStore;
pub use error::{Result, StoreError};
pub use mapped_file::SelectMappedBuffer;
pub use message::*;
