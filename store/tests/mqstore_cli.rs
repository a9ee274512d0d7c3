mod common;

use common::*;
use std::process::Command;

#[test]
fn verify_dump_stats() {
    let d = tempfile::tempdir().unwrap();
    {
        let s = open(small_config(d.path()));
        for i in 0..40 {
            s.put_message_blocking(msg(
                "Cli",
                i % 3,
                &"z".repeat(2500),
                &format!("TAGS\u{1}t{i}\u{2}KEYS\u{1}k{i}"),
            ));
        }
        wait_dispatched(&s);
        s.shutdown();
    }
    let exe = env!("CARGO_BIN_EXE_mqstore");
    let root = d.path().to_str().unwrap();
    let sizes = ["--file-size", "65536", "--cq-file-size", "2000"];
    let out = Command::new(exe)
        .arg("verify")
        .arg(root)
        .args(sizes)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("40 valid records"), "{text}");
    assert!(text.contains("cq Cli/0: 14 entries OK"), "{text}");
    let out = Command::new(exe)
        .arg("dump")
        .arg(root)
        .args(["--file-size", "65536", "--topic", "Cli", "--limit", "2"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("queueOffset=0"));
    let out = Command::new(exe)
        .arg("stats")
        .arg(root)
        .args(sizes)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("commitlog records: 40"), "{text}");
    assert!(text.contains("abort file: false"), "{text}");
    // corrupt a consume queue entry's size: verify must complain
    let cq = d.path().join("consumequeue/Cli/1/00000000000000000000");
    let mut raw = std::fs::read(&cq).unwrap();
    raw[8..12].copy_from_slice(&7i32.to_be_bytes());
    std::fs::write(&cq, raw).unwrap();
    let out = Command::new(exe)
        .arg("verify")
        .arg(root)
        .args(sizes)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("PROBLEM: cq Cli/1"));
}
