//! Command line of `mqnamesrv` (mirrors `NamesrvStartup` with commons-cli's `PosixParser`
//! and `ServerUtil`): `-c/--configFile <file>`, `-p/--printConfigItem`, `-h/--help`,
//! `-n/--namesrvAddr <addr>` (accepted and ignored, as in Java), plus `-m/--printImportantConfig`
//! (ours; Java's namesrv has no `-m`, its broker does).

use crate::config::{Config, KeyOutcome};
use crate::error::NamesrvError;
use protocol::body::properties::parse_properties;

/// What the command line asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cli {
    /// `-c`: a Java properties file.
    pub config_file: Option<String>,
    /// `-p`: print every config item and exit.
    pub print_config: bool,
    /// `-m`: print the important config items and exit.
    pub print_important: bool,
    /// `-h`: print usage and exit.
    pub help: bool,
    /// `-n`: accepted for compatibility; the name server does not use it.
    pub namesrv_addr: Option<String>,
}

/// One option: short name, long name, takes a value, description.
type OptSpec = (char, &'static str, bool, &'static str);

const OPTIONS: [OptSpec; 5] = [
    (
        'c',
        "configFile",
        true,
        "Name server config properties file",
    ),
    ('h', "help", false, "Print help"),
    (
        'm',
        "printImportantConfig",
        false,
        "Print important config items",
    ),
    (
        'n',
        "namesrvAddr",
        true,
        "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'",
    ),
    ('p', "printConfigItem", false, "Print all config items"),
];

/// commons-cli `HelpFormatter.printHelp("mqnamesrv", options, true)` layout.
pub fn usage() -> String {
    let mut s = String::from("usage: mqnamesrv");
    for (short, _, arg, _) in OPTIONS {
        s.push_str(&format!(" [-{short}{}]", if arg { " <arg>" } else { "" }));
    }
    s.push('\n');
    let lefts: Vec<String> = OPTIONS
        .iter()
        .map(|(short, long, arg, _)| {
            format!(" -{short},--{long}{}", if *arg { " <arg>" } else { "" })
        })
        .collect();
    let width = lefts.iter().map(String::len).max().unwrap_or(0) + 3;
    for (left, (_, _, _, desc)) in lefts.iter().zip(OPTIONS) {
        s.push_str(&format!("{left:width$}{desc}\n"));
    }
    s
}

/// Parse `args` (without the program name). Errors carry the reason; the caller prints usage
/// and exits 1, as `ServerUtil.parseCmdLine` does.
pub fn parse_args(args: &[String]) -> Result<Cli, String> {
    let mut cli = Cli::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (opt, inline): (Option<OptSpec>, Option<String>) =
            if let Some(long) = arg.strip_prefix("--") {
                let (name, value) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                (OPTIONS.iter().copied().find(|o| o.1 == name), value)
            } else if let Some(short) = arg.strip_prefix('-') {
                let mut chars = short.chars();
                let Some(c) = chars.next() else {
                    return Err(format!("Unrecognized option: {arg}"));
                };
                let rest: String = chars.collect();
                (
                    OPTIONS.iter().copied().find(|o| o.0 == c),
                    (!rest.is_empty()).then_some(rest),
                )
            } else {
                // commons-cli keeps stray arguments; NamesrvStartup ignores them.
                continue;
            };
        let Some((short, _, takes_arg, _)) = opt else {
            return Err(format!("Unrecognized option: {arg}"));
        };
        let value = if takes_arg {
            match inline {
                Some(v) => Some(v),
                None => Some(
                    it.next()
                        .cloned()
                        .ok_or_else(|| format!("Missing argument for option: {short}"))?,
                ),
            }
        } else {
            if inline.is_some() {
                return Err(format!("Unrecognized option: {arg}"));
            }
            None
        };
        match short {
            'c' => cli.config_file = value,
            'n' => cli.namesrv_addr = value,
            'h' => cli.help = true,
            'p' => cli.print_config = true,
            'm' => cli.print_important = true,
            _ => {}
        }
    }
    Ok(cli)
}

/// Load `-c <file>` into `config` (`NamesrvStartup`: `Properties.load` +
/// `properties2Object`, `configStorePath` = the file). Returns the per-key outcomes so the
/// caller can warn about unknown keys.
pub fn load_config_file(
    config: &mut Config,
    file: &str,
) -> Result<Vec<(String, KeyOutcome)>, NamesrvError> {
    let bytes = std::fs::read(file).map_err(|source| NamesrvError::Io {
        path: file.to_string(),
        source,
    })?;
    let props = parse_properties(&String::from_utf8_lossy(&bytes)).map_err(|e| {
        NamesrvError::BadConfigFile {
            path: file.to_string(),
            reason: e.to_string(),
        }
    })?;
    Ok(config.load_properties(&props, Some(file)))
}

/// Keys `-m` prints.
const IMPORTANT_KEYS: [&str; 5] = [
    "rocketmqHome",
    "kvConfigPath",
    "configStorePath",
    "orderMessageEnable",
    "listenPort",
];

/// The `-p` (or `-m`) listing in Java's console format:
/// `HH:mm:ss.SSS [main] INFO RocketmqNamesrvConsole - key=value`.
pub fn config_listing(config: &Config, important_only: bool, clock: &str) -> String {
    let mut s = String::new();
    for (k, v) in config.printable() {
        if important_only && !IMPORTANT_KEYS.contains(&k) {
            continue;
        }
        s.push_str(&format!(
            "{clock} [main] INFO RocketmqNamesrvConsole - {k}={v}\n"
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_like_posix_parser() {
        let c = parse_args(&args(&["-c", "/x.properties", "-p", "-n", "a:1;b:2"])).unwrap();
        assert_eq!(c.config_file.as_deref(), Some("/x.properties"));
        assert!(c.print_config);
        assert_eq!(c.namesrv_addr.as_deref(), Some("a:1;b:2"));
        let c = parse_args(&args(&["--configFile=/y", "-c/z"])).unwrap();
        assert_eq!(c.config_file.as_deref(), Some("/z"));
        assert!(parse_args(&args(&["-x"])).is_err());
        assert!(parse_args(&args(&["-c"])).is_err());
        assert!(parse_args(&args(&["--bogus"])).is_err());
        assert!(parse_args(&args(&["-h"])).unwrap().help);
    }

    #[test]
    fn usage_layout() {
        let u = usage();
        assert!(u.starts_with("usage: mqnamesrv [-c <arg>] [-h] [-m] [-n <arg>] [-p]\n"));
        assert!(u.contains("\n -c,--configFile <arg>       Name server config properties file\n"));
        assert!(u.contains("\n -p,--printConfigItem        Print all config items\n"));
    }

    #[test]
    fn listing_format() {
        let mut c = Config::default();
        c.namesrv.rocketmq_home = None;
        let text = config_listing(&c, false, "09:54:41.414");
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            "09:54:41.414 [main] INFO RocketmqNamesrvConsole - rocketmqHome="
        );
        assert_eq!(text.lines().count(), 20);
        assert_eq!(config_listing(&c, true, "t").lines().count(), 5);
    }
}
