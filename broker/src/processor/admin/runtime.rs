//! GET_BROKER_RUNTIME_INFO (28): the `KVTable` behind `mqadmin brokerStatus` and
//! `clusterList` (mirrors `prepareRuntimeInfo` of `AdminBrokerProcessor.java`,
//! `DefaultMessageStore.getRuntimeInfo`, `StoreStatsService.getRuntimeInfo` and
//! `ScheduleMessageService.buildRunningStats`).
//!
//! Every key 4.9.7 reports is present. Values we have no statistic for are
//! approximations: put counts and sizes come from the consume queues and the commitlog,
//! TPS figures and latencies are zero, get counters are zero, thread-pool queues are empty.

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::Arc;

use protocol::body::{now_millis, DelayOffsetSerializeWrapper, JsonBody, KVTable};
use protocol::fastjson::java_double_to_string;

use super::state;
use super::success_null_remark;
use super::version::{version_desc, CURRENT_VERSION};
use crate::controller::BrokerController;
use crate::error::BrokerResult;
use crate::processor::Reply;
use crate::topic::validator::RMQ_SYS_SCHEDULE_TOPIC;

/// `StoreStatsService.PUT_MESSAGE_ENTIRE_TIME_MAX_DESC`.
const PUT_TIME_BUCKETS: &[&str] = &[
    "[<=0ms]",
    "[0~10ms]",
    "[10~50ms]",
    "[50~100ms]",
    "[100~200ms]",
    "[200~500ms]",
    "[500ms~1s]",
    "[1~2s]",
    "[2~3s]",
    "[3~4s]",
    "[4~5s]",
    "[5~10s]",
    "[10s~]",
];

/// `MixAll.humanReadableByteCount(bytes, false)`.
pub fn human_readable_byte_count(bytes: i64) -> String {
    const UNIT: f64 = 1024.0;
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let b = bytes as f64;
    let exp = (b.ln() / UNIT.ln()) as i32;
    let pre = ["K", "M", "G", "T", "P", "E"]
        .get((exp - 1).clamp(0, 5) as usize)
        .copied()
        .unwrap_or("E");
    format!("{:.1} {pre}iB", b / UNIT.powi(exp))
}

/// `StoreStatsService.getFormatRuntime`.
fn format_runtime(millis: i64) -> String {
    let (second, minute, hour, day) = (1000, 60_000, 3_600_000, 86_400_000);
    let t = millis.max(0);
    format!(
        "[ {} days, {} hours, {} minutes, {} seconds ]",
        group_thousands(t / day),
        group_thousands((t % day) / hour),
        group_thousands((t % hour) / minute),
        group_thousands((t % minute) / second)
    )
}

/// `MessageFormat`'s number format (`1,234`).
fn group_thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Total and usable bytes of the file system holding `path` (`File.getTotalSpace` /
/// `getUsableSpace`).
fn disk_space(path: &str) -> Option<(i64, i64)> {
    let c = CString::new(path).ok()?;
    // SAFETY: `statvfs` is plain data filled by the call; `c` is a valid C string.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    if rc != 0 {
        return None;
    }
    let frsize = st.f_frsize as i64;
    Some((st.f_blocks as i64 * frsize, st.f_bavail as i64 * frsize))
}

/// When this process started (ms since the epoch), from `/proc`; the store boots with it.
fn process_start_ms() -> Option<i64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Field 22 (starttime, clock ticks since boot) counted after the `(comm)` field.
    let after = stat.rsplit_once(')')?.1;
    let start_ticks: i64 = after.split_whitespace().nth(19)?.parse().ok()?;
    let btime: i64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz <= 0 {
        return None;
    }
    Some(btime * 1000 + start_ticks * 1000 / hz as i64)
}

/// `prepareRuntimeInfo`.
pub fn runtime_info(broker: &Arc<BrokerController>) -> HashMap<String, String> {
    let mut m: HashMap<String, String> = HashMap::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_string(), v);
    };
    let store_cfg = broker.store_config();
    let ds = broker.store().default_store();

    // StoreStatsService part.
    let boot = process_start_ms().unwrap_or(state::of(broker).created_ms);
    let (put_times, put_size) = match ds {
        Some(s) => (
            s.consume_queues()
                .iter()
                .map(|q| q.max_offset_in_queue().max(0))
                .sum::<i64>(),
            (s.max_phy_offset() - s.min_phy_offset()).max(0),
        ),
        None => (0, 0),
    };
    let total_times = put_times.max(1);
    put("bootTimestamp", boot.to_string());
    put("runtime", format_runtime(now_millis() - boot));
    put("putMessageEntireTimeMax", "0".to_string());
    put("putMessageTimesTotal", total_times.to_string());
    put("putMessageFailedTimes", "0".to_string());
    put("putMessageSizeTotal", put_size.to_string());
    put(
        "putMessageDistributeTime",
        PUT_TIME_BUCKETS
            .iter()
            .map(|d| format!("{d}:0 "))
            .collect::<String>(),
    );
    put(
        "putMessageAverageSize",
        java_double_to_string(put_size as f64 / total_times as f64),
    );
    put("dispatchMaxBuffer", "0".to_string());
    put("getMessageEntireTimeMax", "0".to_string());
    for k in [
        "putTps",
        "getFoundTps",
        "getMissTps",
        "getTotalTps",
        "getTransferedTps",
    ] {
        put(k, "0.0 0.0 0.0".to_string());
    }
    put("putLatency99", "0.00".to_string());
    put("putLatency999", "0.00".to_string());

    // DefaultMessageStore part.
    if let Some(s) = ds {
        for (k, v) in s.runtime_info() {
            put(&k, v);
        }
    } else {
        put("commitLogDiskRatio", "-1.0".to_string());
        put("consumeQueueDiskRatio", "-1.0".to_string());
        put("commitLogMinOffset", "0".to_string());
        put("commitLogMaxOffset", "0".to_string());
    }
    let delay_offsets: Vec<(i32, i64)> = match ds {
        Some(s) => s.delay_offset_table().into_iter().collect(),
        None => {
            let delay_path = std::path::Path::new(&store_cfg.store_path_root_dir)
                .join("config")
                .join("delayOffset.json");
            std::fs::read(&delay_path)
                .ok()
                .and_then(|b| DelayOffsetSerializeWrapper::decode(&b).ok())
                .map(|w| w.offset_table.into_iter().collect())
                .unwrap_or_default()
        }
    };
    {
        for (level, offset) in delay_offsets {
            let max = broker
                .store()
                .max_offset_in_queue(RMQ_SYS_SCHEDULE_TOPIC, level - 1);
            put(
                &format!("scheduleMessageOffset_{level}"),
                format!("{offset},{max}"),
            );
        }
    }

    // Broker part.
    let b = broker.broker_config();
    put("brokerVersionDesc", version_desc(CURRENT_VERSION));
    put("brokerVersion", CURRENT_VERSION.to_string());
    put("msgPutTotalYesterdayMorning", "0".to_string());
    put("msgPutTotalTodayMorning", "0".to_string());
    put("msgPutTotalTodayNow", put_times.to_string());
    put("msgGetTotalYesterdayMorning", "0".to_string());
    put("msgGetTotalTodayMorning", "0".to_string());
    put("msgGetTotalTodayNow", "0".to_string());
    put("sendThreadPoolQueueSize", "0".to_string());
    put(
        "sendThreadPoolQueueCapacity",
        b.send_thread_pool_queue_capacity.to_string(),
    );
    put("pullThreadPoolQueueSize", "0".to_string());
    put(
        "pullThreadPoolQueueCapacity",
        b.pull_thread_pool_queue_capacity.to_string(),
    );
    put("queryThreadPoolQueueSize", "0".to_string());
    put(
        "queryThreadPoolQueueCapacity",
        b.query_thread_pool_queue_capacity.to_string(),
    );
    put("EndTransactionQueueSize", "0".to_string());
    put(
        "EndTransactionThreadPoolQueueCapacity",
        b.end_transaction_pool_queue_capacity.to_string(),
    );
    let (behind, lock_ms, earliest) = match ds {
        Some(s) => (
            s.dispatch_behind_bytes(),
            s.lock_time_mills(),
            s.get_earliest_message_time_global(),
        ),
        None => (0, 0, -1),
    };
    put("dispatchBehindBytes", behind.to_string());
    put("pageCacheLockTimeMills", lock_ms.to_string());
    put("sendThreadPoolQueueHeadWaitTimeMills", "0".to_string());
    put("pullThreadPoolQueueHeadWaitTimeMills", "0".to_string());
    put("queryThreadPoolQueueHeadWaitTimeMills", "0".to_string());
    put("earliestMessageTimeStamp", earliest.to_string());
    put(
        "startAcceptSendRequestTimeStamp",
        b.start_accept_send_request_time_stamp.to_string(),
    );
    // No transient store pool: `remainTransientStoreBufferNumbs` is Integer.MAX_VALUE.
    put("remainTransientStoreBufferNumbs", i32::MAX.to_string());
    if store_cfg.transient_store_pool_enable {
        put("remainHowManyDataToCommit", human_readable_byte_count(0));
    }
    let to_flush = ds
        .map(|s| (s.max_phy_offset() - s.commit_log().queue().flushed_where()).max(0))
        .unwrap_or(0);
    put(
        "remainHowManyDataToFlush",
        human_readable_byte_count(to_flush),
    );
    if let Some((total, free)) = disk_space(&store_cfg.store_path_root_dir) {
        put(
            "commitLogDirCapacity",
            format!(
                "Total : {}, Free : {}.",
                human_readable_byte_count(total),
                human_readable_byte_count(free)
            ),
        );
    }
    m
}

/// GET_BROKER_RUNTIME_INFO.
pub fn get_broker_runtime_info(broker: &Arc<BrokerController>) -> BrokerResult<Reply> {
    let table = KVTable {
        table: runtime_info(broker),
    };
    Ok(Some(success_null_remark().with_body(table.encode())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_like_java() {
        assert_eq!(human_readable_byte_count(0), "0 B");
        assert_eq!(human_readable_byte_count(1023), "1023 B");
        assert_eq!(human_readable_byte_count(1024), "1.0 KiB");
        assert_eq!(human_readable_byte_count(1536), "1.5 KiB");
        assert_eq!(
            human_readable_byte_count(10 * 1024 * 1024 * 1024),
            "10.0 GiB"
        );
    }

    #[test]
    fn runtime_text() {
        assert_eq!(
            format_runtime(0),
            "[ 0 days, 0 hours, 0 minutes, 0 seconds ]"
        );
        assert_eq!(
            format_runtime(86_400_000 + 3_600_000 * 2 + 60_000 * 3 + 4_500),
            "[ 1 days, 2 hours, 3 minutes, 4 seconds ]"
        );
        assert_eq!(group_thousands(1234567), "1,234,567");
    }
}
