//! Rough throughput check (ignored; run with
//! `cargo test -p store --release --test perf -- --ignored --nocapture`).

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::*;
use store::*;

#[test]
#[ignore]
fn put_and_pull_throughput() {
    let d = tempfile::tempdir().unwrap();
    let mut c = small_config(d.path());
    c.mapped_file_size_commit_log = 256 * 1024 * 1024;
    c.mapped_file_size_consume_queue = 300_000 * 20;
    c.max_hash_slot_num = 500_000;
    c.max_index_num = 2_000_000;
    let s = open(c);
    let body = "x".repeat(1024);
    let n_threads = 4;
    let per = 50_000;
    let t0 = Instant::now();
    let hs: Vec<_> = (0..n_threads)
        .map(|t| {
            let s = Arc::clone(&s);
            let body = body.clone();
            std::thread::spawn(move || {
                for i in 0..per {
                    let r = s.put_message_blocking(msg(
                        "Perf",
                        (i % 8) as i32,
                        &body,
                        &format!("TAGS\u{1}T{t}\u{2}KEYS\u{1}k{t}-{i}\u{2}UNIQ_KEY\u{1}U{t}-{i}"),
                    ));
                    assert_eq!(r.status, PutMessageStatus::PutOk);
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    let put = t0.elapsed();
    wait_dispatched(&s);
    let disp = t0.elapsed();
    let total = n_threads * per;
    eprintln!(
        "put {total} x 1 KiB in {put:?} ({:.0}/s), dispatched after {disp:?}",
        total as f64 / put.as_secs_f64()
    );
    let t1 = Instant::now();
    let mut got = 0;
    for q in 0..8 {
        let mut off = 0;
        loop {
            let r = s.get_message("g", "Perf", q, off, 32, 0, None).unwrap();
            if r.status != GetMessageStatus::Found {
                break;
            }
            got += r.message_count();
            off = r.next_begin_offset;
        }
    }
    let pull = t1.elapsed();
    eprintln!(
        "pulled {got} in {pull:?} ({:.0}/s)",
        got as f64 / pull.as_secs_f64()
    );
    assert_eq!(got, total);
    s.shutdown();
}
