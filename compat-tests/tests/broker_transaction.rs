//! Transactional messages with the unmodified Java 4.9.7 `TransactionMQProducer`, against the
//! Java broker and ours with the same assertions (driver `rmq.compat.tx.TxDriver`):
//! commit → consumed once; rollback → never; UNKNOW then COMMIT / ROLLBACK on check-back;
//! UNKNOW forever → checked exactly `transactionCheckMax` times, then moved to
//! `TRANS_CHECK_MAX_TIME_TOPIC`; `CHECK_IMMUNITY_TIME_IN_SECONDS` delays the first check; a
//! broker restart between the half message and its resolution keeps every outcome; and the
//! `benchmark.TransactionProducer` tool of rocketmq-example 4.7.0 reports no unexpected check.
//!
//! The check service runs with small intervals (broker conf, Java key names):
//! `transactionTimeOut`, `transactionCheckInterval`, `transactionCheckMax`.

use compat_tests::*;
use std::time::Duration;

const DRIVER: &str = "rmq.compat.tx.TxDriver";
const N: &str = "4";
const CHECK_MAX: &str = "5";
const INTERVAL_MS: &str = "1000";
const TIMEOUT_MS: &str = "2000";
const IMMUNITY_S: &str = "3";

fn tx_conf(check_max: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("transactionTimeOut", TIMEOUT_MS),
        ("transactionCheckInterval", INTERVAL_MS),
        ("transactionCheckMax", check_max),
    ]
}

fn dump_logs(flavor: Flavor, broker: &Broker) {
    eprintln!(
        "--- {} broker log ---\n{}",
        flavor.name(),
        broker.proc().log_tail(80)
    );
}

fn run_all(flavor: Flavor) -> anyhow::Result<DriverOutput> {
    let cluster = Cluster::start_with(flavor, &tx_conf(CHECK_MAX))?;
    let out = run_driver(
        DRIVER,
        &cluster.namesrv_addr(),
        &[
            "all",
            "TxTopic",
            N,
            CHECK_MAX,
            INTERVAL_MS,
            TIMEOUT_MS,
            IMMUNITY_S,
        ],
        Duration::from_secs(240),
    );
    if out.is_err() {
        dump_logs(flavor, &cluster.broker);
    }
    out
}

fn check_all(flavor: Flavor, out: &DriverOutput) -> anyhow::Result<()> {
    let n: i64 = N.parse()?;
    let max: i64 = CHECK_MAX.parse()?;
    let ctx = || {
        format!(
            "[{}] {:?}\n{}",
            flavor.name(),
            out.results,
            out.output.describe()
        )
    };
    assert_eq!(out.req_i64("sent_ok")?, 6 * n, "{}", ctx());
    assert_eq!(
        out.req_i64("commit_received")?,
        n,
        "commit consumed once: {}",
        ctx()
    );
    assert_eq!(out.req_i64("commit_distinct")?, n, "{}", ctx());
    assert_eq!(out.req_i64("rollback_received")?, 0, "{}", ctx());
    assert_eq!(out.req_i64("ucommit_received")?, n, "{}", ctx());
    assert_eq!(out.req_i64("ucommit_distinct")?, n, "{}", ctx());
    assert_eq!(out.req_i64("ucommit_checked")?, n, "{}", ctx());
    assert_eq!(out.req_i64("urollback_received")?, 0, "{}", ctx());
    assert_eq!(out.req_i64("urollback_checked")?, n, "{}", ctx());
    assert_eq!(out.req_i64("forever_received")?, 0, "{}", ctx());
    assert_eq!(out.req_i64("forever_checked_max_times")?, n, "{}", ctx());
    assert_eq!(out.req_i64("forever_max_checks")?, max, "{}", ctx());
    assert_eq!(out.req_i64("forever_discarded")?, n, "{}", ctx());
    assert_eq!(out.req_i64("immune_received")?, n, "{}", ctx());
    assert_eq!(out.req_i64("immune_distinct")?, n, "{}", ctx());
    let immunity_ms: i64 = IMMUNITY_S.parse::<i64>()? * 1000;
    assert!(
        out.req_i64("immune_min_first_check_ms")? >= immunity_ms - 500,
        "first check inside the immunity time: {}",
        ctx()
    );
    assert_eq!(out.req_i64("unexpected_checks")?, 0, "{}", ctx());
    assert_eq!(out.req_i64("early_delivery")?, 0, "{}", ctx());
    assert_eq!(out.req_i64("bad_body")?, 0, "{}", ctx());
    assert_eq!(out.req("forever_check_times")?, CHECK_MAX, "{}", ctx());
    Ok(())
}

#[test]
fn transactions_java_and_rmq() -> anyhow::Result<()> {
    let java = run_all(Flavor::Java)?;
    check_all(Flavor::Java, &java)?;
    let rmq = run_all(Flavor::Rmq)?;
    check_all(Flavor::Rmq, &rmq)?;
    // what the consumer sees of a committed message: same properties (TRAN_MSG, REAL_TOPIC,
    // REAL_QID, PGROUP are kept by Java), sys flag, preparedTransactionOffset
    for key in ["commit_props", "ucommit_check_times", "forever_check_times"] {
        assert_eq!(java.req(key)?, rmq.req(key)?, "{key}: java vs rmq");
    }
    Ok(())
}

fn restart(flavor: Flavor) -> anyhow::Result<()> {
    // checkMax is large here: halves found while no producer is connected (during the
    // restart) still count as checked.
    let conf = tx_conf("15");
    let ns = Namesrv::start(flavor)?;
    let b1 = Broker::start(flavor, &ns.addr(), &conf)?;
    let store = b1.store();
    let dir = new_temp_dir("rmq-tx-restart-")?;
    let state = dir.path().join("keys.txt");
    let state_s = state.display().to_string();
    let group = format!("tx_restart_pg_{}", flavor.name());
    let p = run_driver(
        DRIVER,
        &ns.addr(),
        &["prepare", "TxRestartTopic", &group, N, &state_s],
        Duration::from_secs(120),
    );
    let p = match p {
        Ok(p) => p,
        Err(e) => {
            dump_logs(flavor, &b1);
            return Err(e);
        }
    };
    assert_eq!(
        p.req_i64("sent_ok")?,
        4 * N.parse::<i64>()?,
        "[{}] {}",
        flavor.name(),
        p.output.describe()
    );
    b1.stop()?;
    let b2 = Broker::start_with_store(flavor, &ns.addr(), store.path(), &conf)?;
    let r = run_driver(
        DRIVER,
        &ns.addr(),
        &[
            "resolve",
            "TxRestartTopic",
            &group,
            &state_s,
            INTERVAL_MS,
            TIMEOUT_MS,
        ],
        Duration::from_secs(180),
    );
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            dump_logs(flavor, &b2);
            return Err(e);
        }
    };
    let n: i64 = N.parse()?;
    let ctx = format!("[{}] {:?}", flavor.name(), r.results);
    assert_eq!(r.req_i64("expected_each")?, n, "{ctx}");
    assert_eq!(
        r.req_i64("rcommit_received")?,
        n,
        "committed before the restart: consumed once {ctx}"
    );
    assert_eq!(r.req_i64("rcommit_distinct")?, n, "{ctx}");
    assert_eq!(r.req_i64("rrollback_received")?, 0, "{ctx}");
    assert_eq!(
        r.req_i64("rucommit_received")?,
        n,
        "committed on check after the restart {ctx}"
    );
    assert_eq!(r.req_i64("rucommit_distinct")?, n, "{ctx}");
    assert_eq!(r.req_i64("rucommit_checked")?, n, "{ctx}");
    assert_eq!(r.req_i64("rurollback_received")?, 0, "{ctx}");
    assert_eq!(r.req_i64("rurollback_checked")?, n, "{ctx}");
    assert_eq!(
        r.req_i64("unexpected_checks")?,
        0,
        "settled halves re-checked after restart {ctx}"
    );
    assert_eq!(r.req_i64("bad_body")?, 0, "{ctx}");
    Ok(())
}

#[test]
fn transactions_survive_broker_restart_java_and_rmq() -> anyhow::Result<()> {
    restart(Flavor::Java)?;
    restart(Flavor::Rmq)?;
    Ok(())
}

/// `benchmark.TransactionProducer` (rocketmq-example 4.7.0): 4.7.0 prints, every 10 s,
/// `Send TPS: … Send Failed: … check: … unexpectedCheck: … duplicatedCheck: …` plus one
/// `unexpected check: msgId=…` line per unexpected check. With rollback and unknown rates
/// at send and at check time, every stats line must show `unexpectedCheck: 0`, no
/// `unexpected check:` line may appear, and checks must actually happen.
type BenchStats = (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>, usize);

fn tx_benchmark(flavor: Flavor) -> anyhow::Result<BenchStats> {
    let conf = [
        ("transactionTimeOut", "3000"),
        ("transactionCheckInterval", "3000"),
        ("transactionCheckMax", "15"),
    ];
    let cluster = Cluster::start_with(flavor, &conf)?;
    let ns = cluster.namesrv_addr();
    let env = [("NAMESRV_ADDR", ns.as_str())];
    let producer = spawn_java(
        "org.apache.rocketmq.example.benchmark.TransactionProducer",
        &[
            "-n",
            &ns,
            "-t",
            "TxBenchTopic",
            "-w",
            "2",
            "-s",
            "256",
            "-i",
            "5",
            "-sr",
            "0.1",
            "-su",
            "0.2",
            "-cr",
            "0.1",
            "-cu",
            "0.4",
        ],
        &env,
        &[],
    )?;
    let log = producer.wait_until("four stats lines", Duration::from_secs(120), |t| {
        t.matches("Send TPS:").count() >= 4
    });
    producer.kill9();
    let log = match log {
        Ok(l) => l,
        Err(e) => {
            dump_logs(flavor, &cluster.broker);
            eprintln!("--- producer ---\n{}", producer.log_tail(40));
            return Err(e);
        }
    };
    let unexpected_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("unexpected check:"))
        .collect();
    let tps = values_after(&log, "Send TPS:");
    let failed = values_after(&log, "Send Failed:");
    let checks = values_after(&log, "check:");
    let unexpected = values_after(&log, "unexpectedCheck:");
    eprintln!(
        "[tx benchmark {}] Send TPS {tps:?} Send Failed {failed:?} check {checks:?} unexpectedCheck {unexpected:?} dup {:?}",
        flavor.name(),
        values_after(&log, "duplicatedCheck:")
    );
    Ok((tps, failed, checks, unexpected, unexpected_lines.len()))
}

/// Numbers right after `key` on every line that has it.
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

/// Asserted against ours; the Java broker runs the same load for reference only: its check
/// pass can re-check a half whose COMMIT answer (a oneway END_TRANSACTION) is still in flight
/// when the producer's single check thread lags on a loaded machine, which the tool counts as
/// an unexpected check (seen once in this sandbox, with a 2 s check interval).
#[test]
fn benchmark_transaction_producer_java_and_rmq() -> anyhow::Result<()> {
    let (_, jfailed, jchecks, junexpected, jlines) = tx_benchmark(Flavor::Java)?;
    if jlines > 0 || junexpected.iter().any(|u| *u != 0) {
        eprintln!("[tx benchmark java] reference run had unexpected checks: {junexpected:?} ({jlines} lines); Send Failed {jfailed:?}, check {jchecks:?}");
    }
    for flavor in [Flavor::Rmq] {
        let (tps, failed, checks, unexpected, lines) = tx_benchmark(flavor)?;
        assert_eq!(lines, 0, "[{}] `unexpected check:` lines", flavor.name());
        assert!(!unexpected.is_empty(), "[{}] no stats lines", flavor.name());
        assert!(
            unexpected.iter().all(|u| *u == 0),
            "[{}] unexpectedCheck {unexpected:?}",
            flavor.name()
        );
        // the first window may include sends that raced the auto-created topic's first route
        // (seen on the Java broker too)
        assert!(
            failed.iter().skip(1).all(|f| *f == 0),
            "[{}] Send Failed {failed:?}",
            flavor.name()
        );
        assert!(
            tps.iter().any(|t| *t > 0),
            "[{}] Send TPS {tps:?}",
            flavor.name()
        );
        assert!(
            checks.iter().any(|c| *c > 0),
            "[{}] no checks at all {checks:?}",
            flavor.name()
        );
    }
    Ok(())
}
