//! What the broker needs from the message store (mirrors the parts of Java's `MessageStore`
//! interface the broker core calls). The broker talks to the store only through this trait,
//! so processors can be tested against an in-memory fake and the store crate stays free of
//! broker concerns. [`crate::store_impl`] implements it for `store::DefaultMessageStore`.

use std::future::Future;
use std::pin::Pin;

use store::mapped_file::SelectMappedBuffer;
use store::message::{
    GetMessageResult, MessageExtBatch, MessageExtBrokerInner, MessageFilter, PutMessageResult,
    QueryMessageResult,
};

/// A boxed put future.
pub type PutFuture<'a> = Pin<Box<dyn Future<Output = PutMessageResult> + Send + 'a>>;

/// The message store as the broker uses it. Puts are async (with SYNC_FLUSH they wait for the
/// group commit); reads are synchronous and short.
pub trait MessageStore: Send + Sync + 'static {
    /// `asyncPutMessage`.
    fn put_message(&self, msg: MessageExtBrokerInner) -> PutFuture<'_>;
    /// `asyncPutMessages` (SEND_BATCH_MESSAGE).
    fn put_messages(&self, batch: MessageExtBatch) -> PutFuture<'_>;
    /// `getMessage`: up to `max_msg_nums` records of the queue from `offset` that pass
    /// `filter`; `None` if the store is shut down.
    fn get_message(
        &self,
        group: &str,
        topic: &str,
        queue_id: i32,
        offset: i64,
        max_msg_nums: i32,
        filter: Option<&dyn MessageFilter>,
    ) -> Option<GetMessageResult>;
    /// `getMaxOffsetInQueue` (entry count, i.e. next offset).
    fn max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64;
    /// `getMinOffsetInQueue`.
    fn min_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64;
    /// `getOffsetInQueueByTime`.
    fn offset_in_queue_by_time(&self, topic: &str, queue_id: i32, timestamp: i64) -> i64;
    /// `getEarliestMessageTime` (-1 if none).
    fn earliest_message_time(&self, topic: &str, queue_id: i32) -> i64;
    /// `checkInDiskByConsumeOffset`: whether the message at `consume_offset` is no longer in
    /// memory (beyond `accessMessageInMemoryMaxRatio`).
    fn check_in_disk_by_consume_offset(
        &self,
        topic: &str,
        queue_id: i32,
        consume_offset: i64,
    ) -> bool;
    /// `selectOneMessageByOffset`: the whole record at a commitlog offset.
    fn select_one_message_by_offset(&self, commit_log_offset: i64) -> Option<SelectMappedBuffer>;
    /// `queryMessage` by key through the index.
    fn query_message(
        &self,
        topic: &str,
        key: &str,
        max_num: i32,
        begin_timestamp: i64,
        end_timestamp: i64,
    ) -> QueryMessageResult;
    /// Flush and close.
    fn shutdown(&self);
    /// The store crate's `DefaultMessageStore` behind this trait, if that is what it is: the
    /// admin processor reads runtime info, consume queues and store times through it.
    fn default_store(&self) -> Option<&std::sync::Arc<store::DefaultMessageStore>> {
        None
    }
}
