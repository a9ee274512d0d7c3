//! Starting namesrv / broker processes: the Java 4.9.7 ones and ours (rmq).

use crate::conf::{copy_rocketmq_home, default_broker_props, Props, StoreDir};
use crate::java::{java_command, SERVER_HEAP};
use crate::javabuild::ensure_java_built;
use crate::paths::rmq_bin;
use crate::ports::{free_broker_port, free_port, wait_port_open};
use crate::proc::{new_temp_dir, Proc};
use anyhow::{anyhow, bail, Context, Result};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Printed by NamesrvStartup (and must be printed by our mqnamesrv) once serving.
pub const NAMESRV_BOOT_LINE: &str = "The Name Server boot success";
/// Prefix of BrokerStartup's `The broker[<name>, <ip:port>] boot success. ...` line.
pub const BROKER_BOOT_LINE: &str = "The broker[";

pub const JAVA_NAMESRV_MAIN: &str = "org.apache.rocketmq.namesrv.NamesrvStartup";
pub const JAVA_BROKER_MAIN: &str = "org.apache.rocketmq.broker.BrokerStartup";

const NAMESRV_BOOT_TIMEOUT: Duration = Duration::from_secs(60);
const BROKER_BOOT_TIMEOUT: Duration = Duration::from_secs(90);
const PORT_OPEN_TIMEOUT: Duration = Duration::from_secs(15);

/// Which implementation to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Apache RocketMQ 4.9.7 (Java, from Maven Central).
    Java,
    /// Our binaries (`mqnamesrv`, `mqbroker` from the cargo target dir).
    Rmq,
}

impl Flavor {
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Java => "java",
            Flavor::Rmq => "rmq",
        }
    }
}

fn is_bind_error(e: &anyhow::Error) -> bool {
    let s = format!("{e:#}");
    s.contains("Address already in use") || s.contains("BindException") || s.contains("AddrInUse")
}

/// Retry `f` (up to 3 times) when it failed because its random port was taken meanwhile.
fn with_bind_retry<T>(what: &str, fixed_port: bool, mut f: impl FnMut() -> Result<T>) -> Result<T> {
    let mut attempt = 1;
    loop {
        match f() {
            Ok(v) => return Ok(v),
            Err(e) if !fixed_port && attempt < 3 && is_bind_error(&e) => {
                eprintln!("[compat-tests] {what}: port taken, retrying with another port");
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn fixed_port(extra: &[(&str, &str)]) -> Result<Option<u16>> {
    match extra.iter().rev().find(|(k, _)| *k == "listenPort") {
        Some((_, v)) => {
            Ok(Some(v.parse().map_err(|_| {
                anyhow!("listenPort={v} is not a port number")
            })?))
        }
        None => Ok(None),
    }
}

fn require_rmq_bin(name: &str) -> Result<PathBuf> {
    let bin = rmq_bin(name);
    if !bin.is_file() {
        bail!(
            "our binary `{name}` was not found at {} — build it first: \
             `cargo build --workspace --bins` (same CARGO_TARGET_DIR as the tests)",
            bin.display()
        );
    }
    Ok(bin)
}

fn wait_booted(proc: &Proc, line: &str, port: u16, timeout: Duration) -> Result<()> {
    proc.wait_for_log(line, timeout)?;
    if !wait_port_open(port, PORT_OPEN_TIMEOUT) {
        bail!(
            "{} printed {line:?} but 127.0.0.1:{port} does not accept connections; log:\n{}",
            proc.name(),
            proc.log_tail(40)
        );
    }
    Ok(())
}

/// A running name server (Java or ours). Killed on drop.
#[derive(Debug)]
pub struct Namesrv {
    proc: Proc,
    flavor: Flavor,
    port: u16,
    dir: PathBuf,
    conf_path: PathBuf,
}

impl Namesrv {
    /// Start a name server of the given flavor on a free port.
    pub fn start(flavor: Flavor) -> Result<Namesrv> {
        Namesrv::start_with_conf(flavor, &[])
    }

    /// Start with extra `key=value` lines in its `-c` config file (`listenPort` fixes the port).
    pub fn start_with_conf(flavor: Flavor, extra: &[(&str, &str)]) -> Result<Namesrv> {
        if flavor == Flavor::Java {
            ensure_java_built()?;
        } else {
            require_rmq_bin("mqnamesrv")?;
        }
        let fixed = fixed_port(extra)?;
        with_bind_retry("namesrv", fixed.is_some(), || {
            let port = fixed.unwrap_or_else(free_port);
            let tmp = new_temp_dir(&format!("rmq-{}-namesrv-", flavor.name()))?;
            let dir = tmp.path().to_path_buf();
            let home = dir.join("rocketmq-home");
            copy_rocketmq_home(&home)?;
            let conf_path = dir.join("namesrv.properties");
            let mut props = Props::new();
            props.set("listenPort", port.to_string()).set_all(extra);
            props.write(&conf_path)?;
            let conf_s = conf_path.display().to_string();
            let cmd = match flavor {
                Flavor::Java => java_command(
                    JAVA_NAMESRV_MAIN,
                    &["-c", &conf_s],
                    &server_jvm_opts(),
                    &home,
                    &dir,
                ),
                Flavor::Rmq => rmq_command("mqnamesrv", &["-c", &conf_s], &home, &dir)?,
            };
            let name = format!("{}-namesrv:{port}", flavor.name());
            let proc = Proc::spawn(&name, cmd, dir.join("namesrv.out"))?;
            proc.keep_alive(tmp);
            wait_booted(&proc, NAMESRV_BOOT_LINE, port, NAMESRV_BOOT_TIMEOUT)?;
            Ok(Namesrv {
                proc,
                flavor,
                port,
                dir,
                conf_path,
            })
        })
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }
    pub fn proc(&self) -> &Proc {
        &self.proc
    }
    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }
    /// The instance's temp dir (its `user.home`/`HOME`, config, logs).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn conf_path(&self) -> &Path {
        &self.conf_path
    }
    /// stdout+stderr so far.
    pub fn log_text(&self) -> String {
        self.proc.log_text()
    }
    pub fn kill9(&self) {
        self.proc.kill9()
    }
    /// SIGTERM and wait (SIGKILL after 30 s).
    pub fn stop(&self) -> Result<()> {
        self.proc.terminate().map(|_| ())
    }
}

/// A running broker (Java or ours). Killed on drop. A harness-created store dir survives
/// the drop (it is removed when the test binary exits), so a new broker can be started
/// on `old.store_dir()` with `start_with_store`.
#[derive(Debug)]
pub struct Broker {
    // field order matters: the process is killed before the store dir is removed
    proc: Proc,
    flavor: Flavor,
    port: u16,
    props: Props,
    store: StoreDir,
    dir: PathBuf,
    conf_path: PathBuf,
    namesrv_addr: String,
}

impl Broker {
    /// Start a broker on a fresh temp store, registered with `namesrv_addr`.
    ///
    /// Config: brokerClusterName=DefaultCluster, brokerName=broker-a, brokerId=0,
    /// listenPort=<free broker port>, brokerIP1=127.0.0.1, namesrvAddr, storePathRootDir,
    /// storePathCommitLog=<store>/commitlog, autoCreateTopicEnable=true; `extra_conf`
    /// overrides or adds keys.
    pub fn start(
        flavor: Flavor,
        namesrv_addr: &str,
        extra_conf: &[(&str, &str)],
    ) -> Result<Broker> {
        Broker::start_on(flavor, namesrv_addr, None, extra_conf)
    }

    /// Start a broker on an existing store dir (e.g. `old.store_dir()` to restart on the
    /// same data, possibly with the other flavor).
    pub fn start_with_store(
        flavor: Flavor,
        namesrv_addr: &str,
        store_dir: &Path,
        extra_conf: &[(&str, &str)],
    ) -> Result<Broker> {
        Broker::start_on(flavor, namesrv_addr, Some(store_dir), extra_conf)
    }

    fn start_on(
        flavor: Flavor,
        namesrv_addr: &str,
        store_dir: Option<&Path>,
        extra: &[(&str, &str)],
    ) -> Result<Broker> {
        if flavor == Flavor::Java {
            ensure_java_built()?;
        } else {
            require_rmq_bin("mqbroker")?;
        }
        let store = match store_dir {
            Some(p) => {
                std::fs::create_dir_all(p).with_context(|| format!("create {}", p.display()))?;
                StoreDir::at(p)
            }
            None => StoreDir::new_temp()?,
        };
        let fixed = fixed_port(extra)?;
        with_bind_retry("broker", fixed.is_some(), || {
            let port = fixed.unwrap_or_else(free_broker_port);
            let tmp = new_temp_dir(&format!("rmq-{}-broker-", flavor.name()))?;
            let dir = tmp.path().to_path_buf();
            let home = dir.join("rocketmq-home");
            copy_rocketmq_home(&home)?;
            let mut props = default_broker_props(namesrv_addr, port, store.path());
            props.set_all(extra);
            let conf_path = dir.join("broker.conf");
            props.write(&conf_path)?;
            let conf_s = conf_path.display().to_string();
            let cmd = match flavor {
                Flavor::Java => java_command(
                    JAVA_BROKER_MAIN,
                    &["-c", &conf_s],
                    &server_jvm_opts(),
                    &home,
                    &dir,
                ),
                Flavor::Rmq => rmq_command(
                    "mqbroker",
                    &["-c", &conf_s, "-n", namesrv_addr],
                    &home,
                    &dir,
                )?,
            };
            let name = format!("{}-broker:{port}", flavor.name());
            let proc = Proc::spawn(&name, cmd, dir.join("broker.out"))?;
            proc.keep_alive(tmp);
            wait_booted(&proc, BROKER_BOOT_LINE, port, BROKER_BOOT_TIMEOUT)?;
            Ok(Broker {
                proc,
                flavor,
                port,
                props: props.clone(),
                store: store.clone(),
                dir,
                conf_path,
                namesrv_addr: namesrv_addr.to_string(),
            })
        })
    }

    /// `127.0.0.1:<listenPort>`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }
    /// `storePathRootDir`.
    pub fn store_dir(&self) -> PathBuf {
        self.props
            .get("storePathRootDir")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.store.path().to_path_buf())
    }
    /// Shared handle on the store dir (keeps a harness temp store alive).
    pub fn store(&self) -> StoreDir {
        self.store.clone()
    }
    /// The effective broker.conf contents.
    pub fn conf(&self) -> &Props {
        &self.props
    }
    pub fn conf_path(&self) -> &Path {
        &self.conf_path
    }
    pub fn broker_name(&self) -> &str {
        self.props.get("brokerName").unwrap_or("broker-a")
    }
    pub fn cluster_name(&self) -> &str {
        self.props
            .get("brokerClusterName")
            .unwrap_or("DefaultCluster")
    }
    pub fn namesrv_addr(&self) -> &str {
        &self.namesrv_addr
    }
    /// The instance's temp dir (its `user.home`/`HOME`, broker.conf, logs).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn proc(&self) -> &Proc {
        &self.proc
    }
    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }
    pub fn log_text(&self) -> String {
        self.proc.log_text()
    }
    /// SIGKILL (no shutdown hooks, no flush).
    pub fn kill9(&self) {
        self.proc.kill9()
    }
    /// SIGTERM and wait for a clean shutdown (SIGKILL after 30 s).
    pub fn stop(&self) -> Result<()> {
        self.proc.terminate().map(|_| ())
    }
}

fn server_jvm_opts() -> Vec<&'static str> {
    let mut v: Vec<&str> = vec!["-server"];
    v.extend_from_slice(SERVER_HEAP);
    v.extend_from_slice(&["-XX:+UseG1GC", "-XX:MaxDirectMemorySize=1g"]);
    v
}

/// Command for one of our binaries, with a Java-like environment: `ROCKETMQ_HOME` = a copy
/// of the template, `HOME` = the instance temp dir (so `~/store`, `~/logs` stay inside).
fn rmq_command(bin: &str, args: &[&str], home: &Path, dir: &Path) -> Result<Command> {
    let exe = require_rmq_bin(bin)?;
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir)
        .env_remove("NAMESRV_ADDR")
        .env("ROCKETMQ_HOME", home)
        .env("HOME", dir)
        .env("RUST_BACKTRACE", "1")
        .args(args);
    Ok(cmd)
}

macro_rules! flavored {
    ($(#[$m:meta])* $name:ident, $inner:ident, $flavor:expr) => {
        $(#[$m])*
        #[derive(Debug)]
        pub struct $name(pub $inner);
        impl Deref for $name {
            type Target = $inner;
            fn deref(&self) -> &$inner {
                &self.0
            }
        }
        impl From<$name> for $inner {
            fn from(v: $name) -> $inner {
                v.0
            }
        }
        impl $name {
            pub fn into_inner(self) -> $inner {
                self.0
            }
        }
    };
}

flavored!(
    /// The Java 4.9.7 name server (`NamesrvStartup -c <props>`). Derefs to [`Namesrv`].
    JavaNamesrv, Namesrv, Flavor::Java
);
flavored!(
    /// Our `mqnamesrv -c <props>`. Derefs to [`Namesrv`].
    RmqNamesrv, Namesrv, Flavor::Rmq
);
flavored!(
    /// The Java 4.9.7 broker (`BrokerStartup -c <broker.conf>`). Derefs to [`Broker`].
    JavaBroker, Broker, Flavor::Java
);
flavored!(
    /// Our `mqbroker -c <broker.conf> -n <addr>`. Derefs to [`Broker`].
    RmqBroker, Broker, Flavor::Rmq
);

impl JavaNamesrv {
    pub fn start() -> Result<JavaNamesrv> {
        Namesrv::start(Flavor::Java).map(JavaNamesrv)
    }
    pub fn start_with_conf(extra: &[(&str, &str)]) -> Result<JavaNamesrv> {
        Namesrv::start_with_conf(Flavor::Java, extra).map(JavaNamesrv)
    }
}

impl RmqNamesrv {
    pub fn start() -> Result<RmqNamesrv> {
        Namesrv::start(Flavor::Rmq).map(RmqNamesrv)
    }
    pub fn start_with_conf(extra: &[(&str, &str)]) -> Result<RmqNamesrv> {
        Namesrv::start_with_conf(Flavor::Rmq, extra).map(RmqNamesrv)
    }
}

impl JavaBroker {
    pub fn start(namesrv_addr: &str, extra_conf: &[(&str, &str)]) -> Result<JavaBroker> {
        Broker::start(Flavor::Java, namesrv_addr, extra_conf).map(JavaBroker)
    }
    pub fn start_with_store(
        namesrv_addr: &str,
        store_dir: &Path,
        extra_conf: &[(&str, &str)],
    ) -> Result<JavaBroker> {
        Broker::start_with_store(Flavor::Java, namesrv_addr, store_dir, extra_conf).map(JavaBroker)
    }
}

impl RmqBroker {
    pub fn start(namesrv_addr: &str, extra_conf: &[(&str, &str)]) -> Result<RmqBroker> {
        Broker::start(Flavor::Rmq, namesrv_addr, extra_conf).map(RmqBroker)
    }
    pub fn start_with_store(
        namesrv_addr: &str,
        store_dir: &Path,
        extra_conf: &[(&str, &str)],
    ) -> Result<RmqBroker> {
        Broker::start_with_store(Flavor::Rmq, namesrv_addr, store_dir, extra_conf).map(RmqBroker)
    }
}

/// One namesrv + one broker of the same flavor. Dropping kills both.
#[derive(Debug)]
pub struct Cluster {
    pub broker: Broker,
    pub namesrv: Namesrv,
}

impl Cluster {
    pub fn start(flavor: Flavor) -> Result<Cluster> {
        Cluster::start_with(flavor, &[])
    }

    /// With extra broker config.
    pub fn start_with(flavor: Flavor, extra_broker_conf: &[(&str, &str)]) -> Result<Cluster> {
        let namesrv = Namesrv::start(flavor)?;
        let broker = Broker::start(flavor, &namesrv.addr(), extra_broker_conf)?;
        Ok(Cluster { broker, namesrv })
    }

    pub fn namesrv_addr(&self) -> String {
        self.namesrv.addr()
    }
}
