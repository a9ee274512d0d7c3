//! Startup and size figures for the rmq image next to the Java 4.9.7 broker (run by
//! `bench/startup_container.sh`; `#[ignore]`d in the normal suite):
//!
//! * image size (`docker image inspect`), next to what the Java broker needs on disk: the JDK
//!   it runs on plus the 4.9.7 jars (`compat-tests/java/target/lib`; the official image adds
//!   an OS base layer on top, so this is a lower bound for `apache/rocketmq:4.9.x`);
//! * time from `docker run` of a broker container (namesrv container already up) to the broker
//!   being registered with the namesrv (GET_BROKER_CLUSTER_INFO polled every 10 ms), next to
//!   the time from starting the Java broker JVM the official way (the 4.9.7 `runbroker.sh`
//!   flags for JDK ≥ 9: `-Xms8g -Xmx8g`, G1, `-XX:+AlwaysPreTouch`,
//!   `-XX:MaxDirectMemorySize=15g`, ... and the JDK 17 flags in `JAVA_OPT_EXT`) to the same
//!   registration with a Java namesrv; plus the heap the official image's `runbroker.sh` uses
//!   (`-Xms2g -Xmx2g -Xmn1g -XX:MaxDirectMemorySize=1g`).
//!
//! `RMQ_BENCH_RUNS` (default 5) runs per variant; the median, min and max are printed.

use anyhow::{bail, Context, Result};
use compat_tests::docker::{
    docker_or_skip, rmq_image, wait_broker_registered, write_conf, DockerEngine,
    IMAGE_ROCKETMQ_HOME,
};
use compat_tests::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn runs() -> usize {
    std::env::var("RMQ_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(5)
}

fn broker_props(name: &str, port: u16) -> Props {
    let mut p = Props::new();
    p.set("brokerClusterName", "DefaultCluster")
        .set("brokerName", name)
        .set("brokerId", "0")
        .set("deleteWhen", "04")
        .set("fileReservedTime", "48")
        .set("brokerRole", "ASYNC_MASTER")
        .set("flushDiskType", "ASYNC_FLUSH")
        .set("listenPort", port.to_string())
        .set("brokerIP1", "127.0.0.1");
    p
}

#[derive(Debug, Clone, Copy)]
struct Stats {
    median: f64,
    min: f64,
    max: f64,
}

fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Stats {
        median,
        min: v[0],
        max: v[n - 1],
    }
}

fn du_bytes(path: &Path) -> u64 {
    let Ok(md) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if md.is_dir() {
        std::fs::read_dir(path)
            .map(|rd| rd.flatten().map(|e| du_bytes(&e.path())).sum())
            .unwrap_or(0)
    } else if md.is_file() {
        md.len()
    } else {
        0
    }
}

/// `java.home` of the JDK the harness runs.
fn java_home() -> Result<String> {
    let out = Command::new(java_exe())
        .args(["-XshowSettings:properties", "-version"])
        .output()
        .context("java -XshowSettings:properties")?;
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("java.home = ").map(str::to_string))
        .context("no java.home in -XshowSettings output")
}

/// docker run (detached) of a broker container → registered with the namesrv container.
fn rmq_broker_once(
    engine: &DockerEngine,
    image: &str,
    ns: &str,
    i: usize,
    dir: &Path,
) -> Result<(f64, f64)> {
    let name = format!("bench-rmq-{i}");
    let port = free_broker_port();
    let conf = dir.join(format!("{name}.conf"));
    write_conf(&conf, &broker_props(&name, port))?;
    let target = format!("{IMAGE_ROCKETMQ_HOME}/conf/bench.conf");
    let cname = format!("rmq-bench-{}-{i}-{port}", std::process::id());
    let mut cmd = engine.cli();
    cmd.args(["run", "-d", "--network", "host", "--name", &cname, "-e"])
        .arg(format!("NAMESRV_ADDR={ns}"))
        .arg("-v")
        .arg(format!("{}:{target}:ro", conf.display()))
        .arg(image)
        .args(["sh", "mqbroker", "-c", &target])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let t0 = Instant::now();
    let mut child = cmd.spawn().context("docker run")?;
    let r = wait_broker_registered(
        ns,
        &name,
        Some(&format!("127.0.0.1:{port}")),
        Duration::from_secs(60),
    );
    let elapsed = t0.elapsed().as_secs_f64();
    let _ = child.wait();
    // CPU used by the container's processes (sh, tee, mqbroker) up to now
    let cpu = engine
        .run_ok(
            &["inspect", "--format", "{{.State.Pid}}", &cname],
            Duration::from_secs(30),
        )
        .ok()
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|p| *p > 0)
        .map(tree_cpu_secs)
        .unwrap_or(f64::NAN);
    engine.remove_container(&cname);
    r?;
    Ok((elapsed, cpu))
}

/// The JVM flags of the 4.9.7 `runbroker.sh` for JDK ≥ 9 (java-tooling.md §1b), with the heap
/// settings given; GC log in `dir` instead of /dev/shm.
fn runbroker_flags(heap: &[&str], dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = vec!["-server".into()];
    v.extend(heap.iter().map(|s| s.to_string()));
    for _ in 0..2 {
        // runbroker.sh appends the G1 block twice on JDK >= 9
        v.extend(
            [
                "-XX:+UseG1GC",
                "-XX:G1HeapRegionSize=16m",
                "-XX:G1ReservePercent=25",
                "-XX:InitiatingHeapOccupancyPercent=30",
                "-XX:SoftRefLRUPolicyMSPerMB=0",
            ]
            .map(String::from),
        );
    }
    v.push(format!(
        "-Xlog:gc*:file={}/rmq_broker_gc_%p_%t.log:time,tags:filecount=5,filesize=30M",
        dir.display()
    ));
    v.extend(["-XX:-OmitStackTraceInFastThrow", "-XX:+AlwaysPreTouch"].map(String::from));
    v
}

/// JVM start → registered with the Java namesrv.
fn java_broker_once(
    ns: &str,
    i: usize,
    heap: &[&str],
    direct: &str,
    dir: &Path,
) -> Result<(f64, f64)> {
    let name = format!("bench-java-{i}");
    let port = free_broker_port();
    let run_dir = dir.join(&name);
    std::fs::create_dir_all(&run_dir)?;
    let mut props = broker_props(&name, port);
    props
        .set("namesrvAddr", ns)
        .set(
            "storePathRootDir",
            run_dir.join("store").display().to_string(),
        )
        .set(
            "storePathCommitLog",
            run_dir.join("store/commitlog").display().to_string(),
        );
    let conf = run_dir.join("broker.conf");
    props.write(&conf)?;
    let home = rocketmq_home_template();
    let mut args = runbroker_flags(heap, &run_dir);
    args.push(format!("-XX:MaxDirectMemorySize={direct}"));
    args.extend(["-XX:-UseLargePages", "-XX:-UseBiasedLocking"].map(String::from));
    // JAVA_OPT_EXT: what JDK 17 needs (java-tooling.md V5)
    args.extend(JDK9_PLUS_FLAGS.iter().map(|s| s.to_string()));
    args.push(format!("-Duser.home={}", run_dir.display()));
    args.push(format!("-Drocketmq.home.dir={}", home.display()));
    args.push("-cp".into());
    args.push(java_classpath());
    args.push(JAVA_BROKER_MAIN.into());
    args.push("-c".into());
    args.push(conf.display().to_string());
    let mut cmd = Command::new(java_exe());
    cmd.current_dir(&run_dir)
        .env("ROCKETMQ_HOME", &home)
        .env_remove("NAMESRV_ADDR")
        .args(&args);
    let t0 = Instant::now();
    let proc = Proc::spawn(&name, cmd, run_dir.join("broker.out"))?;
    let r = wait_broker_registered(
        ns,
        &name,
        Some(&format!("127.0.0.1:{port}")),
        Duration::from_secs(120),
    );
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = tree_cpu_secs(proc.pid());
    if r.is_err() {
        eprintln!("--- {name} log ---\n{}", proc.log_tail(40));
    }
    proc.kill9();
    r?;
    Ok((elapsed, cpu))
}

/// utime+stime (seconds) of `pid` and all its descendants (threads included).
fn tree_cpu_secs(pid: u32) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let mut total = 0.0;
    let mut stack = vec![pid];
    while let Some(p) = stack.pop() {
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
            if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
                let f: Vec<&str> = rest.split_whitespace().collect();
                let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
                    + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
                total += ticks / hz;
            }
        }
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) {
            for t in tasks.flatten() {
                if let Ok(ch) = std::fs::read_to_string(t.path().join("children")) {
                    stack.extend(ch.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
                }
            }
        }
    }
    total
}

fn fmt(s: Stats) -> String {
    format!(
        "median {:7.3} s  (min {:.3}, max {:.3})",
        s.median, s.min, s.max
    )
}

#[test]
#[ignore = "benchmark: bench/startup_container.sh"]
fn container_startup_figures() -> Result<()> {
    let Some(engine) = docker_or_skip("container_startup_figures")? else {
        return Ok(());
    };
    let image = rmq_image()?;
    ensure_java_built()?;
    let n = runs();
    let dir = new_temp_dir("rmq-bench-startup-")?;
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )?;

    // --- sizes
    let image_size = engine.image_size(&image)?;
    let jhome = java_home()?;
    let jdk = du_bytes(Path::new(&jhome));
    let jars = du_bytes(&java_project_dir().join("target").join("lib"));
    let java_total = jdk + jars;

    // --- rmq: namesrv container, then N broker containers
    let ns_port = free_port();
    let ns_conf = dir.path().join("namesrv.properties");
    let mut p = Props::new();
    p.set("listenPort", ns_port.to_string());
    write_conf(&ns_conf, &p)?;
    let ns_target = format!("{IMAGE_ROCKETMQ_HOME}/conf/bench-namesrv.properties");
    let ns_name = format!("rmq-bench-ns-{}-{ns_port}", std::process::id());
    let t0 = Instant::now();
    engine.run_ok(
        &[
            "run",
            "-d",
            "--network",
            "host",
            "--name",
            &ns_name,
            "-v",
            &format!("{}:{ns_target}:ro", ns_conf.display()),
            &image,
            "sh",
            "mqnamesrv",
            "-c",
            &ns_target,
        ],
        Duration::from_secs(60),
    )?;
    let ns = format!("127.0.0.1:{ns_port}");
    let result = (|| -> Result<(f64, Vec<(f64, f64)>)> {
        if !wait_port_open(ns_port, Duration::from_secs(30)) {
            bail!("namesrv container not listening on {ns_port}");
        }
        let ns_up = t0.elapsed().as_secs_f64();
        let mut v = Vec::new();
        // one warm-up run (page cache), not counted
        rmq_broker_once(engine, &image, &ns, 999, dir.path())?;
        for i in 0..n {
            v.push(rmq_broker_once(engine, &image, &ns, i, dir.path())?);
        }
        Ok((ns_up, v))
    })();
    engine.remove_container(&ns_name);
    let (rmq_ns_up, rmq_runs) = result?;
    let split = |v: Vec<(f64, f64)>| -> (Stats, Stats) {
        (
            stats(v.iter().map(|x| x.0).collect()),
            stats(v.iter().map(|x| x.1).collect()),
        )
    };
    let (rmq, rmq_cpu) = split(rmq_runs);

    // --- Java: Java namesrv, then N broker JVMs with the official flags
    let jns = JavaNamesrv::start()?;
    let jns_addr = jns.addr();
    java_broker_once(
        &jns_addr,
        998,
        &["-Xms2g", "-Xmx2g", "-Xmn1g"],
        "1g",
        dir.path(),
    )?; // warm-up
    let mut official = Vec::new();
    for i in 0..n {
        official.push(java_broker_once(
            &jns_addr,
            i,
            &["-Xms8g", "-Xmx8g"],
            "15g",
            dir.path(),
        )?);
    }
    let mut image_heap = Vec::new();
    for i in 0..n {
        image_heap.push(java_broker_once(
            &jns_addr,
            100 + i,
            &["-Xms2g", "-Xmx2g", "-Xmn1g"],
            "1g",
            dir.path(),
        )?);
    }
    let (official, official_cpu) = split(official);
    let (image_heap, image_heap_cpu) = split(image_heap);

    let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
    println!("\n==== rmq image vs Java 4.9.7 broker: size and start-up ({n} runs each, this machine) ====");
    println!(
        "image {image}: {:.1} MiB ({image_size} bytes)",
        mib(image_size)
    );
    println!(
        "Java broker on disk: JDK {} {:.1} MiB + 4.9.7 jars {:.1} MiB = {:.1} MiB (no OS base layer counted)",
        jhome,
        mib(jdk),
        mib(jars),
        mib(java_total)
    );
    println!(
        "  size ratio Java/rmq: {:.1}x",
        java_total as f64 / image_size as f64
    );
    println!("rmq namesrv container: docker run -> listening {rmq_ns_up:.3} s");
    println!(
        "rmq broker:  docker run -> registered with the namesrv:  {}",
        fmt(rmq)
    );
    println!("Java broker: JVM start (runbroker.sh flags, -Xms8g -Xmx8g AlwaysPreTouch, MaxDirectMemorySize=15g) -> registered: {}", fmt(official));
    println!("Java broker: JVM start (official image's runbroker.sh heap, -Xms2g -Xmx2g -Xmn1g, MaxDirectMemorySize=1g) -> registered: {}", fmt(image_heap));
    println!(
        "  start-up ratio Java/rmq (medians): {:.1}x (runbroker.sh), {:.1}x (image heap)",
        official.median / rmq.median,
        image_heap.median / rmq.median
    );
    println!("CPU time until registered (user+sys, less sensitive to machine load):");
    println!(
        "  rmq broker container (sh + mqbroker):      {}",
        fmt(rmq_cpu)
    );
    println!(
        "  Java broker, runbroker.sh flags:           {}",
        fmt(official_cpu)
    );
    println!(
        "  Java broker, official image heap:          {}",
        fmt(image_heap_cpu)
    );
    // /proc CPU times tick at 10 ms: count rmq as (median + 1 tick), so the ratio is a lower bound
    let tick = 1.0 / (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64);
    let rmq_cpu_hi = rmq_cpu.median + tick;
    println!(
        "  CPU ratio Java/rmq (medians; rmq counted as {:.3} s, one clock tick more): >= {:.0}x (runbroker.sh), >= {:.0}x (image heap)",
        rmq_cpu_hi,
        official_cpu.median / rmq_cpu_hi,
        image_heap_cpu.median / rmq_cpu_hi
    );
    println!(
        "load average at the end: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!("==== end ====");
    Ok(())
}
