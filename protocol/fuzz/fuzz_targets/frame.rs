//! Fuzz the frame decoders: whole frames, frame bodies, both header codecs, and the streaming
//! tokio codec fed the input in two chunks. Anything that decodes must re-encode and decode to
//! the same code, flag, opaque, remark, ext fields and body.

#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use protocol::codec::{
    decode_frame, decode_frame_body, decode_json_header, decode_rocketmq_header, encode_frame,
    RemotingCodec,
};
use protocol::command::{RemotingCommand, SerializeType};
use tokio_util::codec::Decoder;

fn norm_ext(cmd: &RemotingCommand) -> Option<Vec<(String, String)>> {
    let mut v: Vec<(String, String)> = cmd
        .ext_fields
        .as_ref()?
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if v.is_empty() && cmd.serialize_type == SerializeType::RocketMq {
        return None; // binary: an empty map is written as length 0 and reads as absent
    }
    v.sort();
    Some(v)
}

fn check_roundtrip(cmd: &RemotingCommand) {
    let again = match decode_frame(&encode_frame(cmd)) {
        Ok(c) => c,
        Err(e) => panic!("re-decode of {cmd:?} failed: {e}"),
    };
    assert_eq!(again.code, cmd.code);
    assert_eq!(again.flag, cmd.flag);
    assert_eq!(again.opaque, cmd.opaque);
    assert_eq!(again.version, cmd.version);
    assert_eq!(again.body, cmd.body);
    let remark = |c: &RemotingCommand| match (&c.remark, c.serialize_type) {
        (Some(r), SerializeType::RocketMq) if r.is_empty() => None,
        (r, _) => r.clone(),
    };
    assert_eq!(remark(&again), remark(cmd));
    assert_eq!(norm_ext(&again), norm_ext(cmd));
}

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = decode_frame(data) {
        check_roundtrip(&cmd);
    }
    if data.len() >= 4 {
        let _ = decode_frame_body(Bytes::copy_from_slice(&data[4..]));
    }
    let _ = decode_json_header(data);
    let _ = decode_rocketmq_header(data);

    let split = if data.is_empty() {
        0
    } else {
        data[0] as usize % (data.len() + 1)
    };
    let mut codec = RemotingCodec::with_max_frame(1 << 20);
    let mut buf = BytesMut::new();
    for part in [&data[..split], &data[split..]] {
        buf.extend_from_slice(part);
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(cmd)) => check_roundtrip(&cmd),
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
});
