//! Java `Properties` text: the bodies of GET_BROKER_CONFIG, GET_NAMESRV_CONFIG (replies) and
//! UPDATE_BROKER_CONFIG, UPDATE_NAMESRV_CONFIG (requests).
//!
//! Writing is `MixAll.properties2String`: `key=value\n` per entry, no escaping at all.
//! Reading is `MixAll.string2Properties`, i.e. `java.util.Properties.load`: `#`/`!` comment
//! lines, `=`, `:` or whitespace separators, backslash line continuation, `\t \n \r \f \uXXXX`
//! escapes (any other escaped char stands for itself). A malformed `\uXXXX` is an error
//! (Java returns `null`). Java loads the UTF-8 bytes as ISO-8859-1, which garbles non-ASCII
//! text; this reader keeps it intact.

use std::collections::BTreeMap;

use super::BodyError;

/// `MixAll.properties2String`.
pub fn properties_to_string<K, V, I>(entries: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut out = String::new();
    for (k, v) in entries {
        out.push_str(k.as_ref());
        out.push('=');
        out.push_str(v.as_ref());
        out.push('\n');
    }
    out
}

/// `MixAll.string2Properties` (later duplicates win).
pub fn string_to_properties(text: &str) -> Result<BTreeMap<String, String>, BodyError> {
    let mut out = BTreeMap::new();
    for (k, v) in parse_properties(text)? {
        out.insert(k, v);
    }
    Ok(out)
}

/// `Properties.load` as ordered pairs, duplicates kept.
pub fn parse_properties(text: &str) -> Result<Vec<(String, String)>, BodyError> {
    let mut out = Vec::new();
    for line in logical_lines(text) {
        let (key, value) = split_key_value(&line);
        out.push((unescape(key)?, unescape(value)?));
    }
    Ok(out)
}

/// `Properties.LineReader`: logical lines, comments and blank lines dropped, continuations
/// joined (leading whitespace of each natural line skipped).
fn logical_lines(text: &str) -> Vec<Vec<char>> {
    let mut lines = Vec::new();
    let mut line: Vec<char> = Vec::new();
    let mut skip_ws = true;
    let mut appended_line_begin = false;
    let mut is_new_line = true;
    let mut is_comment = false;
    let mut preceding_backslash = false;
    let mut skip_lf = false;
    for c in text.chars() {
        if skip_lf {
            skip_lf = false;
            if c == '\n' {
                continue;
            }
        }
        if skip_ws {
            if c == ' ' || c == '\t' || c == '\u{c}' {
                continue;
            }
            if !appended_line_begin && (c == '\r' || c == '\n') {
                continue;
            }
            skip_ws = false;
            appended_line_begin = false;
        }
        if is_new_line {
            is_new_line = false;
            if c == '#' || c == '!' {
                is_comment = true;
                continue;
            }
        }
        if c != '\n' && c != '\r' {
            line.push(c);
            preceding_backslash = c == '\\' && !preceding_backslash;
        } else {
            if is_comment || line.is_empty() {
                is_comment = false;
                is_new_line = true;
                skip_ws = true;
                line.clear();
                continue;
            }
            if preceding_backslash {
                line.pop();
                skip_ws = true;
                appended_line_begin = true;
                preceding_backslash = false;
                if c == '\r' {
                    skip_lf = true;
                }
            } else {
                lines.push(std::mem::take(&mut line));
                is_new_line = true;
                skip_ws = true;
                preceding_backslash = false;
            }
        }
    }
    if !line.is_empty() && !is_comment {
        if preceding_backslash {
            line.pop();
        }
        lines.push(line);
    }
    lines
}

fn split_key_value(line: &[char]) -> (&[char], &[char]) {
    let limit = line.len();
    let mut key_len = 0;
    let mut value_start = limit;
    let mut has_sep = false;
    let mut preceding_backslash = false;
    while key_len < limit {
        let c = line[key_len];
        if (c == '=' || c == ':') && !preceding_backslash {
            value_start = key_len + 1;
            has_sep = true;
            break;
        } else if (c == ' ' || c == '\t' || c == '\u{c}') && !preceding_backslash {
            value_start = key_len + 1;
            break;
        }
        preceding_backslash = c == '\\' && !preceding_backslash;
        key_len += 1;
    }
    while value_start < limit {
        let c = line[value_start];
        if c != ' ' && c != '\t' && c != '\u{c}' {
            if !has_sep && (c == '=' || c == ':') {
                has_sep = true;
            } else {
                break;
            }
        }
        value_start += 1;
    }
    (&line[..key_len], &line[value_start..])
}

/// `loadConvert`.
fn unescape(chars: &[char]) -> Result<String, BodyError> {
    let mut units: Vec<u16> = Vec::with_capacity(chars.len());
    let mut buf = [0u16; 2];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            units.extend_from_slice(c.encode_utf16(&mut buf));
            continue;
        }
        let Some(&e) = chars.get(i) else {
            // A lone trailing backslash: Java reads past the segment; keep nothing.
            break;
        };
        i += 1;
        let decoded = match e {
            'u' => {
                let hex: String = chars.get(i..i + 4).unwrap_or(&[]).iter().collect();
                if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    return Err(BodyError::Properties("Malformed \\uxxxx encoding.".into()));
                }
                i += 4;
                let v = u16::from_str_radix(&hex, 16)
                    .map_err(|_| BodyError::Properties("Malformed \\uxxxx encoding.".into()))?;
                units.push(v);
                continue;
            }
            't' => '\t',
            'r' => '\r',
            'n' => '\n',
            'f' => '\u{c}',
            other => other,
        };
        units.extend_from_slice(decoded.encode_utf16(&mut buf));
    }
    Ok(String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_like_java() {
        let text = "# comment\n  ! also\nbrokerName=broker-a\nlistenPort = 10911\nkey\\ with\\ space:v\\tx\nmulti=a\\\n    b\\\r\n c\n\nempty=\nbare\nuni=\\u00e9\\u4E2D\nx y z\ncolon:=v\n";
        let p = string_to_properties(text).unwrap();
        assert_eq!(p["brokerName"], "broker-a");
        assert_eq!(p["listenPort"], "10911");
        assert_eq!(p["key with space"], "v\tx");
        assert_eq!(p["multi"], "abc");
        assert_eq!(p["empty"], "");
        assert_eq!(p["bare"], "");
        assert_eq!(p["uni"], "é中");
        assert_eq!(p["x"], "y z");
        assert_eq!(p["colon"], "=v");
        assert!(!p.contains_key("# comment"));
        assert!(string_to_properties("a=\\u12").is_err());
        assert_eq!(string_to_properties("a=b\\").unwrap()["a"], "b");
    }

    #[test]
    fn write_like_mixall() {
        let s = properties_to_string([("a", "1"), ("b", "x=y")]);
        assert_eq!(s, "a=1\nb=x=y\n");
        let back = string_to_properties(&s).unwrap();
        assert_eq!(back["b"], "x=y");
    }
}
