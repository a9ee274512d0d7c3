//! Bad input against the Java 4.9.7 broker and ours, same expectations: invalid topic names,
//! oversize bodies, reserved topics, unknown topics and queues, unknown request codes, missing
//! header fields, garbage frames and clients that disconnect mid-request. Every refusal is a
//! clear response code, nothing panics, and other clients keep working.

use std::io::Write;
use std::time::Duration;

use compat_tests::*;
use protocol::code::{request, response};
use protocol::header::pull::PullMessageRequestHeader;
use protocol::header::send::SendMessageRequestHeaderV2;
use protocol::net::RemotingClient;
use protocol::RemotingCommand;

const T: Duration = Duration::from_secs(10);

fn send_header(topic: &str, default_topic: &str, queue_id: i32) -> SendMessageRequestHeaderV2 {
    SendMessageRequestHeaderV2 {
        a: "bad_input_pg".into(),
        b: topic.into(),
        c: default_topic.into(),
        d: 4,
        e: queue_id,
        f: 0,
        g: 1_700_000_000_000,
        h: 0,
        i: Some("TAGS\u{1}TagA".into()),
        j: Some(0),
        k: false,
        l: None,
        m: false,
        n: None,
    }
}

fn send(topic: &str, default_topic: &str, queue_id: i32, body: Vec<u8>) -> RemotingCommand {
    RemotingCommand::request_with(
        request::SEND_MESSAGE_V2,
        &send_header(topic, default_topic, queue_id),
    )
    .with_body(body)
}

fn pull(topic: &str, queue_id: i32, sys_flag: i32, suspend_ms: i64) -> RemotingCommand {
    let h = PullMessageRequestHeader {
        consumer_group: "bad_input_cg".into(),
        topic: topic.into(),
        queue_id,
        queue_offset: 0,
        max_msg_nums: 32,
        sys_flag,
        commit_offset: 0,
        suspend_timeout_millis: suspend_ms,
        subscription: Some("*".into()),
        sub_version: 0,
        expression_type: Some("TAG".into()),
        bname: None,
    };
    RemotingCommand::request_with(request::PULL_MESSAGE, &h)
}

/// `listenPort - 2`, the VIP ("fast") port.
fn vip_addr(addr: &str) -> String {
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "0"));
    let port: u16 = port.parse().unwrap_or(0);
    format!("{host}:{}", port.saturating_sub(2))
}

/// (case, response code, remark) for every probe.
async fn probe(addr: &str) -> anyhow::Result<Vec<(&'static str, i32, String)>> {
    let c = RemotingClient::new();
    let mut out = Vec::new();
    let mut call = |name: &'static str, r: RemotingCommand| {
        out.push((name, r.code, r.remark.unwrap_or_default()));
    };
    // a good send first: creates GoodTopic through TBW102 (4 queues)
    call(
        "good_send",
        c.invoke(addr, send("GoodTopic", "TBW102", 0, b"hello".to_vec()), T)
            .await?,
    );
    call(
        "illegal_chars",
        c.invoke(addr, send("bad topic!", "TBW102", 0, b"x".to_vec()), T)
            .await?,
    );
    call(
        "too_long",
        c.invoke(addr, send(&"t".repeat(128), "TBW102", 0, b"x".to_vec()), T)
            .await?,
    );
    call(
        "reserved_topic",
        c.invoke(
            addr,
            send("SCHEDULE_TOPIC_XXXX", "TBW102", 0, b"x".to_vec()),
            T,
        )
        .await?,
    );
    call(
        "no_template",
        c.invoke(
            addr,
            send("NoSuchTopic", "NoSuchTemplate", 0, b"x".to_vec()),
            T,
        )
        .await?,
    );
    call(
        "queue_out_of_range",
        c.invoke(addr, send("GoodTopic", "TBW102", 9999, b"x".to_vec()), T)
            .await?,
    );
    call(
        "oversize_body",
        c.invoke(addr, send("GoodTopic", "TBW102", 0, vec![b'z'; 8000]), T)
            .await?,
    );
    call(
        "pull_unknown_topic",
        c.invoke(addr, pull("NoSuchTopic", 0, 0x4, 0), T).await?,
    );
    call(
        "pull_bad_queue",
        c.invoke(addr, pull("GoodTopic", 77, 0x4, 0), T).await?,
    );
    call(
        "unknown_code",
        c.invoke(addr, RemotingCommand::request(9999), T).await?,
    );
    let vip = vip_addr(addr);
    call(
        "pull_on_vip_port",
        c.invoke(&vip, pull("GoodTopic", 0, 0x4, 0), T).await?,
    );
    call(
        "send_on_vip_port",
        c.invoke(&vip, send("GoodTopic", "TBW102", 1, b"vip".to_vec()), T)
            .await?,
    );
    call(
        "send_missing_fields",
        c.invoke(
            addr,
            RemotingCommand::request(request::SEND_MESSAGE_V2).with_body(&b"x"[..]),
            T,
        )
        .await?,
    );
    Ok(out)
}

/// Garbage and half-sent frames, and a suspended pull whose client goes away.
async fn abuse(addr: &str) -> anyhow::Result<()> {
    // half a frame, then close
    let mut s = std::net::TcpStream::connect(addr)?;
    s.write_all(&[0, 0, 0, 100, 0, 0, 0, 20, b'{'])?;
    drop(s);
    // a length far beyond the frame limit
    let mut s = std::net::TcpStream::connect(addr)?;
    s.write_all(&[0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1])?;
    drop(s);
    // JSON header that is not JSON
    let mut s = std::net::TcpStream::connect(addr)?;
    s.write_all(&[0, 0, 0, 8, 0, 0, 0, 4, b'n', b'o', b'p', b'e'])?;
    drop(s);
    // a long-polling pull, then the client disconnects while it is parked
    let c = RemotingClient::new();
    let ch = c.channel(addr).await?;
    let pending = tokio::spawn({
        let ch = ch.clone();
        async move {
            ch.invoke(
                pull("GoodTopic", 1, 0x2 | 0x4, 15_000),
                Duration::from_secs(20),
            )
            .await
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    ch.close();
    let _ = pending.await;
    Ok(())
}

async fn scenario(flavor: Flavor) -> anyhow::Result<Vec<(&'static str, i32, String)>> {
    let ns = Namesrv::start(flavor)?;
    let broker = Broker::start(flavor, &ns.addr(), &[("maxMessageSize", "4096")])?;
    let addr = broker.addr();
    let res = probe(&addr).await;
    abuse(&addr).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // other clients are unaffected and the broker is still up
    let c = RemotingClient::new();
    let ok = c
        .invoke(&addr, send("GoodTopic", "TBW102", 2, b"after".to_vec()), T)
        .await?;
    assert_eq!(
        ok.code,
        response::SUCCESS,
        "[{}] send after abuse: {:?}",
        flavor.name(),
        ok.remark
    );
    assert!(
        broker.proc().is_running(),
        "[{}] broker died",
        flavor.name()
    );
    if flavor == Flavor::Rmq {
        let log = broker.log_text();
        assert!(
            !log.contains("panicked"),
            "broker panicked:\n{}",
            broker.proc().log_tail(60)
        );
    }
    res
}

#[test]
fn bad_input_same_codes_as_java() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let java = rt.block_on(scenario(Flavor::Java))?;
    let rmq = rt.block_on(scenario(Flavor::Rmq))?;
    for ((name, jc, jr), (_, rc, rr)) in java.iter().zip(rmq.iter()) {
        eprintln!(
            "[bad_input] {name:22} java {jc:3} {jr:?}\n{:26} rmq  {rc:3} {rr:?}",
            ""
        );
    }
    let expect: &[(&str, i32)] = &[
        ("good_send", response::SUCCESS),
        ("illegal_chars", response::SYSTEM_ERROR),
        ("too_long", response::SYSTEM_ERROR),
        ("reserved_topic", response::NO_PERMISSION),
        ("no_template", response::TOPIC_NOT_EXIST),
        ("queue_out_of_range", response::SYSTEM_ERROR),
        ("oversize_body", response::MESSAGE_ILLEGAL),
        ("pull_unknown_topic", response::TOPIC_NOT_EXIST),
        ("pull_bad_queue", response::SYSTEM_ERROR),
        ("unknown_code", response::REQUEST_CODE_NOT_SUPPORTED),
        ("pull_on_vip_port", response::REQUEST_CODE_NOT_SUPPORTED),
        ("send_on_vip_port", response::SUCCESS),
        ("send_missing_fields", response::SYSTEM_ERROR),
    ];
    for (results, flavor) in [(&java, "java"), (&rmq, "rmq")] {
        for (name, code) in expect {
            let got = results
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, c, _)| *c);
            assert_eq!(got, Some(*code), "[{flavor}] {name}");
        }
    }
    // remarks that clients or operators see verbatim
    for name in [
        "illegal_chars",
        "too_long",
        "reserved_topic",
        "no_template",
        "unknown_code",
        "pull_on_vip_port",
        "oversize_body",
    ] {
        let j = java
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, _, r)| r.clone());
        let r = rmq
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, _, r)| r.clone());
        assert_eq!(j, r, "remark of {name}");
    }
    Ok(())
}
