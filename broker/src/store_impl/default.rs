//! [`MessageStore`] over the store crate's `DefaultMessageStore` (the byte-compatible
//! commitlog/consume-queue/index store).

use std::sync::Arc;

use store::mapped_file::SelectMappedBuffer;
use store::message::{
    GetMessageResult, MessageExtBatch, MessageExtBrokerInner, MessageFilter, QueryMessageResult,
};
use store::DefaultMessageStore;

use crate::store_api::{MessageStore, PutFuture};

/// The real store.
pub struct DiskStore(pub Arc<DefaultMessageStore>);

impl MessageStore for DiskStore {
    fn put_message(&self, msg: MessageExtBrokerInner) -> PutFuture<'_> {
        Box::pin(self.0.put_message(msg))
    }

    fn put_messages(&self, batch: MessageExtBatch) -> PutFuture<'_> {
        Box::pin(self.0.put_messages(batch))
    }

    fn get_message(
        &self,
        group: &str,
        topic: &str,
        queue_id: i32,
        offset: i64,
        max_msg_nums: i32,
        filter: Option<&dyn MessageFilter>,
    ) -> Option<GetMessageResult> {
        self.0
            .get_message(group, topic, queue_id, offset, max_msg_nums, 0, filter)
    }

    fn max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.0.get_max_offset_in_queue(topic, queue_id)
    }

    fn min_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.0.get_min_offset_in_queue(topic, queue_id)
    }

    fn offset_in_queue_by_time(&self, topic: &str, queue_id: i32, timestamp: i64) -> i64 {
        self.0
            .get_offset_in_queue_by_time(topic, queue_id, timestamp)
    }

    fn earliest_message_time(&self, topic: &str, queue_id: i32) -> i64 {
        self.0.get_earliest_message_time(topic, queue_id)
    }

    fn check_in_disk_by_consume_offset(
        &self,
        topic: &str,
        queue_id: i32,
        consume_offset: i64,
    ) -> bool {
        self.0
            .check_in_disk_by_consume_offset(topic, queue_id, consume_offset)
    }

    fn select_one_message_by_offset(&self, commit_log_offset: i64) -> Option<SelectMappedBuffer> {
        self.0.select_one_message_by_offset(commit_log_offset)
    }

    fn query_message(
        &self,
        topic: &str,
        key: &str,
        max_num: i32,
        begin_timestamp: i64,
        end_timestamp: i64,
    ) -> QueryMessageResult {
        self.0.query_message(
            topic,
            key,
            max_num.max(0) as usize,
            begin_timestamp,
            end_timestamp,
        )
    }

    fn shutdown(&self) {
        self.0.shutdown();
    }

    fn default_store(&self) -> Option<&Arc<DefaultMessageStore>> {
        Some(&self.0)
    }
}
