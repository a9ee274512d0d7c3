//! SQL92 message filtering with unmodified Java 4.9.7 consumers, against the Java broker and
//! ours (driver `rmq.compat.sql.SqlDriver`):
//!
//! * with `enablePropertyFilter=true`, for every expression of the driver (each grammar
//!   element, NULL handling, mixed types, BETWEEN edges, nested boolean logic) the set of
//!   messages selected from a fixed message set is identical on both brokers — through a push
//!   consumer (filter data registered by the heartbeat) and through pulls carrying their
//!   subscription;
//! * bad expressions: the error `DefaultMQPushConsumer.start()` throws (response code and
//!   remark of CHECK_CLIENT_CONFIG) and what a pull with that selector gets are the same;
//! * without `enablePropertyFilter`, SQL92 subscriptions are refused the same way.

use compat_tests::*;
use std::collections::BTreeMap;
use std::time::Duration;

const DRIVER: &str = "rmq.compat.sql.SqlDriver";

fn run(flavor: Flavor, conf: &[(&str, &str)], args: &[&str]) -> anyhow::Result<DriverOutput> {
    let cluster = Cluster::start_with(flavor, conf)?;
    let out = run_driver(DRIVER, &cluster.namesrv_addr(), args, Duration::from_secs(300));
    if out.is_err() {
        eprintln!("--- {} broker log ---\n{}", flavor.name(), cluster.broker.proc().log_tail(60));
    }
    out
}

fn with_prefix<'a>(out: &'a DriverOutput, prefix: &str) -> BTreeMap<&'a str, &'a str> {
    out.results
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

const ENABLED: &[(&str, &str)] = &[("enablePropertyFilter", "true")];

#[test]
fn sql92_selection_java_and_rmq() -> anyhow::Result<()> {
    let java = run(Flavor::Java, ENABLED, &["select", "SqlTopic"])?;
    let rmq = run(Flavor::Rmq, ENABLED, &["select", "SqlTopic"])?;
    let n = java.req_i64("expressions")?;
    assert!(n >= 25, "only {n} expressions");
    for out in [&java, &rmq] {
        assert_eq!(out.req_i64("sent")?, 48);
        assert_eq!(out.req_i64("push_pending_queues")?, 0, "push consumers did not catch up: {:?}", out.results);
    }
    let mut diffs = Vec::new();
    let mut nontrivial = 0;
    for i in 0..n {
        let expr = java.req(&format!("expr.{i}"))?;
        let jpush = java.req(&format!("push.{i}"))?;
        let jpull = java.req(&format!("pull.{i}"))?;
        let rpush = rmq.req(&format!("push.{i}"))?;
        let rpull = rmq.req(&format!("pull.{i}"))?;
        eprintln!("[sql92] {expr:<60} java push {jpush} | rmq push {rpush}");
        if jpush != rpush {
            diffs.push(format!("push  {expr:?}: java {jpush} rmq {rpush}"));
        }
        if jpull != rpull {
            diffs.push(format!("pull  {expr:?}: java {jpull} rmq {rpull}"));
        }
        if jpush != "-" && jpush.split(',').count() < 48 {
            nontrivial += 1;
        }
    }
    assert!(diffs.is_empty(), "selections differ:\n{}", diffs.join("\n"));
    assert!(nontrivial >= 20, "too few selective expressions ({nontrivial})");
    Ok(())
}

#[test]
fn sql92_bad_expressions_java_and_rmq() -> anyhow::Result<()> {
    let java = run(Flavor::Java, ENABLED, &["bad", "SqlBadTopic"])?;
    let rmq = run(Flavor::Rmq, ENABLED, &["bad", "SqlBadTopic"])?;
    let n = java.req_i64("bad_count")?;
    let mut diffs = Vec::new();
    let mut parse_failed = 0;
    for i in 0..n {
        let expr = java.req(&format!("bad.{i}.expr"))?;
        for field in ["code", "msg", "pull"] {
            let key = format!("bad.{i}.{field}");
            let (j, r) = (java.get(&key).unwrap_or("<none>"), rmq.get(&key).unwrap_or("<none>"));
            if field == "code" && j == "23" {
                parse_failed += 1;
            }
            if j != r {
                diffs.push(format!("{field} {expr:?}:\n  java {j}\n  rmq  {r}"));
            }
        }
    }
    for (k, v) in with_prefix(&rmq, "bad.") {
        eprintln!("[sql92 bad] {k} = {v}");
    }
    assert!(diffs.is_empty(), "bad expressions differ:\n{}", diffs.join("\n"));
    // all but `i LIKE` (which Java compiles as `i`, ignoring the rest) are refused with
    // SUBSCRIPTION_PARSE_FAILED
    assert_eq!(parse_failed, n - 1, "SUBSCRIPTION_PARSE_FAILED answers");
    Ok(())
}

#[test]
fn sql92_refused_without_enable_property_filter_java_and_rmq() -> anyhow::Result<()> {
    let java = run(Flavor::Java, &[], &["noprop", "SqlNoPropTopic"])?;
    let rmq = run(Flavor::Rmq, &[], &["noprop", "SqlNoPropTopic"])?;
    assert_eq!(java.req("noprop.code")?, "1", "{:?}", java.results);
    for key in ["noprop.code", "noprop.msg", "noprop.pull"] {
        assert_eq!(java.req(key)?, rmq.req(key)?, "{key}");
    }
    Ok(())
}
