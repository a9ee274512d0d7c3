//! Consumer-side broker scenarios, each run with the same driver and the same expectations
//! against the Java 4.9.7 namesrv + broker and against ours:
//! * orderly consumption (`MessageListenerOrderly`, LOCK_BATCH_MQ / UNLOCK_BATCH_MQ) keeps the
//!   per-queue order across a consumer restart, a SUSPEND redelivers in place, the lock
//!   table refuses another client id, and a message suspended past `maxReconsumeTimes` is
//!   sent back by the client (SEND_MESSAGE to `%RETRY%group`) into `%DLQ%group`;
//! * `DefaultMQPullConsumer` (pull, tag filter, min/max/search offsets, offset round trip) and
//!   `DefaultLitePullConsumer` (assign / seek / poll / commitSync / committed);
//! * clustering (3 consumers, every message once), broadcasting (each consumer gets every
//!   message) and where new groups start (first / last / timestamp).

mod broker_scenarios_common;

use anyhow::Result;
use broker_scenarios_common::{driver, expect, flavors};
use compat_tests::Cluster;

#[test]
fn orderly_consumption_across_consumer_restart_java_and_rmq() -> Result<()> {
    for flavor in flavors() {
        let c = Cluster::start(flavor)?;
        let ns = c.namesrv_addr();
        let out = driver(&c.broker, &ns, "Orderly", &["run", "OrderlyTopic"], 200)?;
        expect(
            flavor,
            "orderly",
            &out,
            &[
                ("a_received", 32),
                ("b_received", 32),
                ("b_old", 0),
                ("order_violations", 0),
                ("suspend_redelivered", 1),
                ("suspend_reconsume_times", 1),
                ("a_locked", 4),
                ("b_locked", 4),
                ("intruder_locked", 0),
                ("intruder_after_unlock", 0),
                ("owner_relock", 4),
            ],
        )?;
        let poison = driver(&c.broker, &ns, "Orderly", &["poison", "PoisonTopic"], 150)?;
        expect(
            flavor,
            "orderly poison message",
            &poison,
            &[
                ("poison_attempts", 2),
                ("after_received", 1),
                ("dlq_poison", 1),
                ("dlq_reconsume_times", 1),
                // Java keeps the client's DELAY on the DLQ copy: it waits 30 s in
                // SCHEDULE_TOPIC_XXXX first (handleRetryAndDLQ's DELAY=0 is overwritten).
                ("dlq_delayed", 1),
                ("dlq_delay_prop", 4),
            ],
        )?;
    }
    Ok(())
}

#[test]
fn pull_and_lite_pull_consumers_java_and_rmq() -> Result<()> {
    for flavor in flavors() {
        let c = Cluster::start(flavor)?;
        let ns = c.namesrv_addr();
        let pull = driver(&c.broker, &ns, "Pulls", &["pull", "PullTopic", "20"], 150)?;
        expect(
            flavor,
            "DefaultMQPullConsumer",
            &pull,
            &[
                ("queues", 4),
                ("received", 20),
                ("missing", 0),
                ("final_no_new_msg", 4),
                ("next_is_max", 4),
                ("tag_received", 10),
                ("tag_wrong", 0),
                ("min_zero", 4),
                ("max_sum", 20),
                ("search_ok", 4),
                ("fresh_offset", 0),
                ("offset_roundtrip", 3),
            ],
        )?;
        let lite = driver(&c.broker, &ns, "Pulls", &["lite", "LiteTopic", "20"], 150)?;
        let reseek = lite.req_i64("reseek_expected")?;
        expect(
            flavor,
            "DefaultLitePullConsumer",
            &lite,
            &[
                ("queues", 4),
                ("received", 20),
                ("missing", 0),
                ("committed_ok", 4),
                ("reseek_received", reseek),
                ("reseek_other", 0),
                ("bad_seek_rejected", 1),
                ("b_old", 0),
                ("b_new", 3),
            ],
        )?;
    }
    Ok(())
}

#[test]
fn clustering_broadcasting_and_consume_from_where_java_and_rmq() -> Result<()> {
    for flavor in flavors() {
        let c = Cluster::start(flavor)?;
        let ns = c.namesrv_addr();
        let clu = driver(
            &c.broker,
            &ns,
            "Groups",
            &["clustering", "ClusterTopic", "30"],
            150,
        )?;
        expect(
            flavor,
            "clustering",
            &clu,
            &[
                ("queues_owned", 4),
                ("distinct", 30),
                ("duplicates", 0),
                ("consumers_with_msgs", 3),
            ],
        )?;
        let bc = driver(
            &c.broker,
            &ns,
            "Groups",
            &["broadcast", "BroadcastTopic", "20"],
            150,
        )?;
        expect(
            flavor,
            "broadcasting",
            &bc,
            &[
                ("per_consumer_min", 20),
                ("per_consumer_max", 20),
                ("duplicates", 0),
            ],
        )?;
        let fw = driver(
            &c.broker,
            &ns,
            "Groups",
            &["fromwhere", "FromWhereTopic", "10"],
            150,
        )?;
        // A 4.9.7 broker answers QUERY_CONSUMER_OFFSET for a group without an offset with 0
        // while the queue's first message is in memory, so every new group starts at 0.
        expect(
            flavor,
            "consume from where",
            &fw,
            &[
                ("first_old", 10),
                ("last_old", 10),
                ("ts_old", 10),
                ("first_new", 5),
                ("last_new", 5),
                ("ts_new", 5),
            ],
        )?;
    }
    Ok(())
}
