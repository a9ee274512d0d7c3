//! Rust twin of `compat-tests/java/src/main/java/rmq/filter/SqlEval.java` (same input and
//! output format), used by `compat-tests/tests/filter_sql92_java.rs` to diff this crate
//! against rocketmq-filter 4.9.7.
//!
//! Usage: `sql_eval <input-file>`. Input lines (TAB separated, strings hex-encoded UTF-8):
//! `M <name> [<keyHex>=<valueHex>]...`, `E <exprHex>`, `B <f> <n> <keyHex>`.
//! Output: `C <i> OK` / `C <i> ERR <kind>`, `R <i> <j> TRUE|FALSE|NULL|ERROR`,
//! `B <f> <n> <k> <m> <positions>` / `B <f> <n> ERR`.

use filter::{compile, BloomFilter, Value};
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

fn unhex(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(format!("odd hex length: {s}"));
    }
    let nibble = |c: u8| {
        (c as char)
            .to_digit(16)
            .ok_or_else(|| format!("bad hex in {s:?}"))
    };
    let bytes = b
        .chunks_exact(2)
        .map(|p| Ok((nibble(p[0])? * 16 + nibble(p[1])?) as u8))
        .collect::<Result<Vec<u8>, String>>()?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

fn run(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = String::new();
    let mut maps: Vec<HashMap<String, String>> = Vec::new();
    let mut expr_index = 0usize;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "M" => {
                let mut m = HashMap::new();
                for kv in f.iter().skip(2).filter(|s| !s.is_empty()) {
                    let (k, v) = kv.split_once('=').ok_or_else(|| format!("bad pair {kv}"))?;
                    m.insert(unhex(k)?, unhex(v)?);
                }
                maps.push(m);
            }
            "E" => {
                let sql = unhex(f.get(1).ok_or("missing expression")?)?;
                match compile(&sql) {
                    Err(e) => {
                        out.push_str(&format!("C\t{expr_index}\tERR\t{e:?}\n"));
                    }
                    Ok(expr) => {
                        out.push_str(&format!("C\t{expr_index}\tOK\n"));
                        for (j, m) in maps.iter().enumerate() {
                            let r = match expr.evaluate_map(m) {
                                Ok(Value::Null) => "NULL",
                                Ok(Value::Bool(true)) => "TRUE",
                                Ok(Value::Bool(false)) => "FALSE",
                                Ok(_) => "OTHER",
                                Err(_) => "ERROR",
                            };
                            out.push_str(&format!("R\t{expr_index}\t{j}\t{r}\n"));
                        }
                    }
                }
                expr_index += 1;
            }
            "B" => {
                let fr: i32 = f.get(1).and_then(|s| s.parse().ok()).ok_or("bad f")?;
                let n: i32 = f.get(2).and_then(|s| s.parse().ok()).ok_or("bad n")?;
                let key = unhex(f.get(3).ok_or("missing key")?)?;
                match BloomFilter::create_by_fn(fr, n) {
                    Ok(bf) => {
                        let d = bf.generate(&key);
                        let pos: Vec<String> = d.bit_pos.iter().map(|p| p.to_string()).collect();
                        out.push_str(&format!(
                            "B\t{fr}\t{n}\t{}\t{}\t{}\n",
                            bf.k(),
                            bf.m(),
                            pos.join(",")
                        ));
                    }
                    Err(_) => out.push_str(&format!("B\t{fr}\t{n}\tERR\n")),
                }
            }
            other => return Err(format!("bad record type {other:?}")),
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: sql_eval <input-file>");
        return ExitCode::from(2);
    };
    match run(&path) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(out.as_bytes()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sql_eval: {e}");
            ExitCode::FAILURE
        }
    }
}
