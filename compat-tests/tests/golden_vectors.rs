//! Golden vectors made by the real Java 4.9.7 classes, checked against our codecs, and the
//! reverse direction (our encoders' output decoded by the real classes).
//!
//! * `GoldenGen` (`compat-tests/java/src/main/java/rmq/golden/`) writes `<name>.bin` (exact
//!   bytes: frames as `NettyEncoder` writes them, stored messages, batch bodies, JSON bodies) and
//!   `<name>.txt` (`key=value` lines: what the Java classes decode from those bytes; format in
//!   `Dump.java`). It runs once per test binary, into a temp dir (or set `RMQ_GOLDEN_DIR` to a
//!   directory that already holds the vectors).
//! * Frames: our decoder must read every field Java reads; re-encoding (with the ext keys put in
//!   Java's wire order, which is `HashMap` order for JSON and non-FastCodes headers) must give
//!   the same bytes; the typed header of the class must decode to the values Java's
//!   `decodeCommandCustomHeader` gives. For binary FastCodes frames the bytes must also come out
//!   equal when the ext fields are produced by our typed header (its fixed key order).
//! * Messages, batches, message ids: field by field, and our re-encoding byte for byte.
//! * Bodies: decoded into `protocol::body` types and re-encoded; equal bytes, or equal fastjson
//!   values up to map/set order.
//! * Reverse: we encode frames, messages, batches, bodies and message ids into a directory and
//!   `GoldenCheck` decodes them with the real classes; what it prints must match what we wrote.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use compat_tests::{keep_tmp, new_temp_dir, run_java};
use protocol::body::{self, JsonBody};
use protocol::codec::{decode_frame, encode_frame};
use protocol::command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};
use protocol::fastjson::{self, Value};
use protocol::header::catalog::{check_fields, reflatten, FAST_CODES_HEADERS, HEADER_CLASSES};
use protocol::header::{
    CommandHeader, GetRouteInfoRequestHeader, PullMessageResponseHeader, SendMessageRequestHeader,
    SendMessageRequestHeaderV2, SendMessageResponseHeader,
};
use protocol::message::{self, BatchMessage, DecodeOptions, MessageExt};
use protocol::ProtocolError;

// ---------------------------------------------------------------------------------------------
// vectors

/// One golden vector: its `.txt` lines and its `.bin` bytes (if any).
#[derive(Debug, Clone)]
struct Vector {
    name: String,
    kv: Vec<(String, String)>,
    bin: Option<Vec<u8>>,
}

impl Vector {
    fn get(&self, k: &str) -> Option<&str> {
        self.kv
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }
    fn req(&self, k: &str) -> Result<&str, String> {
        self.get(k)
            .ok_or_else(|| format!("{}: no `{k}` line", self.name))
    }
    fn all(&self, k: &str) -> Vec<&str> {
        self.kv
            .iter()
            .filter(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn prefixed(&self, p: &str) -> BTreeMap<String, String> {
        self.kv
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(p).map(|s| (s.to_string(), v.clone())))
            .collect()
    }
    fn kind(&self) -> &str {
        self.get("kind").unwrap_or("")
    }
    fn bin(&self) -> Result<&[u8], String> {
        self.bin
            .as_deref()
            .ok_or_else(|| format!("{}: no .bin", self.name))
    }
}

/// Undo `Dump.esc`: `\\ \n \r \t \uXXXX`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let h: String = it.by_ref().take(4).collect();
                match u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&format!("\\u{h}")),
                }
            }
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn parse_txt(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (unescape(k), unescape(v)))
        .collect()
}

fn load_dir(dir: &Path) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    let mut names: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    for p in names {
        let name = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let bin = std::fs::read(p.with_extension("bin")).ok();
        out.push(Vector {
            name,
            kv: parse_txt(&text),
            bin,
        });
    }
    Ok(out)
}

struct Golden {
    _dir: Option<tempfile::TempDir>,
    vectors: Vec<Vector>,
}

/// Run GoldenGen once per test binary.
fn golden() -> &'static Golden {
    static G: OnceLock<Result<Golden, String>> = OnceLock::new();
    let r = G.get_or_init(|| {
        if let Ok(d) = std::env::var("RMQ_GOLDEN_DIR") {
            let vectors = load_dir(Path::new(&d))?;
            return Ok(Golden {
                _dir: None,
                vectors,
            });
        }
        let dir = new_temp_dir("rmq-golden-").map_err(|e| format!("{e:#}"))?;
        let out_dir = dir.path().join("vectors");
        let out_str = out_dir.to_string_lossy().into_owned();
        let out = run_java(
            "rmq.golden.GoldenGen",
            &[&out_str],
            &[],
            &[],
            Duration::from_secs(600),
        )
        .map_err(|e| format!("GoldenGen: {e:#}"))?;
        if !out.success() || !out.stdout.contains("GOLDEN ") {
            return Err(format!("GoldenGen failed: {}", out.describe()));
        }
        if let Some(l) = out.stdout.lines().find(|l| l.starts_with("GOLDEN ")) {
            eprintln!("[golden] {l} (in {})", out_dir.display());
        }
        let vectors = load_dir(&out_dir)?;
        if keep_tmp() {
            eprintln!("[golden] keeping {}", dir.path().display());
        }
        Ok(Golden {
            _dir: Some(dir),
            vectors,
        })
    });
    match r {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd hex length {}", s.len()));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("hex: {e}")))
        .collect()
}

fn ip_from_hex(s: &str) -> Result<IpAddr, String> {
    let b = unhex(s)?;
    match b.len() {
        4 => Ok(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&b);
            Ok(IpAddr::V6(Ipv6Addr::from(a)))
        }
        n => Err(format!("{n}-byte address")),
    }
}

fn ip_hex(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => hex(&a.octets()),
        IpAddr::V6(a) => hex(&a.octets()),
    }
}

/// Collects failures instead of stopping at the first one.
#[derive(Default)]
struct Report {
    checked: usize,
    failures: Vec<String>,
    notes: BTreeMap<String, usize>,
}

impl Report {
    fn note(&mut self, what: &str) {
        *self.notes.entry(what.to_string()).or_default() += 1;
    }
    fn run(&mut self, name: &str, f: impl FnOnce(&mut Report) -> Result<(), String>) {
        self.checked += 1;
        if let Err(e) = f(self) {
            self.failures.push(format!("{name}: {e}"));
        }
    }
    fn finish(self, what: &str) {
        eprintln!(
            "[golden] {what}: {} checked, {} failed, notes {:?}",
            self.checked,
            self.failures.len(),
            self.notes
        );
        for f in &self.failures {
            eprintln!("[golden] FAIL {f}");
        }
        assert!(
            self.failures.is_empty(),
            "{what}: {} failures",
            self.failures.len()
        );
        assert!(self.checked > 0, "{what}: nothing checked");
    }
}

fn check_eq<T: PartialEq + std::fmt::Debug>(what: &str, ours: T, java: T) -> Result<(), String> {
    if ours == java {
        Ok(())
    } else {
        Err(format!("{what}: ours {ours:?} != java {java:?}"))
    }
}

// ---------------------------------------------------------------------------------------------
// frames: Java -> us

fn language_name(l: LanguageCode) -> &'static str {
    l.name().unwrap_or("null")
}

fn ext_map(cmd: &RemotingCommand) -> BTreeMap<String, String> {
    cmd.ext_fields
        .iter()
        .flat_map(|e| e.iter())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Our typed view of `ext` for `class` vs Java's (`hdr.*`). A missing required field is fine
/// only where Java's header has that field null too.
fn check_typed(
    class: &str,
    ext: &ExtFields,
    java: &BTreeMap<String, String>,
) -> Result<Option<ExtFields>, String> {
    match reflatten(class, ext) {
        None => Err(format!("no Rust type for header class {class}")),
        Some(Ok(ours)) => {
            let m: BTreeMap<String, String> = ours
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            check_eq(&format!("typed {class}"), &m, java)?;
            Ok(Some(ours))
        }
        Some(Err(ProtocolError::MissingField(k))) if !java.contains_key(k) => Ok(None),
        Some(Err(e)) => Err(format!("typed {class}: {e} (java: {java:?})")),
    }
}

fn check_java_frame(v: &Vector, r: &mut Report) -> Result<(), String> {
    let bin = v.bin()?;
    let cmd = decode_frame(bin).map_err(|e| format!("our decode failed: {e}"))?;
    check_eq(
        "frameBytes",
        bin.len().to_string().as_str(),
        v.req("frameBytes")?,
    )?;
    check_eq("serialize", cmd.serialize_type.name(), v.req("serialize")?)?;
    check_eq("code", cmd.code.to_string().as_str(), v.req("code")?)?;
    check_eq("language", language_name(cmd.language), v.req("language")?)?;
    check_eq(
        "version",
        cmd.version.to_string().as_str(),
        v.req("version")?,
    )?;
    check_eq("opaque", cmd.opaque.to_string().as_str(), v.req("opaque")?)?;
    check_eq("flag", cmd.flag.to_string().as_str(), v.req("flag")?)?;
    check_eq("remark", cmd.remark.as_deref(), v.get("remark"))?;
    check_eq(
        "ext presence",
        if cmd.ext_fields.is_some() {
            "present"
        } else {
            "absent"
        },
        v.req("ext")?,
    )?;
    let java_ext = v.prefixed("ext.");
    check_eq("ext", &ext_map(&cmd), &java_ext)?;
    let nulls = v.all("extnull");
    for k in &nulls {
        // Java keeps a key whose binary value has length 0 (with a null value); we drop it.
        if cmd.ext(k).is_some() {
            return Err(format!("ext {k}: Java read null, we read a value"));
        }
        r.note("binary zero-length ext value dropped (Java: null value)");
    }
    check_eq(
        "body",
        cmd.body.as_deref().map(hex),
        v.get("body").map(str::to_string),
    )?;

    // re-encode with the ext keys in Java's wire order: must be the same bytes
    let order = v.all("orderkey");
    let mut again = cmd.clone();
    if cmd.ext_fields.is_some() {
        let mut ext = ExtFields::new();
        for k in &order {
            match cmd.ext(k) {
                Some(val) => ext.push(k.to_string(), val.to_string()),
                None if nulls.contains(k) => ext.push(k.to_string(), String::new()),
                None => return Err(format!("wire key {k} not decoded")),
            }
        }
        check_eq(
            "ext key count",
            ext.len(),
            cmd.ext_fields.as_ref().map_or(0, |e| e.len()) + nulls.len(),
        )?;
        again.ext_fields = Some(ext);
    }
    let bytes = encode_frame(&again);
    if bytes.as_ref() != bin {
        return Err(format!(
            "re-encoded bytes differ\n ours {}\n java {}",
            hex(&bytes),
            hex(bin)
        ));
    }
    r.note("byte-exact re-encode");

    // typed header
    if let Some(class) = v.get("hdrclass") {
        let ext = cmd.ext_fields.clone().unwrap_or_default();
        let checked =
            check_fields(class, &ext).ok_or_else(|| format!("no Rust type for {class}"))?;
        if let Some(e) = v.get("hdrerror") {
            // Java's checkFields() threw: ours must reject the header too
            if checked.is_ok() {
                return Err(format!(
                    "Java rejects {class} ({e}), our check_fields accepts it"
                ));
            }
            r.note("checkFields rejects like Java");
            return Ok(());
        }
        if let Err(e) = checked {
            if !matches!(e, ProtocolError::MissingField(_)) {
                return Err(format!(
                    "our check_fields rejects {class} ({e}), Java accepts it"
                ));
            }
        }
        match check_typed(class, &ext, &v.prefixed("hdr."))? {
            None => r.note("typed decode: missing required field (Java: null)"),
            Some(typed) => {
                r.note("typed decode equals Java's");
                if cmd.serialize_type == SerializeType::RocketMq
                    && FAST_CODES_HEADERS.contains(&class)
                {
                    // our typed header's own key order + the other keys in wire order
                    let mut ext = typed.clone();
                    for k in &order {
                        if typed.get(k).is_none() {
                            ext.push(k.to_string(), cmd.ext(k).unwrap_or("").to_string());
                        }
                    }
                    let mut fast = cmd.clone();
                    fast.ext_fields = Some(ext);
                    let bytes = encode_frame(&fast);
                    if bytes.as_ref() != bin {
                        return Err(format!(
                            "FastCodes order from our typed header differs\n ours {}\n java {}",
                            hex(&bytes),
                            hex(bin)
                        ));
                    }
                    r.note("FastCodes binary byte-exact from typed header");
                }
            }
        }
    }
    Ok(())
}

#[test]
fn java_frames_decode_and_reencode_byte_exact() {
    let g = golden();
    let mut r = Report::default();
    let mut classes_json = BTreeSet::new();
    let mut classes_bin = BTreeSet::new();
    let mut header_vectors = 0;
    for v in g.vectors.iter().filter(|v| v.kind() == "frame") {
        if v.name.starts_with("hdr_") {
            header_vectors += 1;
        }
        if let Some(c) = v.get("hdrclass") {
            if v.get("serialize") == Some("JSON") {
                classes_json.insert(c.to_string());
            } else {
                classes_bin.insert(c.to_string());
            }
        }
        r.run(&v.name, |r| check_java_frame(v, r));
    }
    eprintln!(
        "[golden] frames: {header_vectors} header-class vectors, classes covered: {} JSON, {} ROCKETMQ (of {})",
        classes_json.len(),
        classes_bin.len(),
        HEADER_CLASSES.len()
    );
    for c in HEADER_CLASSES {
        assert!(
            classes_json.contains(*c) && classes_bin.contains(*c),
            "no golden vector for {c}"
        );
    }
    assert!(header_vectors >= 60);
    r.finish("java frames");
}

fn doc_hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    unhex(&s).unwrap_or_else(|e| panic!("bad hex in test: {e}"))
}

fn with_prefix(prefix: &str, tail: &[u8]) -> Vec<u8> {
    let mut v = doc_hex(prefix);
    v.extend_from_slice(tail);
    v
}

/// The frames printed in protocol.md (§3, §4, §12) are exactly what GoldenGen's Java classes
/// write, and our typed encoders produce the deterministic ones byte for byte.
#[test]
fn protocol_md_examples_match_java_and_ours() {
    let g = golden();
    let find = |n: &str| -> Vec<u8> {
        g.vectors
            .iter()
            .find(|v| v.name == n)
            .and_then(|v| v.bin.clone())
            .unwrap_or_else(|| panic!("vector {n} missing"))
    };
    let g1 = with_prefix(
        "00000087 00000083",
        br#"{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":407}"#,
    );
    let g2 = doc_hex("0000002d 01000029 0069 00 0197 00000001 00000000 00000000 00000014 0005 746f706963 00000009 546f70696354657374");
    let mut g3 = with_prefix(
        "00000065 0000005f",
        br#"{"code":0,"flag":1,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":407}"#,
    );
    g3.extend_from_slice(b"{}");
    let g3b = doc_hex("0000001b 01000015 0000 00 0197 00000001 00000001 00000000 00000000 7b7d");
    let mut g4 = with_prefix(
        "00000039 01000035 0003 00 0197 00000001 00000001 00000020",
        b" request type 9999 not supported",
    );
    g4.extend_from_slice(&[0, 0, 0, 0]);
    let g5 = doc_hex(
        "000000dc010000d30136000197000000020000000000000000000000be00016100000002504700016200000009546f70696354657374\
         000163000000065442573130320001640000000134000165000000013000016600000001300001670000000d313730303030303030\
         3030303000016800000001300001690000003d554e49515f4b4559013746303030303031303030303241394630303030303030303030\
         303030303030025741495401747275650254414753015461674100016a000000013000016b0000000566616c736500016d00000005\
         66616c736548656c6c6f",
    );
    let mut g6b = doc_hex("00000093 0100008f 0000 00 0197 00000002 00000001 00000000 0000007a");
    for (k, v) in [
        ("msgId", "7F00000100002A9F0000000000000000"),
        ("queueId", "0"),
        ("queueOffset", "0"),
        ("TRACE_ON", "true"),
        ("MSG_REGION", "DefaultRegion"),
    ] {
        g6b.extend_from_slice(&(k.len() as i16).to_be_bytes());
        g6b.extend_from_slice(k.as_bytes());
        g6b.extend_from_slice(&(v.len() as i32).to_be_bytes());
        g6b.extend_from_slice(v.as_bytes());
    }
    let g7 = br#"{"code":11,"extFields":{"queueId":"1","maxMsgNums":"32","sysFlag":"2","suspendTimeoutMillis":"15000","commitOffset":"0","topic":"TopicTest","queueOffset":"0","expressionType":"TAG","subscription":"*","subVersion":"1700000000000","consumerGroup":"CG"},"flag":0,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":407}"#;
    let g8 = with_prefix(
        "000000bd 000000b9",
        br#"{"code":15,"extFields":{"queueId":"0","commitOffset":"42","topic":"TopicTest","consumerGroup":"CG"},"flag":2,"language":"JAVA","opaque":4,"serializeTypeCurrentRPC":"JSON","version":407}"#,
    );
    assert_eq!(hex(&find("g1_route_json")), hex(&g1), "G1");
    assert_eq!(hex(&find("g1_route_bin")), hex(&g2), "G2");
    assert_eq!(hex(&find("g3_success_body_json")), hex(&g3), "G3");
    assert_eq!(hex(&find("g3_success_body_bin")), hex(&g3b), "G3b");
    assert_eq!(hex(&find("g4_not_supported_bin")), hex(&g4), "G4");
    assert_eq!(hex(&find("g5_send_v2_bin")), hex(&g5), "G5");
    assert_eq!(hex(&find("g6b_send_response_bin")), hex(&g6b), "G6b");
    assert_eq!(&find("g7_pull_json")[8..], &g7[..], "G7");
    assert_eq!(find("g7_pull_bin").len(), 255, "G7b");
    assert_eq!(hex(&find("g8_update_offset_oneway_json")), hex(&g8), "G8");

    // ours, from typed headers
    let route = GetRouteInfoRequestHeader {
        topic: "TopicTest".into(),
        accept_standard_json_only: None,
    };
    let mut c = RemotingCommand::request_with(105, &route).with_opaque(1);
    assert_eq!(hex(&encode_frame(&c)), hex(&g1), "our G1");
    c.serialize_type = SerializeType::RocketMq;
    assert_eq!(hex(&encode_frame(&c)), hex(&g2), "our G2");
    let mut c = RemotingCommand::success()
        .with_body(&b"{}"[..])
        .with_opaque(1);
    assert_eq!(hex(&encode_frame(&c)), hex(&g3), "our G3");
    c.serialize_type = SerializeType::RocketMq;
    assert_eq!(hex(&encode_frame(&c)), hex(&g3b), "our G3b");
    let mut c = RemotingCommand::response(3, Some(" request type 9999 not supported".into()))
        .with_opaque(1);
    c.serialize_type = SerializeType::RocketMq;
    assert_eq!(hex(&encode_frame(&c)), hex(&g4), "our G4");
    let v1 = SendMessageRequestHeader {
        producer_group: "PG".into(),
        topic: "TopicTest".into(),
        default_topic: "TBW102".into(),
        default_topic_queue_nums: 4,
        born_timestamp: 1_700_000_000_000,
        properties: Some(
            "UNIQ_KEY\u{1}7F00000100002A9F0000000000000000\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA"
                .into(),
        ),
        reconsume_times: Some(0),
        ..Default::default()
    };
    let mut c = RemotingCommand::request_with(310, &SendMessageRequestHeaderV2::from_v1(&v1))
        .with_body(&b"Hello"[..])
        .with_opaque(2);
    c.serialize_type = SerializeType::RocketMq;
    assert_eq!(hex(&encode_frame(&c)), hex(&g5), "our G5");
    let resp = SendMessageResponseHeader {
        msg_id: "7F00000100002A9F0000000000000000".into(),
        queue_id: 0,
        queue_offset: 0,
        transaction_id: None,
    };
    let mut c = RemotingCommand::response_with(0, &resp).with_opaque(2);
    c.set_ext("TRACE_ON", "true");
    c.set_ext("MSG_REGION", "DefaultRegion");
    c.serialize_type = SerializeType::RocketMq;
    assert_eq!(hex(&encode_frame(&c)), hex(&g6b), "our G6b");
    let pull = protocol::header::PullMessageRequestHeader {
        consumer_group: "CG".into(),
        topic: "TopicTest".into(),
        queue_id: 1,
        queue_offset: 0,
        max_msg_nums: 32,
        sys_flag: 2,
        commit_offset: 0,
        suspend_timeout_millis: 15000,
        subscription: Some("*".into()),
        sub_version: 1_700_000_000_000,
        expression_type: Some("TAG".into()),
        bname: None,
    };
    let mut c = RemotingCommand::request_with(11, &pull).with_opaque(3);
    c.serialize_type = SerializeType::RocketMq;
    assert_eq!(hex(&encode_frame(&c)), hex(&find("g7_pull_bin")), "our G7b");
}

// ---------------------------------------------------------------------------------------------
// messages: Java -> us

fn check_message_fields(p: &str, v: &Vector, m: &MessageExt, used: usize) -> Result<(), String> {
    let f = |k: &str| v.req(&format!("{p}{k}")).map(str::to_string);
    check_eq("consumed", used.to_string(), f("consumed")?)?;
    check_eq("storeSize", m.store_size.to_string(), f("storeSize")?)?;
    check_eq("bodyCRC", m.body_crc.to_string(), f("bodyCRC")?)?;
    check_eq("queueId", m.queue_id.to_string(), f("queueId")?)?;
    check_eq("flag", m.flag.to_string(), f("flag")?)?;
    check_eq("queueOffset", m.queue_offset.to_string(), f("queueOffset")?)?;
    check_eq(
        "commitLogOffset",
        m.commit_log_offset.to_string(),
        f("commitLogOffset")?,
    )?;
    check_eq("sysFlag", m.sys_flag.to_string(), f("sysFlag")?)?;
    check_eq(
        "bornTimestamp",
        m.born_timestamp.to_string(),
        f("bornTimestamp")?,
    )?;
    check_eq("bornHostIp", ip_hex(&m.born_host.ip()), f("bornHostIp")?)?;
    check_eq(
        "bornHostPort",
        m.born_host.port().to_string(),
        f("bornHostPort")?,
    )?;
    check_eq(
        "storeTimestamp",
        m.store_timestamp.to_string(),
        f("storeTimestamp")?,
    )?;
    check_eq("storeHostIp", ip_hex(&m.store_host.ip()), f("storeHostIp")?)?;
    check_eq(
        "storeHostPort",
        m.store_host.port().to_string(),
        f("storeHostPort")?,
    )?;
    check_eq(
        "reconsumeTimes",
        m.reconsume_times.to_string(),
        f("reconsumeTimes")?,
    )?;
    check_eq(
        "preparedTransactionOffset",
        m.prepared_transaction_offset.to_string(),
        f("preparedTransactionOffset")?,
    )?;
    let body = if m.body.is_empty() {
        None
    } else {
        Some(hex(&m.body))
    };
    check_eq("body", body, v.get(&format!("{p}body")).map(str::to_string))?;
    check_eq("topic", m.topic.clone(), f("topic")?)?;
    check_eq("msgId", m.msg_id.clone(), f("msgId")?)?;
    let props: BTreeMap<String, String> = m
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    check_eq("properties", props, v.prefixed(&format!("{p}prop.")))?;
    Ok(())
}

fn check_java_message(v: &Vector, r: &mut Report) -> Result<(), String> {
    let bin = Bytes::from(v.bin()?.to_vec());
    let inflate = DecodeOptions {
        read_body: true,
        decompress_body: true,
    };
    let mut pos = 0;
    let mut n = 0;
    let mut reencoded = Vec::new();
    while pos < bin.len() {
        let rest = bin.slice(pos..);
        let (m, used) = message::decode(&rest, inflate).map_err(|e| format!("record {n}: {e}"))?;
        check_message_fields(&format!("m.{n}."), v, &m, used)
            .map_err(|e| format!("record {n}: {e}"))?;
        // as stored (still compressed): re-encode byte for byte
        let (raw, _) =
            message::decode(&rest, DecodeOptions::default()).map_err(|e| e.to_string())?;
        reencoded.extend(message::encode(&raw).map_err(|e| format!("encode: {e}"))?);
        pos += used;
        n += 1;
    }
    check_eq("count", n.to_string().as_str(), v.req("count")?)?;
    if reencoded != bin.as_ref() {
        return Err(format!(
            "re-encoded records differ\n ours {}\n java {}",
            hex(&reencoded),
            hex(&bin)
        ));
    }
    r.note("message byte-exact re-encode");
    // decode_all agrees with the one-by-one decode
    check_eq("decode_all", message::decode_all(&bin, inflate).len(), n)?;
    Ok(())
}

fn check_java_batch(v: &Vector, r: &mut Report) -> Result<(), String> {
    let bin = Bytes::from(v.bin()?.to_vec());
    let msgs = message::decode_batch(&bin).map_err(|e| e.to_string())?;
    check_eq("count", msgs.len().to_string().as_str(), v.req("count")?)?;
    for (i, m) in msgs.iter().enumerate() {
        let p = format!("m.{i}.");
        check_eq(
            "flag",
            m.flag.to_string().as_str(),
            v.req(&format!("{p}flag"))?,
        )?;
        // Java's decodeMessages always reads a byte[] (possibly empty)
        check_eq(
            "body",
            hex(&m.body).as_str(),
            v.get(&format!("{p}body")).unwrap_or(""),
        )?;
        let props: BTreeMap<String, String> = m
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        check_eq("properties", props, v.prefixed(&format!("{p}prop.")))?;
    }
    let again = message::encode_batch(&msgs).map_err(|e| e.to_string())?;
    if again != bin.as_ref() {
        return Err(format!(
            "re-encoded batch differs\n ours {}\n java {}",
            hex(&again),
            hex(&bin)
        ));
    }
    r.note("batch byte-exact re-encode");
    Ok(())
}

fn check_java_id(v: &Vector, r: &mut Report) -> Result<(), String> {
    match v.kind() {
        "msgid" => {
            let ip = ip_from_hex(v.req("ip")?)?;
            let port: u16 = v.req("port")?.parse().map_err(|e| format!("port: {e}"))?;
            let offset: i64 = v
                .req("offset")?
                .parse()
                .map_err(|e| format!("offset: {e}"))?;
            let addr = SocketAddr::new(ip, port);
            check_eq(
                "createMessageId",
                message::create_offset_msg_id(&addr, offset).as_str(),
                v.req("msgId")?,
            )?;
            let (a, o) =
                message::decode_offset_msg_id(v.req("msgId")?).map_err(|e| e.to_string())?;
            check_eq("decodeMessageId", (a, o), (addr, offset))?;
            r.note("offset msg id");
        }
        "uniqid" => {
            let info = message::decode_uniq_id(v.req("id")?).map_err(|e| e.to_string())?;
            check_eq("ip", ip_hex(&info.ip), v.req("ip")?.to_string())?;
            let pid: i32 = v.req("pid")?.parse().map_err(|e| format!("pid: {e}"))?;
            if i32::from(info.pid) != pid && i32::from(info.pid as i16) != pid {
                return Err(format!("pid {} != java {pid}", info.pid));
            }
            r.note("unique id");
        }
        k => return Err(format!("unknown id kind {k}")),
    }
    Ok(())
}

#[test]
fn java_messages_batches_and_ids() {
    let g = golden();
    let mut r = Report::default();
    for v in &g.vectors {
        match v.kind() {
            "message" => r.run(&v.name, |r| check_java_message(v, r)),
            "batch" => r.run(&v.name, |r| check_java_batch(v, r)),
            "msgid" | "uniqid" => r.run(&v.name, |r| check_java_id(v, r)),
            _ => {}
        }
    }
    r.finish("java messages");
}

// ---------------------------------------------------------------------------------------------
// bodies: Java -> us

/// Map/set order and key quoting do not matter; everything else does.
fn normalize(v: &Value) -> Value {
    fn key(k: &Value) -> Value {
        match k {
            Value::Number(n) => Value::String(
                n.as_i64()
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| Value::Number(n.clone()).to_json()),
            ),
            other => normalize(other),
        }
    }
    fn sort(mut e: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
        e.sort_by_key(|(k, _)| format!("{k:?}"));
        e
    }
    match v {
        Value::Object(entries) => Value::Object(sort(
            entries
                .iter()
                .map(|(k, v)| (key(k), normalize(v)))
                .collect(),
        )),
        Value::Bean(props) => Value::Object(sort(
            props
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), normalize(v)))
                .collect(),
        )),
        Value::Array(items) | Value::Set(items) => {
            let mut items: Vec<Value> = items.iter().map(normalize).collect();
            items.sort_by_key(|i| format!("{i:?}"));
            Value::Array(items)
        }
        other => other.clone(),
    }
}

/// `Ok(true)` byte-exact, `Ok(false)` equal up to order, `Err` different.
fn compare_json(ours: &[u8], java: &[u8]) -> Result<bool, String> {
    if ours == java {
        return Ok(true);
    }
    let a = fastjson::parse(ours).map_err(|e| format!("our JSON does not parse: {e}"))?;
    let b = fastjson::parse(java).map_err(|e| format!("Java JSON does not parse: {e}"))?;
    if normalize(&a) == normalize(&b) {
        Ok(false)
    } else {
        Err(format!(
            "bodies differ\n ours {}\n java {}",
            String::from_utf8_lossy(ours),
            String::from_utf8_lossy(java)
        ))
    }
}

fn rt<T: JsonBody>(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let t = T::decode(bytes).map_err(|e| format!("decode: {e}"))?;
    Ok(t.encode())
}

/// Decode `bytes` as the Rust mirror of Java `class` and encode it again. `None`: no mirror.
fn body_roundtrip(class: &str, name: &str, bytes: &[u8]) -> Option<Result<Vec<u8>, String>> {
    use protocol::body::*;
    Some(match class {
        "TopicRouteData" if name.ends_with("_std") => TopicRouteData::decode(bytes)
            .map(|t| t.encode_standard())
            .map_err(|e| e.to_string()),
        "TopicRouteData" => rt::<TopicRouteData>(bytes),
        "RegisterBrokerBody" if name.ends_with("_compressed") => {
            RegisterBrokerBody::decode_compressed(bytes)
                .map(|b| b.encode_compressed())
                .map_err(|e| e.to_string())
        }
        "RegisterBrokerBody" => rt::<RegisterBrokerBody>(bytes),
        "ClusterInfo" => rt::<ClusterInfo>(bytes),
        "HeartbeatData" => rt::<HeartbeatData>(bytes),
        "LockBatchRequestBody" => rt::<LockBatchRequestBody>(bytes),
        "LockBatchResponseBody" => rt::<LockBatchResponseBody>(bytes),
        "UnlockBatchRequestBody" => rt::<UnlockBatchRequestBody>(bytes),
        "ConsumerConnection" => rt::<ConsumerConnection>(bytes),
        "ProducerConnection" => rt::<ProducerConnection>(bytes),
        "ConsumeStats" => rt::<ConsumeStats>(bytes),
        "TopicStatsTable" => rt::<TopicStatsTable>(bytes),
        "ResetOffsetBody" => rt::<ResetOffsetBody>(bytes),
        "ConsumerRunningInfo" => rt::<ConsumerRunningInfo>(bytes),
        "KVTable" => rt::<KVTable>(bytes),
        "TopicList" => rt::<TopicList>(bytes),
        "GroupList" => rt::<GroupList>(bytes),
        "GetConsumerListByGroupResponseBody" => rt::<GetConsumerListByGroupResponseBody>(bytes),
        "TopicConfigSerializeWrapper" => rt::<TopicConfigSerializeWrapper>(bytes),
        "DataVersion" => rt::<DataVersion>(bytes),
        "SubscriptionGroupWrapper" => rt::<SubscriptionGroupWrapper>(bytes),
        "SubscriptionGroupConfig" => rt::<SubscriptionGroupConfig>(bytes),
        "ConsumerOffsetSerializeWrapper" => rt::<ConsumerOffsetSerializeWrapper>(bytes),
        "CheckClientRequestBody" => rt::<CheckClientRequestBody>(bytes),
        "QueryConsumeTimeSpanBody" => rt::<QueryConsumeTimeSpanBody>(bytes),
        "QueryCorrectionOffsetBody" => rt::<QueryCorrectionOffsetBody>(bytes),
        "ConsumeMessageDirectlyResult" => rt::<ConsumeMessageDirectlyResult>(bytes),
        "BrokerStatsData" => rt::<BrokerStatsData>(bytes),
        "ProducerTableInfo" => rt::<ProducerTableInfo>(bytes),
        _ => return None,
    })
}

fn inflate(b: &[u8]) -> Result<Vec<u8>, String> {
    message::codec::decompress(b, 0x301).map_err(|e| format!("inflate: {e}"))
}

#[test]
fn java_bodies_parse_and_reencode() {
    let g = golden();
    let mut r = Report::default();
    let mut skipped = Vec::new();
    for v in g.vectors.iter().filter(|v| v.kind() == "body") {
        let class = v.get("class").unwrap_or("?").to_string();
        let Ok(bin) = v.bin() else {
            r.failures.push(format!("{}: no .bin", v.name));
            continue;
        };
        match body_roundtrip(&class, &v.name, bin) {
            None => {
                eprintln!(
                    "[golden] note: no Rust body type for {class} ({}), skipped",
                    v.name
                );
                skipped.push(v.name.clone());
            }
            Some(res) => r.run(&v.name, |r| {
                let ours = res?;
                if v.name.ends_with("_compressed") {
                    // zlib streams from different deflaters may differ: compare inflated
                    let (a, b) = (inflate(&ours)?, inflate(bin)?);
                    check_eq("inflated register body", hex(&a), hex(&b))?;
                    r.note("compressed body: inflated bytes equal");
                    return Ok(());
                }
                if compare_json(&ours, bin)? {
                    r.note("body byte-exact");
                } else {
                    eprintln!(
                        "[golden] {}: equal up to map/set order\n ours {}\n java {}",
                        v.name,
                        String::from_utf8_lossy(&ours),
                        String::from_utf8_lossy(bin)
                    );
                    r.note(&format!("body equal up to map/set order: {}", v.name));
                }
                Ok(())
            }),
        }
    }
    eprintln!("[golden] bodies skipped (no Rust type): {skipped:?}");
    r.finish("java bodies");
}

// ---------------------------------------------------------------------------------------------
// reverse: us -> Java

struct Out {
    dir: PathBuf,
    manifest: String,
    /// name -> what we expect Java to read
    frames: Vec<(String, RemotingCommand, Option<String>)>,
    messages: Vec<(String, Vec<MessageExt>)>,
    batches: Vec<(String, Vec<BatchMessage>)>,
    bodies: Vec<(String, Vec<u8>)>,
    ids: Vec<(String, SocketAddr, i64)>,
}

impl Out {
    fn add(&mut self, name: &str, kind: &str, class: &str, bytes: &[u8]) {
        std::fs::write(self.dir.join(format!("{name}.bin")), bytes).expect("write vector");
        self.manifest.push_str(&format!("{name} {kind} {class}\n"));
    }
    fn frame(&mut self, name: &str, cmd: RemotingCommand, class: Option<&str>) {
        let bytes = encode_frame(&cmd);
        self.add(name, "frame", class.unwrap_or("-"), &bytes);
        self.frames
            .push((name.to_string(), cmd, class.map(str::to_string)));
    }
}

fn rust_frames(out: &mut Out) {
    let g = golden();
    let mut opaque = 1_000_000;
    // every golden header vector's typed header, re-made by our encoders, in both codecs
    for v in g
        .vectors
        .iter()
        .filter(|v| v.name.starts_with("hdr_") && v.name.ends_with("_json"))
    {
        let (Some(class), Ok(bin)) = (v.get("hdrclass"), v.bin()) else {
            continue;
        };
        let Ok(java) = decode_frame(bin) else {
            continue;
        };
        let ext = java.ext_fields.clone().unwrap_or_default();
        let Some(Ok(typed)) = reflatten(class, &ext) else {
            continue;
        };
        for st in [SerializeType::Json, SerializeType::RocketMq] {
            let mut cmd = if java.is_response() {
                RemotingCommand::response(java.code, java.remark.clone())
            } else {
                RemotingCommand::request(java.code)
            };
            cmd.ext_fields = Some(typed.clone());
            cmd.flag = java.flag;
            cmd.body = java.body.clone();
            cmd.opaque = opaque;
            opaque += 1;
            cmd.serialize_type = st;
            let name = format!(
                "rs_{}_{}",
                &v.name[..v.name.len() - 5],
                if st == SerializeType::Json {
                    "json"
                } else {
                    "bin"
                }
            );
            out.frame(&name, cmd, Some(class));
        }
    }
    // hand-made commands
    let v1 = SendMessageRequestHeader {
        producer_group: "PG".into(),
        topic: "T\u{e9}\u{4e2d}".into(),
        default_topic: "TBW102".into(),
        default_topic_queue_nums: 4,
        queue_id: 3,
        sys_flag: 0x301,
        born_timestamp: 1_700_000_000_000,
        flag: -1,
        properties: Some("UNIQ_KEY\u{1}X\u{2}KEYS\u{1}k1 k\u{e9}\u{2}WAIT\u{1}true".into()),
        reconsume_times: Some(2),
        unit_mode: true,
        batch: false,
        max_reconsume_times: Some(16),
        bname: Some("broker-a".into()),
    };
    let v2 = SendMessageRequestHeaderV2::from_v1(&v1);
    let resp = SendMessageResponseHeader {
        msg_id: message::create_offset_msg_id(&"[fe80::1]:10911".parse().expect("addr"), 77),
        queue_id: 3,
        queue_offset: i64::MAX,
        transaction_id: Some("tx".into()),
    };
    let pull = PullMessageResponseHeader {
        suggest_which_broker_id: 1,
        next_begin_offset: 10,
        min_offset: -1,
        max_offset: i64::MIN,
    };
    let long_remark: String = "é0123456789".repeat(7000);
    for st in [SerializeType::Json, SerializeType::RocketMq] {
        let s = if st == SerializeType::Json {
            "json"
        } else {
            "bin"
        };
        let mut c = RemotingCommand::request_with(310, &v2).with_body(vec![0u8, 1, 2, 255]);
        c.serialize_type = st;
        c.language = LanguageCode::RUST;
        out.frame(
            &format!("rs_send_v2_{s}"),
            c,
            Some("SendMessageRequestHeaderV2"),
        );
        let mut c = RemotingCommand::request_with(10, &v1);
        c.serialize_type = st;
        c.opaque = -5;
        out.frame(
            &format!("rs_send_v1_{s}"),
            c,
            Some("SendMessageRequestHeader"),
        );
        let mut c = RemotingCommand::response_with(0, &resp);
        c.set_ext("MSG_REGION", "DefaultRegion");
        c.set_ext("TRACE_ON", "true");
        c.serialize_type = st;
        out.frame(
            &format!("rs_send_response_{s}"),
            c,
            Some("SendMessageResponseHeader"),
        );
        let mut c = RemotingCommand::response_with(20, &pull).with_remark("OFFSET_FOUND_NULL");
        c.serialize_type = st;
        c.body = Some(Bytes::from(vec![7u8; 70_000]));
        out.frame(
            &format!("rs_pull_response_{s}"),
            c,
            Some("PullMessageResponseHeader"),
        );
        let mut c = RemotingCommand::response(1, Some(long_remark.clone()));
        c.serialize_type = st;
        out.frame(&format!("rs_long_remark_{s}"), c, None);
        let mut c = RemotingCommand::response(22, Some(String::new()));
        c.serialize_type = st;
        c.ext_fields = Some(ExtFields::new());
        out.frame(&format!("rs_empty_remark_empty_ext_{s}"), c, None);
        let mut c = RemotingCommand::request(34)
            .with_body(&b"{\"clientID\":\"x\"}"[..])
            .oneway();
        c.serialize_type = st;
        c.version = 12345;
        out.frame(&format!("rs_no_ext_oneway_{s}"), c, None);
        let mut c = RemotingCommand::response(40000, Some("\u{1}\u{7f}\u{2028}\"\\/😀".into()));
        c.serialize_type = st;
        c.flag = 3;
        c.opaque = i32::MIN;
        c.set_ext("k\u{e9}\u{4e2d}", "\n\t\u{0}v");
        c.set_ext("empty", "");
        out.frame(&format!("rs_edges_{s}"), c, None);
    }
}

fn rust_messages(out: &mut Out) {
    let base = || {
        let mut m = MessageExt {
            topic: "TopicTest".into(),
            body: Bytes::from_static(b"Hello"),
            queue_id: 1,
            queue_offset: 2,
            commit_log_offset: 0x1234,
            born_timestamp: 1_700_000_000_000,
            born_host: "127.0.0.1:54321".parse().expect("addr"),
            store_timestamp: 1_700_000_000_123,
            store_host: "127.0.0.1:10911".parse().expect("addr"),
            ..Default::default()
        };
        m.body_crc = message::body_crc32(&m.body);
        m.put_property("TAGS", "TagA");
        m.put_property("KEYS", "k1 k2");
        m
    };
    let a = base();
    let mut b = base();
    b.born_host = "[::1]:1".parse().expect("addr");
    b.store_host = "[fe80::1]:10911".parse().expect("addr");
    b.sys_flag = 0x30 | 0x4;
    b.reconsume_times = 3;
    b.prepared_transaction_offset = i64::MAX;
    b.flag = -7;
    let mut c = base();
    c.topic = "T\u{e9}\u{4e2d}".into();
    c.body = Bytes::from("你好😀".as_bytes().to_vec());
    c.body_crc = message::body_crc32(&c.body);
    c.put_property("uni\u{4e2d}", "val\u{e9}😀");
    let mut d = base();
    let plain: Vec<u8> = (0..5000u32)
        .map(|i| b"abcdefghij"[(i % 10) as usize])
        .collect();
    d.body_crc = message::body_crc32(&plain);
    d.body = Bytes::from(message::codec::compress_zlib(&plain, 5).expect("compress"));
    d.sys_flag = 0x301;
    let mut e = base();
    e.body = Bytes::new();
    e.body_crc = 0;
    e.properties.clear();
    e.queue_offset = i64::MAX;
    let all = [a, b, c, d, e];
    for (i, m) in all.iter().enumerate() {
        let mut m = m.clone();
        let bytes = message::encode(&m).expect("encode");
        m.store_size = bytes.len() as i32;
        m.msg_id = m.offset_msg_id();
        let name = format!("rs_msg_{i}");
        out.add(&name, "message", "-", &bytes);
        out.messages.push((name, vec![m]));
    }
    let mut concat = Vec::new();
    let mut expect = Vec::new();
    for m in &all[..3] {
        let mut m = m.clone();
        let bytes = message::encode(&m).expect("encode");
        m.store_size = bytes.len() as i32;
        m.msg_id = m.offset_msg_id();
        concat.extend(bytes);
        expect.push(m);
    }
    out.add("rs_msgs_concat", "message", "-", &concat);
    out.messages.push(("rs_msgs_concat".into(), expect));

    let mut m1 = BatchMessage {
        flag: 5,
        body: Bytes::from_static(b"A"),
        ..Default::default()
    };
    m1.properties.insert("UNIQ_KEY".into(), "U1".into());
    m1.properties.insert("WAIT".into(), "true".into());
    let mut m2 = BatchMessage {
        flag: i32::MIN,
        body: Bytes::from("你好".as_bytes().to_vec()),
        ..Default::default()
    };
    m2.properties.insert("k\u{e9}".into(), "v\u{4e2d}".into());
    let m3 = BatchMessage::default();
    let batch = vec![m1, m2, m3];
    let bytes = message::encode_batch(&batch).expect("batch");
    out.add("rs_batch", "batch", "-", &bytes);
    out.batches.push(("rs_batch".into(), batch));

    for (i, (addr, off)) in [
        ("192.168.0.1:10911", 0x1234i64),
        ("[fe80::1]:10911", -1),
        ("10.0.0.255:65535", i64::MAX),
    ]
    .iter()
    .enumerate()
    {
        let addr: SocketAddr = addr.parse().expect("addr");
        let id = message::create_offset_msg_id(&addr, *off);
        let name = format!("rs_msgid_{i}");
        out.add(&name, "msgid", "-", id.as_bytes());
        out.ids.push((name, addr, *off));
    }
}

fn rust_bodies(out: &mut Out) {
    let g = golden();
    for v in g.vectors.iter().filter(|v| v.kind() == "body") {
        let (Some(class), Some(fqcn), Ok(bin)) = (v.get("class"), v.get("fqcn"), v.bin()) else {
            continue;
        };
        let Some(Ok(ours)) = body_roundtrip(class, &v.name, bin) else {
            continue;
        };
        let name = format!("rs_{}", v.name);
        if v.name.ends_with("_compressed") {
            out.add(&name, "body-compressed", fqcn, &ours);
            // Java re-encodes it as plain JSON: compare with our plain form
            let plain = body::RegisterBrokerBody::decode_compressed(&ours)
                .map(|b| b.encode())
                .unwrap_or_default();
            out.bodies.push((name, plain));
        } else {
            out.add(&name, "body", fqcn, &ours);
            out.bodies.push((name, ours));
        }
    }
}

fn check_rust_frame(
    cmd: &RemotingCommand,
    class: Option<&str>,
    j: &Vector,
    r: &mut Report,
) -> Result<(), String> {
    if let Some(e) = j.get("error") {
        return Err(format!("Java could not decode: {e}"));
    }
    let bin = cmd.serialize_type == SerializeType::RocketMq;
    check_eq("serialize", cmd.serialize_type.name(), j.req("serialize")?)?;
    let code = if bin {
        cmd.code as i16 as i32
    } else {
        cmd.code
    };
    check_eq("code", code.to_string().as_str(), j.req("code")?)?;
    check_eq("language", language_name(cmd.language), j.req("language")?)?;
    let version = if bin {
        cmd.version as i16 as i32
    } else {
        cmd.version
    };
    check_eq("version", version.to_string().as_str(), j.req("version")?)?;
    check_eq("opaque", cmd.opaque.to_string().as_str(), j.req("opaque")?)?;
    check_eq("flag", cmd.flag.to_string().as_str(), j.req("flag")?)?;
    let remark = match &cmd.remark {
        Some(r) if bin && r.is_empty() => None,
        other => other.as_deref(),
    };
    check_eq("remark", remark, j.get("remark"))?;
    let present = match &cmd.ext_fields {
        Some(e) => !(bin && e.is_empty()),
        None => false,
    };
    check_eq(
        "ext presence",
        if present { "present" } else { "absent" },
        j.req("ext")?,
    )?;
    let mut ext = BTreeMap::new();
    let mut nulls = Vec::new();
    for (k, v) in cmd.ext_fields.iter().flat_map(|e| e.iter()) {
        if bin && v.is_empty() {
            nulls.push(k.to_string());
        } else {
            ext.insert(k.to_string(), v.to_string());
        }
    }
    check_eq("ext", &ext, &j.prefixed("ext."))?;
    check_eq(
        "extnull",
        nulls.iter().map(String::as_str).collect::<Vec<_>>(),
        j.all("extnull"),
    )?;
    let order: Vec<&str> = cmd
        .ext_fields
        .iter()
        .flat_map(|e| e.iter())
        .map(|(k, _)| k)
        .collect();
    check_eq("wire key order", order, j.all("orderkey"))?;
    check_eq(
        "body",
        cmd.body.as_deref().map(hex),
        j.get("body").map(str::to_string),
    )?;
    if let Some(class) = class {
        let ours = cmd.ext_fields.clone().unwrap_or_default();
        let checked =
            check_fields(class, &ours).ok_or_else(|| format!("no Rust type for {class}"))?;
        if let Some(e) = j.get("hdrerror") {
            if checked.is_ok() {
                return Err(format!(
                    "Java rejects our {class} ({e}), our check_fields accepts it"
                ));
            }
            r.note("checkFields rejects like Java");
            return Ok(());
        }
        let java_hdr = j.prefixed("hdr.");
        match check_typed(class, &ours, &java_hdr)? {
            Some(_) => r.note("Java typed decode equals ours"),
            None => r.note("typed decode: missing required field (Java: null)"),
        }
    }
    Ok(())
}

#[test]
fn rust_encodings_decode_in_java() {
    let dir = new_temp_dir("rmq-golden-rs-").expect("temp dir");
    let in_dir = dir.path().join("in");
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&in_dir).expect("mkdir");
    let mut out = Out {
        dir: in_dir.clone(),
        manifest: String::new(),
        frames: Vec::new(),
        messages: Vec::new(),
        batches: Vec::new(),
        bodies: Vec::new(),
        ids: Vec::new(),
    };
    rust_frames(&mut out);
    rust_messages(&mut out);
    rust_bodies(&mut out);
    std::fs::write(in_dir.join("manifest.txt"), &out.manifest).expect("manifest");
    let (i, o) = (
        in_dir.to_string_lossy().into_owned(),
        out_dir.to_string_lossy().into_owned(),
    );
    let res = run_java(
        "rmq.golden.GoldenCheck",
        &[&i, &o],
        &[],
        &[],
        Duration::from_secs(600),
    )
    .expect("run GoldenCheck");
    assert!(
        res.success() && res.stdout.contains("GOLDENCHECK"),
        "{}",
        res.describe()
    );
    if keep_tmp() {
        eprintln!("[golden] reverse vectors kept in {}", dir.path().display());
    }
    let java: BTreeMap<String, Vector> = load_dir(&out_dir)
        .expect("GoldenCheck output")
        .into_iter()
        .map(|v| (v.name.clone(), v))
        .collect();
    let get = |n: &str| {
        java.get(n)
            .ok_or_else(|| format!("GoldenCheck wrote nothing for {n}"))
    };

    let mut r = Report::default();
    for (name, cmd, class) in &out.frames {
        r.run(name, |r| {
            check_rust_frame(cmd, class.as_deref(), get(name)?, r)
        });
    }
    for (name, msgs) in &out.messages {
        r.run(name, |r| {
            let j = get(name)?;
            if let Some(e) = j.get("error").or(j.get("decodeError")) {
                return Err(format!("Java could not decode: {e}"));
            }
            check_eq("count", msgs.len().to_string().as_str(), j.req("count")?)?;
            for (n, m) in msgs.iter().enumerate() {
                let mut m = m.clone();
                if m.is_compressed() {
                    m.body = m.decompressed_body().map_err(|e| e.to_string())?;
                }
                check_message_fields(&format!("m.{n}."), j, &m, m.store_size as usize)?;
            }
            r.note("Java decodes our message");
            Ok(())
        });
    }
    for (name, batch) in &out.batches {
        r.run(name, |r| {
            let j = get(name)?;
            if let Some(e) = j.get("error") {
                return Err(format!("Java could not decode: {e}"));
            }
            check_eq("count", batch.len().to_string().as_str(), j.req("count")?)?;
            for (i, m) in batch.iter().enumerate() {
                let p = format!("m.{i}.");
                check_eq(
                    "flag",
                    m.flag.to_string().as_str(),
                    j.req(&format!("{p}flag"))?,
                )?;
                check_eq(
                    "body",
                    hex(&m.body).as_str(),
                    j.get(&format!("{p}body")).unwrap_or(""),
                )?;
                let props: BTreeMap<String, String> = m
                    .properties
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                check_eq("properties", props, j.prefixed(&format!("{p}prop.")))?;
            }
            r.note("Java decodes our batch");
            Ok(())
        });
    }
    for (name, ours) in &out.bodies {
        r.run(name, |r| {
            let j = get(name)?;
            if let Some(e) = j.get("error") {
                return Err(format!("Java could not decode: {e}"));
            }
            let java_json =
                std::fs::read(out_dir.join(format!("{name}.json"))).map_err(|e| e.to_string())?;
            if compare_json(ours, &java_json)? {
                r.note("Java re-encodes our body byte-exact");
            } else {
                r.note(&format!(
                    "Java re-encodes our body equal up to order: {name}"
                ));
            }
            Ok(())
        });
    }
    for (name, addr, off) in &out.ids {
        r.run(name, |r| {
            let j = get(name)?;
            check_eq("ip", ip_hex(&addr.ip()), j.req("ip")?.to_string())?;
            check_eq("port", addr.port().to_string(), j.req("port")?.to_string())?;
            check_eq("offset", off.to_string(), j.req("offset")?.to_string())?;
            r.note("Java decodes our msg id");
            Ok(())
        });
    }
    r.finish("rust -> java");
}

#[test]
fn typed_header_classes_match_the_java_catalogue() {
    // every class GoldenGen knows is a class we have, and vice versa
    let g = golden();
    let java: BTreeSet<&str> = g.vectors.iter().filter_map(|v| v.get("hdrclass")).collect();
    let ours: BTreeSet<&str> = HEADER_CLASSES.iter().copied().collect();
    assert_eq!(java, ours);
    // and the typed structs the tests above build are the classes they claim to be
    let mut ext = ExtFields::new();
    GetRouteInfoRequestHeader {
        topic: "T".into(),
        accept_standard_json_only: Some(true),
    }
    .to_ext_fields(&mut ext);
    assert_eq!(ext.get("acceptStandardJsonOnly"), Some("true"));
}
