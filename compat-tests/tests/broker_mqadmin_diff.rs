//! Differential test of the broker's admin surface: the same sequence of 4.9.7 `mqadmin`
//! subcommands runs against a Java cluster (Java namesrv + Java broker) and against ours
//! (rmq namesrv + rmq broker), with the same messages produced and consumed by the same
//! Java clients (`rmq.compat.admin.AdminClients`); the outputs, after masking what differs
//! by construction, must be identical.
//!
//! Masked everywhere: the broker/namesrv addresses and ports, temp dirs, client addresses,
//! timestamps and dates, message ids (uniq ids and offset ids, which embed the broker's
//! port), and consume TPS. Two commands are compared more loosely, with the reason:
//! * `brokerStatus`: only the key set (values are live statistics: TPS, disk use, boot
//!   time, byte counts);
//! * `getBrokerConfig`: the key set, and the values of the keys both sides print except the
//!   ones that are host/instance specific or are defaults computed from the machine
//!   ([`CONFIG_VALUES_DIFFER`]).
//!
//! Each side runs its commands in one JVM per phase (`rmq.compat.admin.AdminBatch`), and the
//! two sides run in parallel.

use anyhow::{bail, Context, Result};
use compat_tests::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const TOPIC: &str = "AdminTopic";
const TOPIC2: &str = "AdminTopic2";
const PRODUCER_GROUP: &str = "AdminPG";
const CONSUMER_GROUP: &str = "AdminCG";
const SUB_GROUP: &str = "AdminSubGroup";
/// Messages the clients send (plus one from `sendMessage`).
const COUNT: usize = 8;

/// How a step's outputs are compared.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cmp {
    /// Normalised text must be equal and contain the given text.
    Exact(&'static str),
    /// Like `Exact`, after sorting the lines (Java's own order is not stable).
    Sorted(&'static str),
    /// `brokerStatus`: the set of keys.
    KeySet,
    /// `getBrokerConfig`: key set + values of shared keys.
    Config,
    /// Run only (setup / waiting).
    Skip,
}

struct Step {
    args: Vec<String>,
    cmp: Cmp,
}

fn step(args: &[&str], cmp: Cmp) -> Step {
    Step {
        args: args.iter().map(|s| s.to_string()).collect(),
        cmp,
    }
}

/// `@until <want> <ms> <args...>`: repeat until the output contains `want`.
fn until(want: &str, ms: u64, args: &[&str], cmp: Cmp) -> Step {
    let mut v = vec!["@until".to_string(), want.to_string(), ms.to_string()];
    v.extend(args.iter().map(|s| s.to_string()));
    Step { args: v, cmp }
}

/// Keys whose values legitimately differ between the two brokers.
const CONFIG_VALUES_DIFFER: &[&str] = &[
    // instance paths, addresses, ports (differ by construction)
    "rocketmqHome",
    "namesrvAddr",
    "listenPort",
    "haListenPort",
    "storePathRootDir",
    "storePathCommitLog",
    "storePathConsumerQueue",
    "storePathIndex",
    "storeCheckpoint",
    "abortFile",
    "brokerIP2",
    "haMasterAddress",
];

/// One cluster with its clients and the values the steps refer to.
struct Side {
    flavor: Flavor,
    cluster: Cluster,
    vars: BTreeMap<String, String>,
    clients: Option<Proc>,
    stop_file: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Side {
    fn start(flavor: Flavor) -> Result<Side> {
        let cluster = Cluster::start(flavor)?;
        let tmp = new_temp_dir(&format!("rmq-admin-diff-{}-", flavor.name()))?;
        let mut vars = BTreeMap::new();
        vars.insert("BROKER".to_string(), cluster.broker.addr());
        let stop_file = tmp.path().join("stop");
        Ok(Side {
            flavor,
            cluster,
            vars,
            clients: None,
            stop_file,
            _tmp: tmp,
        })
    }

    fn ns(&self) -> String {
        self.cluster.namesrv_addr()
    }

    fn subst(&self, arg: &str) -> String {
        let mut s = arg.to_string();
        for (k, v) in &self.vars {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    /// Run `steps` in one JVM; one output per step.
    fn run_batch(&self, steps: &[Step]) -> Result<Vec<String>> {
        let dir = new_temp_dir("rmq-admin-batch-")?;
        let cmds = dir.path().join("commands.txt");
        let mut text = String::new();
        for s in steps {
            let mut args: Vec<String> = s.args.iter().map(|a| self.subst(a)).collect();
            if args[0] != "@sleep" {
                args.push("-n".to_string());
                args.push(self.ns());
            }
            text.push_str(&args.join("\t"));
            text.push('\n');
        }
        std::fs::write(&cmds, text)?;
        let cmds_s = cmds.display().to_string();
        let ns = self.ns();
        let mut attempt = 0;
        let out = loop {
            let out = run_java(
                "rmq.compat.admin.AdminBatch",
                &[&cmds_s],
                &[("NAMESRV_ADDR", &ns)],
                &[],
                Duration::from_secs(240),
            )?;
            // Another test process may be rebuilding compat-tests/java right now (its Maven
            // run rewrites target/classes); nothing ran yet, so starting again is safe.
            attempt += 1;
            if attempt < 4 && class_missing(&out.combined()) {
                std::thread::sleep(Duration::from_secs(10));
                continue;
            }
            break out;
        };
        let all = out.combined();
        if !out.success() || !all.contains("@@@END") {
            bail!(
                "[{}] batch mqadmin failed:\n{}",
                self.flavor.name(),
                out.describe()
            );
        }
        let chunks: Vec<String> = all
            .split("@@@STEP ")
            .skip(1)
            .map(|c| {
                let body = c.split("@@@END").next().unwrap_or("");
                body.split_once('\n')
                    .map(|(_, rest)| rest)
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        if chunks.len() != steps.len() {
            bail!(
                "[{}] expected {} step outputs, got {}:\n{all}",
                self.flavor.name(),
                steps.len(),
                chunks.len()
            );
        }
        Ok(chunks)
    }

    /// Start the producer + push consumer and wait until they consumed everything.
    fn start_clients(&mut self) -> Result<()> {
        let ns = self.ns();
        let stop = self.stop_file.display().to_string();
        let count = COUNT.to_string();
        let spawn = || {
            spawn_java(
                "rmq.compat.admin.AdminClients",
                &[TOPIC, PRODUCER_GROUP, CONSUMER_GROUP, &count, &stop],
                &[("NAMESRV_ADDR", &ns)],
                &[
                    ("rocketmq.namesrv.addr", &ns),
                    ("rmq.compat.timeoutMs", "400000"),
                ],
            )
        };
        let mut proc = spawn()?;
        for _ in 0..3 {
            let _ = proc.wait_exit(Duration::from_secs(2));
            if proc.is_running() || !class_missing(&proc.log_text()) {
                break;
            }
            std::thread::sleep(Duration::from_secs(10));
            proc = spawn()?;
        }
        if let Err(e) = proc.wait_for_log("RESULT ready=1", Duration::from_secs(150)) {
            bail!(
                "[{}] clients not ready: {e:#}\n{}\n--- broker log ---\n{}",
                self.flavor.name(),
                proc.log_tail(60),
                self.cluster.broker.proc().log_tail(40)
            );
        }
        let results = parse_results(&proc.log_text());
        for i in 0..COUNT {
            for key in ["uniq", "offset"] {
                let k = format!("{key}_{i}");
                let v = results
                    .get(&k)
                    .with_context(|| format!("clients did not print {k}"))?;
                self.vars.insert(k.to_uppercase(), v.clone());
            }
        }
        let client_id = results
            .get("client_id")
            .context("clients did not print client_id")?;
        self.vars.insert("CLIENT_ID".to_string(), client_id.clone());
        self.clients = Some(proc);
        Ok(())
    }

    fn consumed_lines(&self) -> usize {
        self.clients
            .as_ref()
            .map(|p| {
                p.log_text()
                    .lines()
                    .filter(|l| l.starts_with("CONSUMED "))
                    .count()
            })
            .unwrap_or(0)
    }

    fn stop_clients(&mut self) {
        let _ = std::fs::write(&self.stop_file, b"stop");
        if let Some(p) = self.clients.take() {
            let _ = p.wait_exit(Duration::from_secs(30));
        }
    }

    /// Mask what differs between the two clusters by construction.
    fn normalise(&self, text: &str) -> String {
        let b = &self.cluster.broker;
        let mut out = text.to_string();
        for (from, to) in [
            (b.store_dir().display().to_string(), "<STORE>"),
            (b.dir().display().to_string(), "<BROKERDIR>"),
            (self.cluster.namesrv.dir().display().to_string(), "<NSDIR>"),
            (b.addr(), "<BROKER>"),
            (self.ns(), "<NS>"),
        ] {
            out = out.replace(&from, to);
        }
        let lines: Vec<String> = out
            .lines()
            .filter(|l| !l.starts_with("OpenJDK 64-Bit Server VM warning"))
            .map(mask_line)
            .collect();
        sort_subscription_block(lines).join("\n").trim().to_string()
    }
}

/// `consumerConnection` prints the group's subscriptions in the client-side
/// `ConcurrentHashMap`'s order. `AdminTopic` and `%RETRY%AdminCG` share a bucket, so their
/// order is the broker's insertion order, which follows the heartbeat's `HashSet` of
/// `SubscriptionData` (hashed over `subVersion`, a timestamp): not stable even between two
/// runs of the Java broker. Sort those lines.
fn sort_subscription_block(mut lines: Vec<String>) -> Vec<String> {
    if let Some(start) = lines
        .iter()
        .position(|l| l.starts_with("#Topic") && l.contains("#SubExpression"))
    {
        let from = start + 1;
        let to = lines[from..]
            .iter()
            .position(|l| l.trim().is_empty())
            .map(|n| from + n)
            .unwrap_or(lines.len());
        lines[from..to].sort();
    }
    lines
}

/// The JVM could not find one of our driver classes (a concurrent Maven rebuild).
fn class_missing(output: &str) -> bool {
    output.contains("ClassNotFoundException: rmq.compat")
}

fn is_hex_upper(c: char) -> bool {
    c.is_ascii_digit() || ('A'..='F').contains(&c)
}

/// Mask ids, addresses, timestamps and dates in one line.
fn mask_line(line: &str) -> String {
    let mut l = line.to_string();
    if l.starts_with("Consume TPS:") {
        l = "Consume TPS: <TPS>".to_string();
    }
    // ConsumeMessageDirectlyResult: the consumer's own timing
    if let Some(i) = l.find("spentTimeMills=") {
        let start = i + "spentTimeMills=".len();
        let end = l[start..]
            .find(|c: char| !c.is_ascii_digit())
            .map(|n| start + n)
            .unwrap_or(l.len());
        l.replace_range(start..end, "<MS>");
    }
    let chars: Vec<char> = l.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // a run of word characters
        if c.is_ascii_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let prev_alnum = start > 0 && chars[start - 1].is_ascii_alphanumeric();
            if !prev_alnum
                && (word.len() == 32 || word.len() == 56)
                && word.chars().all(is_hex_upper)
            {
                out.push_str("<MSGID>");
                continue;
            }
            // date: dddd-dd-dd[ #T]dd:dd:dd[,.:ddd]
            if word.len() == 4 && word.chars().all(|c| c.is_ascii_digit()) {
                let rest: String = chars[start..].iter().take(23).collect();
                let n = date_len(&rest);
                if n > 0 {
                    out.push_str("<DATE>");
                    i = start + n;
                    continue;
                }
            }
            // ip:port
            if word.chars().all(|c| c.is_ascii_digit()) {
                let rest: String = chars[start..].iter().take(22).collect();
                let n = ip_port_len(&rest);
                if n > 0 {
                    out.push_str("<ADDR>");
                    i = start + n;
                    continue;
                }
                if word.len() == 13 {
                    out.push_str("<TS>");
                    continue;
                }
            }
            out.push_str(&word);
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Length of a date at the start of `s` (`2024-01-02 03:04:05`, optional `,123`/`.123`/
/// `:123`, `#` or `T` between date and time), else 0.
fn date_len(s: &str) -> usize {
    let b = s.as_bytes();
    let d = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let ok = (0..4).all(d)
        && at(4, b'-')
        && d(5)
        && d(6)
        && at(7, b'-')
        && d(8)
        && d(9)
        && (at(10, b' ') || at(10, b'#') || at(10, b'T'))
        && d(11)
        && d(12)
        && at(13, b':')
        && d(14)
        && d(15)
        && at(16, b':')
        && d(17)
        && d(18);
    if !ok {
        return 0;
    }
    if (at(19, b',') || at(19, b'.') || at(19, b':')) && d(20) && d(21) && d(22) {
        23
    } else {
        19
    }
}

/// Length of `a.b.c.d:port` at the start of `s`, else 0.
fn ip_port_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    for part in 0..4 {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i - start > 3 {
            return 0;
        }
        if part < 3 {
            if b.get(i) != Some(&b'.') {
                return 0;
            }
            i += 1;
        }
    }
    if b.get(i) != Some(&b':') {
        return 0;
    }
    i += 1;
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == start {
        return 0;
    }
    i
}

/// `brokerStatus` lines are `key<spaces>: value`.
fn status_keys(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty() && !k.contains(' '))
        .collect()
}

/// `getBrokerConfig` lines are `key<spaces>=  value`.
fn config_map(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty() && !k.contains(' '))
        .collect()
}

struct Diff {
    mismatches: Vec<String>,
    compared: Vec<String>,
}

impl Diff {
    fn compare(&mut self, st: &Step, j: &str, r: &str) {
        let cmd = st.args.join(" ");
        match st.cmp {
            Cmp::Skip => {}
            Cmp::Sorted(must) => {
                // mqadmin's own client instances (named by the time, `ip@<TS>`) register
                // and leave while the command runs: not part of what is compared.
                let sorted = |t: &str| {
                    let mut v: Vec<&str> = t.lines().filter(|l| !l.contains("@<TS>")).collect();
                    v.sort();
                    v.join("\n")
                };
                let exact = Step {
                    args: st.args.clone(),
                    cmp: Cmp::Exact(must),
                };
                self.compare(&exact, &sorted(j), &sorted(r));
            }
            Cmp::Exact(must) => {
                self.compared.push(cmd.clone());
                if j != r {
                    self.mismatches.push(format!(
                        "mqadmin {cmd}\n--- java ---\n{j}\n--- rmq ---\n{r}\n"
                    ));
                } else if !j.contains(must) {
                    self.mismatches.push(format!(
                        "mqadmin {cmd}: equal, but without {must:?}:\n{j}\n"
                    ));
                }
            }
            Cmp::KeySet => {
                self.compared.push(cmd.clone());
                let (jk, rk) = (status_keys(j), status_keys(r));
                if jk.len() < 20 {
                    self.mismatches
                        .push(format!("mqadmin {cmd}: java printed too few keys:\n{j}\n"));
                } else if jk != rk {
                    self.mismatches.push(format!(
                        "mqadmin {cmd}: key sets differ\nonly java: {:?}\nonly rmq: {:?}\n",
                        jk.difference(&rk).collect::<Vec<_>>(),
                        rk.difference(&jk).collect::<Vec<_>>()
                    ));
                }
            }
            Cmp::Config => {
                self.compared.push(cmd.clone());
                let (jm, rm) = (config_map(j), config_map(r));
                if jm.len() < 100 {
                    self.mismatches
                        .push(format!("mqadmin {cmd}: java printed too few keys:\n{j}\n"));
                    return;
                }
                let jk: BTreeSet<&String> = jm.keys().collect();
                let rk: BTreeSet<&String> = rm.keys().collect();
                let mut problems = Vec::new();
                if jk != rk {
                    problems.push(format!(
                        "key sets differ\nonly java: {:?}\nonly rmq: {:?}",
                        jk.difference(&rk).collect::<Vec<_>>(),
                        rk.difference(&jk).collect::<Vec<_>>()
                    ));
                }
                for (k, jv) in &jm {
                    if CONFIG_VALUES_DIFFER.contains(&k.as_str()) {
                        continue;
                    }
                    if let Some(rv) = rm.get(k) {
                        if rv != jv {
                            problems.push(format!("{k}: java={jv:?} rmq={rv:?}"));
                        }
                    }
                }
                if !problems.is_empty() {
                    self.mismatches
                        .push(format!("mqadmin {cmd}:\n{}\n", problems.join("\n")));
                }
            }
        }
    }
}

/// Run one phase on both sides in parallel and compare.
fn phase(d: &mut Diff, java: &Side, rmq: &Side, steps: &[Step]) -> Result<()> {
    let (j, r) = std::thread::scope(|s| {
        let j = s.spawn(|| java.run_batch(steps));
        let r = s.spawn(|| rmq.run_batch(steps));
        (j.join(), r.join())
    });
    let (Ok(j), Ok(r)) = (j, r) else {
        bail!("batch thread panicked");
    };
    let (j, r) = (j?, r?);
    for (i, st) in steps.iter().enumerate() {
        d.compare(st, &java.normalise(&j[i]), &rmq.normalise(&r[i]));
    }
    Ok(())
}

fn both<T: Send>(f: impl Fn(Flavor) -> Result<T> + Sync) -> Result<(T, T)> {
    let (j, r) = std::thread::scope(|s| {
        let j = s.spawn(|| f(Flavor::Java));
        let r = s.spawn(|| f(Flavor::Rmq));
        (j.join(), r.join())
    });
    let (Ok(j), Ok(r)) = (j, r) else {
        bail!("thread panicked");
    };
    Ok((j?, r?))
}

#[test]
fn mqadmin_output_equal_on_java_and_rmq_broker() -> Result<()> {
    let t0 = Instant::now();
    let (mut java, mut rmq) = both(Side::start)?;
    eprintln!("[admin-diff] clusters up after {:?}", t0.elapsed());
    let mut d = Diff {
        mismatches: Vec::new(),
        compared: Vec::new(),
    };

    // Phase 1: topics, groups, config, a message from mqadmin itself.
    let p1 = vec![
        until(
            "V4_9_7",
            40_000,
            &["brokerStatus", "-b", "{BROKER}"],
            Cmp::Skip,
        ),
        step(
            &[
                "updateTopic",
                "-b",
                "{BROKER}",
                "-t",
                TOPIC,
                "-r",
                "4",
                "-w",
                "4",
            ],
            Cmp::Exact("success"),
        ),
        step(
            &[
                "updateTopic",
                "-c",
                "DefaultCluster",
                "-t",
                TOPIC2,
                "-r",
                "2",
                "-w",
                "2",
                "-p",
                "6",
            ],
            Cmp::Exact("success"),
        ),
        step(
            &["updateTopic", "-b", "{BROKER}", "-t", "SCHEDULE_TOPIC_XXXX"],
            Cmp::Exact("conflict with system topic"),
        ),
        step(
            &["updateTopic", "-b", "{BROKER}", "-t", "DefaultCluster"],
            Cmp::Exact("CODE: 1"),
        ),
        step(
            &["topicRoute", "-t", TOPIC],
            Cmp::Exact("\"writeQueueNums\":4"),
        ),
        step(&["topicStatus", "-t", TOPIC], Cmp::Exact("#Broker Name")),
        step(&["topicStatus", "-t", "NoSuchAdminTopic"], Cmp::Exact("")),
        step(
            &[
                "updateSubGroup",
                "-b",
                "{BROKER}",
                "-g",
                SUB_GROUP,
                "-r",
                "5",
                "-q",
                "2",
                "-d",
                "false",
            ],
            Cmp::Exact("success"),
        ),
        step(
            &["getConsumerConfig", "-g", SUB_GROUP],
            Cmp::Exact("retryMaxTimes"),
        ),
        step(&["cleanExpiredCQ", "-b", "{BROKER}"], Cmp::Exact("success")),
        step(
            &["cleanUnusedTopic", "-b", "{BROKER}"],
            Cmp::Exact("success"),
        ),
        step(
            &["deleteExpiredCommitLog", "-b", "{BROKER}"],
            Cmp::Exact("success"),
        ),
        step(
            &[
                "sendMessage",
                "-t",
                TOPIC,
                "-p",
                "hello-admin",
                "-k",
                "SendKey",
                "-c",
                "TagS",
                "-b",
                "broker-a",
                "-i",
                "1",
            ],
            Cmp::Exact("SEND_OK"),
        ),
        step(&["getBrokerConfig", "-b", "{BROKER}"], Cmp::Config),
        step(
            &[
                "updateBrokerConfig",
                "-b",
                "{BROKER}",
                "-k",
                "defaultTopicQueueNums",
                "-v",
                "4",
            ],
            Cmp::Exact("success"),
        ),
        step(
            &[
                "updateBrokerConfig",
                "-b",
                "{BROKER}",
                "-k",
                "maxMessageSize",
                "-v",
                "2097152",
            ],
            Cmp::Exact("success"),
        ),
        step(&["getBrokerConfig", "-b", "{BROKER}"], Cmp::Config),
        until(
            "V4_9_7",
            20_000,
            &["brokerStatus", "-b", "{BROKER}"],
            Cmp::KeySet,
        ),
        step(
            &["deleteAccessConfig", "-b", "{BROKER}", "-a", "NoSuchKey"],
            Cmp::Exact("CODE: 210"),
        ),
        step(
            &["updateGlobalWhiteAddr", "-b", "{BROKER}", "-g", "10.10.*"],
            Cmp::Exact("CODE: 211"),
        ),
    ];
    phase(&mut d, &java, &rmq, &p1)?;
    eprintln!("[admin-diff] phase 1 done after {:?}", t0.elapsed());
    // Configuration.persist(): both brokers rewrite their -c file with every item.
    for s in [&java, &rmq] {
        let text = std::fs::read_to_string(s.cluster.broker.conf_path()).unwrap_or_default();
        for want in [
            "maxMessageSize=2097152",
            "defaultTopicQueueNums=4",
            "brokerName=broker-a",
        ] {
            if !text.lines().any(|l| l.trim() == want) {
                d.mismatches.push(format!(
                    "[{}] broker config file lacks {want:?} after updateBrokerConfig",
                    s.flavor.name()
                ));
            }
        }
    }

    // Phase 2: with a producer and a push consumer online.
    both_mut(&mut java, &mut rmq, |s| s.start_clients())?;
    eprintln!("[admin-diff] clients ready after {:?}", t0.elapsed());
    let p2 = vec![
        // The retry queue's offset is committed once the consumer's first long poll on it
        // (15 s suspend) comes back empty: wait for it on both sides.
        until(
            "%RETRY%AdminCG",
            60_000,
            &["consumerProgress", "-g", CONSUMER_GROUP],
            Cmp::Exact("Diff Total: 0"),
        ),
        step(&["consumerProgress"], Cmp::Exact(CONSUMER_GROUP)),
        step(
            &["consumerProgress", "-g", CONSUMER_GROUP, "-s", "true"],
            Cmp::Exact("#Client IP"),
        ),
        step(
            &["consumerConnection", "-g", CONSUMER_GROUP],
            Cmp::Exact("CONSUME_PASSIVELY"),
        ),
        step(&["consumerConnection", "-g", "NoSuchGroup"], Cmp::Exact("")),
        step(
            &["producerConnection", "-g", PRODUCER_GROUP, "-t", TOPIC],
            Cmp::Exact("adminclients_p"),
        ),
        // Java lists the groups of a HashMap whose keys share a bucket (insertion order) and
        // each group's channels in Netty channel-hash order (random ids): sort.
        step(&["producer", "-b", "{BROKER}"], Cmp::Sorted(PRODUCER_GROUP)),
        step(
            &["consumerStatus", "-g", CONSUMER_GROUP],
            Cmp::Exact("adminclients_c"),
        ),
        step(
            &["@consumerStatus", CONSUMER_GROUP, TOPIC],
            Cmp::Exact("clients=1"),
        ),
        step(
            &["brokerConsumeStats", "-b", "{BROKER}"],
            Cmp::Exact(CONSUMER_GROUP),
        ),
        step(
            &[
                "queryCq",
                "-t",
                TOPIC,
                "-q",
                "1",
                "-i",
                "0",
                "-c",
                "10",
                "-b",
                "{BROKER}",
                "-g",
                CONSUMER_GROUP,
            ],
            Cmp::Exact("physicOffset"),
        ),
        step(
            &[
                "queryCq", "-t", TOPIC, "-q", "1", "-i", "50", "-c", "10", "-b", "{BROKER}",
            ],
            Cmp::Exact(""),
        ),
        // consumerProgress finds a group's brokers through its retry topic's route
        step(
            &[
                "updateTopic",
                "-b",
                "{BROKER}",
                "-t",
                "%RETRY%AdminCG2",
                "-r",
                "1",
                "-w",
                "1",
            ],
            Cmp::Exact("success"),
        ),
        step(
            &[
                "cloneGroupOffset",
                "-s",
                CONSUMER_GROUP,
                "-d",
                "AdminCG2",
                "-t",
                TOPIC,
                "-o",
                "true",
            ],
            Cmp::Exact("success"),
        ),
        step(
            &["consumerProgress", "-g", "AdminCG2"],
            Cmp::Exact("Diff Total: 0"),
        ),
        step(
            &["queryMsgById", "-i", "{OFFSET_3}"],
            Cmp::Exact("AdminKey-3"),
        ),
        // CONSUME_MESSAGE_DIRECTLY: the broker attaches the stored message and forwards the
        // request to the consumer, whose answer goes back to mqadmin
        step(
            &[
                "queryMsgById",
                "-i",
                "{OFFSET_5}",
                "-g",
                CONSUMER_GROUP,
                "-d",
                "{CLIENT_ID}",
            ],
            Cmp::Exact("CR_SUCCESS"),
        ),
        step(
            &[
                "queryMsgById",
                "-i",
                "{OFFSET_5}",
                "-g",
                CONSUMER_GROUP,
                "-d",
                "1.2.3.4@nobody",
            ],
            Cmp::Exact("not online"),
        ),
        // a unique key is not an offset msgId: both brokers fail the same way
        step(&["queryMsgById", "-i", "{UNIQ_4}"], Cmp::Exact("CODE: 208")),
        step(
            &["queryMsgByKey", "-t", TOPIC, "-k", "AdminKey-5"],
            Cmp::Exact("#Message ID"),
        ),
        step(
            &["queryMsgByUniqueKey", "-t", TOPIC, "-i", "{UNIQ_2}"],
            Cmp::Exact("AdminKey-2"),
        ),
        step(
            &[
                "queryMsgByOffset",
                "-t",
                TOPIC,
                "-b",
                "broker-a",
                "-i",
                "1",
                "-o",
                "0",
            ],
            Cmp::Exact("SendKey"),
        ),
        step(
            &["printMsg", "-t", TOPIC, "-d", "true"],
            Cmp::Exact("admin-body-7"),
        ),
        step(
            &[
                "consumeMessage",
                "-t",
                TOPIC,
                "-b",
                "broker-a",
                "-i",
                "2",
                "-o",
                "0",
                "-c",
                "2",
            ],
            Cmp::Exact("admin-body"),
        ),
        step(
            &[
                "resetOffsetByTime",
                "-g",
                CONSUMER_GROUP,
                "-t",
                TOPIC,
                "-s",
                "0",
            ],
            Cmp::Exact("rollback consumer offset"),
        ),
        step(
            &[
                "resetOffsetByTime",
                "-g",
                "NoSuchGroup",
                "-t",
                TOPIC,
                "-s",
                "0",
            ],
            Cmp::Exact(""),
        ),
    ];
    phase(&mut d, &java, &rmq, &p2)?;
    eprintln!("[admin-diff] phase 2 done after {:?}", t0.elapsed());

    // The reset must have been pushed to the consumer: it consumes everything again.
    for s in [&java, &rmq] {
        let want = 2 * (COUNT + 1);
        let deadline = Instant::now() + Duration::from_secs(60);
        while s.consumed_lines() < want && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(300));
        }
        if s.consumed_lines() < want {
            d.mismatches.push(format!(
                "[{}] after resetOffsetByTime the consumer re-consumed only {} of {} deliveries",
                s.flavor.name(),
                s.consumed_lines(),
                want
            ));
        }
    }

    // Phase 3: deletions.
    let p3 = vec![
        step(
            &["deleteSubGroup", "-b", "{BROKER}", "-g", SUB_GROUP],
            Cmp::Exact("success"),
        ),
        step(
            &["deleteTopic", "-t", TOPIC2, "-c", "DefaultCluster"],
            Cmp::Exact("success"),
        ),
        step(&["topicRoute", "-t", TOPIC2], Cmp::Exact("CODE: 17")),
        step(&["topicStatus", "-t", TOPIC], Cmp::Exact("#Broker Name")),
    ];
    phase(&mut d, &java, &rmq, &p3)?;
    java.stop_clients();
    rmq.stop_clients();
    eprintln!(
        "[admin-diff] done after {:?}; compared {} commands",
        t0.elapsed(),
        d.compared.len()
    );
    for c in &d.compared {
        eprintln!("[admin-diff]   {c}");
    }
    if !d.mismatches.is_empty() {
        eprintln!(
            "--- rmq broker log ---\n{}",
            rmq.cluster.broker.proc().log_tail(40)
        );
        bail!(
            "{} mismatches:\n\n{}",
            d.mismatches.len(),
            d.mismatches.join("\n")
        );
    }
    Ok(())
}

fn both_mut(a: &mut Side, b: &mut Side, f: impl Fn(&mut Side) -> Result<()> + Sync) -> Result<()> {
    let (x, y) = std::thread::scope(|s| {
        let x = s.spawn(|| f(a));
        let y = s.spawn(|| f(b));
        (x.join(), y.join())
    });
    let (Ok(x), Ok(y)) = (x, y) else {
        bail!("thread panicked");
    };
    x?;
    y
}

#[test]
fn mask_line_masks_ids_dates_addrs() {
    assert_eq!(
        mask_line("7F0000010000A2B40000000000001234 2024-01-02 03:04:05,123 /127.0.0.1:5555 1700000000000"),
        "<MSGID> <DATE> /<ADDR> <TS>"
    );
    assert_eq!(mask_line("broker 127.0.0.1:30911 x"), "broker <ADDR> x");
    assert_eq!(mask_line("TopicTest 4 4 6 2024"), "TopicTest 4 4 6 2024");
    assert_eq!(mask_line("Consume TPS: 1.50"), "Consume TPS: <TPS>");
}

// ---------------------------------------------------------------------------------------
// Raw admin requests: codes mqadmin does not reach (or only reaches on the happy path),
// sent as bare RemotingCommands to both brokers; code, remark, ext fields and body must
// agree after the same masking.
// ---------------------------------------------------------------------------------------

use protocol::code::request as rc;
use protocol::RemotingCommand;

/// One request to send; `oneway_expected` marks codes Java never answers.
struct Raw {
    name: &'static str,
    code: i32,
    ext: Vec<(&'static str, String)>,
    body: Option<String>,
}

fn raw(name: &'static str, code: i32, ext: &[(&'static str, &str)], body: Option<&str>) -> Raw {
    Raw {
        name,
        code,
        ext: ext.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        body: body.map(str::to_string),
    }
}

/// What came back (`code == None`: no reply within the timeout).
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    code: Option<i32>,
    remark: Option<String>,
    ext: Option<BTreeMap<String, String>>,
    body: Option<String>,
}

fn raw_requests(broker_name: &str) -> Vec<Raw> {
    let mq =
        |q: i32| format!(r#"{{"brokerName":"{broker_name}","queueId":{q},"topic":"RawTopic"}}"#);
    let lock = |client: &str| {
        format!(
            r#"{{"clientId":"{client}","consumerGroup":"RawGroup","mqSet":[{},{}]}}"#,
            mq(0),
            mq(1)
        )
    };
    let create = |topic: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("topic", topic.to_string()),
            ("defaultTopic", "TBW102".to_string()),
            ("readQueueNums", "2".to_string()),
            ("writeQueueNums", "2".to_string()),
            ("perm", "6".to_string()),
            ("topicFilterType", "SINGLE_TAG".to_string()),
            ("topicSysFlag", "0".to_string()),
            ("order", "false".to_string()),
        ]
    };
    let mut v = vec![
        raw("unknown code", 9999, &[], None),
        raw("unknown code 13", rc::QUERY_BROKER_OFFSET, &[], None),
        Raw {
            name: "create topic",
            code: rc::UPDATE_AND_CREATE_TOPIC,
            ext: create("RawTopic"),
            body: None,
        },
        Raw {
            name: "create topic, illegal name",
            code: rc::UPDATE_AND_CREATE_TOPIC,
            ext: create("Raw Topic"),
            body: None,
        },
        Raw {
            name: "create topic, system topic",
            code: rc::UPDATE_AND_CREATE_TOPIC,
            ext: create("RMQ_SYS_TRANS_HALF_TOPIC"),
            body: None,
        },
        raw(
            "delete system topic",
            rc::DELETE_TOPIC_IN_BROKER,
            &[("topic", "TBW102")],
            None,
        ),
        raw(
            "delete unknown topic",
            rc::DELETE_TOPIC_IN_BROKER,
            &[("topic", "NoSuchRawTopic")],
            None,
        ),
        raw(
            "system topics",
            rc::GET_SYSTEM_TOPIC_LIST_FROM_BROKER,
            &[],
            None,
        ),
        raw("lock c1", rc::LOCK_BATCH_MQ, &[], Some(&lock("c1"))),
        raw(
            "lock c2 (held by c1)",
            rc::LOCK_BATCH_MQ,
            &[],
            Some(&lock("c2")),
        ),
        raw("unlock c1", rc::UNLOCK_BATCH_MQ, &[], Some(&lock("c1"))),
        raw("lock c2", rc::LOCK_BATCH_MQ, &[], Some(&lock("c2"))),
        raw("consumer offsets", rc::GET_ALL_CONSUMER_OFFSET, &[], None),
        raw(
            "topic consumed by",
            rc::QUERY_TOPIC_CONSUME_BY_WHO,
            &[("topic", "RawTopic")],
            None,
        ),
        raw(
            "correction offset",
            rc::QUERY_CORRECTION_OFFSET,
            &[("topic", "RawTopic"), ("compareGroup", "RawGroup")],
            None,
        ),
        raw(
            "clone group offset",
            rc::CLONE_GROUP_OFFSET,
            &[
                ("srcGroup", "RawGroup"),
                ("destGroup", "RawGroup2"),
                ("topic", "RawTopic"),
                ("offline", "false"),
            ],
            None,
        ),
        raw(
            "stats item without traffic",
            rc::VIEW_BROKER_STATS_DATA,
            &[("statsName", "TOPIC_PUT_NUMS"), ("statsKey", "RawTopic")],
            None,
        ),
        raw(
            "consume stats, no offsets",
            rc::GET_CONSUME_STATS,
            &[("consumerGroup", "RawGroup"), ("topic", "RawTopic")],
            None,
        ),
        raw(
            "consume stats, unknown topic",
            rc::GET_CONSUME_STATS,
            &[("consumerGroup", "RawGroup"), ("topic", "NoSuchRawTopic")],
            None,
        ),
        raw(
            "topic stats, unknown topic",
            rc::GET_TOPIC_STATS_INFO,
            &[("topic", "NoSuchRawTopic")],
            None,
        ),
        raw(
            "topic stats",
            rc::GET_TOPIC_STATS_INFO,
            &[("topic", "RawTopic")],
            None,
        ),
        raw(
            "consume time span, unknown topic",
            rc::QUERY_CONSUME_TIME_SPAN,
            &[("topic", "NoSuchRawTopic"), ("group", "RawGroup")],
            None,
        ),
        raw(
            "consumer connections, offline",
            rc::GET_CONSUMER_CONNECTION_LIST,
            &[("consumerGroup", "RawGroup")],
            None,
        ),
        raw(
            "producer connections, unknown",
            rc::GET_PRODUCER_CONNECTION_LIST,
            &[("producerGroup", "RawPG")],
            None,
        ),
        raw("all producers", rc::GET_ALL_PRODUCER_INFO, &[], None),
        raw(
            "reset offset, unknown topic",
            rc::INVOKE_BROKER_TO_RESET_OFFSET,
            &[
                ("topic", "NoSuchRawTopic"),
                ("group", "RawGroup"),
                ("timestamp", "0"),
                ("isForce", "true"),
            ],
            None,
        ),
        raw(
            "reset offset, no offsets",
            rc::INVOKE_BROKER_TO_RESET_OFFSET,
            &[
                ("topic", "RawTopic"),
                ("group", "RawGroup"),
                ("timestamp", "0"),
                ("isForce", "true"),
            ],
            None,
        ),
        raw(
            "running info, offline",
            rc::GET_CONSUMER_RUNNING_INFO,
            &[
                ("consumerGroup", "RawGroup"),
                ("clientId", "1.2.3.4@x"),
                ("jstackEnable", "false"),
            ],
            None,
        ),
        raw(
            "consume queue, unknown",
            rc::QUERY_CONSUME_QUEUE,
            &[
                ("topic", "NoSuchRawTopic"),
                ("queueId", "0"),
                ("index", "0"),
                ("count", "1"),
            ],
            None,
        ),
        raw(
            "broker consume stats",
            rc::GET_BROKER_CONSUME_STATS,
            &[("isOrder", "false")],
            None,
        ),
        raw(
            "clean expired cq",
            rc::CLEAN_EXPIRED_CONSUMEQUEUE,
            &[],
            None,
        ),
        raw("clean unused topic", rc::CLEAN_UNUSED_TOPIC, &[], None),
        raw(
            "delete expired commitlog",
            rc::DELETE_EXPIRED_COMMITLOG,
            &[],
            None,
        ),
        raw(
            "update broker config, no body",
            rc::UPDATE_BROKER_CONFIG,
            &[],
            None,
        ),
        raw(
            "delete unknown group",
            rc::DELETE_SUBSCRIPTIONGROUP,
            &[("groupName", "NoSuchRawGroup"), ("removeOffset", "true")],
            None,
        ),
        raw(
            "acl create",
            rc::UPDATE_AND_CREATE_ACL_CONFIG,
            &[
                ("accessKey", "ak"),
                ("secretKey", "sk12345678"),
                ("admin", "false"),
            ],
            None,
        ),
        raw("acl version", rc::GET_BROKER_CLUSTER_ACL_INFO, &[], None),
        raw(
            "resume half, bad id",
            rc::RESUME_CHECK_HALF_MESSAGE,
            &[("msgId", "XYZ")],
            None,
        ),
    ];
    v.extend([
        raw("all topic config", rc::GET_ALL_TOPIC_CONFIG, &[], None),
        raw(
            "broker config (version header)",
            rc::GET_BROKER_CONFIG,
            &[],
            None,
        ),
        raw("delay offsets", rc::GET_ALL_DELAY_OFFSET, &[], None),
        raw(
            "consume queue, topic without queues",
            rc::QUERY_CONSUME_QUEUE,
            &[
                ("topic", "RawTopic"),
                ("queueId", "0"),
                ("index", "0"),
                ("count", "1"),
            ],
            None,
        ),
        raw(
            "consumer status, no group",
            rc::INVOKE_BROKER_TO_GET_CONSUMER_STATUS,
            &[("topic", "RawTopic"), ("group", "RawGroup")],
            None,
        ),
        raw(
            "consume directly, no message",
            rc::CONSUME_MESSAGE_DIRECTLY,
            &[
                ("consumerGroup", "RawGroup"),
                ("clientId", "1.2.3.4@x"),
                ("msgId", "7F00000100002A9F0000000012345678"),
            ],
            None,
        ),
        raw(
            "stats, unknown name",
            rc::VIEW_BROKER_STATS_DATA,
            &[("statsName", "NO_SUCH_STATS"), ("statsKey", "k")],
            None,
        ),
        raw(
            "acl cluster config",
            rc::GET_BROKER_CLUSTER_ACL_CONFIG,
            &[],
            None,
        ),
    ]);
    v.push(raw(
        "create subscription group",
        rc::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
        &[],
        Some(r#"{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"groupName":"RawGroup","notifyConsumerIdsChangedEnable":true,"retryMaxTimes":3,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}"#),
    ));
    v.push(raw(
        "all subscription groups",
        rc::GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
        &[],
        None,
    ));
    v
}

fn mask_all(text: &str, side: &Side) -> String {
    let b = &side.cluster.broker;
    let mut out = text.to_string();
    for (from, to) in [
        (b.store_dir().display().to_string(), "<STORE>"),
        (b.addr(), "<BROKER>"),
        (side.ns(), "<NS>"),
    ] {
        out = out.replace(&from, to);
    }
    out.lines().map(mask_line).collect::<Vec<_>>().join("\n")
}

fn send_raw(side: &Side, reqs: &[Raw]) -> Result<Vec<Answer>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let addr = side.cluster.broker.addr();
    rt.block_on(async {
        let client = protocol::net::RemotingClient::new();
        let mut answers = Vec::new();
        for r in reqs {
            let mut cmd = RemotingCommand::request(r.code);
            if !r.ext.is_empty() {
                for (k, v) in &r.ext {
                    cmd.set_ext(*k, v.clone());
                }
            }
            if let Some(b) = &r.body {
                cmd = cmd.with_body(b.clone().into_bytes());
            }
            let a = match client.invoke(&addr, cmd, Duration::from_secs(3)).await {
                Ok(resp) => Answer {
                    code: Some(resp.code),
                    remark: resp.remark.as_deref().map(|t| mask_all(t, side)),
                    ext: resp.ext_fields.as_ref().map(|e| {
                        e.iter()
                            .map(|(k, v)| (k.to_string(), mask_all(v, side)))
                            .collect()
                    }),
                    // the config text holds instance paths and ports: `mqadmin getBrokerConfig`
                    // compares it key by key
                    body: resp
                        .body
                        .as_ref()
                        .filter(|_| r.code != rc::GET_BROKER_CONFIG)
                        .map(|b| mask_all(&String::from_utf8_lossy(b), side)),
                },
                Err(protocol::ProtocolError::Timeout { .. }) => Answer {
                    code: None,
                    remark: None,
                    ext: None,
                    body: None,
                },
                Err(e) => bail!("[{}] {}: {e}", side.flavor.name(), r.name),
            };
            answers.push(a);
        }
        Ok(answers)
    })
}

#[test]
fn raw_admin_requests_equal_on_java_and_rmq_broker() -> Result<()> {
    let (java, rmq) = both(Side::start)?;
    let reqs = raw_requests("broker-a");
    let (ja, ra) = std::thread::scope(|s| {
        let j = s.spawn(|| send_raw(&java, &reqs));
        let r = s.spawn(|| send_raw(&rmq, &reqs));
        (j.join(), r.join())
    });
    let (Ok(ja), Ok(ra)) = (ja, ra) else {
        bail!("thread panicked");
    };
    let (ja, ra) = (ja?, ra?);
    let mut mismatches = Vec::new();
    for (i, r) in reqs.iter().enumerate() {
        eprintln!("[raw-admin] {:32} java={:?}", r.name, ja[i]);
        if ja[i] != ra[i] {
            mismatches.push(format!(
                "{} (code {}):\n  java {:?}\n  rmq  {:?}",
                r.name, r.code, ja[i], ra[i]
            ));
        }
    }
    if !mismatches.is_empty() {
        bail!(
            "{} mismatches:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        );
    }
    Ok(())
}
