#!/usr/bin/env bash
# Image size and start-up time of the rmq container image next to the Java 4.9.7 broker:
#   * rmq:   `docker run` of a broker container -> broker registered with the namesrv
#            (namesrv container already up; GET_BROKER_CLUSTER_INFO polled every 10 ms)
#   * Java:  broker JVM started with the 4.9.7 runbroker.sh flags (-Xms8g -Xmx8g, G1,
#            AlwaysPreTouch, MaxDirectMemorySize=15g; JDK 17 flags as JAVA_OPT_EXT) -> registered
#            with a Java namesrv; and with the official image's heap (-Xms2g -Xmx2g -Xmn1g).
#   * size:  the image vs the JDK + 4.9.7 jars the Java broker runs from.
#
#   bench/startup_container.sh            # RMQ_BENCH_RUNS=5 runs per variant (median/min/max)
#
# Needs what the container tests need: root with docker.io + busybox-static installed (a private
# dockerd is started when none runs), a JDK 17 and Maven (the Java side comes from
# compat-tests/java). The report is also written to target/bench-startup-container.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
export RMQ_BENCH_RUNS=${RMQ_BENCH_RUNS:-5}
export RMQ_DOCKER_REQUIRED=1
out=${CARGO_TARGET_DIR:-target}/bench-startup-container.txt
mkdir -p "$(dirname "$out")"
cargo test -p compat-tests --test container_startup -- --ignored --nocapture --test-threads 1 2>&1 |
    tee "$out.log" | sed -n '/^==== rmq image vs/,/^==== end/p' | tee "$out"
grep -q '^==== end' "$out" || { echo "benchmark failed; see $out.log" >&2; tail -40 "$out.log" >&2; exit 1; }
