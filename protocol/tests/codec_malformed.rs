//! Malformed input must give errors, never panics: the frame codec (both header codecs), the
//! typed headers, and the message decoders.
//!
//! The Java reference is `NettyDecoder` + `RemotingCommand.decode` (protocol.md §1, §3, §4):
//! every one of these inputs makes Java close the channel, so ours must return `Err`.
//!
//! The last test is a seeded random-frame fuzzer (~100k inputs by default). It prints its seed;
//! replay with `RMQ_FUZZ_SEED=<seed>`, change the count with `RMQ_FUZZ_ITERS=<n>`.

use bytes::{BufMut, Bytes, BytesMut};
use protocol::codec::{
    decode_frame, decode_frame_body, decode_json_header, decode_rocketmq_header, encode_frame,
    RemotingCodec,
};
use protocol::command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};
use protocol::header::catalog::{reflatten, HEADER_CLASSES};
use protocol::header::{
    CommandHeader, GetRouteInfoRequestHeader, PullMessageRequestHeader, SendMessageRequestHeaderV2,
};
use protocol::message::{self, DecodeOptions};
use protocol::ProtocolError;
use tokio_util::codec::Decoder;

// ---------------------------------------------------------------------------------------------
// helpers

fn sample_commands() -> Vec<RemotingCommand> {
    let mut out = Vec::new();
    for st in [SerializeType::Json, SerializeType::RocketMq] {
        let mut a = RemotingCommand::request_with(
            105,
            &GetRouteInfoRequestHeader {
                topic: "TopicTest".into(),
                accept_standard_json_only: None,
            },
        );
        a.opaque = 7;
        a.serialize_type = st;
        out.push(a);

        let mut b = RemotingCommand::response(1, Some("é中 remark \n".to_string()))
            .with_body(&b"{\"k\":1}"[..]);
        b.set_ext("MSG_REGION", "DefaultRegion");
        b.serialize_type = st;
        out.push(b);

        let v2 = SendMessageRequestHeaderV2 {
            a: "PG".into(),
            b: "TopicTest".into(),
            c: "TBW102".into(),
            d: 4,
            e: 1,
            f: 0,
            g: 1_700_000_000_000,
            h: 0,
            i: Some("TAGS\u{1}TagA\u{2}WAIT\u{1}true".into()),
            j: Some(0),
            k: false,
            l: None,
            m: false,
            n: Some("broker-a".into()),
        };
        let mut c = RemotingCommand::request_with(310, &v2).with_body(&b"Hello"[..]);
        c.serialize_type = st;
        out.push(c);

        let mut d = RemotingCommand::request(34);
        d.serialize_type = st;
        out.push(d);
    }
    out
}

fn frame_with(type_byte: u8, header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.put_u32((4 + header.len() + body.len()) as u32);
    f.put_u32(((type_byte as u32) << 24) | header.len() as u32);
    f.extend_from_slice(header);
    f.extend_from_slice(body);
    f
}

/// A ROCKETMQ header with the given remark-length field, remark bytes, ext-length field and
/// ext bytes (lengths are not checked: that is the point).
fn rmq_header(remark_len: i32, remark: &[u8], ext_len: i32, ext: &[u8]) -> Vec<u8> {
    let mut h = Vec::new();
    h.put_i16(105);
    h.put_u8(0);
    h.put_i16(407);
    h.put_i32(1);
    h.put_i32(0);
    h.put_i32(remark_len);
    h.extend_from_slice(remark);
    h.put_i32(ext_len);
    h.extend_from_slice(ext);
    h
}

fn assert_err(bytes: &[u8], what: &str) {
    if let Ok(cmd) = decode_frame(bytes) {
        panic!("{what}: decoded {cmd:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// frames

#[test]
fn every_truncated_prefix_is_incomplete_or_an_error() {
    for cmd in sample_commands() {
        let f = encode_frame(&cmd);
        assert!(decode_frame(&f).is_ok());
        for i in 0..f.len() {
            let prefix = &f[..i];
            assert!(decode_frame(prefix).is_err(), "prefix {i} of {}", f.len());
            let mut codec = RemotingCodec::default();
            let mut buf = BytesMut::from(prefix);
            assert!(
                matches!(codec.decode(&mut buf), Ok(None)),
                "codec prefix {i}"
            );
            // the frame body alone, cut short: header cut -> error; only body cut -> fine
            if i >= 4 {
                let _ = decode_frame_body(Bytes::copy_from_slice(&f[4..i]));
            }
        }
    }
}

#[test]
fn streaming_decoder_handles_split_and_back_to_back_frames() {
    let cmds = sample_commands();
    let mut stream = Vec::new();
    for c in &cmds {
        stream.extend_from_slice(&encode_frame(c));
    }
    for chunk in [1usize, 2, 3, 7, 64, 4096] {
        let mut codec = RemotingCodec::default();
        let mut buf = BytesMut::new();
        let mut got = Vec::new();
        for part in stream.chunks(chunk) {
            buf.extend_from_slice(part);
            while let Some(cmd) = codec.decode(&mut buf).expect("valid stream") {
                got.push(cmd);
            }
        }
        assert!(buf.is_empty());
        assert_eq!(got.len(), cmds.len(), "chunk {chunk}");
        for (a, b) in got.iter().zip(&cmds) {
            assert_eq!(a.code, b.code);
            assert_eq!(a.body, b.body);
            assert_eq!(
                a.ext_fields.as_ref().map(|e| e.len()),
                b.ext_fields.as_ref().map(|e| e.len())
            );
        }
    }
}

#[test]
fn length_field_limits() {
    let mut codec = RemotingCodec::default();
    // -1 read unsigned: 4 GiB, too long
    for len in [0xFFFF_FFFFu32, 0x8000_0000, 16_777_213, 16_777_217] {
        let mut b = BytesMut::from(&len.to_be_bytes()[..]);
        assert!(
            matches!(
                codec.decode(&mut b),
                Err(ProtocolError::FrameTooLarge { .. })
            ),
            "{len}"
        );
    }
    // the largest accepted length waits for data
    let mut b = BytesMut::from(&16_777_212u32.to_be_bytes()[..]);
    assert!(matches!(codec.decode(&mut b), Ok(None)));
    // a smaller custom limit
    let mut small = RemotingCodec::with_max_frame(64);
    let mut b = BytesMut::from(&61u32.to_be_bytes()[..]);
    assert!(small.decode(&mut b).is_err());
    // length 0 and lengths too small for the header-length int
    for len in 0u32..4 {
        let mut f = len.to_be_bytes().to_vec();
        f.extend(std::iter::repeat_n(0, len as usize));
        assert_err(&f, &format!("length {len}"));
    }
}

#[test]
fn trailing_bytes_after_a_frame_are_an_error() {
    let f = encode_frame(&sample_commands()[0]);
    let mut g = f.to_vec();
    g.push(0);
    assert_err(&g, "trailing byte");
    // but the streaming decoder leaves them for the next frame
    let mut codec = RemotingCodec::default();
    let mut buf = BytesMut::from(&g[..]);
    assert!(codec.decode(&mut buf).unwrap().is_some());
    assert_eq!(&buf[..], &[0]);
}

#[test]
fn bad_serialize_type() {
    for cmd in sample_commands() {
        let f = encode_frame(&cmd);
        for t in [2u8, 3, 0x7f, 0x80, 0xff] {
            let mut g = f.to_vec();
            g[4] = t;
            assert!(
                matches!(decode_frame(&g), Err(ProtocolError::BadSerializeType(x)) if x == t),
                "type {t}"
            );
        }
    }
}

#[test]
fn header_length_beyond_frame() {
    for cmd in sample_commands() {
        let f = encode_frame(&cmd);
        let total = u32::from_be_bytes([f[0], f[1], f[2], f[3]]);
        let hl = u32::from_be_bytes([f[4], f[5], f[6], f[7]]) & 0xFF_FFFF;
        for bad in [total - 3, total, hl + 1_000, 0xFF_FFFF] {
            if bad <= total - 4 {
                continue;
            }
            let mut g = f.to_vec();
            g[5..8].copy_from_slice(&bad.to_be_bytes()[1..]);
            assert_err(&g, &format!("header length {bad}"));
        }
    }
}

#[test]
fn invalid_json_headers() {
    let bad: &[&[u8]] = &[
        b"",
        b" ",
        b"{",
        b"}",
        b"[]",
        b"123",
        b"\"code\"",
        b"null",
        b"{\"code\":105}garbage",
        b"{\"code\":105}{}",
        b"{\"code\":\"x\"}",
        b"{\"code\":1.5e400}",
        b"{\"opaque\":4294967295}",
        b"{\"flag\":[1]}",
        b"{\"extFields\":[1,2]}",
        b"{\"extFields\":\"a\"}",
        b"\xff\xfe{}",
        b"{\"remark\":\"\\ud800\"}x",
    ];
    for h in bad {
        assert!(
            decode_json_header(h).is_err(),
            "{:?}",
            String::from_utf8_lossy(h)
        );
        assert_err(
            &frame_with(0, h, b""),
            &format!("{:?}", String::from_utf8_lossy(h)),
        );
    }
    // lenient forms Java also accepts
    let ok = decode_json_header(
        br#"{"CODE":"105","Opaque":3,"extFields":{"queueId":0,"flag":true,"x":null,"y":1.5}}"#,
    )
    .expect("lenient");
    assert_eq!(ok.code, 105);
    assert_eq!(ok.opaque, 3);
    assert_eq!(ok.ext("queueId"), Some("0"));
    assert_eq!(ok.ext("flag"), Some("true"));
    assert_eq!(ok.ext("y"), Some("1.5"));
    assert!(decode_json_header(b"{}").is_ok());
}

#[test]
fn rocketmq_header_shorter_than_21_bytes() {
    let full = rmq_header(0, b"", 0, b"");
    assert_eq!(full.len(), 21);
    assert!(decode_rocketmq_header(&full).is_ok());
    for n in 0..21 {
        assert!(decode_rocketmq_header(&full[..n]).is_err(), "{n} bytes");
        assert_err(&frame_with(1, &full[..n], b""), &format!("{n}-byte header"));
    }
}

#[test]
fn rocketmq_lengths_beyond_bounds() {
    let entry = |kl: i16, k: &[u8], vl: i32, v: &[u8]| {
        let mut e = Vec::new();
        e.put_i16(kl);
        e.extend_from_slice(k);
        e.put_i32(vl);
        e.extend_from_slice(v);
        e
    };
    let good = entry(5, b"topic", 1, b"T");
    assert!(decode_rocketmq_header(&rmq_header(0, b"", good.len() as i32, &good)).is_ok());

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("negative remark length", rmq_header(-1, b"", 0, b"")),
        ("remark length > header", rmq_header(1000, b"abc", 0, b"")),
        (
            "remark eats the ext length",
            rmq_header(4, b"abcd", 0, b"")[..21].to_vec(),
        ),
        ("negative ext length", rmq_header(0, b"", -5, &good)),
        (
            "ext length > rest",
            rmq_header(0, b"", good.len() as i32 + 1, &good),
        ),
        ("ext length huge", rmq_header(0, b"", i32::MAX, &good)),
        (
            "key length > ext",
            rmq_header(0, b"", 12, &entry(100, b"topic", 1, b"T")[..12]),
        ),
        (
            "negative key length",
            rmq_header(0, b"", good.len() as i32, &entry(-1, b"topic", 1, b"T")),
        ),
        (
            "value length > ext",
            rmq_header(0, b"", good.len() as i32, &entry(5, b"topic", 99, b"T")),
        ),
        (
            "negative value length",
            rmq_header(0, b"", good.len() as i32, &entry(5, b"topic", -1, b"T")),
        ),
        ("truncated key length", rmq_header(0, b"", 1, &[0])),
        (
            "truncated value length",
            rmq_header(0, b"", 9, &entry(5, b"topic", 1, b"T")[..9]),
        ),
    ];
    for (what, h) in cases {
        assert!(decode_rocketmq_header(&h).is_err(), "{what}");
        assert_err(&frame_with(1, &h, b"body"), what);
    }
}

#[test]
fn zero_length_strings_read_as_absent() {
    // T7: a zero-length remark is null; a zero-length value drops the entry in our decoder
    // (Java keeps the key with a null value), a zero-length key is dropped too.
    let mut ext = Vec::new();
    ext.put_i16(1);
    ext.put_u8(b'a');
    ext.put_i32(0);
    ext.put_i16(0);
    ext.put_i32(1);
    ext.put_u8(b'v');
    ext.put_i16(1);
    ext.put_u8(b'b');
    ext.put_i32(1);
    ext.put_u8(b'x');
    let cmd = decode_rocketmq_header(&rmq_header(0, b"", ext.len() as i32, &ext)).unwrap();
    assert_eq!(cmd.remark, None);
    let e = cmd.ext_fields.unwrap();
    assert_eq!(e.get("a"), None);
    assert_eq!(e.get("b"), Some("x"));
    assert_eq!(e.len(), 1);
}

#[test]
fn signed_short_code_and_unknown_language() {
    let mut cmd = RemotingCommand::response(40000, None);
    cmd.serialize_type = SerializeType::RocketMq;
    cmd.language = LanguageCode(200);
    let back = decode_frame(&encode_frame(&cmd)).unwrap();
    assert_eq!(back.code, -25536);
    assert_eq!(back.language, LanguageCode(200));
}

// ---------------------------------------------------------------------------------------------
// typed headers

#[test]
fn missing_required_fields_are_errors() {
    let empty = ExtFields::new();
    assert!(matches!(
        GetRouteInfoRequestHeader::from_ext_fields(&empty),
        Err(ProtocolError::MissingField("topic"))
    ));
    assert!(matches!(
        SendMessageRequestHeaderV2::from_ext_fields(&empty),
        Err(ProtocolError::MissingField("a"))
    ));
    let mut ext = ExtFields::new();
    for (k, v) in [
        ("consumerGroup", "CG"),
        ("topic", "T"),
        ("queueId", "0"),
        ("queueOffset", "0"),
        ("maxMsgNums", "32"),
        ("sysFlag", "2"),
        ("commitOffset", "0"),
        ("suspendTimeoutMillis", "15000"),
    ] {
        ext.insert(k, v);
    }
    assert!(matches!(
        PullMessageRequestHeader::from_ext_fields(&ext),
        Err(ProtocolError::MissingField("subVersion"))
    ));
    ext.insert("subVersion", "not a number");
    assert!(matches!(
        PullMessageRequestHeader::from_ext_fields(&ext),
        Err(ProtocolError::BadField {
            field: "subVersion",
            ..
        })
    ));
    for bad in [" 1", "1 ", "", "0x10", "9223372036854775808", "1.0"] {
        ext.insert("subVersion", bad);
        assert!(
            PullMessageRequestHeader::from_ext_fields(&ext).is_err(),
            "{bad:?}"
        );
    }
    // Java's Long.parseLong accepts a leading '+', and so do we
    ext.insert("subVersion", "+5");
    assert_eq!(
        PullMessageRequestHeader::from_ext_fields(&ext)
            .unwrap()
            .sub_version,
        5
    );

    // every class: the empty map either decodes (no required field) or names a missing field;
    // garbage in every key never panics
    let mut garbage = ExtFields::new();
    for k in [
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        "h",
        "i",
        "j",
        "k",
        "l",
        "m",
        "n",
        "topic",
        "queueId",
        "offset",
        "brokerId",
        "timestamp",
        "consumerGroup",
        "commitOffset",
        "bodyCrc32",
        "compressed",
    ] {
        garbage.insert(k, "\u{0}é?");
    }
    let mut with_required = 0;
    for class in HEADER_CLASSES {
        match reflatten(class, &empty).expect("known class") {
            Ok(out) => assert!(out.iter().all(|(_, v)| v == "false"), "{class}: {out:?}"),
            Err(ProtocolError::MissingField(_)) => with_required += 1,
            Err(e) => panic!("{class}: {e}"),
        }
        let _ = reflatten(class, &garbage);
    }
    assert!(with_required > 50, "{with_required}");
}

#[test]
fn header_on_command_without_ext_fields() {
    let cmd = RemotingCommand::request(105);
    assert!(cmd.decode_header::<GetRouteInfoRequestHeader>().is_err());
    assert!(cmd
        .decode_header::<protocol::header::GetAllProducerInfoRequestHeader>()
        .is_ok());
}

// ---------------------------------------------------------------------------------------------
// message decoders

fn sample_message() -> Vec<u8> {
    let mut m = message::MessageExt {
        topic: "TopicTest".into(),
        body: Bytes::from_static(b"Hello"),
        queue_id: 1,
        queue_offset: 2,
        commit_log_offset: 0x1234,
        born_timestamp: 1_700_000_000_000,
        born_host: "127.0.0.1:54321".parse().unwrap(),
        store_timestamp: 1_700_000_000_123,
        store_host: "[fe80::1]:10911".parse().unwrap(),
        sys_flag: 0x20,
        ..Default::default()
    };
    m.put_property("k", "v");
    m.put_property("TAGS", "TagA");
    message::encode(&m).expect("encode")
}

fn sample_batch() -> Vec<u8> {
    let mut a = message::BatchMessage {
        flag: 5,
        body: Bytes::from_static(b"A"),
        ..Default::default()
    };
    a.properties.insert("WAIT".into(), "true".into());
    let b = message::BatchMessage {
        body: Bytes::from_static(b"BC"),
        ..Default::default()
    };
    message::encode_batch(&[a, b]).expect("encode batch")
}

fn poke_message_decoders(buf: &[u8]) {
    let b = Bytes::copy_from_slice(buf);
    let _ = message::parse_view(buf);
    let _ = message::decode(&b, DecodeOptions::default());
    let _ = message::decode_slice(
        buf,
        DecodeOptions {
            read_body: true,
            decompress_body: true,
        },
    );
    let _ = message::decode_all(&b, DecodeOptions::default());
    let _ = message::try_decode_all(&b, DecodeOptions::default());
    let _ = message::decode_properties(buf);
    let _ = message::decode_batch(&b);
    for _ in message::iter_batch(buf).take(10_000) {}
    let s = String::from_utf8_lossy(buf);
    let _ = message::string_to_properties(&s);
    let _ = message::decode_offset_msg_id(&s);
    let _ = message::decode_uniq_id(&s);
}

#[test]
fn truncated_messages_are_errors() {
    let m = sample_message();
    assert!(message::decode_slice(&m, DecodeOptions::default()).is_ok());
    for i in 0..m.len() {
        assert!(
            message::decode_slice(&m[..i], DecodeOptions::default()).is_err(),
            "prefix {i}"
        );
        poke_message_decoders(&m[..i]);
    }
    let batch = sample_batch();
    assert_eq!(
        message::decode_batch(&Bytes::from(batch.clone()))
            .unwrap()
            .len(),
        2
    );
    for i in 1..batch.len() {
        // a cut inside the first member is an error; a cut at a member boundary is a shorter batch
        let r = message::decode_batch(&Bytes::copy_from_slice(&batch[..i]));
        if let Ok(v) = r {
            assert!(v.len() < 2, "prefix {i}");
        }
        poke_message_decoders(&batch[..i]);
    }
}

#[test]
fn corrupted_message_lengths_do_not_panic() {
    let m = sample_message();
    // every int-sized field overwritten with extreme values
    for pos in (0..m.len().saturating_sub(4)).step_by(1) {
        for v in [0i32, -1, i32::MIN, i32::MAX, 1, 0x7F, 0x80] {
            let mut g = m.clone();
            g[pos..pos + 4].copy_from_slice(&v.to_be_bytes());
            poke_message_decoders(&g);
        }
    }
    // compressed flag on an uncompressed body: an error when inflating, not a panic
    let mut g = m.clone();
    g[36..40].copy_from_slice(&(0x21i32 | 0x300).to_be_bytes());
    assert!(message::decode_slice(
        &g,
        DecodeOptions {
            read_body: true,
            decompress_body: true
        }
    )
    .is_err());
}

// ---------------------------------------------------------------------------------------------
// seeded random fuzzing

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const INTERESTING: [u32; 10] = [
    0,
    1,
    4,
    20,
    21,
    0x7F,
    0xFFFF,
    0x00FF_FFFF,
    0x7FFF_FFFF,
    0xFFFF_FFFF,
];

fn mutate(rng: &mut Rng, seed: &[u8], pool: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seed.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        match rng.below(9) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            2 => {
                let n = rng.below(v.len() + 1);
                v.truncate(n);
            }
            3 if v.len() >= 4 => {
                let i = rng.below(v.len() - 3);
                let x = INTERESTING[rng.below(INTERESTING.len())];
                v[i..i + 4].copy_from_slice(&x.to_be_bytes());
            }
            4 if v.len() >= 2 => {
                let i = rng.below(v.len() - 1);
                let x = INTERESTING[rng.below(INTERESTING.len())] as u16;
                v[i..i + 2].copy_from_slice(&x.to_be_bytes());
            }
            5 => {
                let i = rng.below(v.len() + 1);
                let n = rng.below(16);
                let junk = rng.bytes(n);
                v.splice(i..i, junk);
            }
            6 if !v.is_empty() => {
                let i = rng.below(v.len());
                let j = i + rng.below(v.len() - i + 1);
                v.drain(i..j);
            }
            7 => {
                let other = &pool[rng.below(pool.len())];
                let cut = rng.below(other.len() + 1);
                let at = rng.below(v.len() + 1);
                v.truncate(at);
                v.extend_from_slice(&other[cut..]);
            }
            _ if v.len() >= 8 => {
                // keep the frame self-consistent so the header decoder is reached
                let total = (v.len() - 4) as u32;
                v[..4].copy_from_slice(&total.to_be_bytes());
            }
            _ => {}
        }
    }
    v
}

#[test]
fn random_frames_never_panic() {
    let seed: u64 = std::env::var("RMQ_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
                | 1
        });
    let iters: usize = std::env::var("RMQ_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    println!("random_frames_never_panic: seed={seed} iters={iters} (replay: RMQ_FUZZ_SEED={seed})");
    let mut rng = Rng(seed);

    let mut pool: Vec<Vec<u8>> = sample_commands()
        .iter()
        .map(|c| encode_frame(c).to_vec())
        .collect();
    pool.push(sample_message());
    pool.push(sample_batch());
    pool.push(frame_with(
        0,
        br#"{"code":105,"extFields":{"topic":"T"},"opaque":1}"#,
        b"",
    ));
    pool.push(frame_with(1, &rmq_header(2, b"hi", 0, b""), b"xyz"));

    let mut ok = 0usize;
    for n in 0..iters {
        let input = if n % 10 == 0 {
            let len = rng.below(64);
            rng.bytes(len)
        } else {
            let s = &pool[rng.below(pool.len())];
            mutate(&mut rng, s, &pool)
        };
        if decode_frame(&input).is_ok() {
            ok += 1;
        }
        if input.len() >= 4 {
            let _ = decode_frame_body(Bytes::copy_from_slice(&input[4..]));
            let _ = decode_json_header(&input[4..]);
            let _ = decode_rocketmq_header(&input[4..]);
        }
        // streaming: the input twice, fed in random chunks
        let mut codec = RemotingCodec::with_max_frame(1 << 20);
        let mut buf = BytesMut::new();
        let doubled = [input.as_slice(), input.as_slice()].concat();
        let mut rest = doubled.as_slice();
        'feed: while !rest.is_empty() {
            let k = 1 + rng.below(rest.len());
            buf.extend_from_slice(&rest[..k]);
            rest = &rest[k..];
            loop {
                match codec.decode(&mut buf) {
                    Ok(Some(cmd)) => {
                        // whatever decodes must re-encode and decode to the same command
                        let again = decode_frame(&encode_frame(&cmd)).expect("re-decode");
                        assert_eq!(again.code as i16, cmd.code as i16);
                        assert_eq!(again.body, cmd.body);
                    }
                    Ok(None) => break,
                    Err(_) => break 'feed,
                }
            }
        }
        poke_message_decoders(&input);
    }
    println!("random_frames_never_panic: {ok} of {iters} inputs decoded as frames");
}
