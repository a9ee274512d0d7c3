//! The rmq image under testcontainers, the way a team's CI would use it instead of
//! `apache/rocketmq:4.9.x`:
//!
//! * Rust (`testcontainers` crate, `GenericImage` of our locally built image): a namesrv
//!   container and a broker container (host networking, so the broker advertises 127.0.0.1),
//!   then the unmodified Java quickstart Producer/Consumer (1000 messages) and the
//!   `broker.SendModes` scenario driver against them.
//! * Java (`org.testcontainers:testcontainers`, `GenericContainer`): the same from JUnit, in
//!   `compat-tests/java/src/test/java/rmq/container/RmqContainersTest.java` (the example a
//!   Java team copies), run through Maven (`-Pcontainers`).
//!
//! The Docker engine and the image come from `compat_tests::docker` (a private dockerd is
//! started when none runs and we are root; without Docker the tests print a loud SKIP).

use anyhow::{bail, Context, Result};
use compat_tests::docker::{
    docker_or_skip, heavy_lock, rmq_image, run_cmd, wait_broker_registered, IMAGE_ROCKETMQ_HOME,
};
use compat_tests::*;
use std::process::Command;
use std::time::{Duration, Instant};
use testcontainers::core::WaitFor;
use testcontainers::runners::SyncRunner;
use testcontainers::{Container, GenericImage, ImageExt};

const DRIVER_N: i64 = 30;

fn generic_image(image: &str) -> GenericImage {
    let (name, tag) = image.rsplit_once(':').unwrap_or((image, "latest"));
    GenericImage::new(name, tag)
}

/// `sh mqnamesrv -c <conf>` with `listenPort=<port>`; ready when the boot line is printed.
fn start_namesrv(image: &str, port: u16) -> Result<Container<GenericImage>> {
    let conf = format!("{IMAGE_ROCKETMQ_HOME}/conf/namesrv-test.properties");
    let c = generic_image(image)
        .with_wait_for(WaitFor::message_on_stdout(NAMESRV_BOOT_LINE))
        .with_network("host")
        .with_copy_to(conf.clone(), format!("listenPort={port}\n").into_bytes())
        .with_cmd(["sh", "mqnamesrv", "-c", conf.as_str()])
        .with_startup_timeout(Duration::from_secs(60))
        .start()
        .context("start the namesrv container")?;
    Ok(c)
}

/// `sh mqbroker -c <conf>` with the namesrv in `NAMESRV_ADDR` (as users of the official image
/// do) and `brokerIP1=127.0.0.1`; ready when the boot line is printed.
fn start_broker(image: &str, namesrv_addr: &str, port: u16) -> Result<Container<GenericImage>> {
    let conf = format!("{IMAGE_ROCKETMQ_HOME}/conf/broker-test.conf");
    let mut props = Props::new();
    props
        .set("brokerClusterName", "DefaultCluster")
        .set("brokerName", "broker-a")
        .set("brokerId", "0")
        .set("deleteWhen", "04")
        .set("fileReservedTime", "48")
        .set("brokerRole", "ASYNC_MASTER")
        .set("flushDiskType", "ASYNC_FLUSH")
        .set("listenPort", port.to_string())
        .set("brokerIP1", "127.0.0.1")
        .set("autoCreateTopicEnable", "true");
    let c = generic_image(image)
        .with_wait_for(WaitFor::message_on_stdout(BROKER_BOOT_LINE))
        .with_network("host")
        .with_env_var("NAMESRV_ADDR", namesrv_addr)
        .with_env_var("JAVA_OPT_EXT", "-Xms512M -Xmx512M -Xmn128m")
        .with_copy_to(conf.clone(), props.to_text().into_bytes())
        .with_cmd(["sh", "mqbroker", "-c", conf.as_str()])
        .with_startup_timeout(Duration::from_secs(90))
        .start()
        .context("start the broker container")?;
    Ok(c)
}

fn container_logs(c: &Container<GenericImage>) -> String {
    let out = c.stdout_to_vec().unwrap_or_default();
    let err = c.stderr_to_vec().unwrap_or_default();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&err)
    )
}

fn check_send_modes(out: &DriverOutput) -> Result<()> {
    let n = DRIVER_N;
    for (key, want) in [
        ("sync_ok", n),
        ("async_ok", n),
        ("oneway_sent", n),
        ("batch_ok", n),
        ("expected", 4 * n),
        ("received", 4 * n),
        ("missing", 0),
        ("unexpected", 0),
        ("bad_body", 0),
        ("cluster_prop", 4 * n),
        ("tag_expected", n / 2),
        ("tag_received", n / 2),
        ("tag_wrong", 0),
    ] {
        let got = out.req_i64(key)?;
        if got != want {
            bail!(
                "SendModes {key}={got}, want {want}; results {:?}\n{}",
                out.results,
                out.output.describe()
            );
        }
    }
    Ok(())
}

#[test]
fn container_rust_testcontainers_quickstart_and_driver() -> Result<()> {
    let Some(_engine) = docker_or_skip("container_rust_testcontainers_quickstart_and_driver")?
    else {
        return Ok(());
    };
    let image = rmq_image()?;
    ensure_java_built()?;
    let _heavy = heavy_lock();

    let ns_port = free_port();
    let broker_port = free_broker_port();
    let t0 = Instant::now();
    let namesrv = start_namesrv(&image, ns_port)?;
    let ns_addr = format!("127.0.0.1:{ns_port}");
    let broker = start_broker(&image, &ns_addr, broker_port)?;
    let registered = wait_broker_registered(
        &ns_addr,
        "broker-a",
        Some(&format!("127.0.0.1:{broker_port}")),
        Duration::from_secs(30),
    )?;
    eprintln!(
        "[container] namesrv {} + broker {} up and registered in {:.2}s (registration seen {:.0} ms after the boot line)",
        namesrv.id(),
        broker.id(),
        t0.elapsed().as_secs_f64(),
        registered.as_secs_f64() * 1000.0
    );

    let result = (|| -> Result<()> {
        let report =
            quickstart_roundtrip(&ns_addr, Duration::from_secs(180), Duration::from_secs(120))?;
        report.check()?;
        eprintln!(
            "[container] quickstart: {} SEND_OK, {} received (produce {:.1}s, consume {:.1}s)",
            report.sent_ok,
            report.received_msgids.len(),
            report.produce_time.as_secs_f64(),
            report.consume_time.as_secs_f64()
        );
        let n = DRIVER_N.to_string();
        let out = run_driver(
            "rmq.compat.broker.SendModes",
            &ns_addr,
            &["all", "ContainerSendModes", &n],
            Duration::from_secs(200),
        )?;
        check_send_modes(&out)?;
        eprintln!("[container] SendModes: {:?}", out.results);
        Ok(())
    })();
    if result.is_err() {
        eprintln!(
            "--- broker container log (tail) ---\n{}",
            tail_lines(&container_logs(&broker), 60)
        );
        eprintln!(
            "--- namesrv container log (tail) ---\n{}",
            tail_lines(&container_logs(&namesrv), 30)
        );
    }
    result
}

/// `mvn -Pcontainers ... -Dtest=RmqContainersTest test`: the Java testcontainers example.
#[test]
fn container_java_testcontainers() -> Result<()> {
    let Some(engine) = docker_or_skip("container_java_testcontainers")? else {
        return Ok(());
    };
    let image = rmq_image()?;
    ensure_java_built()?;
    let _heavy = heavy_lock();

    let pom = java_project_dir().join("pom.xml");
    let mvn = std::env::var("RMQ_MVN")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "mvn".into());
    let mut cmd = Command::new(mvn);
    cmd.current_dir(java_project_dir())
        .args(["-B", "-Dstyle.color=never", "-f"])
        .arg(&pom)
        .args([
            "-Pcontainers",
            "-Dtest=RmqContainersTest",
            "-Dsurefire.failIfNoSpecifiedTests=false",
        ])
        .arg(format!("-Drmq.image={image}"))
        // compile only the test sources: target/classes and target/lib come from the harness
        // build (ensure_java_built), which other tests may be using right now
        .arg("compiler:testCompile")
        .arg("surefire:test")
        .env("DOCKER_HOST", engine.host())
        // no registry here: Ryuk's image can't be pulled; containers are removed by the test
        .env("TESTCONTAINERS_RYUK_DISABLED", "true")
        .env("TESTCONTAINERS_CHECKS_DISABLE", "true")
        // when the tests themselves run in a container (/.dockerenv), Testcontainers looks up
        // the gateway of the "bridge" network, which a `--bridge=none` daemon lacks; every
        // container here uses host networking, so the host is localhost
        .env("TESTCONTAINERS_HOST_OVERRIDE", "localhost")
        .env_remove("NAMESRV_ADDR");
    if let Ok(extra) = std::env::var("RMQ_MVN_ARGS") {
        cmd.args(extra.split_whitespace());
    }
    let out = run_cmd(cmd, Duration::from_secs(20 * 60))?;
    let text = out.combined();
    let summary: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Tests run:") || l.contains("[rmq-container]"))
        .collect();
    eprintln!("[container] maven surefire:\n{}", summary.join("\n"));
    if !out.success() {
        bail!(
            "Java testcontainers test failed:\n{}",
            tail_lines(&text, 150)
        );
    }
    // surefire's summary line; both test methods of RmqContainersTest must have run
    let passed = text.lines().any(|l| {
        l.trim_start_matches("[INFO] ").starts_with("Tests run: ")
            && l.contains("Failures: 0, Errors: 0, Skipped: 0")
            && l.split("Tests run: ")
                .nth(1)
                .and_then(|r| r.split(',').next())
                .and_then(|n| n.trim().parse::<u32>().ok())
                .map(|n| n >= 2)
                .unwrap_or(false)
    });
    if !passed {
        bail!(
            "surefire did not report RmqContainersTest's 2 tests as run and passed:\n{}",
            tail_lines(&text, 80)
        );
    }
    Ok(())
}
