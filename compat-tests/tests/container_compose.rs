//! `docker/compose-2m-noslave.yml`: one namesrv and two masters from the rmq image. Brought up
//! with `docker-compose` (Debian's 1.29) or the `docker compose` plugin, on a copy of
//! `docker/compose/` with free ports; both brokers must register, the route of TBW102 must list
//! both (Java `Ping` driver), and the official quickstart must round-trip 1000 messages.
//! Skipped (loudly) when neither compose tool is installed.

use anyhow::{bail, Context, Result};
use compat_tests::docker::{
    docker_or_skip, heavy_lock, rmq_image, run_cmd, wait_broker_registered, DockerEngine,
};
use compat_tests::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `docker-compose` (v1) or `docker compose` (v2 plugin), whichever answers.
fn compose_cmd(engine: &DockerEngine) -> Option<Vec<String>> {
    let mut c = engine.cli();
    c.args(["compose", "version"]);
    if run_cmd(c, Duration::from_secs(20))
        .map(|o| o.success())
        .unwrap_or(false)
    {
        return Some(vec![
            engine.cli_path().display().to_string(),
            "compose".into(),
        ]);
    }
    let mut c = Command::new("docker-compose");
    c.arg("version");
    if run_cmd(c, Duration::from_secs(20))
        .map(|o| o.success())
        .unwrap_or(false)
    {
        return Some(vec!["docker-compose".into()]);
    }
    None
}

struct Project<'a> {
    engine: &'a DockerEngine,
    base: Vec<String>,
    file: PathBuf,
    name: String,
    env: Vec<(String, String)>,
}

impl Project<'_> {
    fn run(&self, args: &[&str], timeout: Duration) -> Result<compat_tests::docker::CmdOutput> {
        let mut c = Command::new(&self.base[0]);
        c.args(&self.base[1..])
            .arg("-f")
            .arg(&self.file)
            .args(["-p", &self.name])
            .args(args)
            .env("DOCKER_HOST", self.engine.host());
        for (k, v) in &self.env {
            c.env(k, v);
        }
        run_cmd(c, timeout)
    }
}

impl Drop for Project<'_> {
    fn drop(&mut self) {
        match self.run(&["down", "-v", "--timeout", "20"], Duration::from_secs(120)) {
            Ok(o) if o.success() => {}
            Ok(o) => eprintln!("[compose] down failed: {}", o.describe()),
            Err(e) => eprintln!("[compose] down failed: {e:#}"),
        }
    }
}

/// Copy `docker/compose/*` to `dir`, replacing the default ports.
fn conf_copy(dir: &Path, ns_port: u16, port_a: u16, port_b: u16) -> Result<()> {
    let src = workspace_root().join("docker").join("compose");
    for entry in std::fs::read_dir(&src).with_context(|| format!("read {}", src.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(entry.path())?;
        let text = text
            .replace("listenPort=9876", &format!("listenPort={ns_port}"))
            .replace("listenPort=10911", &format!("listenPort={port_a}"))
            .replace("listenPort=11911", &format!("listenPort={port_b}"));
        let dst = dir.join(&name);
        std::fs::write(&dst, text)?;
        std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o644))?;
    }
    // the image's user (uid 3000) must be able to enter the mounted directory
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[test]
fn container_compose_2m_noslave() -> Result<()> {
    let Some(engine) = docker_or_skip("container_compose_2m_noslave")? else {
        return Ok(());
    };
    let Some(base) = compose_cmd(engine) else {
        eprintln!(
            "\n{0}\n!! SKIPPED container_compose_2m_noslave: neither `docker compose` nor \
             `docker-compose` is installed (apt-get install docker-compose)\n{0}\n",
            "!".repeat(78)
        );
        if std::env::var("RMQ_DOCKER_REQUIRED")
            .map(|v| v == "1")
            .unwrap_or(false)
        {
            bail!("RMQ_DOCKER_REQUIRED=1 but no compose tool");
        }
        return Ok(());
    };
    let image = rmq_image()?;
    ensure_java_built()?;
    let _heavy = heavy_lock();

    let ns_port = free_port();
    let port_a = free_broker_port();
    let port_b = free_broker_port();
    let conf = new_temp_dir("rmq-compose-conf-")?;
    conf_copy(conf.path(), ns_port, port_a, port_b)?;
    let project = Project {
        engine,
        base,
        file: workspace_root()
            .join("docker")
            .join("compose-2m-noslave.yml"),
        name: format!("rmq2m{}x{}", std::process::id(), ns_port),
        env: vec![
            ("RMQ_IMAGE".into(), image.clone()),
            ("RMQ_COMPOSE_CONF".into(), conf.path().display().to_string()),
            ("RMQ_NAMESRV_PORT".into(), ns_port.to_string()),
        ],
    };
    let up = project.run(&["up", "-d"], Duration::from_secs(180))?;
    if !up.success() {
        bail!("compose up failed: {}", up.describe());
    }
    let ns = format!("127.0.0.1:{ns_port}");
    let result = (|| -> Result<()> {
        for (name, port) in [("broker-a", port_a), ("broker-b", port_b)] {
            let t = wait_broker_registered(
                &ns,
                name,
                Some(&format!("127.0.0.1:{port}")),
                Duration::from_secs(60),
            )?;
            eprintln!(
                "[compose] {name} registered ({:.2}s after up)",
                t.as_secs_f64()
            );
        }
        let ping = run_driver("Ping", &ns, &[], Duration::from_secs(90))?;
        if ping.req_i64("brokers")? != 2 {
            bail!(
                "TBW102 route lists {} brokers, want 2",
                ping.req_i64("brokers")?
            );
        }
        let report = quickstart_roundtrip(&ns, Duration::from_secs(180), Duration::from_secs(120))?;
        report.check()?;
        eprintln!(
            "[compose] 2m-noslave: 2 brokers, quickstart {} SEND_OK / {} received",
            report.sent_ok,
            report.received_msgids.len()
        );
        Ok(())
    })();
    if result.is_err() {
        if let Ok(logs) = project.run(
            &["logs", "--no-color", "--tail", "40"],
            Duration::from_secs(60),
        ) {
            eprintln!("--- compose logs ---\n{}", logs.combined());
        }
    }
    result
}
