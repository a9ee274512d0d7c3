//! Transactional messages, as the 4.9.7 broker keeps them (mirrors
//! `broker/.../transaction/**`: `TransactionalMessageServiceImpl`, `TransactionalMessageBridge`,
//! `TransactionalMessageCheckService`, `AbstractTransactionalMessageCheckListener`,
//! `DefaultTransactionalMessageCheckListener`, `TransactionalMessageUtil`, `OperationResult`).
//!
//! The whole state lives in ordinary store data, so it survives a restart:
//!
//! * **Half messages.** A prepared send (`TRAN_MSG=true`) is rewritten by the send processor
//!   (`TransactionalMessageBridge.parseHalfMessageInner`) to topic `RMQ_SYS_TRANS_HALF_TOPIC`,
//!   queue 0, with the real topic and queue id in `REAL_TOPIC` / `REAL_QID`. Consumers never
//!   subscribe to it.
//! * **END_TRANSACTION** ([`crate::processor::end_transaction`]): commit copies the half
//!   message to its real topic (sys flag COMMIT, `preparedTransactionOffset` = the half's
//!   commitlog offset); commit and rollback both write an *op* message to
//!   `RMQ_SYS_TRANS_OP_HALF_TOPIC` (same queue id as the half, tag `d`, body = the half's queue
//!   offset in decimal) — [`bridge::put_op_message`].
//! * **Check-back** ([`check`]): every `transactionCheckInterval` ms the check service walks
//!   each half queue from the offset committed for the system group `CID_RMQ_SYS_TRANS`,
//!   skipping halves that have an op record, and for halves older than `transactionTimeOut`
//!   (or their `CHECK_IMMUNITY_TIME_IN_SECONDS`) appends a renewed copy to the half queue and
//!   sends CHECK_TRANSACTION_STATE (oneway) to a live producer of the group. A half checked
//!   `transactionCheckMax` times is moved to `TRANS_CHECK_MAX_TIME_TOPIC` and dropped. The
//!   half/op consume offsets are ordinary consumer offsets (`consumerOffset.json`).

pub mod bridge;
pub mod check;
pub mod service;

/// `TransactionalMessageUtil.REMOVETAG`: the tag of every op message.
pub const REMOVETAG: &str = "d";
/// `MixAll.CID_SYS_RMQ_TRANS`: the consumer group whose offsets track the check progress.
pub const CID_SYS_RMQ_TRANS: &str = "CID_RMQ_SYS_TRANS";
/// `AbstractTransactionalMessageCheckListener.TCMT_QUEUE_NUMS`: queues of
/// `TRANS_CHECK_MAX_TIME_TOPIC`.
pub const TCMT_QUEUE_NUMS: i32 = 1;

pub use crate::topic::validator::{
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC, RMQ_SYS_TRANS_HALF_TOPIC, RMQ_SYS_TRANS_OP_HALF_TOPIC,
};
