//! `mqnamesrv`'s command line against Java's `NamesrvStartup` (4.9.7): `-p` prints the same
//! items, `-h` the same usage (plus our `-m` line), bad flags and missing files exit like
//! Java; SIGTERM exits 0 and the KV table survives a restart.

mod namesrv_common;

use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Result};
use compat_tests::*;
use namesrv_common::Client;
use protocol::code::request as rc;
use protocol::RemotingCommand;

/// Our binary with a Java-like environment (`HOME` = `home`, `ROCKETMQ_HOME` = the
/// template Java clients get from the harness).
fn rmq(args: &[&str], home: &std::path::Path) -> Result<std::process::Output> {
    let bin = rmq_bin("mqnamesrv");
    if !bin.is_file() {
        bail!("{} not built: cargo build -p namesrv --bins", bin.display());
    }
    Ok(Command::new(bin)
        .args(args)
        .env("HOME", home)
        .env("ROCKETMQ_HOME", rocketmq_home_template())
        .env("RUST_LOG", "off")
        .output()?)
}

fn java(args: &[&str]) -> Result<JavaOutput> {
    run_java(JAVA_NAMESRV_MAIN, args, &[], &[], Duration::from_secs(60))
}

/// Drop logback's `HH:mm:ss.SSS` prefix.
fn untime(text: &str) -> String {
    text.lines()
        .map(|l| match l.get(..13) {
            Some(p) if p.as_bytes()[2] == b':' && p.as_bytes()[8] == b'.' => &l[13..],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn print_config_matches_java() -> Result<()> {
    let dir = new_temp_dir("rmq-namesrv-cli-")?;
    let conf = dir.path().join("ns.properties");
    let kv = dir.path().join("kv").join("kvConfig.json");
    std::fs::write(
        &conf,
        format!(
            "# comment\nlistenPort = 12345\norderMessageEnable=true\nserverWorkerThreads=notanumber\nfoo=bar\nkvConfigPath={}\n",
            kv.display()
        ),
    )?;
    let conf_s = conf.display().to_string();
    let j = java(&["-c", &conf_s, "-p"])?;
    let r = rmq(&["-c", &conf_s, "-p"], dir.path())?;
    assert_eq!(j.code(), Some(0), "{}", j.describe());
    assert_eq!(r.status.code(), Some(0));
    let (j_out, r_out) = (
        untime(&j.stdout),
        untime(&String::from_utf8_lossy(&r.stdout)),
    );
    assert_eq!(j_out, r_out);
    assert!(
        r_out.contains("listenPort=12345") && r_out.contains("orderMessageEnable=true"),
        "{r_out}"
    );
    assert!(r_out.starts_with(&format!("load config properties file OK, {conf_s}")));
    Ok(())
}

#[test]
fn usage_and_bad_command_lines_match_java() -> Result<()> {
    let dir = new_temp_dir("rmq-namesrv-cli-")?;
    let j = java(&["-h"])?;
    let r = rmq(&["-h"], dir.path())?;
    assert_eq!((j.code(), r.status.code()), (Some(0), Some(0)));
    // ours documents one more flag (-m); the rest is Java's layout, whose description
    // column moves with the longest option
    let r_text = String::from_utf8_lossy(&r.stdout).replace(" [-m]", "");
    let squash = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.contains("-m,--printImportantConfig"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(squash(&j.stdout), squash(&r_text));

    // unknown option: usage, exit 1
    let j = java(&["-x"])?;
    let r = rmq(&["-x"], dir.path())?;
    assert_eq!((j.code(), r.status.code()), (Some(1), Some(1)));
    assert!(String::from_utf8_lossy(&r.stdout).contains("usage: mqnamesrv"));

    // missing config file: exit -1 (255)
    let j = java(&["-c", "/nonexistent/ns.properties"])?;
    let r = rmq(&["-c", "/nonexistent/ns.properties"], dir.path())?;
    assert_eq!((j.code(), r.status.code()), (Some(255), Some(255)));
    Ok(())
}

#[test]
fn sigterm_exits_cleanly_and_kv_survives_restart() -> Result<()> {
    let dir = new_temp_dir("rmq-namesrv-kv-")?;
    let kv = dir.path().join("kvConfig.json");
    let kv_s = kv.display().to_string();
    let c = Client::new()?;
    let put = |addr: &str| -> Result<()> {
        let mut cmd = RemotingCommand::request(rc::PUT_KV_CONFIG);
        cmd.set_ext("namespace", "ns");
        cmd.set_ext("key", "k");
        cmd.set_ext("value", "v");
        let resp = c.call(addr, cmd)?;
        if resp.code != 0 {
            bail!("PUT_KV_CONFIG: {} {:?}", resp.code, resp.remark);
        }
        Ok(())
    };

    let ns = RmqNamesrv::start_with_conf(&[("kvConfigPath", &kv_s)])?;
    put(&ns.addr())?;
    ns.stop()?;
    let status = ns.proc().try_wait();
    assert!(
        status.map(|s| s.success()).unwrap_or(false),
        "exit status {status:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&kv)?,
        r#"{"configTable":{"ns":{"k":"v"}}}"#
    );

    let ns = RmqNamesrv::start_with_conf(&[("kvConfigPath", &kv_s)])?;
    let mut get = RemotingCommand::request(rc::GET_KV_CONFIG);
    get.set_ext("namespace", "ns");
    get.set_ext("key", "k");
    let resp = c.call(&ns.addr(), get)?;
    assert_eq!((resp.code, resp.ext("value")), (0, Some("v")));
    Ok(())
}
