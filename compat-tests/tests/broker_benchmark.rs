//! The unmodified Java benchmark tools (rocketmq-example 4.7.0 on the 4.9.7 client, binary
//! ROCKETMQ header codec) against our namesrv + broker: benchmark.Producer runs until killed
//! and must report `Send Failed: 0`; benchmark.Consumer must report a positive TPS.

use compat_tests::examples::{BENCHMARK_CONSUMER, BENCHMARK_PRODUCER};
use compat_tests::*;
use std::time::Duration;

/// Numbers after `key` in every line that has it (`"Send TPS: 123"` → 123).
fn values_after(text: &str, key: &str) -> Vec<i64> {
    text.lines()
        .filter_map(|l| {
            let i = l.find(key)?;
            l[i + key.len()..]
                .split_whitespace()
                .next()
                .and_then(|v| v.parse().ok())
        })
        .collect()
}

#[test]
fn benchmark_producer_and_consumer_against_rmq() -> anyhow::Result<()> {
    let ns = RmqNamesrv::start()?;
    let broker = RmqBroker::start(&ns.addr(), &[])?;
    let env = [("NAMESRV_ADDR", ns.addr())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let props = [("rocketmq.serialize.type", "ROCKETMQ")];
    let consumer = spawn_java(BENCHMARK_CONSUMER, &["-t", "BenchmarkTest"], &env, &props)?;
    consumer.wait_for_log("Consumer Started", Duration::from_secs(60))?;
    let producer = spawn_java(
        BENCHMARK_PRODUCER,
        &["-t", "BenchmarkTest", "-w", "16", "-s", "1024"],
        &env,
        &props,
    )?;

    let plog = producer.wait_until("two Send TPS reports", Duration::from_secs(60), |t| {
        t.matches("Send TPS:").count() >= 2
    });
    let clog = consumer.wait_until("a positive consumer TPS", Duration::from_secs(30), |t| {
        values_after(t, "TPS: ").iter().any(|v| *v > 0)
    });
    producer.kill9();
    consumer.kill9();
    let (plog, clog) = match (plog, clog) {
        (Ok(p), Ok(c)) => (p, c),
        (p, c) => {
            eprintln!("--- broker log ---\n{}", broker.proc().log_tail(60));
            eprintln!("--- producer ---\n{}", producer.log_tail(30));
            eprintln!("--- consumer ---\n{}", consumer.log_tail(30));
            p?;
            c?;
            unreachable!()
        }
    };
    let tps = values_after(&plog, "Send TPS: ");
    let failed = values_after(&plog, "Send Failed: ");
    let resp_failed = values_after(&plog, "Response Failed: ");
    eprintln!(
        "[broker_benchmark] producer Send TPS {tps:?}, Send Failed {failed:?}; consumer TPS {:?}",
        values_after(&clog, "TPS: ")
    );
    assert!(!failed.is_empty(), "no Send Failed lines:\n{plog}");
    assert!(
        failed.iter().all(|f| *f == 0),
        "send failures: {failed:?}\n{plog}"
    );
    assert!(
        resp_failed.iter().all(|f| *f == 0),
        "response failures: {resp_failed:?}"
    );
    assert!(
        tps.iter().any(|t| *t > 0),
        "producer TPS never > 0: {tps:?}"
    );
    Ok(())
}
