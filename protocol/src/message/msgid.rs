//! Message ids: the broker's offset message id and the client's unique id (`UNIQ_KEY`).
//!
//! Mirrors Java `MessageDecoder.createMessageId` / `decodeMessageId` and
//! `MessageClientIDSetter`.
//!
//! Offset msg id (upper-case hex of):
//! ```text
//! IPv4: [4 addr][int port][long commitlog offset]   16 bytes -> 32 hex chars
//! IPv6: [16 addr][int port][long commitlog offset]  28 bytes -> 56 hex chars
//! ```
//! Decoding picks IPv4 iff the string is exactly 32 characters long (as Java does).
//!
//! Unique client id (`UNIQ_KEY`, upper-case hex of):
//! ```text
//! [4|16 ip][short pid][int classLoader hash][int ms since start of month (local time)][short counter]
//! 16 bytes (32 hex) for IPv4, 28 bytes (56 hex) for IPv6
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};

use super::util::{bytes_to_hex, hex_to_bytes};
use super::MessageError;

/// Raw address bytes + port, as Java's `socketAddress2ByteBuffer` writes them (8 or 20 bytes).
pub fn socket_addr_bytes(addr: &SocketAddr, out: &mut Vec<u8>) {
    match addr.ip() {
        IpAddr::V4(ip) => out.extend_from_slice(&ip.octets()),
        IpAddr::V6(ip) => out.extend_from_slice(&ip.octets()),
    }
    out.extend_from_slice(&i32::from(addr.port()).to_be_bytes());
}

/// `MessageDecoder.createMessageId(storeHost, commitLogOffset)`.
pub fn create_offset_msg_id(store_host: &SocketAddr, commit_log_offset: i64) -> String {
    let mut b = Vec::with_capacity(28);
    socket_addr_bytes(store_host, &mut b);
    b.extend_from_slice(&commit_log_offset.to_be_bytes());
    bytes_to_hex(&b)
}

/// `MessageDecoder.decodeMessageId`: returns `(store host, commitlog offset)`.
pub fn decode_offset_msg_id(msg_id: &str) -> Result<(SocketAddr, i64), MessageError> {
    let bad = || super::bad(format!("invalid message id {:?}", msg_id.to_string()));
    let bytes = hex_to_bytes(msg_id).ok_or_else(bad)?;
    let ip_len = if msg_id.len() == 32 { 4 } else { 16 };
    if bytes.len() != ip_len + 12 {
        return Err(bad());
    }
    let ip = ip_from_slice(&bytes[..ip_len]).ok_or_else(bad)?;
    let port = i32::from_be_bytes(arr4(&bytes[ip_len..ip_len + 4]));
    let off = i64::from_be_bytes(arr8(&bytes[ip_len + 4..ip_len + 12]));
    Ok((SocketAddr::new(ip, port as u16), off))
}

pub(crate) fn arr4(b: &[u8]) -> [u8; 4] {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    a
}

pub(crate) fn arr8(b: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    a
}

pub(crate) fn ip_from_slice(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        _ => None,
    }
}

/// Fields of a client unique id (`MessageClientIDSetter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqIdInfo {
    /// Client IP (IPv4 or IPv6).
    pub ip: IpAddr,
    /// `pid & 0xFFFF`.
    pub pid: u16,
    /// `MessageClientIDSetter.class.getClassLoader().hashCode()`.
    pub class_loader_hash: i32,
    /// Milliseconds since the start of the current month (client local time) at creation.
    pub ms_since_month_start: i32,
    /// Per-process counter.
    pub counter: u16,
}

impl UniqIdInfo {
    /// Approximate creation time in ms since the epoch (`MessageClientIDSetter.getNearlyTimeFromID`),
    /// evaluated relative to `now_ms` with this machine's local time zone.
    pub fn nearly_time_ms(&self, now_ms: i64) -> i64 {
        let span = i64::from(self.ms_since_month_start as u32);
        let mut start = month_start_ms(now_ms, 0);
        if start + span >= now_ms {
            start = month_start_ms(now_ms, -1);
        }
        start + span
    }
}

/// Decode a client unique id (`UNIQ_KEY`).
pub fn decode_uniq_id(id: &str) -> Result<UniqIdInfo, MessageError> {
    let bad = || super::bad(format!("invalid message id {:?}", id.to_string()));
    let b = hex_to_bytes(id).ok_or_else(bad)?;
    let ip_len = match b.len() {
        28 => 16,
        16 => 4,
        _ => return Err(bad()),
    };
    let ip = ip_from_slice(&b[..ip_len]).ok_or_else(bad)?;
    let r = &b[ip_len..];
    Ok(UniqIdInfo {
        ip,
        pid: u16::from_be_bytes([r[0], r[1]]),
        class_loader_hash: i32::from_be_bytes(arr4(&r[2..6])),
        ms_since_month_start: i32::from_be_bytes(arr4(&r[6..10])),
        counter: u16::from_be_bytes([r[10], r[11]]),
    })
}

/// Start of the month (local time) containing `now_ms`, shifted by `month_delta` months.
fn month_start_ms(now_ms: i64, month_delta: i32) -> i64 {
    let secs = now_ms.div_euclid(1000) as libc::time_t;
    // SAFETY: localtime_r/mktime only read/write the provided structs.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return now_ms - now_ms.rem_euclid(86_400_000);
        }
        tm.tm_mday = 1;
        tm.tm_hour = 0;
        tm.tm_min = 0;
        tm.tm_sec = 0;
        tm.tm_mon += month_delta;
        tm.tm_isdst = -1;
        let t = libc::mktime(&mut tm);
        #[allow(clippy::useless_conversion)]
        let t = i64::from(t);
        t * 1000
    }
}

/// Generator of client unique ids (`MessageClientIDSetter.createUniqID`), for messages the
/// broker creates itself.
pub struct UniqIdGenerator {
    fix: String,
    counter: AtomicU16,
}

impl UniqIdGenerator {
    /// New generator for the given local IP (class-loader hash is random per process in Java;
    /// here it is derived from the pid and start time).
    pub fn new(ip: IpAddr) -> Self {
        let mut b = Vec::with_capacity(22);
        match ip {
            IpAddr::V4(v) => b.extend_from_slice(&v.octets()),
            IpAddr::V6(v) => b.extend_from_slice(&v.octets()),
        }
        let pid = std::process::id();
        b.extend_from_slice(&(pid as u16).to_be_bytes());
        let seed = (now_ms() as i32) ^ (pid as i32).wrapping_mul(0x9E37_79B9_u32 as i32);
        b.extend_from_slice(&seed.to_be_bytes());
        UniqIdGenerator {
            fix: bytes_to_hex(&b),
            counter: AtomicU16::new(0),
        }
    }

    /// A new unique id.
    pub fn next_id(&self) -> String {
        let now = now_ms();
        let mut diff = (now - month_start_ms(now, 0)) as i32;
        if diff < 0 && diff > -1_000_000 {
            diff = 0;
        }
        let c = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut s = String::with_capacity(self.fix.len() + 12);
        s.push_str(&self.fix);
        s.push_str(&bytes_to_hex(&diff.to_be_bytes()));
        s.push_str(&bytes_to_hex(&c.to_be_bytes()));
        s
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_msg_id_v4() {
        let a: SocketAddr = "192.168.0.1:10911".parse().unwrap();
        let id = create_offset_msg_id(&a, 0x1234);
        assert_eq!(id, "C0A8000100002A9F0000000000001234");
        assert_eq!(decode_offset_msg_id(&id).unwrap(), (a, 0x1234));
        assert!(decode_offset_msg_id("C0A80001").is_err());
        assert!(decode_offset_msg_id("XYZ").is_err());
    }

    #[test]
    fn offset_msg_id_v6() {
        let a: SocketAddr = "[fe80::1]:10911".parse().unwrap();
        let id = create_offset_msg_id(&a, 77);
        assert_eq!(id.len(), 56);
        assert_eq!(
            id,
            "FE80000000000000000000000000000100002A9F000000000000004D"
        );
        assert_eq!(decode_offset_msg_id(&id).unwrap(), (a, 77));
    }

    #[test]
    fn uniq_id_decode() {
        let id = "FD0000000000000000000000000000024F1B30946E097D54A5C20000";
        let info = decode_uniq_id(id).unwrap();
        assert_eq!(info.ip, "fd00::2".parse::<IpAddr>().unwrap());
        assert_eq!(info.pid, 0x4F1B);
        assert_eq!(info.class_loader_hash, 0x30946E09);
        assert_eq!(info.ms_since_month_start, 0x7D54A5C2);
        assert_eq!(info.counter, 0);
        let g = UniqIdGenerator::new("10.0.0.1".parse().unwrap());
        let a = g.next_id();
        let b = g.next_id();
        assert_eq!(a.len(), 32);
        let ia = decode_uniq_id(&a).unwrap();
        let ib = decode_uniq_id(&b).unwrap();
        assert_eq!(ib.counter, ia.counter + 1);
        let now = now_ms();
        let t = ia.nearly_time_ms(now + 1000);
        assert!((t - now).abs() < 5000, "{t} vs {now}");
    }
}
