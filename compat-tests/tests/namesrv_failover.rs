//! Two of our name servers, one Java 4.9.7 broker registered with both, Java quickstart
//! clients configured with both: one name server is stopped (SIGTERM) and the clients keep
//! working, a running consumer as well as a producer started afterwards.

mod namesrv_common;

use compat_tests::examples::{QUICKSTART_CONSUMER, QUICKSTART_PRODUCER};
use compat_tests::*;
use namesrv_common::{wait_route, Client};
use std::time::Duration;

#[test]
fn clients_keep_working_when_one_rmq_namesrv_stops() -> anyhow::Result<()> {
    let ns1 = RmqNamesrv::start()?;
    let ns2 = RmqNamesrv::start()?;
    let both = format!("{};{}", ns1.addr(), ns2.addr());
    let _broker = JavaBroker::start(&both, &[])?;
    let c = Client::new()?;
    for ns in [&ns1, &ns2] {
        wait_route(&c, &ns.addr(), "TBW102", Duration::from_secs(30))?;
    }

    // round 1, both name servers up: 1000 messages produced, then consumed
    let p1 = run_java_client(&both, QUICKSTART_PRODUCER, &[], Duration::from_secs(120))?;
    assert_eq!(
        count_send_ok(&p1.stdout),
        QUICKSTART_COUNT,
        "producer 1:\n{}",
        p1.describe()
    );
    let consumer = spawn_java_client(&both, QUICKSTART_CONSUMER, &[])?;
    consumer.wait_until("1000 distinct msgIds", Duration::from_secs(90), |t| {
        distinct_msgids(t).len() >= QUICKSTART_COUNT
    })?;

    // stop one name server cleanly while the consumer runs
    ns1.stop()?;
    let status = ns1.proc().try_wait();
    assert!(
        status.map(|s| s.success()).unwrap_or(false),
        "mqnamesrv exit status after SIGTERM: {status:?}"
    );
    assert!(
        c.route(&ns1.addr(), "TopicTest").is_err(),
        "ns1 still answers"
    );

    // round 2: a new producer (with the dead name server first in its list) and the old
    // consumer keep working through the other one
    let p2 = run_java_client(&both, QUICKSTART_PRODUCER, &[], Duration::from_secs(120))?;
    assert_eq!(
        count_send_ok(&p2.stdout),
        QUICKSTART_COUNT,
        "producer 2:\n{}",
        p2.describe()
    );
    let log = consumer.wait_until("2000 distinct msgIds", Duration::from_secs(90), |t| {
        distinct_msgids(t).len() >= 2 * QUICKSTART_COUNT
    })?;
    let received = distinct_uniq_keys(&log);
    for id in send_ok_msgids(&p1.stdout)
        .into_iter()
        .chain(send_ok_msgids(&p2.stdout))
    {
        assert!(received.contains(&id), "message {id} was not consumed");
    }
    let route = wait_route(&c, &ns2.addr(), "TopicTest", Duration::from_secs(5))?;
    assert_eq!(route.queue_datas[0].broker_name, "broker-a");
    Ok(())
}
