//! Reusable end-to-end scenarios built from the official example programs, so the same
//! check can be run against the Java cluster and against ours.

use crate::examples::{QUICKSTART_CONSUMER, QUICKSTART_PRODUCER};
use crate::java::{run_java_client, spawn_java_client, JavaOutput};
use crate::output::{
    count_send_ok, distinct_msgids, distinct_uniq_keys, printed_messages, send_ok_msgids,
};
use anyhow::{bail, Result};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Messages sent by `quickstart.Producer` (its `MESSAGE_COUNT`).
pub const QUICKSTART_COUNT: usize = 1000;

/// What [`quickstart_roundtrip`] observed.
#[derive(Debug)]
pub struct QuickstartReport {
    /// `SEND_OK` results printed by the producer.
    pub sent_ok: usize,
    /// Producer-side msgIds of the `SEND_OK` results.
    pub sent_ids: HashSet<String>,
    /// Distinct `msgId=` values (offset msg ids) the consumer printed.
    pub received_msgids: HashSet<String>,
    /// Distinct `UNIQ_KEY`s the consumer printed (should equal `sent_ids`).
    pub received_uniq_keys: HashSet<String>,
    /// Distinct message bodies received (should be "Hello RocketMQ 0" .. "Hello RocketMQ 999").
    pub received_bodies: HashSet<String>,
    pub producer: JavaOutput,
    pub consumer_log: String,
    pub produce_time: Duration,
    pub consume_time: Duration,
}

impl QuickstartReport {
    /// Ok if all 1000 messages were sent OK and received exactly (ids and bodies).
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        if !self.producer.success() {
            problems.push(format!(
                "producer did not exit cleanly: {:?}",
                self.producer.status
            ));
        }
        if self.sent_ok != QUICKSTART_COUNT {
            problems.push(format!(
                "SEND_OK count {} != {QUICKSTART_COUNT}",
                self.sent_ok
            ));
        }
        if self.received_msgids.len() != QUICKSTART_COUNT {
            problems.push(format!(
                "distinct received msgIds {} != {QUICKSTART_COUNT}",
                self.received_msgids.len()
            ));
        }
        if self.received_uniq_keys != self.sent_ids {
            let missing = self.sent_ids.difference(&self.received_uniq_keys).count();
            let extra = self.received_uniq_keys.difference(&self.sent_ids).count();
            problems.push(format!(
                "received UNIQ_KEYs differ from sent msgIds: {missing} missing, {extra} unexpected"
            ));
        }
        let expected: HashSet<String> = (0..QUICKSTART_COUNT)
            .map(|i| format!("Hello RocketMQ {i}"))
            .collect();
        if self.received_bodies != expected {
            let missing = expected.difference(&self.received_bodies).count();
            let extra = self.received_bodies.difference(&expected).count();
            problems.push(format!("bodies: {missing} missing, {extra} unexpected"));
        }
        if problems.is_empty() {
            return Ok(());
        }
        bail!(
            "quickstart round trip failed: {}\n--- producer ---\n{}\n--- consumer log (tail) ---\n{}",
            problems.join("; "),
            self.producer.describe(),
            crate::proc::tail_lines(&self.consumer_log, 40)
        )
    }
}

/// Run the unmodified `quickstart.Producer` (1000 sync sends to `TopicTest`, example 4.7.0
/// on the 4.9.7 client) to completion, then `quickstart.Consumer` (group
/// `please_rename_unique_group_name_4`, CONSUME_FROM_FIRST_OFFSET) until it has printed
/// 1000 distinct msgIds or `consume_timeout` passed. Errors only on infrastructure
/// problems; call [`QuickstartReport::check`] to judge the outcome.
///
/// NB: topic and groups are fixed by the example, so run it once per cluster.
pub fn quickstart_roundtrip(
    namesrv_addr: &str,
    produce_timeout: Duration,
    consume_timeout: Duration,
) -> Result<QuickstartReport> {
    let t0 = Instant::now();
    let producer = run_java_client(namesrv_addr, QUICKSTART_PRODUCER, &[], produce_timeout)?;
    let produce_time = t0.elapsed();
    let sent_ok = count_send_ok(&producer.stdout);
    let sent_ids: HashSet<String> = send_ok_msgids(&producer.stdout).into_iter().collect();

    let t1 = Instant::now();
    let consumer = spawn_java_client(namesrv_addr, QUICKSTART_CONSUMER, &[])?;
    let want = sent_ok.max(1).min(QUICKSTART_COUNT);
    let consumer_log =
        match consumer.wait_until(&format!("{want} distinct msgIds"), consume_timeout, |t| {
            distinct_msgids(t).len() >= want
        }) {
            Ok(t) => t,
            Err(e) => {
                eprintln!(
                    "[compat-tests] quickstart consumer: {}",
                    first_line(&format!("{e:#}"))
                );
                consumer.log_text()
            }
        };
    let consume_time = t1.elapsed();
    consumer.kill9();

    let msgs = printed_messages(&consumer_log);
    Ok(QuickstartReport {
        sent_ok,
        sent_ids,
        received_msgids: msgs.iter().map(|m| m.msg_id.clone()).collect(),
        received_uniq_keys: distinct_uniq_keys(&consumer_log),
        received_bodies: msgs.iter().filter_map(|m| m.body_str()).collect(),
        producer,
        consumer_log,
        produce_time,
        consume_time,
    })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}
