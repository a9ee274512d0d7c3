//! Compatibility test harness: runs the Apache RocketMQ 4.9.7 Java nameserver, broker,
//! clients, tools and example programs (from Maven Central, built in `compat-tests/java`)
//! against each other and against our `mqnamesrv` / `mqbroker`.
//!
//! Quick tour:
//! * [`ensure_java_built`] / [`java_classpath`]: the one-time Maven build (flock-guarded).
//! * [`JavaNamesrv`], [`JavaBroker`], [`RmqNamesrv`], [`RmqBroker`] (all deref to
//!   [`Namesrv`] / [`Broker`]; [`Flavor`] + [`Cluster`] for flavor-generic tests).
//! * [`run_java`], [`spawn_java`], [`mqadmin`], [`run_driver`] for client-side programs.
//! * [`Proc`]: child process guard (own process group, log file, SIGKILL on drop).
//! * Output parsers: [`count_send_ok`], [`count_distinct_msgids`], [`parse_results`], ...
//!
//! Every server/client gets its own ports and temp dirs, so tests can run in parallel.
//! Environment knobs: `RMQ_KEEP_TMP=1` keeps temp dirs, `RMQ_TEST_TMPDIR` chooses where
//! they go, `RMQ_JAVA_OPTS` adds JVM options, `RMQ_MVN` / `RMQ_MVN_ARGS` tune the Maven build,
//! `JAVA_HOME` selects the JDK.

mod conf;
pub mod docker;
mod java;
mod javabuild;
mod output;
mod paths;
mod ports;
mod proc;
pub mod scenarios;
mod servers;

pub use conf::{cleanup_unused_stores, default_broker_props, Props, StoreDir};
pub use java::{
    mqadmin, mqadmin_until, run_driver, run_driver_raw, run_java, run_java_client, spawn_java,
    spawn_java_client, DriverOutput, JavaOutput, CLIENT_HEAP, JDK9_PLUS_FLAGS, MQADMIN_FAST_MAIN,
    MQADMIN_MAIN, SERVER_HEAP,
};
pub use javabuild::{ensure_java_built, java_classpath, java_exe, java_major_version};
pub use output::{
    count_distinct_msgids, count_send_ok, distinct_msgids, distinct_uniq_keys, parse_results,
    printed_messages, send_ok_msgids, PrintedMessage, ResultsExt,
};
pub use paths::{
    cargo_profile_dir, compat_dir, java_project_dir, rmq_bin, rocketmq_home_template,
    workspace_root,
};
pub use ports::{free_broker_port, free_port, port_is_free, wait_port_open};
pub use proc::{keep_tmp, new_temp_dir, tail_lines, Proc};
pub use scenarios::{quickstart_roundtrip, QuickstartReport, QUICKSTART_COUNT};
pub use servers::{
    Broker, Cluster, Flavor, JavaBroker, JavaNamesrv, Namesrv, RmqBroker, RmqNamesrv,
    BROKER_BOOT_LINE, JAVA_BROKER_MAIN, JAVA_NAMESRV_MAIN, NAMESRV_BOOT_LINE,
};

/// Main classes of the official example programs (rocketmq-example 4.7.0).
pub mod examples {
    pub const QUICKSTART_PRODUCER: &str = "org.apache.rocketmq.example.quickstart.Producer";
    pub const QUICKSTART_CONSUMER: &str = "org.apache.rocketmq.example.quickstart.Consumer";
    pub const BENCHMARK_PRODUCER: &str = "org.apache.rocketmq.example.benchmark.Producer";
    pub const BENCHMARK_CONSUMER: &str = "org.apache.rocketmq.example.benchmark.Consumer";
}
