//! The shipped multi-broker layouts `conf/2m-noslave`, `conf/2m-2s-async` and
//! `conf/2m-2s-sync`, used as they are with only what one host needs added (a `listenPort`
//! per broker, a store directory each, `namesrvAddr`, `brokerIP1`), the way the README shows:
//!
//! * every broker of the layout registers (masters as id 0, slaves as id 1);
//! * a topic created with `mqadmin updateTopic -c DefaultCluster` spreads over every master,
//!   the Java producer balances over all of them (all SEND_OK; on 2m-2s-sync that means
//!   replicated) and a consumer gets everything back;
//! * on 2m-2s-async, all-Java vs all-rmq: `mqadmin clusterList`, `brokerStatus` of a slave
//!   and `topicRoute` have the same shape (rows, ids, versions, keys; live figures and
//!   addresses masked);
//! * `enableDLegerCommitLog=true` is refused at start with a clear message and a non-zero exit.

mod cluster_common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use cluster_common::*;
use compat_tests::*;

/// One properties file: `(file stem, key/values)`.
type ConfFile = (String, Vec<(String, String)>);

/// `conf/<layout>/*.properties`, sorted.
fn layout(name: &str) -> anyhow::Result<Vec<ConfFile>> {
    let dir = workspace_root().join("conf").join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "properties"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        let kv: Vec<(String, String)> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                l.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((stem, kv));
    }
    Ok(out)
}

struct Running {
    ns: Namesrv,
    brokers: Vec<(String, Broker)>,
}

impl Running {
    fn broker(&self, stem: &str) -> anyhow::Result<&Broker> {
        self.brokers
            .iter()
            .find(|(s, _)| s == stem)
            .map(|(_, b)| b)
            .ok_or_else(|| anyhow::anyhow!("no broker {stem}"))
    }

    /// Replace every broker address by its file stem, the namesrv's by `NS`.
    fn mask(&self, text: &str) -> String {
        let mut t = text.replace(&self.ns.addr(), "NS");
        for (stem, b) in &self.brokers {
            t = t.replace(&b.addr(), stem);
        }
        t
    }
}

fn start_layout(flavor: Flavor, name: &str) -> anyhow::Result<Running> {
    let ns = Namesrv::start(flavor)?;
    let mut brokers = Vec::new();
    // masters first, so slaves find them at their first registration
    let mut files = layout(name)?;
    files.sort_by_key(|(stem, _)| stem.ends_with("-s"));
    for (stem, kv) in files {
        // the harness adds listenPort, storePathRootDir, namesrvAddr, brokerIP1
        let b = Broker::start(flavor, &ns.addr(), &as_refs(&kv))
            .with_context(|| format!("{} {name}/{stem}", flavor.name()))?;
        brokers.push((stem, b));
    }
    let r = Running { ns, brokers };
    let c = Client::new()?;
    let names: BTreeSet<String> = r
        .brokers
        .iter()
        .map(|(_, b)| b.broker_name().to_string())
        .collect();
    for n in &names {
        let mut want: Vec<(i64, String)> = r
            .brokers
            .iter()
            .filter(|(_, b)| b.broker_name() == n)
            .map(|(_, b)| {
                (
                    b.conf().get("brokerId").unwrap_or("0").parse().unwrap_or(0),
                    b.addr(),
                )
            })
            .collect();
        want.sort();
        c.wait_brokers(&r.ns.addr(), n, &want, Duration::from_secs(90))?;
    }
    Ok(r)
}

fn roundtrip(r: &Running, label: &str) -> anyhow::Result<()> {
    let c = Client::new()?;
    let masters: Vec<&str> = r
        .brokers
        .iter()
        .filter(|(_, b)| b.conf().get("brokerId") == Some("0"))
        .map(|(_, b)| b.broker_name())
        .collect();
    let topic = "LayoutTopic";
    create_topic(&r.ns.addr(), "DefaultCluster", topic, 4)?;
    wait_topic_route(&c, &r.ns.addr(), topic, &masters, Duration::from_secs(30))?;
    std::thread::sleep(Duration::from_secs(6));
    let tmp = scratch("rmq-ha-layout-")?;
    let idfile = tmp.path().join("ids.txt");
    let n = 200;
    let p = produce(&r.ns.addr(), topic, n, &idfile, Duration::from_secs(300))?;
    eprintln!("[{label}] producer {:?}", p.results);
    assert_eq!(
        p.req_i64("SEND_OK")?,
        n as i64,
        "[{label}] {}",
        p.output.describe()
    );
    let spread = p.req("brokers")?;
    for m in &masters {
        assert!(
            spread.contains(&format!("{m}=")),
            "[{label}] no message went to {m}: {spread}"
        );
    }
    let got = consume(
        &r.ns.addr(),
        topic,
        &idfile,
        &format!("layout_{}", label.replace(' ', "_")),
        180,
        2,
    )?;
    assert_eq!(got.req_i64("missing")?, 0, "[{label}] {:?}", got.results);
    assert_eq!(got.req_i64("bad_body")?, 0, "[{label}]");
    Ok(())
}

#[test]
fn shipped_layouts_work_on_one_host() -> anyhow::Result<()> {
    for name in ["2m-noslave", "2m-2s-async", "2m-2s-sync"] {
        let r = start_layout(Flavor::Rmq, name)?;
        let res = roundtrip(&r, &format!("rmq {name}"));
        if res.is_err() {
            for (stem, b) in &r.brokers {
                dump(stem, b);
            }
        }
        res?;
    }
    Ok(())
}

/// `clusterList` row → (cluster, broker, id, addr, version, figures with digits masked).
fn cluster_rows(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with("OpenJDK") && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            if cols.len() >= 5 && cols[4].starts_with("V4_") {
                let figures: String = cols[5..]
                    .join(" ")
                    .chars()
                    .map(|ch| if ch.is_ascii_digit() { '9' } else { ch })
                    .collect();
                let mut f = figures;
                while f.contains("99") {
                    f = f.replace("99", "9");
                }
                format!(
                    "{} {} {} {} {} | {f}",
                    cols[0], cols[1], cols[2], cols[3], cols[4]
                )
            } else {
                l.split_whitespace().collect::<Vec<_>>().join(" ")
            }
        })
        .collect()
}

/// `brokerStatus` keys (`key : value` lines).
fn status_keys(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty() && !k.contains(' '))
        .collect()
}

struct AdminView {
    cluster: Vec<String>,
    slave_status: BTreeSet<String>,
    slave_version: String,
    route: String,
}

fn admin_view(flavor: Flavor) -> anyhow::Result<AdminView> {
    let r = start_layout(flavor, "2m-2s-async")?;
    let c = Client::new()?;
    let topic = "LayoutAdminTopic";
    create_topic(&r.ns.addr(), "DefaultCluster", topic, 4)?;
    wait_topic_route(
        &c,
        &r.ns.addr(),
        topic,
        &["broker-a", "broker-b"],
        Duration::from_secs(30),
    )?;
    let ns = r.ns.addr();
    let cl = mqadmin_until(&ns, &["clusterList"], Duration::from_secs(60), |o| {
        o.matches("V4_").count() >= 4 && !o.contains("Exception")
    })?;
    let slave = r.broker("broker-a-s")?;
    let st = mqadmin_until(
        &ns,
        &["brokerStatus", "-b", &slave.addr()],
        Duration::from_secs(60),
        |o| o.contains("brokerVersionDesc") && !o.contains("Exception"),
    )?;
    let st = st.replace(&slave.store_dir().display().to_string(), "STORE");
    let route = mqadmin(&ns, &["topicRoute", "-t", topic])?;
    let version = st
        .lines()
        .find(|l| l.starts_with("brokerVersionDesc"))
        .unwrap_or("")
        .to_string();
    Ok(AdminView {
        cluster: cluster_rows(&r.mask(&cl)),
        slave_status: status_keys(&st),
        slave_version: version,
        route: r.mask(&route).trim().to_string(),
    })
}

#[test]
fn admin_views_of_2m_2s_match_java() -> anyhow::Result<()> {
    let java = admin_view(Flavor::Java)?;
    let rmq = admin_view(Flavor::Rmq)?;
    eprintln!(
        "java clusterList: {:#?}\nrmq clusterList: {:#?}",
        java.cluster, rmq.cluster
    );
    assert_eq!(rmq.cluster, java.cluster);
    let only_java: Vec<_> = java.slave_status.difference(&rmq.slave_status).collect();
    let only_rmq: Vec<_> = rmq.slave_status.difference(&java.slave_status).collect();
    assert!(
        only_java.is_empty() && only_rmq.is_empty(),
        "brokerStatus keys: only java {only_java:?}, only rmq {only_rmq:?}"
    );
    assert_eq!(rmq.slave_version, java.slave_version);
    assert_eq!(rmq.route, java.route, "topicRoute");
    Ok(())
}

#[test]
fn dledger_is_refused_at_start() -> anyhow::Result<()> {
    let bin = rmq_bin("mqbroker");
    if !bin.is_file() {
        bail!("build mqbroker first: {}", bin.display());
    }
    let tmp = scratch("rmq-ha-dledger-")?;
    let conf = tmp.path().join("broker.conf");
    let port = free_broker_port();
    std::fs::write(
        &conf,
        format!(
            "brokerName=RaftNode00\nlistenPort={port}\nstorePathRootDir={}\nenableDLegerCommitLog=true\ndLegerGroup=RaftNode00\ndLegerPeers=n0-127.0.0.1:40911\ndLegerSelfId=n0\n",
            tmp.path().join("store").display()
        ),
    )?;
    let log = tmp.path().join("out.log");
    let cmd = {
        let mut c = std::process::Command::new(&bin);
        c.args(["-c", &conf.display().to_string()])
            .env("ROCKETMQ_HOME", tmp.path())
            .env("HOME", tmp.path());
        c
    };
    let p = Proc::spawn("mqbroker-dledger", cmd, &log)?;
    let status = p.wait_exit(Duration::from_secs(60));
    let text = p.log_text();
    let status = status.with_context(|| format!("mqbroker kept running with DLedger:\n{text}"))?;
    assert!(!status.success(), "mqbroker accepted DLedger:\n{text}");
    assert!(
        text.contains("enableDLegerCommitLog=true is not supported"),
        "unclear refusal:\n{text}"
    );
    Ok(())
}
