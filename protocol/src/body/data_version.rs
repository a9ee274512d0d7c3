//! `DataVersion`: `{"counter":N,"timestamp":ms}` (the `AtomicLong` counter is a plain number).

use serde::{Deserialize, Serialize};

use super::now_millis;

/// `org.apache.rocketmq.common.DataVersion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct DataVersion {
    /// Time of the last change (ms).
    pub timestamp: i64,
    /// Number of changes (`AtomicLong`).
    pub counter: i64,
}

impl Default for DataVersion {
    /// Like Java's constructor: now, counter 0.
    fn default() -> Self {
        DataVersion {
            timestamp: now_millis(),
            counter: 0,
        }
    }
}

impl DataVersion {
    /// A version with the given fields.
    pub fn new(timestamp: i64, counter: i64) -> Self {
        DataVersion { timestamp, counter }
    }

    /// `nextVersion()`: timestamp = now, counter + 1.
    pub fn next_version(&mut self) {
        self.timestamp = now_millis();
        self.counter = self.counter.wrapping_add(1);
    }

    /// `assignNewOne(other)`.
    pub fn assign_new_one(&mut self, other: &DataVersion) {
        *self = *other;
    }
}
