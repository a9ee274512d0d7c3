//! Host name and local address discovery, as `BrokerConfig.localHostName()` and
//! `RemotingUtil.getLocalAddress()` do it (first non-loopback IPv4 that is not `127.0.*` or
//! `192.168.*`, else the last non-loopback IPv4, else the first IPv6, else 127.0.0.1).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The machine's host name (`InetAddress.getLocalHost().getHostName()`), or
/// `"DEFAULT_BROKER"` when it cannot be read (Java's fallback).
pub fn local_host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is valid for buf.len() bytes; gethostname NUL-terminates on success.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    if rc != 0 {
        return "DEFAULT_BROKER".to_string();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    match std::str::from_utf8(&buf[..end]) {
        Ok(s) if !s.is_empty() => s.to_string(),
        _ => "DEFAULT_BROKER".to_string(),
    }
}

/// Interface addresses in enumeration order.
fn interface_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list we free below.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` points into the list returned by getifaddrs.
        let ifa = unsafe { &*cur };
        if !ifa.ifa_addr.is_null() {
            // SAFETY: ifa_addr is non-null and points at a sockaddr of the family it names.
            let family = unsafe { (*ifa.ifa_addr).sa_family } as i32;
            if family == libc::AF_INET {
                // SAFETY: family is AF_INET, so this is a sockaddr_in.
                let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
                out.push(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                    sin.sin_addr.s_addr,
                ))));
            } else if family == libc::AF_INET6 {
                // SAFETY: family is AF_INET6, so this is a sockaddr_in6.
                let sin6 = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
                out.push(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
            }
        }
        cur = ifa.ifa_next;
    }
    // SAFETY: head came from getifaddrs.
    unsafe { libc::freeifaddrs(head) };
    out
}

/// `RemotingUtil.getLocalAddress()`.
pub fn local_address() -> String {
    let addrs = interface_addresses();
    let v4: Vec<String> = addrs
        .iter()
        .filter(|a| !a.is_loopback())
        .filter_map(|a| match a {
            IpAddr::V4(v) => Some(v.to_string()),
            _ => None,
        })
        .collect();
    if let Some(ip) = v4
        .iter()
        .find(|ip| !ip.starts_with("127.0") && !ip.starts_with("192.168"))
    {
        return ip.clone();
    }
    if let Some(ip) = v4.last() {
        return ip.clone();
    }
    if let Some(IpAddr::V6(v6)) = addrs
        .iter()
        .find(|a| !a.is_loopback() && matches!(a, IpAddr::V6(_)))
    {
        return v6.to_string();
    }
    "127.0.0.1".to_string()
}
