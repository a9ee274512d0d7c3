//! Offset bodies: `ConsumerOffsetSerializeWrapper` (`consumerOffset.json`, slave sync),
//! `DelayOffsetSerializeWrapper` (`delayOffset.json`), `ResetOffsetBody`,
//! `QueryCorrectionOffsetBody`, `QueryConsumeTimeSpanBody` and `QueueTimeSpan`.

use std::collections::HashMap;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::MessageQueue;
use crate::fastjson::order;

/// `ConsumerOffsetSerializeWrapper`: `"topic@group"` → queue id → offset; the inner keys
/// are written bare (`{0:12,1:7}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumerOffsetSerializeWrapper {
    /// `topic@group` → queue id → next offset to consume.
    #[serde(serialize_with = "order::concurrent_map_512_of_maps")]
    pub offset_table: HashMap<String, HashMap<i32, i64>>,
}

/// `DelayOffsetSerializeWrapper`: delay level → offset.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DelayOffsetSerializeWrapper {
    /// Level → offset (`ConcurrentHashMap(32)`).
    #[serde(serialize_with = "order::concurrent_map_32")]
    pub offset_table: HashMap<i32, i64>,
}

/// `ResetOffsetBody` (RESET_CONSUMER_CLIENT_OFFSET push, INVOKE_BROKER_TO_RESET_OFFSET reply).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResetOffsetBody {
    /// Queue → offset (`HashMap`).
    #[serde(serialize_with = "order::hash_map")]
    pub offset_table: HashMap<MessageQueue, i64>,
}

/// `QueryCorrectionOffsetBody`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QueryCorrectionOffsetBody {
    /// Queue id → offset (`HashMap`).
    #[serde(serialize_with = "order::hash_map")]
    pub correction_offsets: HashMap<i32, i64>,
}

/// `QueryConsumeTimeSpanBody`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QueryConsumeTimeSpanBody {
    /// One span per queue (`List`).
    pub consume_time_span_set: Vec<QueueTimeSpan>,
}

/// `QueueTimeSpan`. Java also writes three computed getters, `minTimeStampStr`,
/// `maxTimeStampStr` and `consumeTimeStampStr`, formatted `yyyy-MM-dd#HH:mm:ss:SSS` in the
/// local time zone; they are written here too and ignored when reading.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QueueTimeSpan {
    /// The queue.
    pub message_queue: Option<MessageQueue>,
    /// Store time of the first message.
    pub min_time_stamp: i64,
    /// Store time of the last message.
    pub max_time_stamp: i64,
    /// Store time of the message at the consumer offset.
    pub consume_time_stamp: i64,
    /// Lag time.
    pub delay_time: i64,
}

impl Serialize for QueueTimeSpan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("QueueTimeSpan", 8)?;
        st.serialize_field("consumeTimeStamp", &self.consume_time_stamp)?;
        st.serialize_field(
            "consumeTimeStampStr",
            &format_local_millis(self.consume_time_stamp),
        )?;
        st.serialize_field("delayTime", &self.delay_time)?;
        st.serialize_field("maxTimeStamp", &self.max_time_stamp)?;
        st.serialize_field("maxTimeStampStr", &format_local_millis(self.max_time_stamp))?;
        st.serialize_field("messageQueue", &self.message_queue)?;
        st.serialize_field("minTimeStamp", &self.min_time_stamp)?;
        st.serialize_field("minTimeStampStr", &format_local_millis(self.min_time_stamp))?;
        st.end()
    }
}

/// `UtilAll.formatDate(new Date(ms), "yyyy-MM-dd#HH:mm:ss:SSS")` in the local time zone.
pub fn format_local_millis(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let (y, mo, d, h, mi, s) = local_fields(secs);
    format!("{y:04}-{mo:02}-{d:02}#{h:02}:{mi:02}:{s:02}:{millis:03}")
}

/// Broken-down local time; UTC if the C library cannot convert.
fn local_fields(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    #[allow(irrefutable_let_patterns)]
    if let Ok(t) = libc::time_t::try_from(secs) {
        // SAFETY: `tm` is plain data; `localtime_r` writes it and returns null on failure.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
        if ok {
            return (
                i64::from(tm.tm_year) + 1900,
                i64::from(tm.tm_mon) + 1,
                i64::from(tm.tm_mday),
                i64::from(tm.tm_hour),
                i64::from(tm.tm_min),
                i64::from(tm.tm_sec),
            );
        }
    }
    utc_fields(secs)
}

/// Civil-from-days (proleptic Gregorian), UTC.
fn utc_fields(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_civil() {
        assert_eq!(utc_fields(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(utc_fields(1_700_000_000), (2023, 11, 14, 22, 13, 20));
        assert_eq!(utc_fields(951_782_400), (2000, 2, 29, 0, 0, 0));
    }
}
