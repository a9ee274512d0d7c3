//! Table-driven tests of SQL92 compile + evaluate semantics (expected values follow
//! rocketmq-filter 4.9.7; the same behaviours are diffed against the real Java classes by
//! `compat-tests/tests/filter_sql92_java.rs`).
//!
//! Expected outcome codes: `T` = TRUE, `F` = FALSE, `N` = null, `E` = evaluation throws,
//! `C` = does not compile.

use filter::{compile, EvalError, FilterError, Value};
use std::collections::HashMap;

type Props = &'static [(&'static str, &'static str)];

const NONE: Props = &[];
const A5: Props = &[("a", "5")];
const AABC: Props = &[("a", "abc")];
const A55: Props = &[("a", "5.5")];
const AB: Props = &[("a", "5"), ("b", "7")];

fn outcome(expr: &str, props: Props) -> char {
    let e = match compile(expr) {
        Ok(e) => e,
        Err(_) => return 'C',
    };
    let map: HashMap<String, String> = props
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let r = e.evaluate_map(&map);
    // is_matched must agree with evaluate
    assert_eq!(
        e.is_matched_map(&map),
        matches!(r, Ok(Value::Bool(true))),
        "{expr}"
    );
    match r {
        Ok(Value::Bool(true)) => 'T',
        Ok(Value::Bool(false)) => 'F',
        Ok(Value::Null) => 'N',
        Ok(other) => panic!("{expr}: non-boolean top-level value {other:?}"),
        Err(_) => 'E',
    }
}

fn check(cases: &[(&str, Props, char)]) {
    let mut failures = Vec::new();
    for &(expr, props, want) in cases {
        let got = outcome(expr, props);
        if got != want {
            failures.push(format!("{expr:?} with {props:?}: want {want}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn numeric_comparisons() {
    check(&[
        ("a > 4", A5, 'T'),
        ("a > 5", A5, 'F'),
        ("a >= 5", A5, 'T'),
        ("a < 6", A5, 'T'),
        ("a <= 4", A5, 'F'),
        ("a = 5", A5, 'T'),
        ("a <> 5", A5, 'F'),
        ("a <> 6", A5, 'T'),
        ("a = 5L", A5, 'T'),
        ("a = 5.0", A5, 'T'),
        ("a > 4.99", A5, 'T'),
        ("a > 5.", A5, 'F'),
        ("a < .6e1", A5, 'T'),
        ("a = 5e0", A5, 'T'),
        ("a > -5", A5, 'T'),
        ("a > - -4", A5, 'T'),
        ("a > +4", A5, 'T'),
        ("a > 3000000000", A5, 'F'), // Long literal, Long.valueOf("5")
        ("a < 3000000000", A5, 'T'),
        ("4 < a", A5, 'T'),
        ("5 = a", A5, 'T'),
        ("1 > 0", NONE, 'T'),
        ("1 = 1.0", NONE, 'T'),
        ("3000000000 > 2", NONE, 'T'),
        ("2.5 > 2", NONE, 'T'),
        // Integer.valueOf rejects what is not an int
        ("a = 5", A55, 'E'),
        ("a > 5", A55, 'E'),
        ("a > 5.0", A55, 'T'),
        ("a = 5", &[("a", " 5")], 'E'),
        ("a = 5.0", &[("a", " 5 ")], 'T'), // Double.valueOf trims
        ("a = 5", &[("a", "+5")], 'T'),
        ("a = 5", &[("a", "05")], 'T'),
        ("a = 12", &[("a", "\u{661}\u{662}")], 'T'), // Arabic-Indic digits
        ("a = 5", &[("a", "3000000000")], 'E'),
        ("a = 3000000000", &[("a", "3000000000")], 'T'),
        ("a = 8.0", &[("a", "0x1p3")], 'T'),
        ("a = 1.5", &[("a", "1.5f")], 'T'),
        ("a > 1.0", &[("a", "NaN")], 'T'), // NaN is greater than everything
        ("a < 1.0", &[("a", "NaN")], 'F'),
        ("a > 1.0", &[("a", "Infinity")], 'T'),
        ("a < 1.0", &[("a", "-Infinity")], 'T'),
        ("a = 5", AABC, 'E'),
        ("a > 5", AABC, 'E'),
        ("a > 5", NONE, 'N'),
        ("a = 5", NONE, 'N'),
        ("5 = a", NONE, 'F'),
        ("5 <> a", NONE, 'T'),
    ]);
}

#[test]
fn property_vs_property() {
    check(&[
        ("a < b", AB, 'T'),
        ("a > b", AB, 'F'),
        ("a = b", AB, 'F'),
        ("a > b", &[("a", "10"), ("b", "9")], 'T'), // numeric, not lexicographic
        ("a > b", &[("a", "1e1"), ("b", "9.5")], 'T'),
        ("a > b", &[("a", "x"), ("b", "1")], 'E'),
        ("a = b", &[("a", "1"), ("b", "1.0")], 'F'), // string equality
        ("a = b", &[("a", "x"), ("b", "x")], 'T'),
        ("a = b", NONE, 'T'), // null == null
        ("a <> b", NONE, 'F'),
        ("a = b", A5, 'F'), // right operand null → FALSE
        ("b = a", A5, 'N'), // left operand null → null
        ("a > b", A5, 'N'),
    ]);
}

#[test]
fn strings_and_booleans() {
    check(&[
        ("a = 'abc'", AABC, 'T'),
        ("a = 'ABC'", AABC, 'F'),
        ("a <> 'abc'", AABC, 'F'),
        ("'abc' = a", AABC, 'T'),
        ("a = 'abc'", NONE, 'N'),
        ("a <> 'abc'", NONE, 'N'),
        ("'abc' = a", NONE, 'F'),
        ("'abc' <> a", NONE, 'T'),
        ("a = 'it''s'", &[("a", "it's")], 'T'),
        ("a = ''", &[("a", "")], 'T'),
        ("a = '5'", A5, 'T'),
        ("a = '5.0'", A5, 'F'),
        ("a = TRUE", &[("a", "true")], 'T'),
        ("a = TRUE", &[("a", "TRUE")], 'T'),
        ("a = TRUE", &[("a", "yes")], 'F'),
        ("a = FALSE", &[("a", "no")], 'T'), // Boolean.valueOf("no") == false
        ("a <> TRUE", &[("a", "true")], 'F'),
        ("TRUE = a", &[("a", "true")], 'E'), // ClassCastException in __compare
        ("TRUE = a", NONE, 'F'),
        ("1 = TRUE", NONE, 'F'),
        ("TRUE = TRUE", NONE, 'T'),
        ("TRUE <> FALSE", NONE, 'T'),
        ("'x' = TRUE", NONE, 'F'),
        ("a", &[("a", "true")], 'F'), // a property is never a Boolean
        ("a", NONE, 'N'),
        ("NOT a", &[("a", "true")], 'T'),
        ("TRUE", NONE, 'T'),
        ("FALSE", NONE, 'F'),
        ("NULL", NONE, 'N'),
    ]);
}

#[test]
fn null_handling_and_three_valued_logic() {
    check(&[
        ("a IS NULL", NONE, 'T'),
        ("a IS NULL", A5, 'F'),
        ("a IS NOT NULL", NONE, 'F'),
        ("a IS NOT NULL", A5, 'T'),
        ("a IS NULL", &[("a", "")], 'F'),
        ("NULL IS NULL", NONE, 'T'),
        ("5 IS NOT NULL", NONE, 'T'),
        ("a IS NULL IS NULL", NONE, 'F'),
        ("NOT NULL", NONE, 'N'),
        ("TRUE AND NULL", NONE, 'N'),
        ("FALSE AND NULL", NONE, 'F'),
        ("NULL AND FALSE", NONE, 'F'),
        ("TRUE OR NULL", NONE, 'T'),
        ("NULL OR TRUE", NONE, 'T'),
        ("FALSE OR NULL", NONE, 'N'),
        ("NULL OR NULL", NONE, 'N'),
        ("x > 1 OR a = 5", A5, 'T'),
        ("x > 1 AND a = 5", A5, 'N'),
        ("x > 1 AND a = 6", A5, 'F'),
        ("NOT (x > 1)", A5, 'N'),
        ("NOT (x > 1) OR a = 5", A5, 'T'),
        ("x IN ('a')", NONE, 'N'),
        ("x NOT IN ('a')", NONE, 'N'),
        ("x BETWEEN 1 AND 2", NONE, 'N'),
        ("x NOT BETWEEN 1 AND 2", NONE, 'N'),
    ]);
}

#[test]
fn between() {
    check(&[
        ("a BETWEEN 1 AND 10", A5, 'T'),
        ("a BETWEEN 5 AND 5", A5, 'T'),
        ("a BETWEEN 6 AND 10", A5, 'F'),
        ("a BETWEEN 1 AND 4", A5, 'F'),
        ("a BETWEEN 4.5 AND 5.5", A5, 'T'),
        ("a BETWEEN 5 AND 5.5", A55, 'E'), // a >= 5 → Integer.valueOf("5.5")
        ("a BETWEEN 5.0 AND 5.5", A55, 'T'),
        ("a BETWEEN 10 AND 1", A5, 'C'), // constant bounds must be ordered
        ("a BETWEEN 1.5 AND 1", A5, 'C'),
        ("a BETWEEN -1 AND -5", A5, 'F'), // negations are not constants: no check
        ("a BETWEEN -10 AND 10", A5, 'T'),
        ("a NOT BETWEEN 1 AND 10", A5, 'F'),
        ("a NOT BETWEEN 6 AND 10", A5, 'T'),
        ("a NOT BETWEEN 10 AND 1", A5, 'T'), // no bound check for NOT BETWEEN
        ("a BETWEEN b AND 10", AB, 'F'),
        ("a BETWEEN 1 AND b", AB, 'T'),
        ("a BETWEEN 'a' AND 'b'", A5, 'C'),
        ("a BETWEEN NULL AND 1", A5, 'C'),
        ("a BETWEEN TRUE AND FALSE", A5, 'C'),
        ("a BETWEEN 1 AND 2 AND TRUE", A5, 'F'),
        ("5 BETWEEN 1 AND 10", NONE, 'T'),
        ("a BETWEEN 1 AND 10", AABC, 'E'),
        ("FALSE AND a BETWEEN 1 AND 10", AABC, 'F'), // short-circuit skips the error
        ("a BETWEEN 1 AND 10 OR TRUE", AABC, 'E'),   // error propagates before OR
    ]);
}

#[test]
fn in_lists() {
    check(&[
        ("a IN ('abc')", AABC, 'T'),
        ("a IN ('x', 'abc', 'y')", AABC, 'T'),
        ("a IN ('x', 'y')", AABC, 'F'),
        ("a NOT IN ('x', 'y')", AABC, 'T'),
        ("a NOT IN ('abc')", AABC, 'F'),
        ("a IN ('1','2','3','4','5','6')", A5, 'T'),
        ("a IN ('5.0')", A5, 'F'),
        ("TAGS IN ('TagA', 'TagB')", &[("TAGS", "TagB")], 'T'),
        ("(a) IN ('abc')", AABC, 'T'),
        ("+a IN ('abc')", AABC, 'T'),
        ("a in ('abc')", AABC, 'T'),
        ("a IN ('it''s')", &[("a", "it's")], 'T'),
        ("a IN ()", AABC, 'C'),
        ("a IN (5)", AABC, 'C'),
        ("a IN 'abc'", AABC, 'C'),
        ("'abc' IN ('abc')", NONE, 'C'),
        ("-a IN ('abc')", NONE, 'C'),
        ("(a = 'x') IN ('abc')", NONE, 'C'),
    ]);
}

#[test]
fn logic_and_precedence() {
    check(&[
        ("a = 5 AND b = 7", AB, 'T'),
        ("a = 5 AND b = 8", AB, 'F'),
        ("a = 6 OR b = 7", AB, 'T'),
        ("a = 6 OR b = 8", AB, 'F'),
        ("a = 6 AND b = 8 OR a = 5", AB, 'T'), // AND binds tighter
        ("a = 5 OR b = 8 AND a = 6", AB, 'T'),
        ("(a = 5 OR b = 8) AND a = 6", AB, 'F'),
        ("NOT (a = 5)", AB, 'F'),
        ("NOT (a = 6)", AB, 'T'),
        ("NOT NOT (a = 5)", AB, 'T'),
        ("NOT a = 'x'", NONE, 'N'), // (NOT a) = 'x'
        ("NOT a = 'x'", AABC, 'E'),
        ("NOT a > 1", A5, 'C'),
        ("NOT a IS NULL", A5, 'F'),
        ("NOT a IS NULL", NONE, 'T'),
        ("a AND b", AB, 'F'),
        ("a OR TRUE", NONE, 'T'),
        ("a = 5 = TRUE", A5, 'T'),
        ("(a > 1) = (b > 1)", AB, 'T'),
        ("a = 1 > 0", A5, 'F'), // a = (1 > 0): Str vs Bool → Boolean.valueOf("5")
        ("a = 5 OR TRUE", AABC, 'E'), // the error is not masked by OR
        ("TRUE OR a = 5", AABC, 'T'),
        ("FALSE AND a = 5", AABC, 'F'),
        ("a = 5 AND FALSE", AABC, 'E'),
        ("((((a = 5))))", A5, 'T'),
        ("-(a > 1) = TRUE", A5, 'N'),
        ("c > -(a > b)", NONE, 'N'),
        ("c > -(a > b)", &[("c", "1"), ("a", "x"), ("b", "1")], 'E'),
        ("-a > 1", A5, 'N'), // negating a string gives null
    ]);
}

#[test]
fn trailing_input_is_ignored_if_it_lexes() {
    check(&[
        ("a = 5 b c", A5, 'T'),
        ("a = 5 garbage ;", A5, 'T'),
        ("a LIKE 'x%'", AABC, 'F'), // compiles as the boolean cast of `a`
        ("a STARTSWITH 'x'", AABC, 'F'),
        ("a = 0123", &[("a", "0")], 'T'), // `0` then `123` (ignored)
        ("a = 5 )", A5, 'T'),
        ("a + 1 > 2", &[("a", "true")], 'F'), // no arithmetic: `a`, rest ignored
        ("a - 1 > 2", NONE, 'N'),
        ("a = 5 'x''", A5, 'T'),
        ("a = 5 -- no newline", A5, 'T'),
        ("a = 5 #", A5, 'C'),
        ("a = 5 'x", A5, 'C'),
        ("a = 5 /* open", A5, 'C'),
        ("a = 5 NOT x", A5, 'C'),
        ("a = 5 NOT LIKE 'x'", A5, 'C'),
        ("a = 5 IS x", A5, 'C'),
        ("a = 5 AND", A5, 'C'),
        ("a = 5 OR", A5, 'C'),
    ]);
}

#[test]
fn literals_and_lexing() {
    check(&[
        ("a = 2147483648", &[("a", "2147483648")], 'T'),
        (
            "a = 9223372036854775807",
            &[("a", "9223372036854775807")],
            'T',
        ),
        ("a = 9223372036854775808", NONE, 'C'),
        ("a = -9223372036854775808", NONE, 'C'),
        (
            "a = -9223372036854775807",
            &[("a", "-9223372036854775807")],
            'T',
        ),
        ("a = -2147483648", &[("a", "-2147483648")], 'T'),
        ("a > 0.0", NONE, 'C'), // below Double.MIN_VALUE
        ("a > 0e5", NONE, 'C'),
        ("a > 1e-400", NONE, 'C'),
        ("a > 2e-324", NONE, 'C'),
        ("a > 3e-324", A5, 'T'),
        ("a > 1.8e308", NONE, 'C'),
        ("a > 1.7976931348623157e308", A5, 'F'),
        ("a > 0", A5, 'T'),
        ("a > 00.5", A5, 'T'),
        ("a = 0x10", &[("a", "0")], 'T'), // `0` then ID `x10`
        ("a = 1d", &[("a", "1")], 'T'),   // `1` then ID `d`
        ("a = 0L", &[("a", "0")], 'T'),   // `0` then ID `L`
        ("A = 5", &[("A", "5")], 'T'),
        ("A = 5", A5, 'N'), // property names are case-sensitive
        ("$x = 1", &[("$x", "1")], 'T'),
        ("_y1 = 'y'", &[("_y1", "y")], 'T'),
        ("a = 5 AnD NoT (a = 6)", A5, 'T'),
        ("\ta\n=\r5\u{c}", A5, 'T'),
        ("a = -- comment\n 5", A5, 'T'),
        ("a = --5", A5, 'T'), // no newline: two minus signs
        ("a /* c */ = /**/ 5", A5, 'T'),
        ("a = 'multi\nline'", &[("a", "multi\nline")], 'T'),
        ("a = '\u{4e2d}\u{6587}'", &[("a", "\u{4e2d}\u{6587}")], 'T'),
    ]);
}

#[test]
fn compile_errors() {
    for expr in [
        "",
        "   ",
        "1",
        "'abc'",
        "-a",
        "(1)",
        "a ==",
        "a == 1",
        "a != 1",
        "a = NULL",
        "NULL = a",
        "a <> NULL",
        "a > NULL",
        "a > 'abc'",
        "'abc' < a",
        "TRUE > 1",
        "a > TRUE",
        "TRUE = 1",
        "TRUE = 'x'",
        "FALSE <> 5",
        "(a > 1) > 0",
        "a > 1 > 2",
        "a * 2 > 1",
        "a = \"x\"",
        "a.b = 1",
        "\u{e9} = 1",
        "a IS",
        "a IS NUL",
        "a IS NOT",
        "a BETWEEN 1",
        "a BETWEEN 1 OR 2",
        "a NOT LIKE 'x'",
        "((a = 1)",
        "NOT",
        "NOT 1",
        "NOT 'x'",
        "AND a = 1",
        "a = 1 AND AND b = 1",
        "a = '",
        "/* x */",
        ". = 1",
    ] {
        assert!(compile(expr).is_err(), "{expr:?} should not compile");
    }
}

#[test]
fn error_types() {
    assert!(matches!(compile("a ="), Err(FilterError::Syntax { .. })));
    assert!(matches!(compile("a = #"), Err(FilterError::Lexical { .. })));
    assert!(matches!(compile("a = NULL"), Err(FilterError::Semantic(_))));
    assert!(matches!(
        compile("a = 99999999999999999999"),
        Err(FilterError::NumberLiteral { .. })
    ));
    for e in [compile("a ="), compile("a = #"), compile("a = NULL")] {
        assert_eq!(
            e.unwrap_err().java_message(),
            filter::JAVA_COMPILE_ERROR_MESSAGE
        );
    }
    let props = |k: &str| if k == "a" { Some("x") } else { Some("1") };
    let e = compile("a > b").unwrap();
    assert!(matches!(
        e.evaluate(&props),
        Err(EvalError::IllegalStringComparison { .. })
    ));
    let e = compile("a = 1").unwrap();
    assert!(matches!(
        e.evaluate(&props),
        Err(EvalError::NumberFormat { .. })
    ));
    let e = compile("TRUE = a").unwrap();
    assert!(matches!(e.evaluate(&props), Err(EvalError::ClassCast(_))));
    assert!(!e.is_matched(&props));
}
