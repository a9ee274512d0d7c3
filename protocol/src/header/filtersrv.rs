//! Filter-server headers of `common/.../protocol/header/filtersrv/` (codes 301, 302). The filter
//! server was removed; no 4.9.7 broker processor handles these codes, but the classes (and a
//! client sender for 302) still exist, so the types are here for completeness.

header! {
    /// `RegisterFilterServerRequestHeader` (code 301 REGISTER_FILTER_SERVER).
    RegisterFilterServerRequestHeader {
        filter_server_addr: String => "filterServerAddr",
    }
}

header! {
    /// `RegisterFilterServerResponseHeader` (code 301 reply; `brokerId` is a primitive long).
    RegisterFilterServerResponseHeader {
        broker_name: String => "brokerName",
        broker_id: i64 => "brokerId",
    }
}

header! {
    /// `RegisterMessageFilterClassRequestHeader` (code 302 REGISTER_MESSAGE_FILTER_CLASS).
    RegisterMessageFilterClassRequestHeader {
        consumer_group: String => "consumerGroup",
        topic: String => "topic",
        class_name: String => "className",
        #[doc = "CRC of the class source."]
        class_crc: i32 => "classCRC",
    }
}
