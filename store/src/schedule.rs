//! Delayed-message delivery (`SCHEDULE_TOPIC_XXXX` → real topic) and `delayOffset.json`.
//!
//! Mirrors Java `ScheduleMessageService` (synchronous delivery mode; 4.9.7's default,
//! `enableScheduleAsyncDeliver=false`) and `DelayOffsetSerializeWrapper`.
//!
//! Delay level `L` (1-based, `messageDelayLevel`) lives in queue `L-1` of
//! `SCHEDULE_TOPIC_XXXX`; its consume-queue tagsCode is the delivery time. For every level a
//! cursor (`offsetTable[L]`, persisted in `config/delayOffset.json` as
//! `{"offsetTable":{1:10,3:2}}`, unquoted integer keys) walks the queue: entries that are due
//! are re-put to `REAL_TOPIC` / `REAL_QID` with the original body, flag, sys flag, hosts and
//! properties string (which, as in Java, still contains DELAY / REAL_TOPIC / REAL_QID), without
//! waiting for a flush. The first not-yet-due entry stops the level for 100 ms; a failed put is
//! retried after 100 ms. Runs only on masters.
//!
//! Deviation: an entry whose message lacks a numeric `REAL_QID` is skipped with an error
//! (Java would retry it forever).

use std::time::{Duration, Instant};

use protocol::body::DelayOffsetSerializeWrapper;
use protocol::message::property;

use crate::commitlog::SCHEDULE_TOPIC;
use crate::consume_queue::{CqUnit, CQ_UNIT};
use crate::default_store::DefaultMessageStore;
use crate::error::{Result, StoreError};
use crate::message::{MessageExtBrokerInner, PutMessageStatus};

const FIRST_DELAY: Duration = Duration::from_millis(1000);
const DELAY_FOR_A_WHILE: Duration = Duration::from_millis(100);
/// `TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC`.
const TRANS_HALF_TOPIC: &str = "RMQ_SYS_TRANS_HALF_TOPIC";

impl DefaultMessageStore {
    /// Load `delayOffset.json` (with `.bak` fallback) and clamp each level's offset into its
    /// queue's `[min, max]` (`ScheduleMessageService.load` + `correctDelayOffset`).
    pub(crate) fn load_delay_offsets(&self) -> Result<()> {
        let path = self.config().delay_offset_path();
        let parsed = crate::config_file::load(&path, |s| {
            protocol::fastjson::from_str::<DelayOffsetSerializeWrapper>(s)
                .map_err(|e| e.to_string())
        })?;
        let mut table = self.delay_offsets.lock();
        table.clear();
        if let Some(w) = parsed {
            for (level, off) in w.offset_table {
                let mut off = off;
                if let Some(cq) = self.get_consume_queue(SCHEDULE_TOPIC, level - 1) {
                    let (min, max) = (cq.min_offset_in_queue(), cq.max_offset_in_queue());
                    if off < min || off > max {
                        tracing::error!(
                            level,
                            off,
                            min,
                            max,
                            "schedule CQ offset invalid, corrected"
                        );
                        off = off.clamp(min, max.max(min));
                    }
                }
                table.insert(level, off);
            }
        }
        Ok(())
    }

    /// Current delivery cursor per delay level.
    pub fn delay_offset_table(&self) -> std::collections::BTreeMap<i32, i64> {
        self.delay_offsets.lock().clone()
    }

    /// `delayOffset.json` text (`ScheduleMessageService.encode(prettyFormat)`); the compact
    /// form is the GET_ALL_DELAY_OFFSET response body.
    pub fn delay_offset_json(&self, pretty: bool) -> Result<String> {
        let w = DelayOffsetSerializeWrapper {
            offset_table: self
                .delay_offsets
                .lock()
                .iter()
                .map(|(k, v)| (*k, *v))
                .collect(),
        };
        let r = if pretty {
            protocol::fastjson::to_string_pretty(&w)
        } else {
            protocol::fastjson::to_string(&w)
        };
        r.map_err(|e| StoreError::Corrupt(format!("delayOffset encode: {e}")))
    }

    /// Persist `delayOffset.json` (`ConfigManager.persist`).
    pub fn persist_delay_offsets(&self) -> Result<()> {
        let text = self.delay_offset_json(true)?;
        crate::config_file::persist(&self.config().delay_offset_path(), &text)
    }

    fn level_delay_ms(&self, level: i32) -> i64 {
        let levels = self.config().delay_level_millis().unwrap_or_default();
        usize::try_from(level - 1)
            .ok()
            .and_then(|i| levels.get(i).copied())
            .unwrap_or(1000)
    }

    /// `messageTimeup`: the message to re-put into its real topic.
    fn message_timeup(m: &protocol::message::MessageExt) -> Option<MessageExtBrokerInner> {
        let topic = m.property(property::REAL_TOPIC)?.to_string();
        let queue_id = m.property(property::REAL_QID)?.parse().ok()?;
        Some(MessageExtBrokerInner {
            topic,
            queue_id,
            flag: m.flag,
            body: m.body.clone(),
            properties_string: m.properties_string(),
            sys_flag: m.sys_flag,
            born_timestamp: m.born_timestamp,
            born_host: m.born_host,
            store_host: m.store_host,
            reconsume_times: m.reconsume_times,
            prepared_transaction_offset: 0,
        })
    }

    /// One `DeliverDelayedMessageTimerTask.executeOnTimeup` for `level`; returns when to run
    /// the level again.
    pub(crate) fn deliver_delay_level(&self, level: i32) -> Duration {
        let mut offset = self.delay_offsets.lock().get(&level).copied().unwrap_or(0);
        let Some(cq) = self.get_consume_queue(SCHEDULE_TOPIC, level - 1) else {
            return DELAY_FOR_A_WHILE;
        };
        let Some(buf) = cq.get_index_buffer(offset) else {
            let (min, max) = (cq.min_offset_in_queue(), cq.max_offset_in_queue());
            if min > offset {
                tracing::error!(level, offset, min, "schedule CQ offset invalid");
                offset = min;
            } else if max < offset {
                tracing::error!(level, offset, max, "schedule CQ offset invalid");
                offset = max;
            }
            self.delay_offsets.lock().insert(level, offset);
            return DELAY_FOR_A_WHILE;
        };
        let level_ms = self.level_delay_ms(level);
        let data = &buf.data;
        let mut i = 0;
        while i + CQ_UNIT <= data.len() {
            let Some(u) = CqUnit::parse(&data[i..i + CQ_UNIT]) else {
                break;
            };
            let next = offset + (i / CQ_UNIT) as i64;
            let now = self.now();
            let deliver_ts = if u.tags_code > now + level_ms {
                now
            } else {
                u.tags_code
            };
            if deliver_ts > now {
                self.delay_offsets.lock().insert(level, next);
                return DELAY_FOR_A_WHILE;
            }
            i += CQ_UNIT;
            let msg = (u.size > 0)
                .then(|| self.select_one_message_by_offset_and_size(u.offset, u.size as usize))
                .flatten()
                .and_then(|sel| protocol::message::decode(&sel.data, Default::default()).ok())
                .map(|(m, _)| m);
            let Some(msg) = msg else {
                continue;
            };
            let Some(inner) = Self::message_timeup(&msg) else {
                tracing::error!(
                    level,
                    offset = u.offset,
                    "schedule message without REAL_TOPIC/REAL_QID, skipped"
                );
                continue;
            };
            if inner.topic == TRANS_HALF_TOPIC {
                tracing::error!(
                    "[BUG] the real topic of schedule msg is {TRANS_HALF_TOPIC}, discard the msg"
                );
                continue;
            }
            let r = self.put_redelivered(inner);
            if r.status != PutMessageStatus::PutOk {
                tracing::warn!(
                    level,
                    status = r.status.as_str(),
                    "schedule delivery failed, will retry"
                );
                self.delay_offsets.lock().insert(level, next);
                return DELAY_FOR_A_WHILE;
            }
            self.delay_offsets.lock().insert(level, next + 1);
        }
        self.delay_offsets
            .lock()
            .insert(level, offset + (i / CQ_UNIT) as i64);
        DELAY_FOR_A_WHILE
    }

    /// The schedule service thread: all levels on one thread, each with its own timer.
    pub(crate) fn schedule_loop(&self) {
        if self.stopper_sleep(FIRST_DELAY) {
            return;
        }
        let max_level = self
            .config()
            .delay_level_millis()
            .map(|v| v.len())
            .unwrap_or(0) as i32;
        let mut next_run = vec![Instant::now(); max_level.max(0) as usize];
        let persist_every =
            Duration::from_millis(self.config().flush_delay_offset_interval.max(1000) as u64);
        let mut last_persist = Instant::now();
        loop {
            let now = Instant::now();
            for level in 1..=max_level {
                let idx = (level - 1) as usize;
                if now >= next_run[idx] {
                    next_run[idx] = Instant::now() + self.deliver_delay_level(level);
                }
            }
            if last_persist.elapsed() >= persist_every {
                last_persist = Instant::now();
                if let Err(e) = self.persist_delay_offsets() {
                    tracing::error!(error = %e, "persist delayOffset.json failed");
                }
            }
            let wake = next_run
                .iter()
                .min()
                .copied()
                .unwrap_or_else(|| now + DELAY_FOR_A_WHILE);
            let d = wake
                .saturating_duration_since(Instant::now())
                .min(DELAY_FOR_A_WHILE);
            if self.stopper_sleep(d.max(Duration::from_millis(1))) {
                break;
            }
        }
        if let Err(e) = self.persist_delay_offsets() {
            tracing::error!(error = %e, "persist delayOffset.json failed");
        }
    }
}
