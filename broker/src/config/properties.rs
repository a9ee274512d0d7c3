//! A reader for Java `.properties` text, as `java.util.Properties.load` parses it.
//!
//! Rules followed (from the `Properties.load(Reader)` javadoc): lines starting (after
//! leading whitespace) with `#` or `!` are comments; a key ends at the first unescaped `=`,
//! `:` or whitespace, and whitespace plus at most one `=`/`:` separate it from the value;
//! a line ending in an odd number of backslashes continues on the next line (whose leading
//! whitespace is dropped); `\t \n \r \f \uXXXX` escapes are decoded and any other escaped
//! character stands for itself. Later duplicates replace earlier ones.

/// Parsed properties, in file order (a later duplicate replaces the earlier value in place).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties {
    entries: Vec<(String, String)>,
}

impl Properties {
    /// Empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse properties text.
    pub fn parse(text: &str) -> Self {
        let mut props = Properties::new();
        for logical in logical_lines(text) {
            let (k, v) = split_key_value(&logical);
            props.set(unescape(k), unescape(v));
        }
        props
    }

    /// Set `key` (replacing in place).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        let value = value.into();
        if let Some(e) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            e.1 = value;
        } else {
            self.entries.push((key, value));
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// All entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Join continuation lines and drop comments and blank lines.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for raw in text.split(['\n', '\r']) {
        let line = raw.trim_start_matches([' ', '\t', '\x0c']);
        if current.is_none() && (line.is_empty() || line.starts_with('#') || line.starts_with('!'))
        {
            continue;
        }
        let trailing = line.chars().rev().take_while(|c| *c == '\\').count();
        let continues = trailing % 2 == 1;
        let content = if continues {
            &line[..line.len() - 1]
        } else {
            line
        };
        let buf = current.get_or_insert_with(String::new);
        buf.push_str(content);
        if !continues {
            if let Some(done) = current.take() {
                out.push(done);
            }
        }
    }
    if let Some(done) = current.take() {
        out.push(done);
    }
    out
}

/// Split a logical line into raw (still escaped) key and value.
fn split_key_value(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut key_end = bytes.len();
    let mut has_sep = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'=' | b':' => {
                key_end = i;
                has_sep = true;
                break;
            }
            b' ' | b'\t' | b'\x0c' => {
                key_end = i;
                break;
            }
            _ => i += 1,
        }
    }
    let key_end = key_end.min(bytes.len());
    let mut j = key_end;
    if has_sep {
        j += 1;
    } else {
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
            j += 1;
        }
        if j < bytes.len() && matches!(bytes[j], b'=' | b':') {
            j += 1;
        }
    }
    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
        j += 1;
    }
    (&line[..key_end], &line[j.min(line.len())..])
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&hex),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_java_forms() {
        let p = Properties::parse(
            "# comment\n! also\n  brokerName = broker-a\nbrokerId:0\nflag true\nempty=\n\
             multi=a\\\n   b\nesc=c\\:\\u0041\\\\\nlast=1",
        );
        assert_eq!(p.get("brokerName"), Some("broker-a"));
        assert_eq!(p.get("brokerId"), Some("0"));
        assert_eq!(p.get("flag"), Some("true"));
        assert_eq!(p.get("empty"), Some(""));
        assert_eq!(p.get("multi"), Some("ab"));
        assert_eq!(p.get("esc"), Some("c:A\\"));
        assert_eq!(p.get("last"), Some("1"));
        assert_eq!(p.len(), 7);
    }

    #[test]
    fn crlf_and_duplicates() {
        let p = Properties::parse("a=1\r\nb=2\r\na=3\r\n");
        assert_eq!(p.get("a"), Some("3"));
        assert_eq!(p.iter().count(), 2);
    }
}
