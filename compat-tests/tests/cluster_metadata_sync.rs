//! Slave metadata sync (`SlaveSynchronize`, every 10 s) in every pairing: after a topic and
//! a subscription group are created on the master (`mqadmin updateTopic/updateSubGroup -c`),
//! delayed messages are sent (delay level 1) and consumed by that group, the slave answers
//! the four sync requests exactly like its master:
//!
//! | request | compared |
//! |---|---|
//! | GET_ALL_TOPIC_CONFIG (21) | whole wrapper: table and dataVersion |
//! | GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201) | whole wrapper: table and dataVersion |
//! | GET_ALL_CONSUMER_OFFSET (43) | the group's `topic@group` offsets |
//! | GET_ALL_DELAY_OFFSET (45) | the master's table = the slave's `delayOffset.json` (Java slaves
//! write the body to the file; their own GET_ALL_DELAY_OFFSET answers the table loaded at
//! start, so the file is what to compare) |

mod cluster_common;

use std::time::{Duration, Instant};

use anyhow::bail;
use cluster_common::*;
use compat_tests::*;
use protocol::body::{
    ConsumerOffsetSerializeWrapper, DelayOffsetSerializeWrapper, SubscriptionGroupWrapper,
    TopicConfigSerializeWrapper,
};
use protocol::code::{request as rc, response};
use protocol::RemotingCommand;

fn fetch(c: &Client, addr: &str, code: i32) -> anyhow::Result<Vec<u8>> {
    let r = c.call(addr, RemotingCommand::request(code))?;
    if r.code != response::SUCCESS {
        bail!("code {code} on {addr}: {} {:?}", r.code, r.remark);
    }
    Ok(r.body.map(|b| b.to_vec()).unwrap_or_default())
}

/// What must be equal between master and slave, as comparable strings.
fn snapshot(
    c: &Client,
    addr: &str,
    delay_file: Option<&std::path::Path>,
    topic: &str,
    group: &str,
) -> anyhow::Result<Vec<String>> {
    let vip = {
        let (h, p) = addr.rsplit_once(':').unwrap_or((addr, "0"));
        format!("{h}:{}", p.parse::<i32>().unwrap_or(0) - 2)
    };
    let topics: TopicConfigSerializeWrapper =
        protocol::fastjson::from_slice(&fetch(c, &vip, rc::GET_ALL_TOPIC_CONFIG)?)?;
    let groups: SubscriptionGroupWrapper =
        protocol::fastjson::from_slice(&fetch(c, addr, rc::GET_ALL_SUBSCRIPTIONGROUP_CONFIG)?)?;
    let offsets: ConsumerOffsetSerializeWrapper =
        protocol::fastjson::from_slice(&fetch(c, addr, rc::GET_ALL_CONSUMER_OFFSET)?)?;
    let delay_body = match delay_file {
        Some(f) => std::fs::read(f)?,
        None => fetch(c, addr, rc::GET_ALL_DELAY_OFFSET)?,
    };
    let delay: DelayOffsetSerializeWrapper = protocol::fastjson::from_slice(&delay_body)?;
    let mut topic_names: Vec<&String> = topics.topic_config_table.keys().collect();
    topic_names.sort();
    let mut group_names: Vec<&String> = groups.subscription_group_table.keys().collect();
    group_names.sort();
    let mut own: Vec<(i32, i64)> = offsets
        .offset_table
        .get(&format!("{topic}@{group}"))
        .map(|m| m.iter().map(|(k, v)| (*k, *v)).collect())
        .unwrap_or_default();
    own.sort();
    let mut delays: Vec<(i32, i64)> = delay.offset_table.iter().map(|(k, v)| (*k, *v)).collect();
    delays.sort();
    Ok(vec![
        format!("topics {:?} {topic_names:?}", topics.data_version),
        format!("topic {:?}", topics.topic_config_table.get(topic)),
        format!("groups {:?} {group_names:?}", groups.data_version),
        format!("group {:?}", groups.subscription_group_table.get(group)),
        format!("offsets {own:?}"),
        format!("delay {delays:?}"),
    ])
}

fn sync(master_flavor: Flavor, slave_flavor: Flavor) -> anyhow::Result<()> {
    let label = format!("{}->{}", master_flavor.name(), slave_flavor.name());
    let ns = Namesrv::start(master_flavor)?;
    let c = Client::new()?;
    let master = start_broker(
        master_flavor,
        &ns.addr(),
        "broker-m",
        "ASYNC_MASTER",
        "ASYNC_FLUSH",
        &[],
    )?;
    let slave = start_broker(
        slave_flavor,
        &ns.addr(),
        "broker-m",
        "SLAVE",
        "ASYNC_FLUSH",
        &[],
    )?;
    let result = (|| -> anyhow::Result<()> {
        c.wait_brokers(
            &ns.addr(),
            "broker-m",
            &ids(Some(&master), Some(&slave)),
            Duration::from_secs(60),
        )?;
        let topic = "HaMetaTopic";
        let group = "ha_meta_group";
        create_topic(&ns.addr(), "HaCluster", topic, 2)?;
        let out = mqadmin(
            &ns.addr(),
            &["updateSubGroup", "-c", "HaCluster", "-g", group],
        )?;
        anyhow::ensure!(
            out.contains("create subscription group to"),
            "updateSubGroup:\n{out}"
        );
        wait_topic_route(
            &c,
            &ns.addr(),
            topic,
            &["broker-m"],
            Duration::from_secs(30),
        )?;
        let tmp = scratch("rmq-ha-meta-")?;
        let idfile = tmp.path().join("ids.txt");
        let n = 30;
        let p = run_driver(
            PRODUCER,
            &ns.addr(),
            &[
                "fixed",
                topic,
                &n.to_string(),
                &idfile.display().to_string(),
                "2",
                "1",
            ],
            Duration::from_secs(120),
        )?;
        assert_eq!(
            p.req_i64("SEND_OK")?,
            n,
            "[{label}] {}",
            p.output.describe()
        );
        let got = consume(&ns.addr(), topic, &idfile, group, 120, 6)?;
        assert_eq!(got.req_i64("missing")?, 0, "[{label}] {:?}", got.results);

        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let m = snapshot(&c, &master.addr(), None, topic, group);
            let delay_file = slave.store_dir().join("config").join("delayOffset.json");
            let s = snapshot(&c, &slave.addr(), Some(&delay_file), topic, group);
            match (m, s) {
                (Ok(m), Ok(s))
                    if s == m
                        && m.iter().any(|l| l.starts_with("offsets [("))
                        && m.iter().any(|l| l.starts_with("delay [(")) =>
                {
                    eprintln!("[{label}] slave in sync: {m:#?}");
                    return Ok(());
                }
                (m, s) => {
                    if Instant::now() >= deadline {
                        bail!("[{label}] slave metadata never matched the master's:\nmaster {m:#?}\nslave {s:#?}");
                    }
                }
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    })();
    if result.is_err() {
        dump("master", &master);
        dump("slave", &slave);
    }
    result
}

#[test]
fn metadata_sync_rmq_to_rmq() -> anyhow::Result<()> {
    sync(Flavor::Rmq, Flavor::Rmq)
}

#[test]
fn metadata_sync_java_to_rmq() -> anyhow::Result<()> {
    sync(Flavor::Java, Flavor::Rmq)
}

#[test]
fn metadata_sync_rmq_to_java() -> anyhow::Result<()> {
    sync(Flavor::Rmq, Flavor::Java)
}
