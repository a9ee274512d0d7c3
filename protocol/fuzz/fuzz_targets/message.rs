//! Fuzz the message decoders: stored records (single, zero-copy view, all of a pull body),
//! properties, batch bodies, offset and unique message ids. A record that decodes must
//! re-encode to the same bytes.

#![no_main]

use std::borrow::Cow;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use protocol::message::{self, DecodeOptions};

fn int_at(d: &[u8], pos: usize) -> Option<i32> {
    d.get(pos..pos + 4)
        .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn ports_in_range(d: &[u8], sys_flag: i32) -> bool {
    let born_len = if sys_flag & 0x10 != 0 { 20 } else { 8 };
    let store_len = if sys_flag & 0x20 != 0 { 20 } else { 8 };
    let born_port = 48 + born_len - 4;
    let store_port = 48 + born_len + 8 + store_len - 4;
    [born_port, store_port]
        .iter()
        .all(|&p| int_at(d, p).is_some_and(|x| (0..=65535).contains(&x)))
}

fuzz_target!(|data: &[u8]| {
    let b = Bytes::copy_from_slice(data);
    let _ = message::parse_view(data);
    if let (Ok((m, used)), Ok(view)) = (
        message::decode(&b, DecodeOptions::default()),
        message::parse_view(data),
    ) {
        // the stored body is kept as is (still compressed), so the record must re-encode to the
        // same bytes whenever its text parts are valid UTF-8 and its properties are canonical
        let topic_ok = matches!(view.topic_str(), Cow::Borrowed(_));
        let props = view.properties_str();
        let props_ok = matches!(props, Cow::Borrowed(_))
            && message::properties_to_string(&message::string_to_properties(&props)) == props;
        // Java rejects ports outside 0..=65535 (InetSocketAddress throws, decode returns null);
        // ours truncates them to u16, so such records cannot round-trip
        let ports_ok = ports_in_range(data, m.sys_flag);
        // like Java's decode, ours does not check MAGICCODE; encode always writes the real one
        let magic_ok = int_at(data, 4) == Some(message::MESSAGE_MAGIC_CODE);
        if topic_ok && props_ok && ports_ok && magic_ok && m.store_size as usize == used {
            let again = message::encode(&m).expect("a decoded record re-encodes");
            assert_eq!(again, &data[..used], "re-encoded record differs");
        }
    }
    let _ = message::decode_slice(
        data,
        DecodeOptions {
            read_body: true,
            decompress_body: true,
        },
    );
    let _ = message::decode_all(&b, DecodeOptions::default());
    let _ = message::try_decode_all(&b, DecodeOptions::default());
    let _ = message::decode_properties(data);
    if let Ok(batch) = message::decode_batch(&b) {
        let _ = message::encode_batch(&batch);
    }
    for _ in message::iter_batch(data).take(100_000) {}
    let s = String::from_utf8_lossy(data);
    let props = message::string_to_properties(&s);
    let _ = message::properties_to_string(&props);
    let _ = message::decode_offset_msg_id(&s);
    let _ = message::decode_uniq_id(&s);
});
