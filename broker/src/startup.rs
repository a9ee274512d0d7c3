//! The `mqbroker` command line (mirrors `broker/.../BrokerStartup.java`): `-c` config file,
//! `-n` namesrv address list, `-p` print every config item, `-m` print the important ones,
//! `-h` help. `ROCKETMQ_HOME` and `NAMESRV_ADDR` come from the environment as in Java.

use crate::config::StoreConfigExt;
use crate::config::{BrokerStartupConfig, Properties};

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start the broker.
    Run,
    /// Print all config items and exit (`-p`).
    PrintAll,
    /// Print the important config items and exit (`-m`).
    PrintImportant,
    /// Print usage and exit (`-h`).
    Help,
}

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct CommandLine {
    /// `-c`.
    pub config_file: Option<String>,
    /// `-n`.
    pub namesrv_addr: Option<String>,
    /// What to do.
    pub action: Action,
}

/// `mqbroker` usage, in commons-cli's layout.
pub const USAGE: &str = "usage: mqbroker [-c <arg>] [-h] [-m] [-n <arg>] [-p]
 -c,--configFile <arg>       Broker config properties file
 -h,--help                   Print help
 -m,--printImportantConfig   Print important config item
 -n,--namesrvAddr <arg>      Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'
 -p,--printConfigItem        Print all config item";

/// Parse `args` (without the program name). Accepts `-c x`, `-cx`, `--configFile x`,
/// `--configFile=x`.
pub fn parse_args(args: &[String]) -> Result<CommandLine, String> {
    let mut cl = CommandLine {
        config_file: None,
        namesrv_addr: None,
        action: Action::Run,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline): (&str, Option<String>) = if let Some(long) = a.strip_prefix("--") {
            match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            }
        } else if let Some(short) = a.strip_prefix('-') {
            let mut chars = short.chars();
            match chars.next() {
                Some(c) => {
                    let rest: String = chars.collect();
                    let n = match c {
                        'c' => "configFile",
                        'n' => "namesrvAddr",
                        'p' => "printConfigItem",
                        'm' => "printImportantConfig",
                        'h' => "help",
                        _ => return Err(format!("Unrecognized option: {a}")),
                    };
                    (n, if rest.is_empty() { None } else { Some(rest) })
                }
                None => return Err(format!("Unrecognized option: {a}")),
            }
        } else {
            return Err(format!("Unrecognized argument: {a}"));
        };
        let mut value = |n: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("Missing argument for option: {n}")),
            }
        };
        match name {
            "configFile" => cl.config_file = Some(value("c")?),
            "namesrvAddr" => cl.namesrv_addr = Some(value("n")?),
            "printConfigItem" => cl.action = Action::PrintAll,
            "printImportantConfig" => {
                if cl.action != Action::PrintAll {
                    cl.action = Action::PrintImportant
                }
            }
            "help" => cl.action = Action::Help,
            _ => return Err(format!("Unrecognized option: --{name}")),
        }
    }
    if cl.action == Action::Help {
        return Ok(cl);
    }
    Ok(cl)
}

/// Build the effective config the way `createBrokerController` does: defaults (listenPort
/// 10911), then the `-c` file applied to every config object, then `-n`. Returns the config
/// and the warnings to log (unknown keys, unparsable values).
pub fn build_config(cl: &CommandLine) -> Result<(BrokerStartupConfig, Vec<String>), String> {
    let mut cfg = BrokerStartupConfig::default();
    let mut warnings = Vec::new();
    if let Some(file) = &cl.config_file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        let props = Properties::parse(&text);
        let report = cfg.apply(&props);
        for k in report.unknown {
            warnings.push(format!("unknown config key {k:?} ignored"));
        }
        for (k, e) in report.invalid {
            warnings.push(format!("invalid value for {k}: {e}; keeping the default"));
        }
        cfg.config_file = Some(file.clone());
    }
    if let Some(ns) = &cl.namesrv_addr {
        cfg.broker.namesrv_addr = Some(ns.clone());
    }
    if cfg.broker.rocketmq_home.is_none() {
        return Err("Please set the ROCKETMQ_HOME variable in your environment to match the location of the RocketMQ installation".to_string());
    }
    if let Some(ns) = &cfg.broker.namesrv_addr {
        for addr in ns.split(';') {
            let ok = addr
                .rsplit_once(':')
                .map(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
                .unwrap_or(false);
            if !ok {
                return Err(format!(
                    "The Name Server Address[{ns}] illegal, please set it as follows, \"127.0.0.1:9876;192.168.0.1:9876\""
                ));
            }
        }
    }
    cfg.normalize()?;
    let _ = cfg.store.ha_listen_port();
    Ok((cfg, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_flags() {
        let cl = parse_args(&args(&["-c", "a.conf", "-n", "h:1;h:2", "-p"]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cl.config_file.as_deref(), Some("a.conf"));
        assert_eq!(cl.namesrv_addr.as_deref(), Some("h:1;h:2"));
        assert_eq!(cl.action, Action::PrintAll);
        let cl = parse_args(&args(&["--configFile=x", "-m"])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cl.config_file.as_deref(), Some("x"));
        assert_eq!(cl.action, Action::PrintImportant);
        assert!(parse_args(&args(&["-z"])).is_err());
        assert!(parse_args(&args(&["-c"])).is_err());
    }
}
