//! Bad input against our `mqnamesrv` binary: garbage bytes, oversize and malformed frames
//! close that connection (as Java's `NettyDecoder` does); unknown codes and malformed
//! REGISTER_BROKER bodies are answered; meanwhile another client keeps being served and the
//! process never panics.

mod namesrv_common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use compat_tests::*;
use namesrv_common::Client;
use protocol::code::{request as rc, response};
use protocol::codec::{decode_frame, encode_frame};
use protocol::{RemotingCommand, SerializeType};

/// What the server did with what we sent.
#[derive(Debug)]
enum Outcome {
    /// It closed the connection.
    Closed,
    /// It answered.
    Reply(RemotingCommand),
    /// Nothing within the wait.
    Silent,
}

fn connect(addr: &str) -> Result<TcpStream> {
    let s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_millis(200)))?;
    Ok(s)
}

/// Read one reply frame, or notice the close, waiting up to `wait`.
fn read_outcome(s: &mut TcpStream, wait: Duration) -> Result<Outcome> {
    let deadline = Instant::now() + wait;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if buf.len() >= 4 {
            let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
            if buf.len() >= 4 + len {
                return Ok(Outcome::Reply(decode_frame(&buf[..4 + len])?));
            }
        }
        match s.read(&mut chunk) {
            Ok(0) => return Ok(Outcome::Closed),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Ok(Outcome::Closed)
            }
            Err(e) => return Err(e.into()),
        }
        if Instant::now() >= deadline {
            return Ok(Outcome::Silent);
        }
    }
}

/// Send raw bytes on a fresh connection and report what happened.
fn send_raw(addr: &str, bytes: &[u8]) -> Result<Outcome> {
    let mut s = connect(addr)?;
    // the server may close before we are done writing (oversize length): that is fine
    let _ = s.write_all(bytes);
    read_outcome(&mut s, Duration::from_secs(5))
}

fn frame(type_byte: u8, header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&((4 + header.len() + body.len()) as u32).to_be_bytes());
    v.extend_from_slice(&(((type_byte as u32) << 24) | header.len() as u32).to_be_bytes());
    v.extend_from_slice(header);
    v.extend_from_slice(body);
    v
}

fn expect_closed(what: &str, o: Outcome) -> Result<()> {
    match o {
        Outcome::Closed => Ok(()),
        other => bail!("{what}: expected the connection to be closed, got {other:?}"),
    }
}

fn expect_reply(what: &str, o: Outcome) -> Result<RemotingCommand> {
    match o {
        Outcome::Reply(c) => Ok(c),
        other => bail!("{what}: expected a reply, got {other:?}"),
    }
}

/// The well-behaved client: a topic list round trip must keep working.
fn good_client_works(c: &Client, addr: &str) -> Result<()> {
    let resp = c.call(
        addr,
        RemotingCommand::request(rc::GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
    )?;
    if resp.code != response::SUCCESS {
        bail!("good client got code {} {:?}", resp.code, resp.remark);
    }
    Ok(())
}

fn register(ext: &[(&str, &str)], body: Option<&[u8]>) -> RemotingCommand {
    let mut cmd = RemotingCommand::request(rc::REGISTER_BROKER);
    for (k, v) in [
        ("brokerName", "broker-x"),
        ("brokerAddr", "127.0.0.1:1"),
        ("clusterName", "C"),
        ("haServerAddr", "127.0.0.1:2"),
        ("brokerId", "0"),
        ("compressed", "false"),
    ] {
        cmd.set_ext(k, v);
    }
    for (k, v) in ext {
        cmd.set_ext(*k, *v);
    }
    match body {
        Some(b) => cmd.with_body(b.to_vec()),
        None => cmd,
    }
}

#[test]
fn bad_input_is_rejected_and_others_keep_being_served() -> Result<()> {
    let ns = RmqNamesrv::start()?;
    let addr = ns.addr();
    let good = Client::new()?;
    good_client_works(&good, &addr)?;

    // -- malformed frames: the connection is closed, no reply --
    let json_hdr = br#"{"code":206,"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":407}"#;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "an HTTP request",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        (
            "length 2^31-1",
            [0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0].to_vec(),
        ),
        ("length -1", [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0].to_vec()),
        (
            "length 16777213",
            [0x00, 0xff, 0xff, 0xfd, 0, 0, 0, 0].to_vec(),
        ),
        ("length 0", [0, 0, 0, 0].to_vec()),
        ("serialize type 5", frame(5, json_hdr, b"")),
        ("header longer than the frame", {
            let mut f = frame(0, json_hdr, b"");
            f[5..8].copy_from_slice(&[0xff, 0xff, 0xff]);
            f
        }),
        (
            "header that is not JSON",
            frame(0, b"{this is not json", b""),
        ),
        (
            "JSON header with trailing garbage",
            frame(0, &[&json_hdr[..], b"xx"].concat(), b""),
        ),
        ("binary header of 5 bytes", frame(1, &[0, 1, 2, 3, 4], b"")),
        (
            "binary header with a huge remark length",
            frame(
                1,
                &[
                    0, 206, 0, 1, 151, 0, 0, 0, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0,
                ],
                b"",
            ),
        ),
    ];
    for (what, bytes) in &cases {
        expect_closed(what, send_raw(&addr, bytes)?)?;
        good_client_works(&good, &addr)?;
    }

    // a truncated frame followed by a hang-up, and many abrupt connections
    {
        let mut s = connect(&addr)?;
        s.write_all(&frame(0, json_hdr, b"")[..20])?;
    }
    for _ in 0..50 {
        let mut s = connect(&addr)?;
        let _ = s.write_all(&[0, 0, 1]);
    }
    good_client_works(&good, &addr)?;

    // -- unknown codes: answered with REQUEST_CODE_NOT_SUPPORTED in the request's codec,
    //    and the connection stays usable (Java's namesrv would not answer at all: T1) --
    for st in [SerializeType::Json, SerializeType::RocketMq] {
        let mut s = connect(&addr)?;
        let mut cmd = RemotingCommand::request(9999).with_opaque(77);
        cmd.serialize_type = st;
        s.write_all(&encode_frame(&cmd))?;
        let resp = expect_reply(
            "unknown code",
            read_outcome(&mut s, Duration::from_secs(5))?,
        )?;
        assert_eq!(resp.code, response::REQUEST_CODE_NOT_SUPPORTED);
        assert_eq!(
            resp.remark.as_deref(),
            Some(" request type 9999 not supported")
        );
        assert_eq!(
            (resp.opaque, resp.serialize_type, resp.is_response()),
            (77, st, true)
        );
        // a oneway request with an unknown code gets no reply at all
        let mut oneway = RemotingCommand::request(9998).with_opaque(78).oneway();
        oneway.serialize_type = st;
        s.write_all(&encode_frame(&oneway))?;
        let mut next =
            RemotingCommand::request(rc::GET_ALL_TOPIC_LIST_FROM_NAMESERVER).with_opaque(79);
        next.serialize_type = st;
        s.write_all(&encode_frame(&next))?;
        let resp = expect_reply(
            "after unknown codes",
            read_outcome(&mut s, Duration::from_secs(5))?,
        )?;
        assert_eq!(
            (resp.opaque, resp.code),
            (79, response::SUCCESS),
            "oneway must stay unanswered"
        );
    }

    // -- malformed REGISTER_BROKER: an error reply, nothing registered, connection kept --
    let zlib_garbage = [0x78, 0xda, 1, 2, 3, 4, 5, 6];
    let bad_registers: Vec<(&str, RemotingCommand)> = vec![
        (
            "no header at all",
            RemotingCommand::request(rc::REGISTER_BROKER),
        ),
        (
            "brokerId not a number",
            register(&[("brokerId", "x")], None),
        ),
        (
            "body not JSON",
            register(&[], Some(b"{\"topicConfigSerializeWrapper\":")),
        ),
        (
            "body JSON of the wrong shape",
            register(&[], Some(b"{\"topicConfigSerializeWrapper\":[1,2]}")),
        ),
        (
            "compressed flag, JSON body",
            register(&[("compressed", "true")], Some(b"{}")),
        ),
        (
            "compressed garbage",
            register(&[("compressed", "true")], Some(&zlib_garbage)),
        ),
        (
            "crc32 mismatch",
            register(&[("bodyCrc32", "1")], Some(b"{}")),
        ),
    ];
    for (what, cmd) in bad_registers {
        let resp = good.call(&addr, cmd)?;
        assert_eq!(
            resp.code,
            response::SYSTEM_ERROR,
            "{what}: {:?}",
            resp.remark
        );
        assert!(resp.remark.is_some(), "{what}: no remark");
    }
    let resp = good.call(&addr, RemotingCommand::request(rc::GET_BROKER_CLUSTER_INFO))?;
    assert_eq!(
        resp.body_bytes(),
        br#"{"brokerAddrTable":{},"clusterAddrTable":{}}"#
    );

    // a compressed body that claims a huge topic count: an error, not an allocation
    let mut raw = Vec::new();
    let dv = br#"{"counter":1,"timestamp":1}"#;
    raw.extend_from_slice(&(dv.len() as i32).to_be_bytes());
    raw.extend_from_slice(dv);
    raw.extend_from_slice(&i32::MAX.to_be_bytes());
    raw.extend_from_slice(&i32::MAX.to_be_bytes());
    let mut z = flate2_compress(&raw);
    if z.is_empty() {
        z = raw;
    }
    let resp = good.call(&addr, register(&[("compressed", "true")], Some(&z)))?;
    assert_eq!(resp.code, response::SYSTEM_ERROR);
    // the stream inflates fine; it is the claimed sizes that are refused
    let remark = resp.remark.unwrap_or_default();
    assert!(remark.contains("End of compressed data"), "{remark}");

    good_client_works(&good, &addr)?;
    assert!(
        ns.proc().is_running(),
        "mqnamesrv died:\n{}",
        ns.proc().log_tail(40)
    );
    let log = ns.log_text();
    assert!(!log.contains("panicked"), "mqnamesrv panicked:\n{log}");
    Ok(())
}

/// zlib with the stored (uncompressed) block type, enough for the namesrv's inflater.
fn flate2_compress(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut chunks = data.chunks(65535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(u8::from(last));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}
