//! Unit tests for the message codecs (golden vectors from protocol.md §10 / store.md §2.1).

use super::*;
use bytes::Bytes;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    util::hex_to_bytes(&s).unwrap()
}

fn g18() -> MessageExt {
    let mut m = MessageExt {
        topic: "TopicTest".into(),
        body: Bytes::from_static(b"Hello"),
        queue_id: 1,
        queue_offset: 2,
        commit_log_offset: 0x1234,
        born_timestamp: 1700000000000,
        born_host: "127.0.0.1:54321".parse().unwrap(),
        store_timestamp: 1700000000123,
        store_host: "127.0.0.1:10911".parse().unwrap(),
        body_crc: body_crc32(b"Hello"),
        ..Default::default()
    };
    m.put_property("k", "v");
    m.put_property("TAGS", "TagA");
    m
}

const G18_HEX: &str =
    "00000076 daa320a7 77d18982 00000001 00000000 0000000000000002 0000000000001234 00000000
 0000018bcfe56800 7f000001 0000d431 0000018bcfe5687b 7f000001 00002a9f 00000000 0000000000000000
 00000005 48656c6c6f 09 546f70696354657374 000d 6b 01 76 02 54414753 01 54616741";

#[test]
fn g18_encode_decode() {
    let m = g18();
    let enc = encode(&m).unwrap();
    assert_eq!(enc, unhex(G18_HEX));
    assert_eq!(enc.len(), 118);
    let (d, n) = decode(&Bytes::from(enc.clone()), DecodeOptions::default()).unwrap();
    assert_eq!(n, 118);
    let mut expect = m.clone();
    expect.store_size = 118;
    expect.msg_id = expect.offset_msg_id();
    assert_eq!(d, expect);
    assert_eq!(d.msg_id, "7F00000100002A9F0000000000001234");
    assert_eq!(d.tags(), Some("TagA"));
    assert_eq!(d.tags_code(), 2598919);
    let props = decode_properties(&enc).unwrap();
    assert_eq!(props.get("k").map(String::as_str), Some("v"));
}

#[test]
fn g18b_ipv6() {
    let mut m = g18();
    m.born_host = "[::1]:1".parse().unwrap();
    m.store_host = "[fe80::1]:10911".parse().unwrap();
    let enc = encode(&m).unwrap();
    assert_eq!(enc.len(), 118 + 24);
    let v = parse_view(&enc).unwrap();
    assert_eq!(v.header.sys_flag, 0x30);
    assert_eq!(v.total_size, 142);
    assert_eq!(
        &enc[48..68],
        &unhex("00000000000000000000000000000001 00000001")[..]
    );
    assert_eq!(codec::store_timestamp_position(0x30), 68);
    assert_eq!(
        &enc[76..96],
        &unhex("fe800000000000000000000000000001 00002a9f")[..]
    );
    let (d, _) = decode_slice(&enc, DecodeOptions::default()).unwrap();
    assert_eq!(d.born_host, m.born_host);
    assert_eq!(d.store_host, m.store_host);
    assert_eq!(d.msg_id.len(), 56);
    assert_eq!(d.body, m.body);
}

#[test]
fn store_md_worked_example() {
    let expect = unhex(
        "00 00 00 95 da a3 20 a7 69 c8 65 ed 00 00 00 01
         00 00 00 00 00 00 00 00 00 00 00 07 00 00 00 00
         00 00 00 00 00 00 00 00 00 00 01 8b cf e5 68 00
         7f 00 00 01 00 00 cf 08 00 00 01 8b cf e5 68 7b
         c0 a8 00 0a 00 00 2a 9f 00 00 00 00 00 00 00 00
         00 00 00 00 00 00 00 0e 48 65 6c 6c 6f 20 52 6f
         63 6b 65 74 4d 51 09 54 6f 70 69 63 54 65 73 74
         00 23 4b 45 59 53 01 4f 72 64 65 72 49 44 30 30
         31 02 54 41 47 53 01 54 61 67 41 02 57 41 49 54
         01 74 72 75 65",
    );
    let h = RecordHeader {
        body_crc: body_crc32(b"Hello RocketMQ"),
        queue_id: 1,
        flag: 0,
        queue_offset: 7,
        physical_offset: 0,
        sys_flag: 0,
        born_timestamp: 1700000000000,
        born_host: "127.0.0.1:53000".parse().unwrap(),
        store_timestamp: 1700000000123,
        store_host: "192.168.0.10:10911".parse().unwrap(),
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    };
    let mut out = Vec::new();
    let n = codec::write_record(
        &mut out,
        &h,
        b"Hello RocketMQ",
        b"TopicTest",
        "KEYS\u{1}OrderID001\u{2}TAGS\u{1}TagA\u{2}WAIT\u{1}true".as_bytes(),
    )
    .unwrap();
    assert_eq!(n, 149);
    assert_eq!(out, expect);
    assert_eq!(calc_msg_length(0, 14, 9, 35), 149);
    let v = parse_view(&out).unwrap();
    assert_eq!(v.header, h);
    assert_eq!(v.magic, MESSAGE_MAGIC_CODE);
    assert_eq!(v.body(), b"Hello RocketMQ");
    assert_eq!(v.topic_str(), "TopicTest");
}

#[test]
fn decode_all_concatenated_and_truncated() {
    let mut buf = Vec::new();
    for i in 0..5 {
        let mut m = g18();
        m.queue_offset = i;
        m.body = Bytes::from(format!("body-{i}"));
        buf.extend(encode(&m).unwrap());
    }
    let full = Bytes::from(buf.clone());
    let all = decode_all(&full, DecodeOptions::default());
    assert_eq!(all.len(), 5);
    assert_eq!(all[3].body, Bytes::from_static(b"body-3"));
    assert_eq!(all[4].queue_offset, 4);
    // zero-copy: body points into the buffer
    let p = all[2].body.as_ptr() as usize;
    assert!(p >= full.as_ptr() as usize && p < full.as_ptr() as usize + full.len());
    // truncated tail: decode_all stops, try_decode_all errors
    let cut = Bytes::from(buf[..buf.len() - 3].to_vec());
    assert_eq!(decode_all(&cut, DecodeOptions::default()).len(), 4);
    assert!(try_decode_all(&cut, DecodeOptions::default()).is_err());
    assert!(parse_view(&[0u8; 10]).is_err());
}

#[test]
fn compressed_body() {
    let plain: Vec<u8> = (0..10000u32).map(|i| (i % 17) as u8).collect();
    let z = codec::compress_zlib(&plain, 5).unwrap();
    let mut m = g18();
    m.sys_flag = sysflag::COMPRESSED_FLAG | sysflag::COMPRESSION_ZLIB_TYPE;
    m.body = Bytes::from(z.clone());
    m.body_crc = body_crc32(&z);
    let enc = Bytes::from(encode(&m).unwrap());
    let (d, _) = decode(&enc, DecodeOptions::default()).unwrap();
    assert_eq!(d.body, Bytes::from(z.clone()));
    assert!(d.is_compressed());
    assert_eq!(d.decompressed_body().unwrap(), Bytes::from(plain.clone()));
    let opts = DecodeOptions {
        read_body: true,
        decompress_body: true,
    };
    let (d2, _) = decode(&enc, opts).unwrap();
    assert_eq!(d2.body, Bytes::from(plain.clone()));
    assert_eq!(d2.sys_flag, 0x301);
    // legacy type 0 = zlib
    assert_eq!(codec::decompress(&z, 1).unwrap(), plain);
    // lz4 unsupported
    assert!(codec::decompress(&z, 0x101).is_err());
    let nb = DecodeOptions {
        read_body: false,
        decompress_body: false,
    };
    assert!(decode(&enc, nb).unwrap().0.body.is_empty());
}

#[test]
fn batch_g20() {
    let expect = unhex(
        "00000036 00000000 00000000 00000000 00000001 41 001f
         554e49515f4b4559 01 5531 02 57414954 01 74727565 02 54414753 01 54616741
         00000021 00000000 00000000 00000005 00000002 4243 0009 57414954 01 74727565",
    );
    let mut p1 = Properties::new();
    p1.insert("UNIQ_KEY".into(), "U1".into());
    p1.insert("WAIT".into(), "true".into());
    p1.insert("TAGS".into(), "TagA".into());
    let mut p2 = Properties::new();
    p2.insert("WAIT".into(), "true".into());
    let msgs = vec![
        BatchMessage {
            flag: 0,
            body: Bytes::from_static(b"A"),
            properties: p1,
        },
        BatchMessage {
            flag: 5,
            body: Bytes::from_static(b"BC"),
            properties: p2,
        },
    ];
    let enc = encode_batch(&msgs).unwrap();
    assert_eq!(enc, expect);
    let dec = decode_batch(&Bytes::from(enc.clone())).unwrap();
    assert_eq!(dec, msgs);
    let refs: Vec<_> = iter_batch(&enc).collect::<Result<_, _>>().unwrap();
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[1].flag, 5);
    assert_eq!(refs[1].properties, b"WAIT\x01true");
    assert!(decode_batch(&Bytes::from(enc[..enc.len() - 1].to_vec())).is_err());
    assert!(decode_batch(&Bytes::new()).unwrap().is_empty());
}

#[test]
fn helpers() {
    let mut m = MessageExt::default();
    assert!(m.wait_store_msg_ok());
    assert_eq!(m.delay_time_level(), 0);
    m.put_property(property::KEYS, "k1  k2 k3");
    m.put_property(property::DELAY, "3");
    m.put_property(property::WAIT, "false");
    m.put_property(property::UNIQ_KEY, "ABC");
    assert_eq!(m.keys(), vec!["k1", "k2", "k3"]);
    assert_eq!(m.delay_time_level(), 3);
    assert!(!m.wait_store_msg_ok());
    assert_eq!(m.uniq_key(), Some("ABC"));
    assert_eq!(m.remove_property(property::DELAY).as_deref(), Some("3"));
    assert_eq!(
        m.properties_string(),
        "KEYS\u{1}k1  k2 k3\u{2}WAIT\u{1}false\u{2}UNIQ_KEY\u{1}ABC"
    );
    m.topic = "x".repeat(128);
    assert!(matches!(encode(&m), Err(MessageError::BadMessage(_))));
    assert_eq!(sysflag::pull::build(true, true, false, false), 3);
    assert_eq!(
        sysflag::reset_transaction_value(0x13, sysflag::TRANSACTION_COMMIT_TYPE),
        0x1B
    );
}
