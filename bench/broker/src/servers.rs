//! Starting our mqnamesrv/mqbroker and the Java 4.9.7 NamesrvStartup/BrokerStartup with the
//! same config, the Java side with the JVM options of `distribution/bin/runbroker.sh` /
//! `runserver.sh` (JDK 9+ branch) and `JAVA_OPT_EXT` = the stated heap; and the load tools
//! (`rmq.bench.*` of compat-tests/java, our own, with the 4.9.7 benchmark tools' flags and
//! report lines).

use crate::rpc::{broker_registered, Rpc};
use anyhow::{bail, Context, Result};
use compat_tests::{
    default_broker_props, ensure_java_built, free_broker_port, free_port, java_classpath, java_exe,
    new_temp_dir, rmq_bin, rocketmq_home_template, wait_port_open, Proc, JDK9_PLUS_FLAGS,
};
use std::net::{SocketAddrV4, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Rmq,
    Java,
}

impl Flavor {
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Rmq => "rmq",
            Flavor::Java => "java",
        }
    }
}

/// `JAVA_OPT_EXT` of the Java broker (appended last, so it overrides runbroker.sh's 8g).
pub const JAVA_BROKER_HEAP: &[&str] = &["-Xms1g", "-Xmx1g"];
/// `JAVA_OPT_EXT` of the Java name server.
pub const JAVA_NAMESRV_HEAP: &[&str] = &["-Xms512m", "-Xmx512m", "-Xmn256m"];
/// runclass.sh's heap for the load tools (its JDK 8-only flags dropped, T2).
pub const CLIENT_JVM: &[&str] = &[
    "-server",
    "-Xms1g",
    "-Xmx1g",
    "-Xmn256m",
    "-XX:+DisableExplicitGC",
    "-XX:+PerfDisableSharedMem",
];

/// runbroker.sh @ 4.9.7, JDK >= 9 branch (GC log moved into the instance dir).
fn runbroker_opts(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = [
        "-server",
        "-Xms8g",
        "-Xmx8g",
        "-XX:+UseG1GC",
        "-XX:G1HeapRegionSize=16m",
        "-XX:G1ReservePercent=25",
        "-XX:InitiatingHeapOccupancyPercent=30",
        "-XX:SoftRefLRUPolicyMSPerMB=0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(format!(
        "-Xlog:gc*:file={}/rmq_broker_gc_%p_%t.log:time,tags:filecount=5,filesize=30M",
        dir.display()
    ));
    for s in [
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:+AlwaysPreTouch",
        "-XX:MaxDirectMemorySize=15g",
        "-XX:-UseLargePages",
        "-XX:-UseBiasedLocking",
    ] {
        v.push(s.into());
    }
    v.extend(JAVA_BROKER_HEAP.iter().map(|s| s.to_string()));
    v
}

/// runserver.sh @ 4.9.7, JDK >= 9 branch.
fn runserver_opts(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = [
        "-server",
        "-Xms4g",
        "-Xmx4g",
        "-XX:MetaspaceSize=128m",
        "-XX:MaxMetaspaceSize=320m",
        "-XX:+UseG1GC",
        "-XX:G1HeapRegionSize=16m",
        "-XX:G1ReservePercent=25",
        "-XX:InitiatingHeapOccupancyPercent=30",
        "-XX:SoftRefLRUPolicyMSPerMB=0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(format!(
        "-Xlog:gc*:file={}/rmq_srv_gc_%p_%t.log:time,tags:filecount=5,filesize=30M",
        dir.display()
    ));
    v.push("-XX:-OmitStackTraceInFastThrow".into());
    v.push("-XX:-UseLargePages".into());
    v.extend(JAVA_NAMESRV_HEAP.iter().map(|s| s.to_string()));
    v
}

/// Copy the harness's ROCKETMQ_HOME template (`conf/logback_*.xml`) to `dest`.
fn copy_rocketmq_home(dest: &Path) -> Result<()> {
    fn copy_dir(src: &Path, dest: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dest)?;
        for e in std::fs::read_dir(src)? {
            let e = e?;
            let to = dest.join(e.file_name());
            if e.file_type()?.is_dir() {
                copy_dir(&e.path(), &to)?;
            } else {
                std::fs::copy(e.path(), &to)?;
            }
        }
        Ok(())
    }
    let src = rocketmq_home_template();
    copy_dir(&src, dest).with_context(|| format!("copy {} to {}", src.display(), dest.display()))
}

fn java_server_command(
    main: &str,
    opts: Vec<String>,
    args: &[&str],
    home: &Path,
    dir: &Path,
) -> Command {
    let logs = dir.join("logs");
    let _ = std::fs::create_dir_all(&logs);
    let mut cmd = Command::new(java_exe());
    cmd.current_dir(dir)
        .env_remove("NAMESRV_ADDR")
        .env("ROCKETMQ_HOME", home)
        .args(opts)
        .args(JDK9_PLUS_FLAGS)
        .arg(format!("-Duser.home={}", dir.display()))
        .arg(format!("-Drocketmq.home.dir={}", home.display()))
        .arg(format!("-Drmq.log.dir={}", logs.display()))
        .arg("-cp")
        .arg(java_classpath())
        .arg(main)
        .args(args);
    cmd
}

fn rmq_command(bin: &str, args: &[&str], home: &Path, dir: &Path) -> Result<Command> {
    let exe = rmq_bin(bin);
    if !exe.is_file() {
        bail!(
            "{} not found: build it first (`cargo build --release -p namesrv -p broker`, same CARGO_TARGET_DIR)",
            exe.display()
        );
    }
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir)
        .env_remove("NAMESRV_ADDR")
        .env("ROCKETMQ_HOME", home)
        .env("HOME", dir)
        .args(args);
    Ok(cmd)
}

/// A running server process with its instance dir.
pub struct Server {
    pub proc: Proc,
    pub port: u16,
    #[allow(dead_code)]
    pub dir: PathBuf,
}

impl Server {
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }
}

/// Start a name server and wait until it accepts connections.
pub fn start_namesrv(flavor: Flavor) -> Result<Server> {
    let port = free_port();
    let tmp = new_temp_dir(&format!("bench-{}-namesrv-", flavor.name()))?;
    let dir = tmp.path().to_path_buf();
    let home = dir.join("rocketmq-home");
    copy_rocketmq_home(&home)?;
    let conf = dir.join("namesrv.properties");
    std::fs::write(&conf, format!("listenPort={port}\n"))?;
    let conf_s = conf.display().to_string();
    let cmd = match flavor {
        Flavor::Java => java_server_command(
            "org.apache.rocketmq.namesrv.NamesrvStartup",
            runserver_opts(&dir),
            &["-c", &conf_s],
            &home,
            &dir,
        ),
        Flavor::Rmq => rmq_command("mqnamesrv", &["-c", &conf_s], &home, &dir)?,
    };
    let proc = Proc::spawn(
        &format!("{}-namesrv", flavor.name()),
        cmd,
        dir.join("namesrv.out"),
    )?;
    proc.keep_alive(tmp);
    if !wait_port_open(port, Duration::from_secs(60)) {
        bail!(
            "{} namesrv did not open port {port}:\n{}",
            flavor.name(),
            proc.log_tail(30)
        );
    }
    Ok(Server { proc, port, dir })
}

/// Broker config: the harness defaults (DefaultCluster/broker-a/brokerId 0, brokerIP1
/// 127.0.0.1, autoCreateTopicEnable) plus `extra`.
pub fn broker_conf(ns_addr: &str, port: u16, store: &Path, extra: &[(&str, &str)]) -> String {
    let mut p = default_broker_props(ns_addr, port, store);
    p.set_all(extra);
    p.to_text()
}

/// Spawn a broker (not waiting for it).
pub fn spawn_broker(
    flavor: Flavor,
    ns_addr: &str,
    store: &Path,
    extra: &[(&str, &str)],
) -> Result<Server> {
    let port = free_broker_port();
    let tmp = new_temp_dir(&format!("bench-{}-broker-", flavor.name()))?;
    let dir = tmp.path().to_path_buf();
    let home = dir.join("rocketmq-home");
    copy_rocketmq_home(&home)?;
    std::fs::create_dir_all(store)?;
    let conf = dir.join("broker.conf");
    std::fs::write(&conf, broker_conf(ns_addr, port, store, extra))?;
    let conf_s = conf.display().to_string();
    let cmd = match flavor {
        Flavor::Java => java_server_command(
            "org.apache.rocketmq.broker.BrokerStartup",
            runbroker_opts(&dir),
            &["-c", &conf_s],
            &home,
            &dir,
        ),
        Flavor::Rmq => rmq_command("mqbroker", &["-c", &conf_s, "-n", ns_addr], &home, &dir)?,
    };
    let proc = Proc::spawn(
        &format!("{}-broker", flavor.name()),
        cmd,
        dir.join("broker.out"),
    )?;
    proc.keep_alive(tmp);
    Ok(Server { proc, port, dir })
}

/// Wait until the broker accepts connections on its listenPort and the name server lists
/// it; returns the time since `t0` (the spawn). Polls every 2 ms.
pub fn wait_ready(
    broker: &Server,
    ns_addr: &str,
    t0: Instant,
    timeout: Duration,
) -> Result<Duration> {
    let sa: std::net::SocketAddr =
        SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, broker.port).into();
    let mut ns = Rpc::new(ns_addr).with_timeout(Duration::from_secs(2));
    let addr = broker.addr();
    let mut port_open = false;
    loop {
        if !port_open {
            port_open = TcpStream::connect_timeout(&sa, Duration::from_millis(200)).is_ok();
        }
        if port_open && broker_registered(&mut ns, &addr) {
            return Ok(t0.elapsed());
        }
        if !broker.proc.is_running() {
            bail!(
                "{} exited during start-up:\n{}",
                broker.proc.name(),
                broker.proc.log_tail(40)
            );
        }
        if t0.elapsed() > timeout {
            bail!(
                "{} not ready after {:?} (port open: {port_open}):\n{}",
                broker.proc.name(),
                timeout,
                broker.proc.log_tail(40)
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A name server plus a broker of one flavor on `store`.
#[allow(dead_code)]
pub struct Cluster {
    pub flavor: Flavor,
    // field order: broker dies first
    pub broker: Server,
    pub namesrv: Server,
    pub ready: Duration,
}

impl Cluster {
    pub fn start(flavor: Flavor, store: &Path, extra: &[(&str, &str)]) -> Result<Cluster> {
        let namesrv = start_namesrv(flavor)?;
        let t0 = Instant::now();
        let broker = spawn_broker(flavor, &namesrv.addr(), store, extra)?;
        let ready = wait_ready(&broker, &namesrv.addr(), t0, Duration::from_secs(180))?;
        Ok(Cluster {
            flavor,
            broker,
            namesrv,
            ready,
        })
    }

    pub fn ns_addr(&self) -> String {
        self.namesrv.addr()
    }
    pub fn broker_addr(&self) -> String {
        self.broker.addr()
    }
}

/// Spawn one of our load tools (`rmq.bench.<class>`: Producer, BatchProducer,
/// TransactionProducer, Consumer) from the compat-tests Java build, against the 4.9.7 client.
pub fn spawn_tool(class: &str, args: &[String]) -> Result<Proc> {
    ensure_java_built()?;
    let tmp = new_temp_dir(&format!("bench-client-{}-", class.to_lowercase()))?;
    let dir = tmp.path().to_path_buf();
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs)?;
    let mut cmd = Command::new(java_exe());
    cmd.current_dir(&dir)
        .env_remove("NAMESRV_ADDR")
        .args(CLIENT_JVM)
        .arg(format!("-Duser.home={}", dir.display()))
        .arg(format!("-Drocketmq.client.logRoot={}", logs.display()))
        .arg("-cp")
        .arg(java_classpath())
        .arg(format!("rmq.bench.{class}"))
        .args(args);
    let proc = Proc::spawn(class, cmd, dir.join("output.log"))?;
    proc.keep_alive(tmp);
    Ok(proc)
}
