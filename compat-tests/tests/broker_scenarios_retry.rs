//! Redelivery broker scenarios, each run with the same driver and the same expectations
//! against the Java 4.9.7 namesrv + broker and against ours:
//! * RECONSUME_LATER: CONSUMER_SEND_MSG_BACK to `%RETRY%group` with the broker's delay level
//!   (3 + reconsumeTimes) or the client's, reconsumeTimes + 1 on every delivery, and the
//!   `%DLQ%group` topic after `maxReconsumeTimes` (or at once for delay level -1);
//! * delay levels 2 and 3: delivered on the real topic/queue no earlier than 5 s / 10 s;
//! * request-reply: `producer.request()` answered through SEND_REPLY_MESSAGE_V2 and the
//!   broker's PUSH_REPLY_MESSAGE_TO_CLIENT, replies also stored in `<cluster>_REPLY_TOPIC`.

mod broker_scenarios_common;

use anyhow::Result;
use broker_scenarios_common::{driver, expect, flavors};
use compat_tests::Cluster;

#[test]
fn reconsume_later_retry_then_dlq_java_and_rmq() -> Result<()> {
    for flavor in flavors() {
        let c = Cluster::start(flavor)?;
        let ns = c.namesrv_addr();
        let out = driver(&c.broker, &ns, "Retry", &["run", "RetryTopic", "3"], 200)?;
        expect(
            flavor,
            "retry/DLQ",
            &out,
            &[
                ("deliveries", 9),
                ("extra_deliveries", 0),
                ("reconsume_seq_ok", 3),
                ("first_retry_early", 0),
                ("retry_topic_restored", 6),
                ("retry_prop", 6),
                ("msgid_stable", 9),
                ("direct_deliveries", 2),
                ("dlq_queues", 1),
                ("dlq_count", 5),
                ("dlq_later", 3),
                ("dlq_later_reconsume3", 3),
                ("dlq_direct", 2),
                ("dlq_direct_reconsume1", 2),
                ("dlq_origin_id", 5),
                ("dlq_retry_topic", 5),
                ("dlq_body_ok", 5),
                ("dlq_topic_ok", 5),
            ],
        )?;
    }
    Ok(())
}

#[test]
fn delay_levels_are_honoured_java_and_rmq() -> Result<()> {
    for flavor in flavors() {
        let c = Cluster::start(flavor)?;
        let ns = c.namesrv_addr();
        let out = driver(&c.broker, &ns, "Delay", &["run", "DelayTopic", "3"], 150)?;
        expect(
            flavor,
            "delay levels",
            &out,
            &[
                ("expected", 6),
                ("received", 6),
                ("too_early", 0),
                ("too_late", 0),
                ("real_topic_prop", 6),
                ("real_qid_ok", 6),
                ("delay_prop", 6),
            ],
        )?;
    }
    Ok(())
}

#[test]
fn request_reply_java_and_rmq() -> Result<()> {
    for flavor in flavors() {
        let c = Cluster::start(flavor)?;
        let ns = c.namesrv_addr();
        let out = driver(&c.broker, &ns, "Reply", &["run", "RequestTopic", "3"], 150)?;
        expect(
            flavor,
            "request-reply",
            &out,
            &[
                ("replies_ok", 3),
                ("async_replies_ok", 3),
                ("reply_topic_ok", 3),
                ("push_time_prop", 3),
                ("correlation_ok", 3),
                ("reply_send_ok", 6),
                ("reply_send_fail", 0),
                ("stored_replies", 6),
                ("stored_push_time_prop", 0),
            ],
        )?;
    }
    Ok(())
}
