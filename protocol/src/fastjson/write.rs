//! The fastjson writer: turns a [`Value`] into the exact text `JSON.toJSONString` produces.
//!
//! Default features (`QuoteFieldNames`, `SortField`, `WriteEnumUsingName`,
//! `SkipTransientField`): string keys quoted, non-string map keys written bare (numbers) or
//! as JSON (beans), nulls omitted, strings escaped by `SerializeWriter.writeStringWithDoubleQuote`.
//!
//! Standard mode adds `BrowserCompatible` and `MapSortField` (the route body for clients of
//! version ≥ 401): map entries sorted by their key's natural order, non-string keys written
//! as strings, every char ≥ 0x7F and `/` escaped, longs beyond ±(2^53-1) written as strings.
//!
//! Pretty mode is `PrettyFormat` (config files): TAB indentation; beans and lists one entry per
//! line; maps break before string keys only; sets stay on one line.

use super::value::{natural_cmp, Number, Value};
use super::WriteOptions;

const HEX: &[u8; 16] = b"0123456789ABCDEF";
/// `BrowserCompatible` quotes longs strictly greater than this in magnitude.
const BROWSER_SAFE_LONG: i64 = 9_007_199_254_740_991;

pub(crate) fn write_value(v: &Value, options: WriteOptions) -> String {
    let mut w = Writer {
        out: String::new(),
        options,
        indent: 0,
    };
    w.value(v);
    w.out
}

struct Writer {
    out: String,
    options: WriteOptions,
    indent: usize,
}

impl Writer {
    fn println(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push('\t');
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(true) => self.out.push_str("true"),
            Value::Bool(false) => self.out.push_str("false"),
            Value::Number(n) => self.number(n),
            Value::String(s) => self.string(s),
            Value::Array(items) => self.list(items),
            Value::Set(items) => self.set(items),
            Value::Object(entries) => self.map(entries),
            Value::Bean(props) => self.bean(props),
        }
    }

    fn number(&mut self, n: &Number) {
        match n {
            Number::Int(i) => {
                let quote =
                    self.options.standard && (*i > BROWSER_SAFE_LONG || *i < -BROWSER_SAFE_LONG);
                if quote {
                    self.out.push('"');
                }
                self.out.push_str(&i.to_string());
                if quote {
                    self.out.push('"');
                }
            }
            Number::Float(f) => self.out.push_str(&java_double_to_string(*f)),
            Number::Float32(f) => self.out.push_str(&java_float_to_string(*f)),
            Number::Raw(s) => {
                // BigInteger under BrowserCompatible is quoted when outside the safe range.
                let quote = self.options.standard && n.is_integer() && {
                    let digits = s.trim_start_matches('-').trim_start_matches('0');
                    digits.len() > 16
                        && s.parse::<i64>()
                            .map(|i| !(-BROWSER_SAFE_LONG..=BROWSER_SAFE_LONG).contains(&i))
                            .unwrap_or(true)
                };
                if quote {
                    self.out.push('"');
                }
                self.out.push_str(s);
                if quote {
                    self.out.push('"');
                }
            }
        }
    }

    fn string(&mut self, s: &str) {
        if self.options.standard {
            escape_browser(&mut self.out, s);
        } else {
            escape_default(&mut self.out, s);
        }
    }

    /// `ListSerializer`.
    fn list(&mut self, items: &[Value]) {
        if items.is_empty() {
            self.out.push_str("[]");
            return;
        }
        if !self.options.pretty {
            return self.set(items);
        }
        self.out.push('[');
        self.indent += 1;
        for (i, item) in items.iter().enumerate() {
            if i != 0 {
                self.out.push(',');
            }
            self.println();
            self.value(item);
        }
        self.indent -= 1;
        self.println();
        self.out.push(']');
    }

    /// `CollectionCodec`: never broken into lines.
    fn set(&mut self, items: &[Value]) {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i != 0 {
                self.out.push(',');
            }
            self.value(item);
        }
        self.out.push(']');
    }

    /// `JavaBeanSerializer`: null properties skipped.
    fn bean(&mut self, props: &[(String, Value)]) {
        let pretty = self.options.pretty && !props.is_empty();
        self.out.push('{');
        if pretty {
            self.indent += 1;
            self.println();
        }
        let mut first = true;
        for (k, v) in props {
            if v.is_null() {
                continue;
            }
            if !first {
                self.out.push(',');
                if pretty {
                    self.println();
                }
            }
            first = false;
            self.string(k);
            self.out.push(':');
            self.value(v);
        }
        if pretty {
            self.indent -= 1;
            self.println();
        }
        self.out.push('}');
    }

    /// `MapSerializer`: null values skipped.
    fn map(&mut self, entries: &[(Value, Value)]) {
        let mut order: Vec<&(Value, Value)> = entries.iter().collect();
        if self.options.standard {
            sort_entries(&mut order);
        }
        self.out.push('{');
        self.indent += 1;
        let mut first = true;
        for (k, v) in order {
            if v.is_null() {
                continue;
            }
            if !first {
                self.out.push(',');
            }
            first = false;
            match k {
                Value::String(s) => {
                    if self.options.pretty {
                        self.println();
                    }
                    self.string(s);
                }
                other => {
                    if self.options.standard {
                        // NON_STRINGKEY_AS_STRING: JSON.toJSONString(key), then as a string.
                        let text = write_value(other, WriteOptions::default());
                        self.string(&text);
                    } else {
                        self.value(other);
                    }
                }
            }
            self.out.push(':');
            self.value(v);
        }
        self.indent -= 1;
        if self.options.pretty && !entries.is_empty() {
            self.println();
        }
        self.out.push('}');
    }
}

/// `MapSortField`: a `TreeMap` of the keys; if the keys are not mutually comparable the
/// `TreeMap` construction throws and fastjson keeps the original order.
fn sort_entries(order: &mut [&(Value, Value)]) {
    let comparable = order
        .windows(2)
        .all(|w| natural_cmp(&w[0].0, &w[1].0).is_some());
    if comparable {
        order.sort_by(|a, b| natural_cmp(&a.0, &b.0).unwrap_or(std::cmp::Ordering::Equal));
    }
}

fn push_u_escape(out: &mut String, unit: u16) {
    out.push_str("\\u");
    for shift in [12u16, 8, 4, 0] {
        out.push(char::from(HEX[usize::from((unit >> shift) & 15)]));
    }
}

/// Default escaping (`writeStringWithDoubleQuote` without `BrowserCompatible`).
pub(crate) fn escape_default(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' => {
                push_u_escape(out, c as u16)
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// `BrowserCompatible` escaping: `/` escaped, every UTF-16 unit ≥ 0x7F as `\uXXXX`.
pub(crate) fn escape_browser(out: &mut String, s: &str) {
    out.push('"');
    let mut buf = [0u16; 2];
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{0}'..='\u{1f}' => push_u_escape(out, c as u16),
            '\u{20}'..='\u{7e}' => out.push(c),
            _ => {
                for unit in c.encode_utf16(&mut buf) {
                    push_u_escape(out, *unit);
                }
            }
        }
    }
    out.push('"');
}

/// Split Rust's shortest `{:e}` output (`"-1.25e-7"`) into sign, digits and exponent.
fn split_exp(text: &str) -> (bool, String, i32) {
    let (neg, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mant, exp) = rest.split_once('e').unwrap_or((rest, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (neg, digits.to_owned(), exp.parse().unwrap_or(0))
}

/// Format like fastjson's `RyuDouble`/`RyuFloat` (= Java's `Double.toString` layout):
/// plain notation for 1e-3 ≤ |x| < 1e7 (with at least one fraction digit), otherwise
/// `d.dddE±n` with at least two significant digits.
fn java_format(shortest: &str, two_digit: impl Fn() -> String) -> String {
    let (neg, mut digits, mut exp) = split_exp(shortest);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let scientific = !(-3..7).contains(&exp);
    if scientific {
        if digits.len() == 1 {
            // Ryu-java keeps two digits in scientific notation (correctly rounded).
            let (_, d2, e2) = split_exp(&two_digit());
            digits = d2;
            exp = e2;
        }
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push('E');
        out.push_str(&exp.to_string());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = usize::try_from(exp + 1).unwrap_or(0);
        if int_len >= digits.len() {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// A Java `double` the way fastjson writes it (`1.5`, `0.0`, `1.0E20`, `1.0E-5`; NaN and
/// infinities as `null`).
pub fn java_double_to_string(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    java_format(&format!("{f:e}"), || format!("{f:.1e}"))
}

/// A Java `float` the way fastjson writes it.
pub fn java_float_to_string(f: f32) -> String {
    if !f.is_finite() {
        return "null".to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    java_format(&format!("{f:e}"), || format!("{f:.1e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_like_java() {
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (2.5, "2.5"),
            (100.0, "100.0"),
            (1234567.0, "1234567.0"),
            (12345678.0, "1.2345678E7"),
            (1e7, "1.0E7"),
            (1e20, "1.0E20"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1e-5, "1.0E-5"),
            (123.456, "123.456"),
            (-3.25, "-3.25"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (5e-324, "4.9E-324"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
        ];
        for (f, want) in cases {
            assert_eq!(java_double_to_string(*f), *want, "{f}");
        }
        assert_eq!(java_float_to_string(1.1f32), "1.1");
        assert_eq!(java_float_to_string(3.4028235e38f32), "3.4028235E38");
        assert_eq!(java_float_to_string(1e10f32), "1.0E10");
    }

    #[test]
    fn escapes() {
        let mut s = String::new();
        escape_default(
            &mut s,
            "a\"b\\c/\u{1}\u{1f}\u{7f}\u{9f}\u{a0}é中😀\u{2028}\u{b}\n",
        );
        assert_eq!(
            s,
            "\"a\\\"b\\\\c/\\u0001\\u001F\\u007F\\u009F\u{a0}é中😀\\u2028\\u000B\\n\""
        );
        let mut s = String::new();
        escape_browser(&mut s, "é中/😀\u{1}\u{7f}");
        assert_eq!(s, "\"\\u00E9\\u4E2D\\/\\uD83D\\uDE00\\u0001\\u007F\"");
    }
}
