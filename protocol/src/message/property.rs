//! Message property names and the properties string codec.
//!
//! Mirrors Java `MessageConst` (names) and `MessageDecoder.messageProperties2String` /
//! `string2messageProperties` (codec).
//!
//! Wire form: `name 0x01 value 0x02 name 0x01 value ...` — pairs joined by `0x02`, no trailing
//! separator, UTF-8. Entries are emitted in map order. The parser is lenient like Java's: a segment
//! (between `0x02`s) is kept only if it has a non-empty name and a non-empty value separated by the
//! first `0x01`; everything else is silently skipped. A later duplicate name overwrites the value
//! (keeping the first position in the ordered map).

use indexmap::IndexMap;

/// Ordered property map (insertion order is preserved so a decode/encode round-trip is exact).
pub type Properties = IndexMap<String, String>;

/// `MessageDecoder.NAME_VALUE_SEPARATOR`.
pub const NAME_VALUE_SEPARATOR: char = '\u{1}';
/// `MessageDecoder.PROPERTY_SEPARATOR`.
pub const PROPERTY_SEPARATOR: char = '\u{2}';

/// `MessageConst.KEY_SEPARATOR` (between keys of `KEYS`).
pub const KEY_SEPARATOR: &str = " ";

/// `MessageConst.PROPERTY_KEYS`
pub const KEYS: &str = "KEYS";
/// `MessageConst.PROPERTY_TAGS`
pub const TAGS: &str = "TAGS";
/// `MessageConst.PROPERTY_WAIT_STORE_MSG_OK`
pub const WAIT: &str = "WAIT";
/// `MessageConst.PROPERTY_DELAY_TIME_LEVEL`
pub const DELAY: &str = "DELAY";
/// `MessageConst.PROPERTY_RETRY_TOPIC`
pub const RETRY_TOPIC: &str = "RETRY_TOPIC";
/// `MessageConst.PROPERTY_REAL_TOPIC`
pub const REAL_TOPIC: &str = "REAL_TOPIC";
/// `MessageConst.PROPERTY_REAL_QUEUE_ID`
pub const REAL_QID: &str = "REAL_QID";
/// `MessageConst.PROPERTY_TRANSACTION_PREPARED`
pub const TRAN_MSG: &str = "TRAN_MSG";
/// `MessageConst.PROPERTY_PRODUCER_GROUP`
pub const PGROUP: &str = "PGROUP";
/// `MessageConst.PROPERTY_MIN_OFFSET`
pub const MIN_OFFSET: &str = "MIN_OFFSET";
/// `MessageConst.PROPERTY_MAX_OFFSET`
pub const MAX_OFFSET: &str = "MAX_OFFSET";
/// `MessageConst.PROPERTY_BUYER_ID`
pub const BUYER_ID: &str = "BUYER_ID";
/// `MessageConst.PROPERTY_ORIGIN_MESSAGE_ID`
pub const ORIGIN_MESSAGE_ID: &str = "ORIGIN_MESSAGE_ID";
/// `MessageConst.PROPERTY_TRANSFER_FLAG`
pub const TRANSFER_FLAG: &str = "TRANSFER_FLAG";
/// `MessageConst.PROPERTY_CORRECTION_FLAG`
pub const CORRECTION_FLAG: &str = "CORRECTION_FLAG";
/// `MessageConst.PROPERTY_MQ2_FLAG`
pub const MQ2_FLAG: &str = "MQ2_FLAG";
/// `MessageConst.PROPERTY_RECONSUME_TIME`
pub const RECONSUME_TIME: &str = "RECONSUME_TIME";
/// `MessageConst.PROPERTY_MSG_REGION`
pub const MSG_REGION: &str = "MSG_REGION";
/// `MessageConst.PROPERTY_TRACE_SWITCH`
pub const TRACE_ON: &str = "TRACE_ON";
/// `MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX`
pub const UNIQ_KEY: &str = "UNIQ_KEY";
/// `MessageConst.PROPERTY_MAX_RECONSUME_TIMES`
pub const MAX_RECONSUME_TIMES: &str = "MAX_RECONSUME_TIMES";
/// `MessageConst.PROPERTY_CONSUME_START_TIMESTAMP`
pub const CONSUME_START_TIME: &str = "CONSUME_START_TIME";
/// `MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET`
pub const TRAN_PREPARED_QUEUE_OFFSET: &str = "TRAN_PREPARED_QUEUE_OFFSET";
/// `MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES`
pub const TRANSACTION_CHECK_TIMES: &str = "TRANSACTION_CHECK_TIMES";
/// `MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS`
pub const CHECK_IMMUNITY_TIME_IN_SECONDS: &str = "CHECK_IMMUNITY_TIME_IN_SECONDS";
/// `MessageConst.PROPERTY_INSTANCE_ID`
pub const INSTANCE_ID: &str = "INSTANCE_ID";
/// `MessageConst.PROPERTY_CORRELATION_ID`
pub const CORRELATION_ID: &str = "CORRELATION_ID";
/// `MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT`
pub const REPLY_TO_CLIENT: &str = "REPLY_TO_CLIENT";
/// `MessageConst.PROPERTY_MESSAGE_TTL`
pub const TTL: &str = "TTL";
/// `MessageConst.PROPERTY_REPLY_MESSAGE_ARRIVE_TIME`
pub const ARRIVE_TIME: &str = "ARRIVE_TIME";
/// `MessageConst.PROPERTY_PUSH_REPLY_TIME`
pub const PUSH_REPLY_TIME: &str = "PUSH_REPLY_TIME";
/// `MessageConst.PROPERTY_CLUSTER`
pub const CLUSTER: &str = "CLUSTER";
/// `MessageConst.PROPERTY_MESSAGE_TYPE`
pub const MSG_TYPE: &str = "MSG_TYPE";
/// `MessageConst.PROPERTY_INNER_MULTI_DISPATCH`
pub const INNER_MULTI_DISPATCH: &str = "INNER_MULTI_DISPATCH";
/// `MessageConst.PROPERTY_INNER_MULTI_QUEUE_OFFSET`
pub const INNER_MULTI_QUEUE_OFFSET: &str = "INNER_MULTI_QUEUE_OFFSET";

/// `MessageConst.STRING_HASH_SET`: names reserved by the system (a producer may not set them
/// as user properties).
pub const SYSTEM_PROPERTY_NAMES: &[&str] = &[
    TRACE_ON,
    MSG_REGION,
    KEYS,
    TAGS,
    WAIT,
    DELAY,
    RETRY_TOPIC,
    REAL_TOPIC,
    REAL_QID,
    TRAN_MSG,
    PGROUP,
    MIN_OFFSET,
    MAX_OFFSET,
    BUYER_ID,
    ORIGIN_MESSAGE_ID,
    TRANSFER_FLAG,
    CORRECTION_FLAG,
    MQ2_FLAG,
    RECONSUME_TIME,
    UNIQ_KEY,
    MAX_RECONSUME_TIMES,
    CONSUME_START_TIME,
    INSTANCE_ID,
    CORRELATION_ID,
    REPLY_TO_CLIENT,
    TTL,
    ARRIVE_TIME,
    PUSH_REPLY_TIME,
    CLUSTER,
    MSG_TYPE,
    INNER_MULTI_QUEUE_OFFSET,
];

/// Encode a property map (`MessageDecoder.messageProperties2String`).
pub fn properties_to_string<'a, I, K, V>(props: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let mut s = String::new();
    for (k, v) in props {
        if !s.is_empty() {
            s.push(PROPERTY_SEPARATOR);
        }
        s.push_str(k.as_ref());
        s.push(NAME_VALUE_SEPARATOR);
        s.push_str(v.as_ref());
    }
    s
}

/// Iterate the `(name, value)` pairs of a properties string without allocating, with Java's
/// leniency rules (`MessageDecoder.string2messageProperties`).
pub fn iter_properties(s: &str) -> impl Iterator<Item = (&str, &str)> {
    s.split(PROPERTY_SEPARATOR).filter_map(|seg| {
        // Java: segment length >= 3, first 0x01 strictly inside with a non-empty value after it.
        let i = seg.find(NAME_VALUE_SEPARATOR)?;
        if i == 0 || i + 1 >= seg.len() {
            return None;
        }
        Some((&seg[..i], &seg[i + 1..]))
    })
}

/// Decode a properties string (`MessageDecoder.string2messageProperties`).
pub fn string_to_properties(s: &str) -> Properties {
    let mut m = Properties::new();
    for (k, v) in iter_properties(s) {
        m.insert(k.to_string(), v.to_string());
    }
    m
}

/// Find one property in a properties string without building a map (last occurrence wins, as
/// with Java's `HashMap.put`).
pub fn find_property<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    iter_properties(s)
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_leniency() {
        let mut p = Properties::new();
        p.insert("KEYS".into(), "OrderID001".into());
        p.insert("TAGS".into(), "TagA".into());
        p.insert("WAIT".into(), "true".into());
        let s = properties_to_string(&p);
        assert_eq!(s, "KEYS\u{1}OrderID001\u{2}TAGS\u{1}TagA\u{2}WAIT\u{1}true");
        assert_eq!(string_to_properties(&s), p);
        // examples from protocol.md section 10
        let m = string_to_properties("a\u{1}\u{2}b\u{1}1");
        assert_eq!(m.len(), 1);
        assert_eq!(m.get("b").map(String::as_str), Some("1"));
        assert!(string_to_properties("ab\u{1}").is_empty());
        assert!(string_to_properties("").is_empty());
        assert!(string_to_properties("\u{1}x\u{2}abc").is_empty());
        assert_eq!(properties_to_string(&Properties::new()), "");
        assert_eq!(find_property(&s, "TAGS"), Some("TagA"));
        assert_eq!(find_property(&s, "X"), None);
        // value containing a 0x01 is kept whole (Java splits only on the first 0x01)
        let m = string_to_properties("k\u{1}v\u{1}w");
        assert_eq!(m.get("k").map(String::as_str), Some("v\u{1}w"));
    }
}
