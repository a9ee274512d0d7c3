//! Bad input to the rmq image must end the container quickly with a clear message and a
//! non-zero status, never a hang: a missing or unreadable config file (namesrv and broker), an
//! unwritable store volume (a root-owned bind mount, a read-only mount, an uncreatable
//! `storePathRootDir`), and a broker whose port is taken.

use anyhow::{bail, Result};
use compat_tests::docker::{
    docker_or_skip, rmq_image, write_conf, CmdOutput, DockerEngine, IMAGE_ROCKETMQ_HOME,
};
use compat_tests::*;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

/// A container that fails must be gone well within this.
const EXIT_LIMIT: Duration = Duration::from_secs(30);

fn unique_name(what: &str) -> String {
    format!("rmq-bad-{what}-{}-{}", std::process::id(), free_port())
}

/// `docker run --rm --network host --name <n> <extra...> <image> <cmd...>`, bounded in time.
fn run_container(
    engine: &DockerEngine,
    what: &str,
    extra: &[String],
    cmd: &[&str],
) -> Result<CmdOutput> {
    let image = rmq_image()?;
    let name = unique_name(what);
    let mut args: Vec<String> = vec![
        "run".into(),
        "--rm".into(),
        "--network".into(),
        "host".into(),
        "--name".into(),
        name.clone(),
    ];
    args.extend(extra.iter().cloned());
    args.push(image);
    args.extend(cmd.iter().map(|s| s.to_string()));
    let out = engine.run(&args, EXIT_LIMIT + Duration::from_secs(30))?;
    engine.remove_container(&name);
    eprintln!(
        "[bad-input:{what}] exit {:?} after {:.2}s: {}",
        out.code(),
        out.elapsed.as_secs_f64(),
        out.combined().trim()
    );
    Ok(out)
}

fn expect_failure(what: &str, out: &CmdOutput, needle: &str) -> Result<()> {
    if out.timed_out || out.elapsed > EXIT_LIMIT {
        bail!(
            "{what}: the container did not exit within {EXIT_LIMIT:?}:\n{}",
            out.describe()
        );
    }
    match out.code() {
        Some(0) => bail!("{what}: exited 0, want a failure:\n{}", out.describe()),
        None => bail!("{what}: no exit status:\n{}", out.describe()),
        Some(_) => {}
    }
    if !out.combined().contains(needle) {
        bail!("{what}: output lacks {needle:?}:\n{}", out.describe());
    }
    Ok(())
}

fn broker_props(port: u16) -> Props {
    let mut p = Props::new();
    p.set("brokerClusterName", "DefaultCluster")
        .set("brokerName", "broker-bad")
        .set("brokerId", "0")
        .set("listenPort", port.to_string())
        .set("brokerIP1", "127.0.0.1");
    p
}

fn mount(host: &Path, container: &str, ro: bool) -> Vec<String> {
    vec![
        "-v".into(),
        format!(
            "{}:{container}{}",
            host.display(),
            if ro { ":ro" } else { "" }
        ),
    ]
}

#[test]
fn container_missing_conf_fails_fast() -> Result<()> {
    let Some(engine) = docker_or_skip("container_missing_conf_fails_fast")? else {
        return Ok(());
    };
    let out = run_container(
        engine,
        "broker-noconf",
        &[],
        &["sh", "mqbroker", "-c", "/nonexistent/broker.conf"],
    )?;
    expect_failure("broker, missing -c file", &out, "does not exist")?;
    let out = run_container(
        engine,
        "namesrv-noconf",
        &[],
        &["sh", "mqnamesrv", "-c", "/nonexistent/namesrv.conf"],
    )?;
    expect_failure("namesrv, missing -c file", &out, "does not exist")?;
    // a directory where the file should be (e.g. a bind mount of a path that did not exist)
    let out = run_container(
        engine,
        "broker-dirconf",
        &[],
        &["sh", "mqbroker", "-c", IMAGE_ROCKETMQ_HOME],
    )?;
    expect_failure("broker, -c names a directory", &out, "is a directory")?;
    Ok(())
}

#[test]
fn container_unreadable_conf_fails_fast() -> Result<()> {
    let Some(engine) = docker_or_skip("container_unreadable_conf_fails_fast")? else {
        return Ok(());
    };
    let dir = new_temp_dir("rmq-bad-conf-")?;
    let conf = dir.path().join("broker.conf");
    write_conf(&conf, &broker_props(free_broker_port()))?;
    // owned by the host user (root here), readable by nobody else: uid 3000 can't read it
    std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o600))?;
    let target = format!("{IMAGE_ROCKETMQ_HOME}/conf/unreadable.conf");
    let out = run_container(
        engine,
        "broker-unreadable",
        &mount(&conf, &target, true),
        &["sh", "mqbroker", "-c", &target],
    )?;
    if out.code() == Some(0) || out.timed_out {
        bail!("unreadable conf: want a failure:\n{}", out.describe());
    }
    expect_failure("broker, unreadable -c file", &out, "not readable")?;
    let out = run_container(
        engine,
        "namesrv-unreadable",
        &mount(&conf, &target, true),
        &["sh", "mqnamesrv", "-c", &target],
    )?;
    expect_failure("namesrv, unreadable -c file", &out, "not readable")?;
    Ok(())
}

#[test]
fn container_unwritable_store_fails_fast() -> Result<()> {
    let Some(engine) = docker_or_skip("container_unwritable_store_fails_fast")? else {
        return Ok(());
    };
    let dir = new_temp_dir("rmq-bad-store-")?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    let conf = dir.path().join("broker.conf");
    write_conf(&conf, &broker_props(free_broker_port()))?;
    let conf_target = format!("{IMAGE_ROCKETMQ_HOME}/conf/store-test.conf");

    // 1. the store volume is a host directory owned by root, mode 0755
    let store = dir.path().join("store");
    std::fs::create_dir(&store)?;
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o755))?;
    let mut extra = mount(&conf, &conf_target, true);
    extra.extend(mount(&store, "/home/rocketmq/store", false));
    let out = run_container(
        engine,
        "store-rootowned",
        &extra,
        &["sh", "mqbroker", "-c", &conf_target],
    )?;
    // root in the container could write; the image runs as uid 3000, so this must fail
    expect_failure("broker, root-owned store volume", &out, "not writable")?;

    // 2. a read-only store mount, even if its owner is right
    std::os::unix::fs::chown(&store, Some(3000), Some(3000))?;
    let mut extra = mount(&conf, &conf_target, true);
    extra.extend(mount(&store, "/home/rocketmq/store", true));
    let out = run_container(
        engine,
        "store-readonly",
        &extra,
        &["sh", "mqbroker", "-c", &conf_target],
    )?;
    expect_failure("broker, read-only store volume", &out, "not writable")?;

    // 3. storePathRootDir somewhere the user can't create
    let conf2 = dir.path().join("broker2.conf");
    let mut p = broker_props(free_broker_port());
    p.set("storePathRootDir", "/srv/rmq-store");
    write_conf(&conf2, &p)?;
    let out = run_container(
        engine,
        "store-uncreatable",
        &mount(&conf2, &conf_target, true),
        &["sh", "mqbroker", "-c", &conf_target],
    )?;
    expect_failure(
        "broker, uncreatable storePathRootDir",
        &out,
        "cannot be created",
    )?;

    // and the positive control: the same conf with the store owned by uid 3000 starts
    let mut extra = mount(&conf, &conf_target, true);
    extra.extend(mount(&store, "/home/rocketmq/store", false));
    extra.extend(["--entrypoint".to_string(), "sh".to_string()]);
    let out = run_container(
        engine,
        "store-ok",
        &extra,
        &[
            "-c",
            &format!("timeout -s TERM 3 sh mqbroker -c {conf_target}; echo exit=$?"),
        ],
    )?;
    if !out.combined().contains("boot success") {
        bail!(
            "broker with a writable store did not boot:\n{}",
            out.describe()
        );
    }
    Ok(())
}

#[test]
fn container_broker_port_taken_fails_fast() -> Result<()> {
    let Some(engine) = docker_or_skip("container_broker_port_taken_fails_fast")? else {
        return Ok(());
    };
    let port = free_broker_port();
    let _taken = TcpListener::bind(("0.0.0.0", port))?;
    let dir = new_temp_dir("rmq-bad-port-")?;
    let conf = dir.path().join("broker.conf");
    write_conf(&conf, &broker_props(port))?;
    let target = format!("{IMAGE_ROCKETMQ_HOME}/conf/port-test.conf");
    let out = run_container(
        engine,
        "port-taken",
        &mount(&conf, &target, true),
        &["sh", "mqbroker", "-c", &target],
    )?;
    if out.timed_out || out.elapsed > EXIT_LIMIT {
        bail!(
            "broker on a taken port did not exit within {EXIT_LIMIT:?}:\n{}",
            out.describe()
        );
    }
    if out.code() == Some(0) {
        bail!("broker on a taken port exited 0:\n{}", out.describe());
    }
    let text = out.combined().to_lowercase();
    if !(text.contains("in use") || text.contains(&port.to_string())) {
        bail!(
            "broker on a taken port: no clear message:\n{}",
            out.describe()
        );
    }
    Ok(())
}
