//! Small helpers shared by the message codecs: Java `String.hashCode`, body CRC, hex.
//!
//! Mirrors Java `String.hashCode`, `UtilAll.crc32`, `UtilAll.bytes2string` / `string2bytes`,
//! `MessageExtBrokerInner.tagsString2tagsCode`.

/// Java `String.hashCode()`: `h = 31*h + c` over the UTF-16 code units, wrapping `int`.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(i32::from(u)))
}

/// Tags hash code stored in consume-queue entries: `(long) tags.hashCode()`, 0 for empty/none
/// (`MessageExtBrokerInner.tagsString2tagsCode`).
pub fn tags_hash_code(tags: &str) -> i64 {
    if tags.is_empty() {
        0
    } else {
        i64::from(java_string_hash(tags))
    }
}

/// Body CRC as stored in commitlog records: CRC-32 (IEEE) masked with `0x7FFFFFFF`
/// (`UtilAll.crc32`).
pub fn body_crc32(body: &[u8]) -> i32 {
    (crc32fast::hash(body) & 0x7FFF_FFFF) as i32
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Upper-case hex (`UtilAll.bytes2string`).
pub fn bytes_to_hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(char::from(HEX[usize::from(x >> 4)]));
        s.push(char::from(HEX[usize::from(x & 0xF)]));
    }
    s
}

/// Parse hex (either case) into bytes (`UtilAll.string2bytes`); `None` on odd length or a
/// non-hex digit.
pub fn hex_to_bytes(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() & 1 != 0 {
        return None;
    }
    fn nib(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    b.chunks_exact(2)
        .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hashes() {
        assert_eq!(tags_hash_code("TagA"), 2598919);
        assert_eq!(tags_hash_code("TagB"), 2598920);
        assert_eq!(tags_hash_code("*"), 42);
        assert_eq!(tags_hash_code("中文"), 646394);
        assert_eq!(tags_hash_code("Order_Created_Event"), -120453390);
        assert_eq!(tags_hash_code(""), 0);
        assert_eq!(java_string_hash("TopicTest#OrderID001"), -1231272886);
        // supplementary plane: two UTF-16 units
        assert_eq!(java_string_hash("\u{1F600}"), 0xD83D * 31 + 0xDE00);
    }

    #[test]
    fn crc_and_hex() {
        assert_eq!(body_crc32(b"Hello RocketMQ"), 0x69C865ED);
        assert_eq!(body_crc32(b"Hello"), 0x77d18982);
        assert_eq!(bytes_to_hex(&[0xC0, 0xA8, 0, 1]), "C0A80001");
        assert_eq!(hex_to_bytes("c0A80001"), Some(vec![0xC0, 0xA8, 0, 1]));
        assert_eq!(hex_to_bytes("C0A"), None);
        assert_eq!(hex_to_bytes("ZZ"), None);
    }
}
