//! Pull headers (code 11 PULL_MESSAGE): `PullMessageRequestHeader` and
//! `PullMessageResponseHeader`, both Java `FastCodesHeader`s.
//!
//! Mirrors `common/.../protocol/header/PullMessage{Request,Response}Header.java`. Fields are
//! declared in the order of the Java `encode(ByteBuf)` (request: consumerGroup, topic, queueId,
//! queueOffset, maxMsgNums, sysFlag, commitOffset, suspendTimeoutMillis, subscription,
//! subVersion, expressionType, bname; response: suggestWhichBrokerId, nextBeginOffset,
//! minOffset, maxOffset), so the ROCKETMQ codec output equals Java's byte for byte
//! (protocol.md G7b).

header! {
    /// `PullMessageRequestHeader`.
    PullMessageRequestHeader {
        consumer_group: String => "consumerGroup",
        topic: String => "topic",
        queue_id: i32 => "queueId",
        queue_offset: i64 => "queueOffset",
        max_msg_nums: i32 => "maxMsgNums",
        /// `PullSysFlag` bits.
        sys_flag: i32 => "sysFlag",
        commit_offset: i64 => "commitOffset",
        suspend_timeout_millis: i64 => "suspendTimeoutMillis",
        /// Subscription expression; Java push consumers leave it out.
        subscription: Option<String> => "subscription",
        sub_version: i64 => "subVersion",
        /// `TAG` or `SQL92`.
        expression_type: Option<String> => "expressionType",
        /// Broker name (`RpcRequestHeader.bname`, written last by the fast encoder).
        bname: Option<String> => "bname",
    }
}

header! {
    /// `PullMessageResponseHeader`.
    PullMessageResponseHeader {
        suggest_which_broker_id: i64 => "suggestWhichBrokerId",
        next_begin_offset: i64 => "nextBeginOffset",
        min_offset: i64 => "minOffset",
        max_offset: i64 => "maxOffset",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::encode_frame;
    use crate::command::{RemotingCommand, SerializeType};

    #[test]
    fn g7b_pull_binary_prefix() {
        let h = PullMessageRequestHeader {
            consumer_group: "CG".into(),
            topic: "TopicTest".into(),
            queue_id: 1,
            queue_offset: 0,
            max_msg_nums: 32,
            sys_flag: 2,
            commit_offset: 0,
            suspend_timeout_millis: 15000,
            subscription: Some("*".into()),
            sub_version: 1_700_000_000_000,
            expression_type: Some("TAG".into()),
            bname: None,
        };
        let mut cmd = RemotingCommand::request_with(11, &h);
        cmd.opaque = 3;
        cmd.serialize_type = SerializeType::RocketMq;
        let f = encode_frame(&cmd);
        assert_eq!(f.len(), 255);
        let prefix: [u8; 27] = [
            0, 0, 0, 0xfb, 1, 0, 0, 0xf7, 0, 0x0b, 0, 0x01, 0x97, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0,
        ];
        assert_eq!(&f[..27], &prefix[..]);
        assert_eq!(&f[27..29], &[0, 0xe2]);
        assert_eq!(&f[29..31], &[0, 0x0d]);
        assert_eq!(&f[31..44], b"consumerGroup");
    }
}
