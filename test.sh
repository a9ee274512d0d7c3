#!/usr/bin/env bash
# Runs the whole test suite: unit tests, golden vectors made by the real Java 4.9.7 classes,
# and the compatibility tests that start Java and rmq namesrvs/brokers side by side.
# The Java harness (compat-tests/java) is built with Maven on first use.
set -euo pipefail
cd "$(dirname "$0")"
# Container tests package the debug binaries this build makes (set RMQ_IMAGE_PROFILE=release
# to test the release image instead; docker/build.sh builds the release image).
export RMQ_IMAGE_PROFILE="${RMQ_IMAGE_PROFILE:-debug}"
cargo build --workspace --bins
cargo test --workspace "$@"
