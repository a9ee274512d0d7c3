//! `MQVersion.Version` names by ordinal (`MQVersion.getVersionDesc`), and the ordinals the
//! admin paths compare client versions against.

use std::sync::OnceLock;

/// `MQVersion.CURRENT_VERSION` (V4_9_7).
pub const CURRENT_VERSION: i32 = protocol::code::version::V4_9_7;
/// `Version.V3_0_7_SNAPSHOT.ordinal()`: oldest client that can take offset resets and
/// status queries.
pub const V3_0_7_SNAPSHOT: i32 = 28;
/// `Version.V3_1_8_SNAPSHOT.ordinal()`: oldest client that can answer running-info and
/// consume-directly calls.
pub const V3_1_8_SNAPSHOT: i32 = 62;

fn names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<String> = vec!["V3_0_0_SNAPSHOT".into(), "V3_0_0_ALPHA1".into()];
        for b in 1..=5 {
            v.push(format!("V3_0_0_BETA{b}"));
        }
        for b in 6..=9 {
            v.push(format!("V3_0_0_BETA{b}_SNAPSHOT"));
            v.push(format!("V3_0_0_BETA{b}"));
        }
        v.push("V3_0_0_FINAL".into());
        let release = |v: &mut Vec<String>, major: u32, minor: u32, patch: u32| {
            v.push(format!("V{major}_{minor}_{patch}_SNAPSHOT"));
            v.push(format!("V{major}_{minor}_{patch}"));
        };
        for p in 1..=15 {
            release(&mut v, 3, 0, p);
        }
        for minor in 1..=2 {
            for p in 0..=9 {
                release(&mut v, 3, minor, p);
            }
        }
        for minor in 3..=9 {
            for p in 1..=9 {
                release(&mut v, 3, minor, p);
            }
        }
        for major in 4..=5 {
            for minor in 0..=9 {
                for p in 0..=9 {
                    release(&mut v, major, minor, p);
                }
            }
        }
        v.push("HIGHER_VERSION".into());
        v
    })
}

/// `MQVersion.getVersionDesc(value)`: values past the end name the last constant.
pub fn version_desc(value: i32) -> String {
    let names = names();
    let idx = usize::try_from(value).unwrap_or(0).min(names.len() - 1);
    names[idx].clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_match_java() {
        assert_eq!(names().len(), 613);
        assert_eq!(version_desc(0), "V3_0_0_SNAPSHOT");
        assert_eq!(version_desc(15), "V3_0_0_FINAL");
        assert_eq!(version_desc(V3_0_7_SNAPSHOT), "V3_0_7_SNAPSHOT");
        assert_eq!(version_desc(37), "V3_0_11");
        assert_eq!(version_desc(V3_1_8_SNAPSHOT), "V3_1_8_SNAPSHOT");
        assert_eq!(version_desc(232), "V4_1_0_SNAPSHOT");
        assert_eq!(version_desc(401), "V4_9_4");
        assert_eq!(version_desc(CURRENT_VERSION), "V4_9_7");
        assert_eq!(version_desc(413), "V5_0_0");
        assert_eq!(version_desc(612), "HIGHER_VERSION");
        assert_eq!(version_desc(9999), "HIGHER_VERSION");
    }
}
