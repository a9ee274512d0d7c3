//! Broker state across a clean restart on the same store, with the same drivers and the same
//! expectations against the Java 4.9.7 broker and ours: committed consumer offsets
//! (`consumerOffset.json`: no redelivery beyond the last commit) and messages still waiting
//! in `SCHEDULE_TOPIC_XXXX` (`delayOffset.json`: delivered after the restart, not before
//! their delay).

mod broker_scenarios_common;

use anyhow::Result;
use broker_scenarios_common::{driver, expect, flavors};
use compat_tests::{new_temp_dir, Broker, Namesrv};

#[test]
fn offsets_and_delayed_messages_survive_restart_java_and_rmq() -> Result<()> {
    for flavor in flavors() {
        let ns = Namesrv::start(flavor)?;
        let nsa = ns.addr();
        let b1 = Broker::start(flavor, &nsa, &[])?;
        let store = b1.store();
        let dir = new_temp_dir("rmq-scenario-restart-")?;
        let old = dir.path().join("old.txt").display().to_string();
        let delayed = dir.path().join("delayed.txt").display().to_string();
        let group = "rmq_compat_restart_cg";

        let p1 = driver(
            &b1,
            &nsa,
            "Offsets",
            &["phase1", "OffsetTopic", group, "20", &old],
            120,
        )?;
        expect(flavor, "offsets phase1", &p1, &[("received", 20)])?;
        // Level 4 = 30 s: still waiting while the broker restarts.
        let d1 = driver(
            &b1,
            &nsa,
            "Delay",
            &["produce", "DelayRestartTopic", "5", "4", &delayed],
            60,
        )?;
        expect(flavor, "delayed produce", &d1, &[("sent", 5)])?;
        b1.stop()?;

        let b2 = Broker::start_with_store(flavor, &nsa, store.path(), &[])?;
        let p2 = driver(
            &b2,
            &nsa,
            "Offsets",
            &["phase2", "OffsetTopic", group, "10", &old],
            120,
        )?;
        expect(
            flavor,
            "offsets phase2",
            &p2,
            &[
                ("new_received", 10),
                ("old_redelivered", 0),
                ("duplicates", 0),
            ],
        )?;
        let d2 = driver(
            &b2,
            &nsa,
            "Delay",
            &["consume", "DelayRestartTopic", &delayed, "30000"],
            110,
        )?;
        expect(
            flavor,
            "delayed after restart",
            &d2,
            &[
                ("expected", 5),
                ("received", 5),
                ("missing", 0),
                ("too_early", 0),
            ],
        )?;
        let delay_offsets = store.path().join("config").join("delayOffset.json");
        assert!(
            delay_offsets.is_file(),
            "[{}] no {}",
            flavor.name(),
            delay_offsets.display()
        );
    }
    Ok(())
}
