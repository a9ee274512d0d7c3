#!/bin/sh
# Build our mqnamesrv/mqbroker and the benchmark (release), then run it:
#   bench/broker/run.sh [broker-bench options]      (see --help; JSON goes next to the binary)
set -e
cd "$(dirname "$0")/../.."
: "${CARGO_TARGET_DIR:=$PWD/target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR" ;; esac
export CARGO_TARGET_DIR
cargo build --release -p namesrv -p broker -p broker-bench
exec "$CARGO_TARGET_DIR/release/broker-bench" "$@"
