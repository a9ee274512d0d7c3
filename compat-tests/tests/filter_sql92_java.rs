//! Differential test of the `filter` crate (SQL92 message filter) against the real
//! rocketmq-filter 4.9.7 classes.
//!
//! The same input file (property maps, expressions, bloom-filter keys) is fed to
//! * `rmq.filter.SqlEval` (Java: `FilterFactory.INSTANCE.get("SQL92").compile(expr)`,
//!   `expr.evaluate(new MessageEvaluationContext(props))`, `BloomFilter.createByFn`), and
//! * `filter/examples/sql_eval.rs` (ours, same I/O format),
//!
//! and the outputs must agree exactly: which expressions compile, and for every
//! (expression, property map) pair whether evaluation yields TRUE, FALSE, NULL or throws.
//!
//! The `filter` crate is not a dependency of `compat-tests`, so the example is built with
//! a nested `cargo build` into `<target>/filter-sql-eval` (a separate target dir, so it does
//! not contend for the lock of the outer `cargo test`).

use anyhow::{bail, Context, Result};
use compat_tests::{cargo_profile_dir, new_temp_dir, run_java, workspace_root};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Property maps every expression is evaluated against (message properties are strings).
fn property_maps() -> Vec<Vec<(&'static str, &'static str)>> {
    vec![
        vec![],
        vec![("a", "5"), ("b", "5"), ("TAGS", "TagA")],
        vec![("a", "abc"), ("b", "abc")],
        vec![("a", "5.5"), ("b", "1e1")],
        vec![("a", "true"), ("b", "TRUE"), ("c", "false")],
        vec![("a", " 5 "), ("b", "+5")],
        vec![("a", "NaN"), ("b", "Infinity"), ("c", "-Infinity")],
        vec![
            ("a", "3000000000"),
            ("b", "-2147483648"),
            ("c", "9223372036854775807"),
        ],
        vec![("a", ""), ("b", "x'y")],
        vec![("a", "0x1p3"), ("b", "1.5f"), ("c", "0")],
        vec![("a", "\u{661}\u{662}"), ("b", "-0"), ("c", "-0.0")],
        vec![("a", "TagA"), ("TAGS", "TagB"), ("KEYS", "k1"), ("c", "10")],
        vec![
            ("a", "2"),
            ("b", "10"),
            ("c", "1e-400"),
            ("$x", "1"),
            ("_y", "y"),
        ],
        vec![
            ("a", "10"),
            ("b", "2"),
            ("c", "5"),
            ("TAGS", "TagA"),
            ("d", "-3"),
        ],
    ]
}

/// Hand-picked expressions: every grammar element, NULL handling, type mixes, edge
/// literals, and the known Java quirks.
const EXPRESSIONS: &[&str] = &[
    // comparisons with numbers
    "a > 5",
    "a >= 5",
    "a < 5",
    "a <= 5",
    "a = 5",
    "a <> 5",
    "a > 5.0",
    "a >= 5.5",
    "a < 1e1",
    "a <= .5",
    "a = 5.",
    "a <> 5.5",
    "a > 3000000000",
    "a = 3000000000",
    "a = 3000000000L",
    "a = 5L",
    "a > 2147483647",
    "a > -5",
    "a > - 5",
    "a > -(5)",
    "a > +5",
    "a > - -5",
    "a = --5",
    "a = --5\n",
    "a = -- x\n 5",
    "a > -2147483648",
    "a > 9223372036854775807",
    "a > 9223372036854775808",
    "a > -9223372036854775808",
    "a > 1.7976931348623157E308",
    "a > 1.8E308",
    "a > 4.9E-324",
    "a > 2E-324",
    "a > 3E-324",
    "a > 0.0",
    "a > 0",
    "a > 00.5",
    "a = 0123",
    "a > 1e400",
    "a > 1E+2",
    "a > 1e-2",
    "a > 5e",
    "a = 1.5.5",
    // property vs property
    "a > b",
    "a = b",
    "a <> b",
    "a < b",
    "b >= a",
    "a = c",
    "c > a",
    // strings
    "a = 'abc'",
    "a <> 'abc'",
    "'abc' = a",
    "'abc' <> a",
    "a = ''",
    "b = 'x''y'",
    "a = 'TagA'",
    "TAGS = 'TagA'",
    "TAGS <> 'TagA'",
    "a = 'a''",
    "a > 'abc'",
    "'abc' < a",
    "a = \"abc\"",
    "a = 'abc' 'def'",
    "a = 'x' 'b''",
    // booleans
    "a = TRUE",
    "a = FALSE",
    "TRUE = a",
    "b = true",
    "c = FALSE",
    "a <> TRUE",
    "TRUE",
    "FALSE",
    "NULL",
    "NOT TRUE",
    "NOT NULL",
    "TRUE = TRUE",
    "TRUE = FALSE",
    "TRUE <> FALSE",
    "TRUE = 1",
    "1 = TRUE",
    "'x' = TRUE",
    "TRUE = 'x'",
    "TRUE > 1",
    "TRUE AND NULL",
    "FALSE OR NULL",
    "NULL AND FALSE",
    "NULL OR TRUE",
    "(a > 1) = TRUE",
    "(a = b) = (b = a)",
    // NULL literal handling
    "a = NULL",
    "NULL = a",
    "a <> NULL",
    "a > NULL",
    "a IS NULL",
    "a IS NOT NULL",
    "NULL IS NULL",
    "5 IS NULL",
    "'x' IS NOT NULL",
    "a IS NULL IS NULL",
    "a IS NOT NULL = TRUE",
    "a IS NUL",
    "a IS NOT",
    "a IS",
    "(a IS NULL) OR (b IS NULL)",
    "zz IS NULL AND a IS NOT NULL",
    // BETWEEN
    "a BETWEEN 1 AND 10",
    "a BETWEEN 5 AND 5",
    "a BETWEEN 10 AND 1",
    "a NOT BETWEEN 1 AND 10",
    "a NOT BETWEEN 10 AND 1",
    "a BETWEEN -1 AND -5",
    "a BETWEEN 1.5 AND 1",
    "a BETWEEN 1 AND 1.5",
    "a BETWEEN b AND c",
    "a BETWEEN 'a' AND 'b'",
    "a BETWEEN NULL AND 1",
    "a BETWEEN TRUE AND 1",
    "a BETWEEN 1 AND 3000000000",
    "a BETWEEN 1",
    "a BETWEEN 1 OR 2",
    "5 BETWEEN 1 AND 10",
    "a BETWEEN 1 AND 10 AND b = 5",
    "a NOT BETWEEN 5.5 AND 6",
    "a between 1 and 2.5",
    // IN
    "a IN ('abc', 'TagA')",
    "a NOT IN ('abc', 'TagA')",
    "TAGS IN ('TagA')",
    "TAGS NOT IN ('TagA')",
    "a IN ('5')",
    "a IN ('1','2','3','4','5','6')",
    "a IN ()",
    "a IN (5)",
    "a IN ('x', 5)",
    "(a) IN ('abc')",
    "+a IN ('abc')",
    "-a IN ('abc')",
    "'abc' IN ('abc')",
    "a IN 'abc'",
    "a NOT IN 'abc'",
    "a IN ('x''y', 'a')",
    "b IN ('x''y')",
    "a in ('abc')",
    // logic & precedence
    "a > 1 AND b > 1",
    "a > 1 OR b > 1",
    "NOT a > 1",
    "NOT (a > 1)",
    "NOT a = 'abc'",
    "NOT (a = 'abc')",
    "NOT a",
    "NOT NOT a",
    "NOT a IS NULL",
    "a AND b",
    "a OR TRUE",
    "a",
    "a > 1 AND b > 1 OR c > 1",
    "a > 1 OR b > 1 AND c > 1",
    "(a > 1 OR b > 1) AND c > 1",
    "a = 5 OR TRUE",
    "TRUE OR a = 5",
    "FALSE AND a = 5",
    "a = 5 AND FALSE",
    "a > b OR TRUE",
    "zz > 1 OR a = 'abc'",
    "zz > 1 AND a = 'abc'",
    "NOT (zz > 1)",
    "NOT (zz > 1) OR TRUE",
    "((((a > 1))))",
    "((a > 1)",
    "(a > 1))",
    "a > 1 AND",
    "AND a > 1",
    "a > 1 OR OR b > 1",
    "TAGS = 'TagA' AND (a BETWEEN 1 AND 10 OR b IS NULL)",
    "a = b = TRUE",
    "a > 1 > 2",
    "1 > 0",
    "1 = 1",
    "(1)",
    "'x'",
    "1",
    "-a",
    "+a",
    "-(a > 1) = TRUE",
    "c > -(a > b)",
    "a = 1 NOT",
    "a = 1 NOT LIKE 'x'",
    "a = 1 b c",
    "a = 1 garbage ;",
    // unsupported operators and syntax
    "a LIKE 'x%'",
    "a NOT LIKE 'x%'",
    "a STARTSWITH 'x'",
    "a CONTAINS 'x'",
    "a != 1",
    "a == 1",
    "a + 1 > 2",
    "a - 1 > 2",
    "a * 2 > 1",
    "a > 1; b > 1",
    "a.b = 1",
    "`a` = 1",
    "a = 0x10",
    "a = 010",
    "a = 1d",
    "a = 1f",
    "a IS NOT NULL ESCAPE",
    "a = 'x' ESCAPE '!'",
    // lexical details
    "",
    " ",
    "a",
    "   a > 1   ",
    "\ta\n>\r1\x0c",
    "a > 1 -- comment\n",
    "a > 1 -- comment",
    "a > 1 /* c */",
    "a /* c */ > 1",
    "a > 1 /* c",
    "/**/a > 1",
    "a/**/>/**/1",
    "a = 'x\ny'",
    "A = 5",
    "Aa = 5",
    "$x = 1",
    "_y = 'y'",
    "a1 = 1",
    "1a = 1",
    "a = 'é'",
    "é = 1",
    "a >= 5 and b <= 5",
    "a >= 5 AnD b <= 5",
    "not a",
    "Null is null",
    "true",
    "a Is Not Null",
    "a > 1 #",
    "a > 1 @",
    "a > 1 .",
    "a > 1 'unterminated",
    "a = '\u{1F600}'",
    "TAGS = 'TagA' OR TAGS = 'TagB'",
    "KEYS = 'k1'",
    "c = 10",
    "c = '10'",
    "c > 9.5",
];

/// Small deterministic PRNG (xorshift64*), so the fuzz corpus is stable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const OPERANDS: &[&str] = &[
    "a",
    "b",
    "c",
    "zz",
    "TAGS",
    "5",
    "10",
    "2",
    "-3",
    "0",
    "3000000000",
    "5.5",
    "1e1",
    ".5",
    "'abc'",
    "'5'",
    "'TagA'",
    "''",
    "TRUE",
    "FALSE",
    "NULL",
    "-a",
    "(a)",
    "+b",
    "1L",
];

fn gen_operand(r: &mut Rng) -> String {
    r.pick(OPERANDS).to_string()
}

fn gen_comparison(r: &mut Rng, depth: u32) -> String {
    match r.below(12) {
        0..=3 => {
            let op = r.pick(&["=", "<>", ">", ">=", "<", "<="]);
            format!("{} {op} {}", gen_operand(r), gen_operand(r))
        }
        4 => format!(
            "{} {}BETWEEN {} AND {}",
            gen_operand(r),
            r.pick(&["", "NOT "]),
            gen_operand(r),
            gen_operand(r)
        ),
        5 => {
            let n = 1 + r.below(3);
            let items: Vec<&str> = (0..n)
                .map(|_| r.pick(&["'abc'", "'5'", "'TagA'", "'TagB'", "''", "'10'"]))
                .collect();
            format!(
                "{} {}IN ({})",
                r.pick(&["a", "b", "TAGS", "zz", "c"]),
                r.pick(&["", "NOT "]),
                items.join(", ")
            )
        }
        6 => format!("{} IS {}NULL", gen_operand(r), r.pick(&["", "NOT "])),
        7 => gen_operand(r),
        8 if depth > 0 => format!("NOT {}", gen_comparison(r, depth - 1)),
        9 if depth > 0 => format!("({})", gen_logic(r, depth - 1)),
        _ => {
            let op = r.pick(&["=", ">", "<>"]);
            format!("{} {op} {}", r.pick(&["a", "b", "c"]), gen_operand(r))
        }
    }
}

fn gen_logic(r: &mut Rng, depth: u32) -> String {
    let mut s = gen_comparison(r, depth);
    for _ in 0..r.below(3) {
        let op = r.pick(&["AND", "OR"]);
        s = format!("{s} {op} {}", gen_comparison(r, depth));
    }
    s
}

/// Occasionally damages an expression at the token level to exercise error paths.
fn mutate(r: &mut Rng, s: String) -> String {
    if r.below(5) != 0 {
        return s;
    }
    let mut toks: Vec<String> = s.split(' ').map(str::to_string).collect();
    let i = r.below(toks.len());
    match r.below(4) {
        0 => {
            toks.remove(i);
        }
        1 => {
            let t = toks[i].clone();
            toks.insert(i, t);
        }
        2 => toks.insert(
            i,
            r.pick(&["(", ")", "NOT", "AND", ",", "IS", "'", "-", "x"])
                .to_string(),
        ),
        _ => {
            let j = r.below(toks.len());
            toks.swap(i, j);
        }
    }
    toks.join(" ")
}

fn fuzz_expressions(n: usize) -> Vec<String> {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|_| {
            let depth = r.below(3) as u32;
            let e = gen_logic(&mut r, depth);
            mutate(&mut r, e)
        })
        .collect()
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

type Map = Vec<(String, String)>;

fn build_input(maps: &[Map], exprs: &[String], with_bloom: bool) -> String {
    let mut s = String::new();
    for (i, m) in maps.iter().enumerate() {
        let _ = write!(s, "M\tm{i}");
        for (k, v) in m {
            let _ = write!(s, "\t{}={}", hex(k), hex(v));
        }
        s.push('\n');
    }
    for e in exprs {
        let _ = writeln!(s, "E\t{}", hex(e));
    }
    if with_bloom {
        let keys = [
            "",
            "g#t",
            "please_rename_unique_group_name_4#TopicTest",
            "\u{7ec4}#\u{4e3b}\u{9898}",
            "x",
        ];
        for (f, n) in [
            (20, 32),
            (20, 64),
            (10, 128),
            (1, 1),
            (50, 10),
            (99, 1000),
            (0, 5),
            (5, 0),
            (100, 1),
        ] {
            for k in keys {
                let _ = writeln!(s, "B\t{f}\t{n}\t{}", hex(k));
            }
        }
    }
    s
}

/// Builds `filter/examples/sql_eval.rs` into a private target dir and returns its path.
fn build_rust_eval() -> Result<PathBuf> {
    let target = cargo_profile_dir()
        .parent()
        .map(|p| p.join("filter-sql-eval"))
        .context("no parent of the cargo profile dir")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(&cargo)
        .current_dir(workspace_root())
        .args(["build", "-q", "-p", "filter", "--example", "sql_eval"])
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .context("run cargo build for the filter example")?;
    if !out.status.success() {
        bail!(
            "cargo build -p filter --example sql_eval failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(target.join("debug").join("examples").join("sql_eval"))
}

/// Parses the shared output format into comparable records keyed by record identity.
fn parse_output(text: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut bloom_cases = 0usize;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.first() {
            Some(&"C") if f.len() >= 3 => {
                m.insert(format!("C {:>5}", f[1]), f[2].to_string());
            }
            Some(&"R") if f.len() >= 4 => {
                m.insert(format!("R {:>5} {:>2}", f[1], f[2]), f[3].to_string());
            }
            Some(&"B") if f.len() >= 4 => {
                bloom_cases += 1;
                m.insert(
                    format!("B {bloom_cases:>3} f={} n={}", f[1], f[2]),
                    f[3..].join(" "),
                );
            }
            _ => {}
        }
    }
    m
}

struct DiffStats {
    compiled: usize,
    evaluated: usize,
    bloom: usize,
}

/// Runs Java's SqlEval and our sql_eval on the same input and asserts identical results.
fn diff_with_java(maps: &[Map], exprs: &[String], with_bloom: bool) -> Result<DiffStats> {
    let tmp = new_temp_dir("rmq-filter-diff-")?;
    let input = tmp.path().join("input.txt");
    std::fs::write(&input, build_input(maps, exprs, with_bloom))?;
    let input_s = input.to_string_lossy().into_owned();

    let java = run_java(
        "rmq.filter.SqlEval",
        &[&input_s],
        &[],
        &[],
        Duration::from_secs(300),
    )?;
    if !java.success() {
        bail!("Java SqlEval failed: {}", java.describe());
    }

    let ours_bin = build_rust_eval()?;
    let ours = Command::new(&ours_bin)
        .arg(&input)
        .output()
        .with_context(|| format!("run {}", ours_bin.display()))?;
    if !ours.status.success() {
        bail!("sql_eval failed: {}", String::from_utf8_lossy(&ours.stderr));
    }
    let ours_text = String::from_utf8(ours.stdout)?;

    let j = parse_output(&java.stdout);
    let o = parse_output(&ours_text);
    let stats = DiffStats {
        compiled: j
            .iter()
            .filter(|(k, v)| k.starts_with('C') && *v == "OK")
            .count(),
        evaluated: j.keys().filter(|k| k.starts_with('R')).count(),
        bloom: j.keys().filter(|k| k.starts_with('B')).count(),
    };
    if stats.compiled + stats.bloom == 0 {
        bail!("Java produced no results:\n{}", java.describe());
    }

    let mut mismatches = Vec::new();
    for key in j.keys().chain(o.keys().filter(|k| !j.contains_key(*k))) {
        let (jv, ov) = (j.get(key), o.get(key));
        if jv != ov {
            let f: Vec<&str> = key.split_whitespace().collect();
            let idx: usize = f.get(1).and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
            let what = match (f[0], exprs.get(idx)) {
                ("C", Some(e)) => format!("compile {e:?}"),
                ("R", Some(e)) => {
                    let mi: usize = f.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
                    format!("eval {e:?} with {:?}", maps.get(mi))
                }
                _ => key.clone(),
            };
            mismatches.push(format!("{what}: java={jv:?} rust={ov:?}"));
        }
    }
    if !mismatches.is_empty() {
        bail!(
            "{} mismatches between Java rocketmq-filter 4.9.7 and the filter crate:\n{}",
            mismatches.len(),
            mismatches
                .iter()
                .take(60)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(stats)
}

fn owned_maps() -> Vec<Map> {
    property_maps()
        .into_iter()
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn sql92_filter_matches_java_4_9_7() -> Result<()> {
    let maps = owned_maps();
    let mut exprs: Vec<String> = EXPRESSIONS.iter().map(|s| s.to_string()).collect();
    let hand_written = exprs.len();
    exprs.extend(fuzz_expressions(1500));
    let st = diff_with_java(&maps, &exprs, true)?;
    eprintln!(
        "[filter_sql92_java] {} expressions ({} hand-written, {} fuzzed), {} compile in Java, \
         {} property maps, {} evaluations, {} bloom cases: all identical",
        exprs.len(),
        hand_written,
        exprs.len() - hand_written,
        st.compiled,
        maps.len(),
        st.evaluated,
        st.bloom
    );
    assert!(
        st.compiled >= 40,
        "too few expressions compiled in Java: {}",
        st.compiled
    );
    Ok(())
}

/// Property values that stress Java's `Integer.valueOf` / `Long.valueOf` /
/// `Double.valueOf` / `Boolean.valueOf` conversions inside `ComparisonExpression`.
const ODD_VALUES: &[&str] = &[
    "0",
    "-0",
    "+0",
    "5",
    "+5",
    "-5",
    "05",
    " 5",
    "5 ",
    " 5 ",
    "\t5\n",
    "5.0",
    "5.",
    ".5",
    "5e0",
    "5E0",
    "5e",
    "5e+",
    "5e-1",
    "5f",
    "5d",
    "5F",
    "5D",
    "5L",
    "5l",
    "0x5",
    "0x5p0",
    "0X1.8P1",
    "0x1p",
    "0x.p1",
    "-0x1p3",
    "0x1.fffffffffffff8p1023",
    "0x1.00000000000008p0",
    "0x1.00000000000018p0",
    "0x1p-1075",
    "0x1.8p-1075",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "3000000000",
    "1e308",
    "1e309",
    "-1e309",
    "4.9e-324",
    "2e-324",
    "1e-400",
    "NaN",
    "-NaN",
    "+NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "+Infinity",
    "infinity",
    "Infinityd",
    "NaN ",
    " NaN",
    "",
    " ",
    "-",
    "+",
    ".",
    "e",
    "--5",
    "+-5",
    "1_000",
    "1,5",
    "1..5",
    "\u{661}\u{662}",
    "\u{ff15}",
    "\u{b2}",
    "\u{966}",
    "\u{1d7d3}",
    "\u{0}5",
    "5\u{0}",
    "true",
    "TRUE",
    "True",
    "false",
    "yes",
    "1",
    "abc",
    "TagA",
    "x'y",
    "5.5",
    "-5.5",
    "1e1",
    "10",
    "9.999999999999999",
    "2.0000000000000004",
    "0.1",
    "0.30000000000000004",
    "123456789012345678901234567890",
    "1.7976931348623157E308",
    "4.9E-324",
];

const VALUE_EXPRESSIONS: &[&str] = &[
    "a = 5",
    "a <> 5",
    "a > 5",
    "a = 0",
    "a = -5",
    "a = 3000000000",
    "a > 2147483647",
    "a < -2147483648",
    "a = 9223372036854775807",
    "a > 5.0",
    "a < 5.5",
    "a = 5.0",
    "a = 0.1",
    "a >= 1.7976931348623157E308",
    "a <= 4.9E-324",
    "a = TRUE",
    "a = FALSE",
    "a <> TRUE",
    "a > b",
    "a < b",
    "a = b",
    "b >= a",
    "a BETWEEN 1 AND 10",
    "a BETWEEN -1.5 AND 5.5",
    "a NOT BETWEEN 0 AND 5",
    "a IN ('5', '5.0')",
    "a IS NULL",
    "a",
    "NOT a",
    "5 = a",
    "5.0 < a",
    "a = 5 OR a = 5.0",
    "a = 5.0 OR a = 5",
    "a = 'abc' OR a > 1.0",
];

#[test]
fn property_value_conversions_match_java() -> Result<()> {
    // Each map sets `a` to one odd value and `b` to another (rotated), so both operands of
    // property-vs-property comparisons get exercised.
    let n = ODD_VALUES.len();
    let maps: Vec<Map> = (0..n)
        .map(|i| {
            vec![
                ("a".to_string(), ODD_VALUES[i].to_string()),
                ("b".to_string(), ODD_VALUES[(i * 7 + 3) % n].to_string()),
            ]
        })
        .collect();
    let exprs: Vec<String> = VALUE_EXPRESSIONS.iter().map(|s| s.to_string()).collect();
    let st = diff_with_java(&maps, &exprs, false)?;
    eprintln!(
        "[filter_sql92_java] {} odd property values x {} expressions = {} evaluations: all identical",
        n,
        exprs.len(),
        st.evaluated
    );
    assert_eq!(
        st.compiled,
        exprs.len(),
        "all value expressions compile in Java"
    );
    Ok(())
}
