//! Tiny blocking remoting client for the few admin calls the benchmark makes to either
//! flavor (JSON headers, as mqadmin sends them): broker registration, stored-message
//! counts, consumer offsets, topic creation.

use anyhow::{anyhow, bail, Context, Result};
use bytes::Bytes;
use protocol::code::{request as rc, response};
use protocol::codec::{decode_frame_body, encode_frame};
use protocol::RemotingCommand;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One connection, reopened after any error.
pub struct Rpc {
    addr: String,
    stream: Option<TcpStream>,
    timeout: Duration,
}

impl Rpc {
    pub fn new(addr: &str) -> Rpc {
        Rpc {
            addr: addr.to_string(),
            stream: None,
            timeout: Duration::from_secs(5),
        }
    }

    pub fn with_timeout(mut self, t: Duration) -> Rpc {
        self.timeout = t;
        self
    }

    fn connect(&mut self) -> Result<&mut TcpStream> {
        if self.stream.is_none() {
            let sa = self
                .addr
                .parse()
                .with_context(|| format!("bad address {}", self.addr))?;
            let s = TcpStream::connect_timeout(&sa, self.timeout)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(self.timeout))?;
            s.set_write_timeout(Some(self.timeout))?;
            self.stream = Some(s);
        }
        Ok(self.stream.as_mut().expect("just set"))
    }

    pub fn call(&mut self, cmd: RemotingCommand) -> Result<RemotingCommand> {
        let r = self.call_once(&cmd);
        if r.is_err() {
            self.stream = None;
        }
        r
    }

    fn call_once(&mut self, cmd: &RemotingCommand) -> Result<RemotingCommand> {
        let frame = encode_frame(cmd);
        let opaque = cmd.opaque;
        let s = self.connect()?;
        s.write_all(&frame)?;
        loop {
            let mut len = [0u8; 4];
            s.read_exact(&mut len)?;
            let len = u32::from_be_bytes(len) as usize;
            if len > 64 << 20 {
                bail!("frame of {len} bytes from {}", self.addr);
            }
            let mut buf = vec![0u8; len];
            s.read_exact(&mut buf)?;
            let resp = decode_frame_body(Bytes::from(buf))?;
            // skip server-pushed requests and stale responses
            if resp.is_response() && resp.opaque == opaque {
                return Ok(resp);
            }
        }
    }
}

/// Sum of every `"<key>":<integer>` in a fastjson body.
pub fn sum_json_field(body: &[u8], key: &str) -> i64 {
    let text = String::from_utf8_lossy(body);
    let pat = format!("\"{key}\":");
    let mut sum = 0i64;
    for (i, _) in text.match_indices(&pat) {
        let rest = &text[i + pat.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(rest.len());
        sum += rest[..end].parse::<i64>().unwrap_or(0);
    }
    sum
}

/// Whether the name server lists `broker_addr` in GET_BROKER_CLUSTER_INFO.
pub fn broker_registered(ns: &mut Rpc, broker_addr: &str) -> bool {
    match ns.call(RemotingCommand::request(rc::GET_BROKER_CLUSTER_INFO)) {
        Ok(r) if r.code == response::SUCCESS => {
            String::from_utf8_lossy(r.body_bytes()).contains(&format!("\"{broker_addr}\""))
        }
        _ => false,
    }
}

/// Whether the name server has a route for `topic`.
pub fn topic_routed(ns: &mut Rpc, topic: &str) -> bool {
    let mut cmd = RemotingCommand::request(rc::GET_ROUTEINFO_BY_TOPIC);
    cmd.set_ext("topic", topic);
    matches!(ns.call(cmd), Ok(r) if r.code == response::SUCCESS)
}

/// Messages stored in `topic` on this broker: the sum of the queues' max offsets
/// (GET_TOPIC_STATS_INFO); 0 while the topic does not exist.
pub fn stored_messages(broker: &mut Rpc, topic: &str) -> Result<i64> {
    let mut cmd = RemotingCommand::request(rc::GET_TOPIC_STATS_INFO);
    cmd.set_ext("topic", topic);
    let r = broker.call(cmd)?;
    match r.code {
        response::SUCCESS => Ok(sum_json_field(r.body_bytes(), "maxOffset")),
        response::TOPIC_NOT_EXIST => Ok(0),
        c => Err(anyhow!(
            "GET_TOPIC_STATS_INFO {topic}: code {c} {:?}",
            r.remark
        )),
    }
}

/// Committed offsets of `group` on `topic`, summed over the queues (GET_CONSUME_STATS).
pub fn consumer_offsets(broker: &mut Rpc, group: &str, topic: &str) -> Result<i64> {
    let mut cmd = RemotingCommand::request(rc::GET_CONSUME_STATS);
    cmd.set_ext("consumerGroup", group);
    cmd.set_ext("topic", topic);
    let r = broker.call(cmd)?;
    match r.code {
        response::SUCCESS => Ok(sum_json_field(r.body_bytes(), "consumerOffset")),
        c => Err(anyhow!(
            "GET_CONSUME_STATS {group}/{topic}: code {c} {:?}",
            r.remark
        )),
    }
}

/// UPDATE_AND_CREATE_TOPIC with `queues` read and write queues (what `mqadmin updateTopic` sends).
pub fn create_topic(broker: &mut Rpc, topic: &str, queues: u32) -> Result<()> {
    let mut cmd = RemotingCommand::request(rc::UPDATE_AND_CREATE_TOPIC);
    cmd.set_ext("topic", topic);
    cmd.set_ext("defaultTopic", "TBW102");
    cmd.set_ext("readQueueNums", queues.to_string());
    cmd.set_ext("writeQueueNums", queues.to_string());
    cmd.set_ext("perm", "6");
    cmd.set_ext("topicFilterType", "SINGLE_TAG");
    cmd.set_ext("topicSysFlag", "0");
    cmd.set_ext("order", "false");
    let r = broker.call(cmd)?;
    if r.code != response::SUCCESS {
        bail!(
            "UPDATE_AND_CREATE_TOPIC {topic}: code {} {:?}",
            r.code,
            r.remark
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_fields() {
        let b = br#"{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":5,"maxOffset":10,"minOffset":0},{"brokerName":"b","queueId":1,"topic":"T"}:{"maxOffset":32,"minOffset":0}}}"#;
        assert_eq!(sum_json_field(b, "maxOffset"), 42);
        assert_eq!(sum_json_field(b, "minOffset"), 0);
        assert_eq!(sum_json_field(b, "nope"), 0);
    }
}
