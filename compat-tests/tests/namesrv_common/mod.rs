//! Helpers shared by the `namesrv_*` compat tests: a blocking wrapper around the protocol
//! crate's `RemotingClient` (route lookups, raw requests) and polling with deadlines.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use protocol::body::{JsonBody, TopicRouteData};
use protocol::code::{request as rc, response};
use protocol::net::RemotingClient;
use protocol::RemotingCommand;

/// Per-request timeout of the Rust client.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// A blocking remoting client (own runtime), for sync tests that also drive Java processes.
pub struct Client {
    rt: tokio::runtime::Runtime,
    inner: RemotingClient,
}

impl Client {
    pub fn new() -> Result<Client> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        Ok(Client {
            rt,
            inner: RemotingClient::new(),
        })
    }

    /// One request/response.
    pub fn call(&self, addr: &str, cmd: RemotingCommand) -> Result<RemotingCommand> {
        Ok(self
            .rt
            .block_on(self.inner.invoke(addr, cmd, CALL_TIMEOUT))?)
    }

    /// GET_ROUTEINFO_BY_TOPIC: `Ok(None)` for TOPIC_NOT_EXIST.
    pub fn route(&self, addr: &str, topic: &str) -> Result<Option<TopicRouteData>> {
        let mut cmd = RemotingCommand::request(rc::GET_ROUTEINFO_BY_TOPIC);
        cmd.set_ext("topic", topic);
        let resp = self.call(addr, cmd)?;
        match resp.code {
            response::SUCCESS => Ok(Some(TopicRouteData::decode(resp.body_bytes())?)),
            response::TOPIC_NOT_EXIST => Ok(None),
            c => bail!("GET_ROUTEINFO_BY_TOPIC {topic}: code {c} {:?}", resp.remark),
        }
    }

    /// Close the cached connection to `addr`.
    pub fn close(&self, addr: &str) {
        self.rt.block_on(self.inner.close(addr));
    }

    /// Run a future on this client's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn inner(&self) -> &RemotingClient {
        &self.inner
    }
}

/// Poll `f` every 100 ms until it returns `Some`, failing after `timeout`.
pub fn poll<T>(
    what: &str,
    timeout: Duration,
    mut f: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    let mut last_err = None;
    loop {
        match f() {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) => last_err = Some(e),
        }
        if Instant::now() >= deadline {
            bail!("timed out after {timeout:?} waiting for {what} (last error: {last_err:?})");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Wait until `topic` has a route on `addr` (returns it).
pub fn wait_route(
    c: &Client,
    addr: &str,
    topic: &str,
    timeout: Duration,
) -> Result<TopicRouteData> {
    poll(&format!("route of {topic} on {addr}"), timeout, || {
        c.route(addr, topic)
    })
}

/// Wait until `topic` has no route on `addr`; returns how long that took.
pub fn wait_no_route(c: &Client, addr: &str, topic: &str, timeout: Duration) -> Result<Duration> {
    let t0 = Instant::now();
    poll(&format!("no route of {topic} on {addr}"), timeout, || {
        Ok(c.route(addr, topic)?.is_none().then_some(()))
    })?;
    Ok(t0.elapsed())
}

/// SIGSTOP / SIGCONT a whole process group (our children lead their own group).
pub fn signal_group(pid: u32, sig: libc::c_int) {
    // SAFETY: plain syscall.
    unsafe {
        libc::kill(-(pid as libc::pid_t), sig);
    }
}
