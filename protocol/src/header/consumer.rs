//! Consumer and client-management headers: consumer offsets (14, 15), group membership (35,
//! 38, 40), and the broker → client / admin → broker consumer requests (220-223, 307, 309).
//!
//! Mirrors `common/.../protocol/header/{QueryConsumerOffset*,UpdateConsumerOffset*,
//! GetConsumerListByGroup*,NotifyConsumerIdsChangedRequestHeader,UnregisterClient*,
//! GetConsumerRunningInfoRequestHeader,ConsumeMessageDirectlyResultRequestHeader,
//! GetConsumerStatusRequestHeader,ResetOffsetRequestHeader}.java`.

header! {
    /// `QueryConsumerOffsetRequestHeader` (code 14).
    QueryConsumerOffsetRequestHeader {
        consumer_group: String => "consumerGroup",
        topic: String => "topic",
        queue_id: i32 => "queueId",
        bname: Option<String> => "bname",
    }
}

header! {
    /// `QueryConsumerOffsetResponseHeader` (code 14 reply).
    QueryConsumerOffsetResponseHeader {
        offset: i64 => "offset",
    }
}

header! {
    /// `UpdateConsumerOffsetRequestHeader` (code 15; Java clients send it oneway).
    UpdateConsumerOffsetRequestHeader {
        consumer_group: String => "consumerGroup",
        topic: String => "topic",
        queue_id: i32 => "queueId",
        commit_offset: i64 => "commitOffset",
        bname: Option<String> => "bname",
    }
}

header! {
    /// `UpdateConsumerOffsetResponseHeader` (code 15 reply; no fields).
    UpdateConsumerOffsetResponseHeader {}
}

header! {
    /// `GetConsumerListByGroupRequestHeader` (code 38).
    GetConsumerListByGroupRequestHeader {
        consumer_group: String => "consumerGroup",
    }
}

header! {
    /// `GetConsumerListByGroupResponseHeader` (code 38 reply; no fields, the list is the body).
    GetConsumerListByGroupResponseHeader {}
}

header! {
    /// `NotifyConsumerIdsChangedRequestHeader` (code 40, broker → client, oneway).
    NotifyConsumerIdsChangedRequestHeader {
        consumer_group: String => "consumerGroup",
    }
}

header! {
    /// `UnregisterClientRequestHeader` (code 35). Note the key `clientID` (capital ID).
    UnregisterClientRequestHeader {
        client_id: String => "clientID",
        producer_group: Option<String> => "producerGroup",
        consumer_group: Option<String> => "consumerGroup",
    }
}

header! {
    /// `UnregisterClientResponseHeader` (code 35 reply; no fields, written as `"extFields":{}`).
    UnregisterClientResponseHeader {}
}

header! {
    /// `GetConsumerRunningInfoRequestHeader` (code 307).
    GetConsumerRunningInfoRequestHeader {
        consumer_group: String => "consumerGroup",
        client_id: String => "clientId",
        jstack_enable: bool => "jstackEnable",
    }
}

header! {
    /// `ConsumeMessageDirectlyResultRequestHeader` (code 309 CONSUME_MESSAGE_DIRECTLY).
    ConsumeMessageDirectlyResultRequestHeader {
        consumer_group: String => "consumerGroup",
        client_id: Option<String> => "clientId",
        msg_id: Option<String> => "msgId",
        broker_name: Option<String> => "brokerName",
    }
}

header! {
    /// `GetConsumerStatusRequestHeader` (codes 221 GET_CONSUMER_STATUS_FROM_CLIENT and 223
    /// INVOKE_BROKER_TO_GET_CONSUMER_STATUS).
    GetConsumerStatusRequestHeader {
        topic: String => "topic",
        group: String => "group",
        client_addr: Option<String> => "clientAddr",
    }
}

header! {
    /// `ResetOffsetRequestHeader` (codes 220 RESET_CONSUMER_CLIENT_OFFSET and 222
    /// INVOKE_BROKER_TO_RESET_OFFSET). `timestamp` is a primitive `long` and `isForce` a
    /// primitive `boolean` (the key keeps Java's `is` prefix).
    ResetOffsetRequestHeader {
        topic: String => "topic",
        group: String => "group",
        timestamp: i64 => "timestamp",
        is_force: bool => "isForce",
    }
}
