//! Send-path headers: `SendMessageRequestHeader` (codes 10, 324), its short-key twin
//! `SendMessageRequestHeaderV2` (codes 310, 320, 325), `SendMessageResponseHeader`,
//! `ConsumerSendMsgBackRequestHeader` (36) and `ReplyMessageRequestHeader` (326).
//!
//! Mirrors `common/.../protocol/header/{SendMessageRequestHeader,SendMessageRequestHeaderV2,
//! SendMessageResponseHeader,ConsumerSendMsgBackRequestHeader,ReplyMessageRequestHeader}.java`.
//!
//! `SendMessageRequestHeaderV2` and `SendMessageResponseHeader` are Java `FastCodesHeader`s:
//! in the ROCKETMQ codec Java writes their fields first, in the order of their `encode(ByteBuf)`
//! (`a`..`n`; `msgId, queueId, queueOffset, transactionId`), then any other ext keys. The structs
//! below declare their fields in that order, and `to_ext_fields` writes in declaration order, so
//! our binary frames equal Java's byte for byte.

header! {
    /// `SendMessageRequestHeader` (codes 10 SEND_MESSAGE and 324 SEND_REPLY_MESSAGE).
    /// `bname` is inherited from `RpcRequestHeader` (4.9.7).
    SendMessageRequestHeader {
        producer_group: String => "producerGroup",
        topic: String => "topic",
        default_topic: String => "defaultTopic",
        default_topic_queue_nums: i32 => "defaultTopicQueueNums",
        queue_id: i32 => "queueId",
        /// `MessageSysFlag` bits.
        sys_flag: i32 => "sysFlag",
        born_timestamp: i64 => "bornTimestamp",
        /// `Message.flag`.
        flag: i32 => "flag",
        /// The properties string (`name\u1value\u2...`).
        properties: Option<String> => "properties",
        reconsume_times: Option<i32> => "reconsumeTimes",
        unit_mode: bool => "unitMode",
        batch: bool => "batch",
        max_reconsume_times: Option<i32> => "maxReconsumeTimes",
        /// Broker name (`RpcRequestHeader.bname`).
        bname: Option<String> => "bname",
    }
}

header! {
    /// `SendMessageRequestHeaderV2` (codes 310 SEND_MESSAGE_V2, 320 SEND_BATCH_MESSAGE and
    /// 325 SEND_REPLY_MESSAGE_V2): the V1 fields under single-letter keys, in FastCodes order.
    ///
    /// The Java class also inherits `RpcRequestHeader.bname`, but neither its fast `encode` nor its
    /// fast `decode` touches it (the broker name travels as `n`), so it is not modelled here.
    SendMessageRequestHeaderV2 {
        /// producerGroup
        a: String => "a",
        /// topic
        b: String => "b",
        /// defaultTopic
        c: String => "c",
        /// defaultTopicQueueNums
        d: i32 => "d",
        /// queueId
        e: i32 => "e",
        /// sysFlag
        f: i32 => "f",
        /// bornTimestamp
        g: i64 => "g",
        /// flag
        h: i32 => "h",
        /// properties
        i: Option<String> => "i",
        /// reconsumeTimes
        j: Option<i32> => "j",
        /// unitMode
        k: bool => "k",
        /// maxReconsumeTimes (`consumeRetryTimes`)
        l: Option<i32> => "l",
        /// batch
        m: bool => "m",
        /// brokerName (the V1 `bname`)
        n: Option<String> => "n",
    }
}

impl SendMessageRequestHeaderV2 {
    /// Java `SendMessageRequestHeaderV2.createSendMessageRequestHeaderV1`.
    pub fn to_v1(&self) -> SendMessageRequestHeader {
        SendMessageRequestHeader {
            producer_group: self.a.clone(),
            topic: self.b.clone(),
            default_topic: self.c.clone(),
            default_topic_queue_nums: self.d,
            queue_id: self.e,
            sys_flag: self.f,
            born_timestamp: self.g,
            flag: self.h,
            properties: self.i.clone(),
            reconsume_times: self.j,
            unit_mode: self.k,
            batch: self.m,
            max_reconsume_times: self.l,
            bname: self.n.clone(),
        }
    }

    /// Java `SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2`.
    pub fn from_v1(v1: &SendMessageRequestHeader) -> Self {
        SendMessageRequestHeaderV2 {
            a: v1.producer_group.clone(),
            b: v1.topic.clone(),
            c: v1.default_topic.clone(),
            d: v1.default_topic_queue_nums,
            e: v1.queue_id,
            f: v1.sys_flag,
            g: v1.born_timestamp,
            h: v1.flag,
            i: v1.properties.clone(),
            j: v1.reconsume_times,
            k: v1.unit_mode,
            l: v1.max_reconsume_times,
            m: v1.batch,
            n: v1.bname.clone(),
        }
    }
}

impl From<&SendMessageRequestHeaderV2> for SendMessageRequestHeader {
    fn from(v2: &SendMessageRequestHeaderV2) -> Self {
        v2.to_v1()
    }
}

impl From<&SendMessageRequestHeader> for SendMessageRequestHeaderV2 {
    fn from(v1: &SendMessageRequestHeader) -> Self {
        SendMessageRequestHeaderV2::from_v1(v1)
    }
}

header! {
    /// `SendMessageResponseHeader` (FastCodes order). A successful send reply also carries the
    /// ext keys `MSG_REGION` and `TRACE_ON`, which the Java client reads without a null check.
    SendMessageResponseHeader {
        /// Offset message id (comma-joined for batches).
        msg_id: String => "msgId",
        queue_id: i32 => "queueId",
        queue_offset: i64 => "queueOffset",
        transaction_id: Option<String> => "transactionId",
    }
}

header! {
    /// `ConsumerSendMsgBackRequestHeader` (code 36 CONSUMER_SEND_MSG_BACK).
    ConsumerSendMsgBackRequestHeader {
        /// Commitlog offset of the message to send back.
        offset: i64 => "offset",
        group: String => "group",
        delay_level: i32 => "delayLevel",
        origin_msg_id: Option<String> => "originMsgId",
        origin_topic: Option<String> => "originTopic",
        unit_mode: bool => "unitMode",
        max_reconsume_times: Option<i32> => "maxReconsumeTimes",
        bname: Option<String> => "bname",
    }
}

header! {
    /// `ReplyMessageRequestHeader` (code 326 PUSH_REPLY_MESSAGE_TO_CLIENT, broker → client).
    ReplyMessageRequestHeader {
        producer_group: String => "producerGroup",
        topic: String => "topic",
        default_topic: String => "defaultTopic",
        default_topic_queue_nums: i32 => "defaultTopicQueueNums",
        queue_id: i32 => "queueId",
        sys_flag: i32 => "sysFlag",
        born_timestamp: i64 => "bornTimestamp",
        flag: i32 => "flag",
        properties: Option<String> => "properties",
        reconsume_times: Option<i32> => "reconsumeTimes",
        unit_mode: bool => "unitMode",
        born_host: String => "bornHost",
        store_host: String => "storeHost",
        /// Primitive `long` in Java: always written.
        store_timestamp: i64 => "storeTimestamp",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{decode_frame, encode_frame};
    use crate::command::{RemotingCommand, SerializeType};
    use crate::header::CommandHeader;

    fn g5_v1() -> SendMessageRequestHeader {
        SendMessageRequestHeader {
            producer_group: "PG".into(),
            topic: "TopicTest".into(),
            default_topic: "TBW102".into(),
            default_topic_queue_nums: 4,
            queue_id: 0,
            sys_flag: 0,
            born_timestamp: 1_700_000_000_000,
            flag: 0,
            properties: Some(
                "UNIQ_KEY\u{1}7F00000100002A9F0000000000000000\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA"
                    .into(),
            ),
            reconsume_times: Some(0),
            unit_mode: false,
            batch: false,
            max_reconsume_times: None,
            bname: None,
        }
    }

    #[test]
    fn v1_v2_conversions_roundtrip() {
        let mut v1 = g5_v1();
        v1.bname = Some("broker-a".into());
        v1.max_reconsume_times = Some(16);
        v1.batch = true;
        let v2 = SendMessageRequestHeaderV2::from_v1(&v1);
        assert_eq!(v2.n.as_deref(), Some("broker-a"));
        assert_eq!(v2.l, Some(16));
        assert!(v2.m);
        assert_eq!(v2.to_v1(), v1);
    }

    #[test]
    fn g5_send_v2_binary_layout() {
        let v2 = SendMessageRequestHeaderV2::from_v1(&g5_v1());
        let mut cmd = RemotingCommand::request_with(310, &v2).with_body(&b"Hello"[..]);
        cmd.opaque = 2;
        cmd.serialize_type = SerializeType::RocketMq;
        let f = encode_frame(&cmd);
        // protocol.md G5, printed by the real Java classes.
        const G5: &str = "000000dc010000d30136000197000000020000000000000000000000be0001610000000250470001620000\
            0009546f70696354657374000163000000065442573130320001640000000134000165000000013000016600000001\
            300001670000000d3137303030303030303030303000016800000001300001690000003d554e49515f4b4559013746\
            303030303031303030303241394630303030303030303030303030303030025741495401747275650254414753015461\
            674100016a000000013000016b0000000566616c736500016d0000000566616c736548656c6c6f";
        let g5: Vec<u8> = G5
            .split_whitespace()
            .collect::<String>()
            .as_bytes()
            .chunks(2)
            .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
            .collect();
        assert_eq!(f.as_ref(), &g5[..]);
        let keys: Vec<String> = cmd
            .ext_fields
            .as_ref()
            .map(|e| e.iter().map(|(k, _)| k.to_string()).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "m"]
        );
        let back = decode_frame(&f).unwrap();
        let h: SendMessageRequestHeaderV2 = back.decode_header().unwrap();
        assert_eq!(h, v2);
    }

    #[test]
    fn missing_required_is_an_error() {
        let mut ext = crate::command::ExtFields::new();
        ext.insert("a", "PG");
        assert!(SendMessageRequestHeaderV2::from_ext_fields(&ext).is_err());
        ext.insert("msgId", "X");
        ext.insert("queueId", "x1");
        ext.insert("queueOffset", "0");
        assert!(SendMessageResponseHeader::from_ext_fields(&ext).is_err());
    }
}
