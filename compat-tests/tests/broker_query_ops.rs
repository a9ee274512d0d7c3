//! Queue, offset, query and plain-pull operations of the Java client (`rmq.compat.broker.QueryOps`)
//! against the Java 4.9.7 broker and against ours: every reported value must be identical.

use compat_tests::*;
use std::time::Duration;

fn run(flavor: Flavor) -> anyhow::Result<DriverOutput> {
    let cluster = Cluster::start(flavor)?;
    let out = run_driver(
        "rmq.compat.broker.QueryOps",
        &cluster.namesrv_addr(),
        &["QueryOpsTopic"],
        Duration::from_secs(120),
    );
    if out.is_err() {
        eprintln!(
            "--- {} broker log ---\n{}",
            flavor.name(),
            cluster.broker.proc().log_tail(60)
        );
    }
    out
}

#[test]
fn query_ops_match_java() -> anyhow::Result<()> {
    let java = run(Flavor::Java)?;
    let rmq = run(Flavor::Rmq)?;
    let mut diffs = Vec::new();
    for (k, jv) in &java.results {
        let rv = rmq.results.get(k);
        eprintln!(
            "[query_ops] {k:28} java={jv:24} rmq={}",
            rv.map(String::as_str).unwrap_or("<missing>")
        );
        if rv != Some(jv) {
            diffs.push(k.clone());
        }
    }
    assert!(
        diffs.is_empty(),
        "values differ for {diffs:?}\njava {:?}\nrmq {:?}",
        java.results,
        rmq.results
    );
    assert_eq!(java.req("pull_taga_count")?, "5");
    Ok(())
}
