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
    run_with_filter_file(flavor, conf, args).map(|(out, _)| out)
}

/// Run the driver; then wait (up to 30 s) until the broker's `consumerFilter.json` lists the
/// driver's groups, all dead (the consumers have shut down), and return its text.
fn run_with_filter_file(
    flavor: Flavor,
    conf: &[(&str, &str)],
    args: &[&str],
) -> anyhow::Result<(DriverOutput, Option<String>)> {
    let cluster = Cluster::start_with(flavor, conf)?;
    let out = run_driver(
        DRIVER,
        &cluster.namesrv_addr(),
        args,
        Duration::from_secs(300),
    );
    if out.is_err() {
        eprintln!(
            "--- {} broker log ---\n{}",
            flavor.name(),
            cluster.broker.proc().log_tail(60)
        );
    }
    let out = out?;
    let path = cluster
        .broker
        .store_dir()
        .join("config")
        .join("consumerFilter.json");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut text = None;
    while std::time::Instant::now() < deadline {
        if let Ok(t) = std::fs::read_to_string(&path) {
            let done = t.contains("sql_cg_0") && !t.contains("\"dead\":false");
            text = Some(t);
            if done {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Ok((out, text))
}

/// `consumerFilter.json` with the times and versions blanked.
fn normalize_filter_file(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        let blank = ["\"bornTime\":", "\"clientVersion\":", "\"deadTime\":"]
            .iter()
            .find(|k| t.starts_with(**k));
        match blank {
            Some(k) => {
                let indent = &line[..line.len() - t.len()];
                let comma = if t.ends_with(',') { "," } else { "" };
                out.push_str(&format!("{indent}{k}N{comma}\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
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
    let (java, java_filters) =
        run_with_filter_file(Flavor::Java, ENABLED, &["select", "SqlTopic"])?;
    let (rmq, rmq_filters) = run_with_filter_file(Flavor::Rmq, ENABLED, &["select", "SqlTopic"])?;
    let n = java.req_i64("expressions")?;
    assert!(n >= 25, "only {n} expressions");
    for out in [&java, &rmq] {
        assert_eq!(out.req_i64("sent")?, 48);
        assert_eq!(
            out.req_i64("push_pending_queues")?,
            0,
            "push consumers did not catch up: {:?}",
            out.results
        );
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
    assert!(
        nontrivial >= 20,
        "too few selective expressions ({nontrivial})"
    );
    // consumerFilter.json as Java writes it: same text once times and versions are blanked
    let (Some(jf), Some(rf)) = (java_filters, rmq_filters) else {
        anyhow::bail!("consumerFilter.json missing");
    };
    let (jn, rn) = (normalize_filter_file(&jf), normalize_filter_file(&rf));
    assert!(jn.contains("sql_cg_0"), "{jf}");
    if jn != rn {
        let first = jn.lines().zip(rn.lines()).position(|(a, b)| a != b);
        panic!("consumerFilter.json differs (first differing line {first:?}):\n--- java\n{jf}\n--- rmq\n{rf}");
    }
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
            let (j, r) = (
                java.get(&key).unwrap_or("<none>"),
                rmq.get(&key).unwrap_or("<none>"),
            );
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
    assert!(
        diffs.is_empty(),
        "bad expressions differ:\n{}",
        diffs.join("\n")
    );
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
