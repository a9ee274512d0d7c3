//! Free TCP port selection.
//!
//! Ports are drawn at random from 20000..32000, below Linux's default ephemeral range
//! (32768..60999), so outgoing client connections can't steal them between "checked free"
//! and "server bound". A process-wide set makes sure no port is handed out twice in one
//! test binary. Other processes (other test runs on the same machine) can still race us;
//! the server starters retry on "Address already in use".

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const LO: u16 = 20000;
const HI: u16 = 32000;

static RESERVED: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

fn rand_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    h.finish()
}

/// True if nothing is bound to `port` on any IPv4 address (we bind the wildcard, as the
/// Java servers do).
pub fn port_is_free(port: u16) -> bool {
    // one at a time: each listener is closed before the next bind
    let wildcard = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)).is_ok();
    wildcard && TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).is_ok()
}

fn pick(span_lo: u16, span_hi: u16) -> u16 {
    // span_lo/span_hi: offsets relative to the chosen port that must all be free.
    let lo = LO + span_lo;
    let hi = HI - span_hi;
    for _ in 0..2000 {
        let p = lo + (rand_u64() % (hi - lo) as u64) as u16;
        let range: Vec<u16> = ((p - span_lo)..=(p + span_hi)).collect();
        let mut guard = RESERVED.lock().unwrap_or_else(|e| e.into_inner());
        let set = guard.get_or_insert_with(HashSet::new);
        if range.iter().any(|q| set.contains(q)) {
            continue;
        }
        if range.iter().all(|&q| port_is_free(q)) {
            set.extend(range);
            return p;
        }
    }
    panic!("could not find a free TCP port in {LO}..{HI} after 2000 attempts");
}

/// A free TCP port on 127.0.0.1 (and the wildcard address), never returned twice in this process.
pub fn free_port() -> u16 {
    pick(0, 0)
}

/// A free port `p` for a broker listenPort: `p-2` (fastListenPort / VIP channel), `p-1`,
/// `p` and `p+1` (HA port) are all free and reserved.
pub fn free_broker_port() -> u16 {
    pick(2, 1)
}

/// Wait until something accepts TCP connections on 127.0.0.1:`port`.
pub fn wait_port_open(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into();
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_free_and_distinct() {
        let mut seen = HashSet::new();
        for _ in 0..20 {
            let p = free_port();
            assert!((LO..HI).contains(&p));
            assert!(seen.insert(p));
            let b = free_broker_port();
            for q in b - 2..=b + 1 {
                assert!(seen.insert(q), "{q} handed out twice");
            }
        }
        let l = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        assert!(!port_is_free(l.local_addr().unwrap().port()));
        let p = free_port();
        assert!(port_is_free(p));
    }
}
