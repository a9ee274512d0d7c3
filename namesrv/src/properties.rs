//! Java `.properties` text: the parser behind `-c <file>` and UPDATE_NAMESRV_CONFIG
//! (mirrors `java.util.Properties.load` as used by `NamesrvStartup` and
//! `MixAll.string2Properties`), and the `key=value\n` writer of `MixAll.properties2String`.
//!
//! Grammar (as `Properties.load`): natural lines end with `\n`, `\r` or `\r\n`; leading blanks
//! (space, tab, form feed) are skipped; `#` or `!` starts a comment line; a line ending in an odd
//! number of backslashes continues on the next line (whose leading blanks are skipped); the key
//! ends at the first unescaped `=`, `:` or blank, then blanks and one `=`/`:` are skipped;
//! `\t \n \r \f \uXXXX` are escapes and a backslash before any other character yields that
//! character. A malformed `\uXXXX` is an error (Java throws, `string2Properties` returns null).
//!
//! Difference: Java's `load(InputStream)` decodes ISO-8859-1; we decode UTF-8 (falling back to
//! ISO-8859-1 for bytes that are not UTF-8), so non-ASCII values survive.
//!
//! TODO: move to protocol::body's Properties helpers once they land.

use thiserror::Error;

/// A properties text that `Properties.load` would reject.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("malformed \\uxxxx encoding in properties text")]
pub struct PropertiesError;

/// Decode file or body bytes: UTF-8, or ISO-8859-1 when they are not valid UTF-8.
pub fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{c}'
}

/// Split into logical lines (continuations joined, comments and blank lines dropped), still
/// escaped.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut continuing = false;
    let text = text.replace("\r\n", "\n");
    for natural in text.split(['\n', '\r']) {
        let trimmed = natural.trim_start_matches(is_blank);
        if !continuing
            && (trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!'))
        {
            continue;
        }
        let trailing_backslashes = trimmed.chars().rev().take_while(|&c| c == '\\').count();
        if trailing_backslashes % 2 == 1 {
            current.push_str(&trimmed[..trimmed.len() - 1]);
            continuing = true;
        } else {
            current.push_str(trimmed);
            out.push(std::mem::take(&mut current));
            continuing = false;
        }
    }
    if continuing && !current.is_empty() {
        out.push(current);
    }
    out
}

/// Resolve escapes of one key or value.
fn unescape(s: &str) -> Result<String, PropertiesError> {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            None => {}
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let mut v: u32 = 0;
                for _ in 0..4 {
                    let d = it
                        .next()
                        .and_then(|h| h.to_digit(16))
                        .ok_or(PropertiesError)?;
                    v = v * 16 + d;
                }
                // Lone surrogates cannot live in a Rust string; they become U+FFFD.
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some(other) => out.push(other),
        }
    }
    Ok(out)
}

/// Split one logical line into its escaped key and value parts.
fn split_key_value(line: &str) -> (&str, &str) {
    let mut escaped = false;
    let mut key_end = line.len();
    let mut sep_is_blank = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
        } else if c == '=' || c == ':' {
            key_end = i;
            break;
        } else if is_blank(c) {
            key_end = i;
            sep_is_blank = true;
            break;
        }
    }
    let key = &line[..key_end];
    let mut rest = &line[key_end..];
    if !rest.is_empty() {
        if !sep_is_blank {
            rest = &rest[1..];
        }
        rest = rest.trim_start_matches(is_blank);
        if sep_is_blank {
            if let Some(r) = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':')) {
                rest = r.trim_start_matches(is_blank);
            }
        }
    }
    (key, rest)
}

/// Parse properties text into `(key, value)` pairs in first-appearance order; a later duplicate
/// replaces the earlier value (it is a map in Java).
pub fn parse(text: &str) -> Result<Vec<(String, String)>, PropertiesError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in logical_lines(text) {
        let (k, v) = split_key_value(&line);
        let key = unescape(k)?;
        let value = unescape(v)?;
        match out.iter_mut().find(|(ek, _)| *ek == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key, value)),
        }
    }
    Ok(out)
}

/// `MixAll.properties2String`: `key=value\n` per entry, nothing escaped.
pub fn to_text<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = String::new();
    for (k, v) in entries {
        s.push_str(k);
        s.push('=');
        s.push_str(v);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Vec<(String, String)> {
        parse(text).unwrap_or_default()
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn separators_and_comments() {
        let text = "# c\n! c\n  a=1\nb : 2\nc 3\nd\te\n\nf=\ng\nh==x\n";
        assert_eq!(
            p(text),
            kv(&[
                ("a", "1"),
                ("b", "2"),
                ("c", "3"),
                ("d", "e"),
                ("f", ""),
                ("g", ""),
                ("h", "=x")
            ])
        );
    }

    #[test]
    fn continuation_escapes_and_duplicates() {
        let text = "k=one \\\r\n    two\r\nx\\=y=z\\u0041\\t\\q\nk2=a\\\\\nk=last";
        assert_eq!(
            p(text),
            kv(&[("k", "last"), ("x=y", "zA\tq"), ("k2", "a\\")])
        );
    }

    #[test]
    fn bad_unicode_escape_is_an_error() {
        assert_eq!(parse("a=\\u12"), Err(PropertiesError));
        assert_eq!(parse("a=\\uZZZZ"), Err(PropertiesError));
    }

    #[test]
    fn comment_does_not_continue() {
        assert_eq!(p("#x\\\na=1"), kv(&[("a", "1")]));
    }

    #[test]
    fn writer() {
        assert_eq!(to_text([("a", "1"), ("b", "")]), "a=1\nb=\n");
    }
}
