//! Broker admin and query headers: topics (17, 215), broker config (26), per-queue offsets
//! (29-32), message queries (12, 33), groups and statistics (202-208, 300-321, 328).
//!
//! Mirrors the classes of the same names in `common/.../protocol/header/`. Primitive `int`/
//! `long` fields (always written by Java) are plain `i32`/`i64`; primitive `boolean` is `bool`.
//! `CreateTopicRequestHeader` has a non-empty Java `checkFields()`, mirrored by `check_fields`.

use crate::error::ProtocolError;

header! {
    /// `CreateTopicRequestHeader` (code 17). Java's `order` is a `@CFNotNull Boolean` that
    /// defaults to false, so Java always writes it: modelled as `bool`.
    CreateTopicRequestHeader {
        topic: String => "topic",
        default_topic: String => "defaultTopic",
        read_queue_nums: i32 => "readQueueNums",
        write_queue_nums: i32 => "writeQueueNums",
        /// `PermName` bits.
        perm: i32 => "perm",
        /// `SINGLE_TAG` or `MULTI_TAG`.
        topic_filter_type: String => "topicFilterType",
        topic_sys_flag: Option<i32> => "topicSysFlag",
        order: bool => "order",
    }
}

impl CreateTopicRequestHeader {
    /// Java's `checkFields()` (`TopicFilterType.valueOf`): `topicFilterType` must be
    /// `SINGLE_TAG` or `MULTI_TAG` (Java: "topicFilterType = [X] value invalid", SYSTEM_ERROR).
    pub fn check_fields(&self) -> Result<(), ProtocolError> {
        match self.topic_filter_type.as_str() {
            "SINGLE_TAG" | "MULTI_TAG" => Ok(()),
            v => Err(ProtocolError::BadField {
                field: "topicFilterType",
                value: v.to_string(),
            }),
        }
    }
}

header! {
    /// `DeleteTopicRequestHeader` (code 215 DELETE_TOPIC_IN_BROKER).
    DeleteTopicRequestHeader {
        topic: String => "topic",
    }
}

header! {
    /// `GetAllTopicConfigResponseHeader` (code 21 reply; no fields).
    GetAllTopicConfigResponseHeader {}
}

header! {
    /// `GetBrokerConfigResponseHeader` (code 26 reply): `version` is the `DataVersion` JSON.
    GetBrokerConfigResponseHeader {
        version: String => "version",
    }
}

header! {
    /// `SearchOffsetRequestHeader` (code 29).
    SearchOffsetRequestHeader {
        topic: String => "topic",
        queue_id: i32 => "queueId",
        timestamp: i64 => "timestamp",
        bname: Option<String> => "bname",
    }
}

header! {
    /// `SearchOffsetResponseHeader` (code 29 reply).
    SearchOffsetResponseHeader {
        offset: i64 => "offset",
    }
}

header! {
    /// `GetMaxOffsetRequestHeader` (code 30).
    GetMaxOffsetRequestHeader {
        topic: String => "topic",
        queue_id: i32 => "queueId",
        bname: Option<String> => "bname",
    }
}

header! {
    /// `GetMaxOffsetResponseHeader` (code 30 reply).
    GetMaxOffsetResponseHeader {
        offset: i64 => "offset",
    }
}

header! {
    /// `GetMinOffsetRequestHeader` (code 31).
    GetMinOffsetRequestHeader {
        topic: String => "topic",
        queue_id: i32 => "queueId",
        bname: Option<String> => "bname",
    }
}

header! {
    /// `GetMinOffsetResponseHeader` (code 31 reply).
    GetMinOffsetResponseHeader {
        offset: i64 => "offset",
    }
}

header! {
    /// `GetEarliestMsgStoretimeRequestHeader` (code 32).
    GetEarliestMsgStoretimeRequestHeader {
        topic: String => "topic",
        queue_id: i32 => "queueId",
        bname: Option<String> => "bname",
    }
}

header! {
    /// `GetEarliestMsgStoretimeResponseHeader` (code 32 reply).
    GetEarliestMsgStoretimeResponseHeader {
        timestamp: i64 => "timestamp",
    }
}

header! {
    /// `QueryMessageRequestHeader` (code 12). The client also adds the ext key
    /// `_UNIQUE_KEY_QUERY` (`"true"`/`"false"`), which is not a field of the class.
    QueryMessageRequestHeader {
        topic: String => "topic",
        key: String => "key",
        max_num: i32 => "maxNum",
        begin_timestamp: i64 => "beginTimestamp",
        end_timestamp: i64 => "endTimestamp",
    }
}

header! {
    /// `QueryMessageResponseHeader` (code 12 reply).
    QueryMessageResponseHeader {
        index_last_update_timestamp: i64 => "indexLastUpdateTimestamp",
        index_last_update_phyoffset: i64 => "indexLastUpdatePhyoffset",
    }
}

header! {
    /// `ViewMessageRequestHeader` (code 33): the commitlog offset from the offset msgId.
    ViewMessageRequestHeader {
        offset: i64 => "offset",
    }
}

header! {
    /// `ViewMessageResponseHeader` (code 33 reply; no fields).
    ViewMessageResponseHeader {}
}

header! {
    /// `DeleteSubscriptionGroupRequestHeader` (code 207).
    DeleteSubscriptionGroupRequestHeader {
        group_name: String => "groupName",
        remove_offset: bool => "removeOffset",
    }
}

header! {
    /// `GetTopicStatsInfoRequestHeader` (code 202).
    GetTopicStatsInfoRequestHeader {
        topic: String => "topic",
    }
}

header! {
    /// `GetConsumerConnectionListRequestHeader` (code 203).
    GetConsumerConnectionListRequestHeader {
        consumer_group: String => "consumerGroup",
    }
}

header! {
    /// `GetProducerConnectionListRequestHeader` (code 204).
    GetProducerConnectionListRequestHeader {
        producer_group: String => "producerGroup",
    }
}

header! {
    /// `GetConsumeStatsRequestHeader` (code 208).
    GetConsumeStatsRequestHeader {
        consumer_group: String => "consumerGroup",
        topic: Option<String> => "topic",
    }
}

header! {
    /// `GetAllProducerInfoRequestHeader` (code 328; no fields).
    GetAllProducerInfoRequestHeader {}
}

header! {
    /// `QueryTopicConsumeByWhoRequestHeader` (code 300).
    QueryTopicConsumeByWhoRequestHeader {
        topic: String => "topic",
    }
}

header! {
    /// `QueryConsumeTimeSpanRequestHeader` (code 303).
    QueryConsumeTimeSpanRequestHeader {
        topic: String => "topic",
        group: String => "group",
    }
}

header! {
    /// `QueryCorrectionOffsetHeader` (code 308).
    QueryCorrectionOffsetHeader {
        /// Comma-separated groups.
        filter_groups: Option<String> => "filterGroups",
        compare_group: String => "compareGroup",
        topic: String => "topic",
    }
}

header! {
    /// `CloneGroupOffsetRequestHeader` (code 314).
    CloneGroupOffsetRequestHeader {
        src_group: String => "srcGroup",
        dest_group: String => "destGroup",
        topic: Option<String> => "topic",
        offline: bool => "offline",
    }
}

header! {
    /// `ViewBrokerStatsDataRequestHeader` (code 315).
    ViewBrokerStatsDataRequestHeader {
        stats_name: String => "statsName",
        stats_key: String => "statsKey",
    }
}

header! {
    /// `GetConsumeStatsInBrokerHeader` (code 317 GET_BROKER_CONSUME_STATS); the key keeps
    /// Java's `is` prefix.
    GetConsumeStatsInBrokerHeader {
        is_order: bool => "isOrder",
    }
}

header! {
    /// `QueryConsumeQueueRequestHeader` (code 321). Every field lacks `@CFNotNull`; the
    /// primitives (`queueId`, `index`, `count`) are always written by Java.
    QueryConsumeQueueRequestHeader {
        topic: Option<String> => "topic",
        queue_id: i32 => "queueId",
        index: i64 => "index",
        count: i32 => "count",
        consumer_group: Option<String> => "consumerGroup",
    }
}
