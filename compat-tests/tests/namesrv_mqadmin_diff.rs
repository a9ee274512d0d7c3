//! Differential test: one Java 4.9.7 broker registered with both a Java 4.9.7 namesrv and
//! ours (`namesrvAddr=java;rmq`); the real 4.9.7 `mqadmin` runs every namesrv-facing
//! subcommand against each, and the outputs, after masking what differs by construction
//! (each namesrv's own address, port and temp dir; the broker's live stats in
//! `clusterList`), must be identical.
//!
//! To stay well under a minute on 2 cores, the subcommands of one side run in one JVM
//! (`MQAdminStartup.main` once per command, see [`BATCH_ADMIN_JAVA`]), both sides in
//! parallel; all mismatches are collected and reported together.

mod namesrv_common;

use anyhow::{bail, Result};
use compat_tests::*;
use namesrv_common::{poll, wait_no_route, wait_route, Client};
use std::time::Duration;

const TOPIC: &str = "DiffTopic";

/// A tiny launcher that runs many mqadmin subcommands in one JVM: the real 4.9.7
/// `MQAdminStartup.main` once per line of the command file (tab-separated arguments), each
/// output preceded by a marker line; stderr goes to stdout so stack traces stay in place.
/// Run with Java's single-file source launcher.
const BATCH_ADMIN_JAVA: &str = r#"
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.rocketmq.tools.command.MQAdminStartup;

public class NamesrvDiffAdmin {
    public static void main(String[] args) throws Exception {
        System.setErr(System.out);
        for (String line : Files.readAllLines(Paths.get(args[0]))) {
            if (line.isEmpty()) {
                continue;
            }
            System.out.println();
            System.out.println("@@@STEP " + line.replace('\t', ' '));
            MQAdminStartup.main(line.split("\t"));
            System.out.flush();
        }
        System.out.println();
        System.out.println("@@@END");
        System.out.flush();
        System.exit(0);
    }
}
"#;

struct Side<'a> {
    ns: &'a Namesrv,
}

impl Side<'_> {
    /// Mask what differs between the two name servers by construction.
    fn normalise(&self, text: &str) -> String {
        let dir = self.ns.dir().display().to_string();
        let out = text
            .replace(&dir, "<NSDIR>")
            .replace(&self.ns.addr(), "<NSADDR>")
            .replace(&self.ns.port().to_string(), "<NSPORT>");
        out.lines()
            .filter(|l| !l.starts_with("OpenJDK 64-Bit Server VM warning"))
            .map(mask_cluster_list_row)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// `clusterList` rows carry the broker's live stats (TPS, load, hours since start, disk
/// use): keep the first 5 columns (cluster, broker, id, addr, version).
fn mask_cluster_list_row(line: &str) -> String {
    let cols: Vec<&str> = line.split_whitespace().collect();
    if cols.len() >= 9 && (cols[4].starts_with("V4_") || cols[4] == "#Version") {
        cols[..5].join(" ")
    } else {
        line.to_string()
    }
}

/// Run `steps` (mqadmin argument lists; `-n <addr>` is appended) against one name server in
/// one JVM; returns each step's output.
fn run_batch(ns: &Namesrv, steps: &[Vec<&str>]) -> Result<Vec<String>> {
    let dir = new_temp_dir("rmq-namesrv-diff-")?;
    let src = dir.path().join("NamesrvDiffAdmin.java");
    std::fs::write(&src, BATCH_ADMIN_JAVA)?;
    let cmds = dir.path().join("commands.txt");
    let mut text = String::new();
    for step in steps {
        text.push_str(&step.join("\t"));
        text.push_str(&format!("\t-n\t{}\n", ns.addr()));
    }
    std::fs::write(&cmds, text)?;
    let (src_s, cmds_s) = (src.display().to_string(), cmds.display().to_string());
    let out = run_java(
        &src_s,
        &[&cmds_s],
        &[("NAMESRV_ADDR", &ns.addr())],
        &[],
        Duration::from_secs(120),
    )?;
    let all = out.combined();
    if !out.success() || !all.contains("@@@END") {
        bail!(
            "batch mqadmin against {} failed:\n{}",
            ns.addr(),
            out.describe()
        );
    }
    let chunks: Vec<String> = all
        .split("@@@STEP ")
        .skip(1)
        .map(|c| {
            // drop the marker line itself (it names the namesrv) and anything after @@@END
            let body = c.split("@@@END").next().unwrap_or("");
            body.split_once('\n')
                .map(|(_, rest)| rest)
                .unwrap_or("")
                .to_string()
        })
        .collect();
    if chunks.len() != steps.len() {
        bail!(
            "expected {} step outputs, got {}:\n{all}",
            steps.len(),
            chunks.len()
        );
    }
    Ok(chunks)
}

struct Diff {
    mismatches: Vec<String>,
    steps: usize,
}

impl Diff {
    /// Compare one step; `must_contain` guards against both sides failing the same way.
    fn record(&mut self, args: &[&str], j: &str, r: &str, must_contain: &str) {
        self.steps += 1;
        let cmd = args.join(" ");
        if j != r {
            self.mismatches.push(format!(
                "mqadmin {cmd}\n--- java ---\n{j}\n--- rmq ---\n{r}\n"
            ));
        } else if !j.contains(must_contain) {
            self.mismatches.push(format!(
                "mqadmin {cmd}: equal, but without {must_contain:?}:\n{j}\n"
            ));
        }
    }

    /// Run `steps` against both name servers (in parallel) and record every difference.
    fn batch(&mut self, java: &Side, rmq: &Side, steps: &[(Vec<&str>, &str)]) -> Result<()> {
        let args: Vec<Vec<&str>> = steps.iter().map(|(a, _)| a.clone()).collect();
        let (j, r) = std::thread::scope(|s| {
            let j = s.spawn(|| run_batch(java.ns, &args));
            let r = s.spawn(|| run_batch(rmq.ns, &args));
            (j.join(), r.join())
        });
        let (Ok(j), Ok(r)) = (j, r) else {
            bail!("batch thread panicked");
        };
        let (j, r) = (j?, r?);
        for (i, (step, must)) in steps.iter().enumerate() {
            self.record(step, &java.normalise(&j[i]), &rmq.normalise(&r[i]), must);
        }
        Ok(())
    }
}

#[test]
fn mqadmin_output_equal_on_java_and_rmq_namesrv() -> Result<()> {
    let java_ns = JavaNamesrv::start()?;
    let rmq_ns = RmqNamesrv::start()?;
    let both_addrs = format!("{};{}", java_ns.addr(), rmq_ns.addr());
    let broker = JavaBroker::start(&both_addrs, &[])?;
    let java = Side { ns: &java_ns };
    let rmq = Side { ns: &rmq_ns };
    let c = Client::new()?;
    for ns in [&*java_ns, &*rmq_ns] {
        wait_route(&c, &ns.addr(), "TBW102", Duration::from_secs(30))?;
    }

    // A topic of our own: created on the broker, which pushes it to both name servers.
    let out = mqadmin(
        &java_ns.addr(),
        &[
            "updateTopic",
            "-c",
            "DefaultCluster",
            "-t",
            TOPIC,
            "-r",
            "4",
            "-w",
            "4",
        ],
    )?;
    if !out.contains("success") {
        bail!("updateTopic failed:\n{out}");
    }
    for ns in [&*java_ns, &*rmq_ns] {
        wait_route(&c, &ns.addr(), TOPIC, Duration::from_secs(30))?;
    }
    // clusterList asks the broker for runtime stats, which fails until its first 1 s sample.
    let warm = mqadmin_until(
        &java_ns.addr(),
        &["clusterList"],
        Duration::from_secs(20),
        |t| t.contains("V4_9_7"),
    )?;
    if !warm.contains(&broker.addr()) {
        bail!("clusterList never showed the broker:\n{warm}");
    }

    let mut d = Diff {
        mismatches: Vec::new(),
        steps: 0,
    };
    let steps: Vec<(Vec<&str>, &str)> = vec![
        (vec!["clusterList"], "V4_9_7"),
        (vec!["topicList"], TOPIC),
        (vec!["topicList", "-c"], TOPIC),
        (vec!["topicRoute", "-t", TOPIC], "\"writeQueueNums\":4"),
        (vec!["topicRoute", "-t", "NoSuchTopic"], "CODE: 17"),
        (vec!["topicClusterList", "-t", TOPIC], "DefaultCluster"),
        // KV config
        (
            vec!["updateKvConfig", "-s", "DiffNs", "-k", "k1", "-v", "v1"],
            "success",
        ),
        (
            vec![
                "updateOrderConf",
                "-t",
                TOPIC,
                "-m",
                "put",
                "-v",
                "broker-a:4",
            ],
            "success",
        ),
        (
            vec!["updateOrderConf", "-t", TOPIC, "-m", "get"],
            "orderConf=[broker-a:4]",
        ),
        (
            vec!["updateOrderConf", "-t", "NoSuchTopic", "-m", "get"],
            "CODE: 22",
        ),
        (
            vec!["deleteKvConfig", "-s", "DiffNs", "-k", "k1"],
            "success",
        ),
        (
            vec!["updateOrderConf", "-t", TOPIC, "-m", "delete"],
            "success",
        ),
        (
            vec!["updateOrderConf", "-t", TOPIC, "-m", "get"],
            "CODE: 22",
        ),
        // name server config
        (vec!["getNamesrvConfig"], "orderMessageEnable"),
        (
            vec![
                "updateNamesrvConfig",
                "-k",
                "orderMessageEnable",
                "-v",
                "true",
            ],
            "success",
        ),
        (vec!["getNamesrvConfig"], "=  true"),
        (
            vec!["updateNamesrvConfig", "-k", "kvConfigPath", "-v", "/tmp/x"],
            "CODE: 16",
        ),
        // with orderMessageEnable the route carries orderTopicConf
        (
            vec![
                "updateOrderConf",
                "-t",
                TOPIC,
                "-m",
                "put",
                "-v",
                "broker-a:4",
            ],
            "success",
        ),
        (vec!["topicRoute", "-t", TOPIC], "orderTopicConf"),
        // write permission
        (vec!["wipeWritePerm", "-b", "broker-a"], "OK"),
        (vec!["topicRoute", "-t", TOPIC], "\"perm\":4"),
        (vec!["addWritePerm", "-b", "broker-a"], "OK"),
        (vec!["topicRoute", "-t", TOPIC], "\"perm\":6"),
        // deleteTopic deletes on the (shared) broker, then in the name server given with -n;
        // deleting an absent topic on the broker succeeds, so both sides may run it
        (
            vec!["deleteTopic", "-t", TOPIC, "-c", "DefaultCluster"],
            "from NameServer success",
        ),
        (vec!["topicRoute", "-t", TOPIC], "CODE: 17"),
        (vec!["topicClusterList", "-t", TOPIC], "CODE: 17"),
        (vec!["topicList"], "TBW102"),
    ];
    d.batch(&java, &rmq, &steps)?;
    for ns in [&*java_ns, &*rmq_ns] {
        wait_no_route(&c, &ns.addr(), TOPIC, Duration::from_secs(5))?;
    }

    // The broker stays registered with both.
    poll(
        "broker still registered with both",
        Duration::from_secs(5),
        || {
            Ok((c.route(&java_ns.addr(), "TBW102")?.is_some()
                && c.route(&rmq_ns.addr(), "TBW102")?.is_some())
            .then_some(()))
        },
    )?;

    eprintln!(
        "[namesrv_mqadmin_diff] {} steps compared, {} mismatches",
        d.steps,
        d.mismatches.len()
    );
    if !d.mismatches.is_empty() {
        bail!(
            "{} of {} mqadmin outputs differ:\n{}",
            d.mismatches.len(),
            d.steps,
            d.mismatches.join("\n")
        );
    }
    Ok(())
}
