//! Parsers for what the Java example programs and our drivers print.

use anyhow::{anyhow, Context, Result};
use std::collections::{BTreeMap, HashSet};

/// One message as printed by `MessageExt.toString()` (e.g. by `quickstart.Consumer`:
/// `Receive New Messages: [MessageExt [brokerName=..., queueId=0, ..., msgId=..., ...,
/// toString()=Message{topic='TopicTest', flag=0, properties={...}, body=[72, 101, ...], ...}]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedMessage {
    /// `msgId=` of MessageExt: for consumed messages this is the *offset* message id
    /// (store host + commit log offset), unique per stored message.
    pub msg_id: String,
    /// `UNIQ_KEY` property (the producer-side message id printed in `SendResult`), if present.
    pub uniq_key: Option<String>,
    pub topic: Option<String>,
    pub broker_name: Option<String>,
    pub queue_id: Option<i32>,
    pub queue_offset: Option<i64>,
    pub commit_log_offset: Option<i64>,
    pub reconsume_times: Option<i32>,
    /// Raw `properties={...}` text (without braces).
    pub properties: Option<String>,
    /// Decoded `body=[..]` (Java signed bytes).
    pub body: Option<Vec<u8>>,
}

impl PrintedMessage {
    pub fn body_str(&self) -> Option<String> {
        self.body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

/// Value of `key=` in `seg`, up to the next `, ` (or `]`/`}` / end).
fn field<'a>(seg: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("{key}=");
    let mut from = 0;
    while let Some(i) = seg[from..].find(&pat) {
        let at = from + i;
        // must be at a field boundary: start, or preceded by '[', '{', ' ' or ','
        let ok = at == 0 || matches!(seg.as_bytes()[at - 1], b'[' | b'{' | b' ' | b',');
        if ok {
            let v = &seg[at + pat.len()..];
            let end = v.find([',', ']', '}']).unwrap_or(v.len());
            return Some(v[..end].trim());
        }
        from = at + pat.len();
    }
    None
}

fn parse_body(seg: &str) -> Option<Vec<u8>> {
    let i = seg.find("body=[")? + "body=[".len();
    let rest = &seg[i..];
    let end = rest.find(']')?;
    let inner = rest[..end].trim();
    if inner.is_empty() {
        return Some(Vec::new());
    }
    inner
        .split(',')
        .map(|t| t.trim().parse::<i16>().ok().map(|v| v as i8 as u8))
        .collect()
}

fn parse_properties(seg: &str) -> Option<String> {
    let i = seg.find("properties={")? + "properties={".len();
    let rest = &seg[i..];
    let end = rest.find('}')?;
    Some(rest[..end].to_string())
}

/// All messages printed as `MessageExt [...]` in `text`, in order (duplicates included).
pub fn printed_messages(text: &str) -> Vec<PrintedMessage> {
    const START: &str = "MessageExt [";
    let mut out = Vec::new();
    let starts: Vec<usize> = text.match_indices(START).map(|(i, _)| i).collect();
    for (n, &s) in starts.iter().enumerate() {
        let mut end = starts.get(n + 1).copied().unwrap_or(text.len());
        // a message never spans lines
        if let Some(nl) = text[s..end].find('\n') {
            end = s + nl;
        }
        let seg = &text[s + START.len()..end];
        let Some(msg_id) = field(seg, "msgId") else {
            continue;
        };
        let props = parse_properties(seg);
        let uniq_key = props
            .as_deref()
            .and_then(|p| field(p, "UNIQ_KEY"))
            .map(str::to_string);
        out.push(PrintedMessage {
            msg_id: msg_id.to_string(),
            uniq_key,
            topic: field(seg, "topic").map(|t| t.trim_matches('\'').to_string()),
            broker_name: field(seg, "brokerName").map(str::to_string),
            queue_id: field(seg, "queueId").and_then(|v| v.parse().ok()),
            queue_offset: field(seg, "queueOffset").and_then(|v| v.parse().ok()),
            commit_log_offset: field(seg, "commitLogOffset").and_then(|v| v.parse().ok()),
            reconsume_times: field(seg, "reconsumeTimes").and_then(|v| v.parse().ok()),
            properties: props,
            body: parse_body(seg),
        });
    }
    out
}

/// Distinct `msgId=` values of the `MessageExt [...]` records in `text` (consumer output).
pub fn distinct_msgids(text: &str) -> HashSet<String> {
    printed_messages(text)
        .into_iter()
        .map(|m| m.msg_id)
        .collect()
}

/// Number of distinct received message ids in consumer output (see [`distinct_msgids`]).
pub fn count_distinct_msgids(text: &str) -> usize {
    distinct_msgids(text).len()
}

/// Distinct `UNIQ_KEY` properties of received messages (= producer-side msgIds).
pub fn distinct_uniq_keys(text: &str) -> HashSet<String> {
    printed_messages(text)
        .into_iter()
        .filter_map(|m| m.uniq_key)
        .collect()
}

/// Number of `SEND_OK` results in producer output (`SendResult [sendStatus=SEND_OK, ...]`).
pub fn count_send_ok(text: &str) -> usize {
    text.matches("sendStatus=SEND_OK").count()
}

/// `msgId=` of every `SendResult [sendStatus=SEND_OK, msgId=...]` (producer-side ids,
/// which consumers see as the `UNIQ_KEY` property).
pub fn send_ok_msgids(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    for (i, _) in text.match_indices("SendResult [") {
        let seg = &text[i + "SendResult [".len()..];
        let seg = &seg[..seg.find('\n').unwrap_or(seg.len())];
        if field(seg, "sendStatus") == Some("SEND_OK") {
            if let Some(id) = field(seg, "msgId") {
                v.push(id.to_string());
            }
        }
    }
    v
}

/// Parse driver output: every line `RESULT key=value` (value = rest of the line, trimmed).
/// A repeated key keeps the last value.
pub fn parse_results(text: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let Some(rest) = line.strip_prefix("RESULT ") else {
            continue;
        };
        if let Some((k, v)) = rest.split_once('=') {
            let k = k.trim();
            if !k.is_empty() && !k.contains(char::is_whitespace) {
                m.insert(k.to_string(), v.trim().to_string());
            }
        }
    }
    m
}

/// Helpers for a RESULT map.
pub trait ResultsExt {
    fn req(&self, key: &str) -> Result<&str>;
    fn req_i64(&self, key: &str) -> Result<i64>;
}

impl ResultsExt for BTreeMap<String, String> {
    fn req(&self, key: &str) -> Result<&str> {
        self.get(key)
            .map(String::as_str)
            .ok_or_else(|| anyhow!("no `RESULT {key}=` line (have: {:?})", self))
    }
    fn req_i64(&self, key: &str) -> Result<i64> {
        let v = self.req(key)?;
        v.parse()
            .with_context(|| format!("RESULT {key}={v} is not an integer"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSUMER: &str = "Consumer Started.\n\
ConsumeMessageThread_1 Receive New Messages: [MessageExt [brokerName=broker-a, queueId=3, storeSize=191, queueOffset=0, sysFlag=0, bornTimestamp=1700000000000, bornHost=/127.0.0.1:40000, storeTimestamp=1700000000001, storeHost=/127.0.0.1:20011, msgId=7F00000100004E2B00000000000000BF, commitLogOffset=191, bodyCRC=613185359, reconsumeTimes=0, preparedTransactionOffset=0, toString()=Message{topic='TopicTest', flag=0, properties={MIN_OFFSET=0, MAX_OFFSET=250, CONSUME_START_TIME=1700000000005, UNIQ_KEY=7F000001A1B218B4AAC2000000000001, CLUSTER=DefaultCluster, TAGS=TagA}, body=[72, 101, 108, 108, 111, 32, 82, 111, 99, 107, 101, 116, 77, 81, 32, 49], transactionId='null'}]] \n\
ConsumeMessageThread_2 Receive New Messages: [MessageExt [brokerName=broker-a, queueId=3, storeSize=191, queueOffset=0, sysFlag=0, bornTimestamp=1700000000000, bornHost=/127.0.0.1:40000, storeTimestamp=1700000000001, storeHost=/127.0.0.1:20011, msgId=7F00000100004E2B00000000000000BF, commitLogOffset=191, bodyCRC=613185359, reconsumeTimes=1, preparedTransactionOffset=0, toString()=Message{topic='TopicTest', flag=0, properties={UNIQ_KEY=7F000001A1B218B4AAC2000000000001}, body=[-1, 0], transactionId='null'}]] \n\
ConsumeMessageThread_3 Receive New Messages: [MessageExt [brokerName=broker-a, queueId=0, storeSize=191, queueOffset=0, sysFlag=0, bornTimestamp=1, bornHost=/127.0.0.1:40000, storeTimestamp=1, storeHost=/127.0.0.1:20011, msgId=7F00000100004E2B0000000000000000, commitLogOffset=0, bodyCRC=1, reconsumeTimes=0, preparedTransactionOffset=0, toString()=Message{topic='TopicTest', flag=0, properties={UNIQ_KEY=K2}, body=[], transactionId='null'}]] \n";

    #[test]
    fn consumer_output() {
        assert_eq!(count_distinct_msgids(CONSUMER), 2);
        let msgs = printed_messages(CONSUMER);
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[0].topic.as_deref(), Some("TopicTest"));
        assert_eq!(msgs[0].queue_id, Some(3));
        assert_eq!(msgs[0].commit_log_offset, Some(191));
        assert_eq!(msgs[0].broker_name.as_deref(), Some("broker-a"));
        assert_eq!(
            msgs[0].uniq_key.as_deref(),
            Some("7F000001A1B218B4AAC2000000000001")
        );
        assert_eq!(msgs[0].body_str().as_deref(), Some("Hello RocketMQ 1"));
        assert_eq!(msgs[1].body, Some(vec![255, 0]));
        assert_eq!(msgs[1].reconsume_times, Some(1));
        assert_eq!(msgs[2].body, Some(vec![]));
        assert_eq!(distinct_uniq_keys(CONSUMER).len(), 2);
    }

    #[test]
    fn producer_output() {
        let t = "SendResult [sendStatus=SEND_OK, msgId=AA01, offsetMsgId=7F00, messageQueue=MessageQueue [topic=TopicTest, brokerName=broker-a, queueId=0], queueOffset=0]\n\
SendResult [sendStatus=FLUSH_DISK_TIMEOUT, msgId=AA02, offsetMsgId=7F01, messageQueue=MessageQueue [topic=TopicTest, brokerName=broker-a, queueId=1], queueOffset=0]\n\
SendResult [sendStatus=SEND_OK, msgId=AA03, offsetMsgId=7F02, messageQueue=MessageQueue [topic=TopicTest, brokerName=broker-a, queueId=2], queueOffset=0]\n";
        assert_eq!(count_send_ok(t), 2);
        assert_eq!(send_ok_msgids(t), vec!["AA01", "AA03"]);
    }

    #[test]
    fn results() {
        let m = parse_results(
            "noise\nRESULT brokers=1\nRESULT note=a b=c \nRESULTx=1\nRESULT brokers=2\n",
        );
        assert_eq!(m.get("brokers").map(String::as_str), Some("2"));
        assert_eq!(m.get("note").map(String::as_str), Some("a b=c"));
        assert_eq!(m.len(), 2);
        assert_eq!(m.req_i64("brokers").unwrap(), 2);
        assert!(m.req("missing").is_err());
    }
}
