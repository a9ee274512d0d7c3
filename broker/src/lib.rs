//! rmq broker: a wire-compatible replacement for the Apache RocketMQ 4.9.7 broker
//! (`org.apache.rocketmq.broker`).
//!
//! Layout (Java class mirrored in each module's docs):
//! * [`config`] — `BrokerConfig`, `NettyServerConfig`, `NettyClientConfig` + the store's
//!   `MessageStoreConfig`, read from one Java-properties `broker.conf`; [`startup`] — the
//!   `mqbroker` command line.
//! * [`controller`] — `BrokerController`: state, start/shutdown, scheduled tasks, [`run`].
//! * [`processor`] — one file per request processor and the single dispatch table.
//! * [`topic`], [`subscription`], [`offset`] — the JSON-persisted config managers.
//! * [`client`] — producer/consumer registries, expiry, broker → client pushes.
//! * [`longpolling`] — parked pulls; [`filter`] — tag filtering.
//! * [`out`] — namesrv registration; [`store_api`] — what the broker needs from the store.
//! * [`ha_glue`] — master/slave roles and replication; [`slave`] — metadata sync from the master.

pub mod body;
pub mod client;
pub mod config;
pub mod config_file;
pub mod consumer_filter;
pub mod controller;
pub mod error;
pub mod filter;
pub mod filter_sql;
pub mod filter_sql_error;
pub mod ha_glue;
pub mod longpolling;
pub mod netutil;
pub mod offset;
pub mod out;
pub mod processor;
pub mod slave;
pub mod startup;
pub mod store_api;
pub mod store_impl;
pub mod subscription;
pub mod topic;
pub mod transaction;

pub use controller::{run, BrokerController};
pub use error::{BrokerError, BrokerResult};
