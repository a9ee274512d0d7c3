#!/usr/bin/env bash
# Starts an rmq namesrv (127.0.0.1:9876) and broker (10911, VIP 10909, HA 10912) with the
# default store (~/store), like `mqnamesrv` + `mqbroker -n 127.0.0.1:9876` of Java RocketMQ.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --bin mqnamesrv --bin mqbroker
trap 'kill 0' EXIT INT TERM
./target/release/mqnamesrv "$@" &
sleep 0.3
./target/release/mqbroker -n 127.0.0.1:9876 -c conf/broker.conf &
wait
