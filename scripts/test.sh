#!/usr/bin/env bash
# Runs every test: unit tests of the SQLite layer, protocol and store, and end-to-end runs of the
# built binaries. KETTE_LONG_TESTS=1 makes the crash and fault tests run many more trials (1,000
# server kills, 300 client kills, 30 fault-proxy seeds, a 5-minute load run of 50 clients, the
# stalled-server bound at the default timeouts, two minutes of slow-body and large-body attack
# on the server while a coordinator syncs every second), runs Schemathesis longer and renders the
# committee report in headless Chromium (scripts/render-committee-report.sh).
# Then the three libFuzzer targets (Fuzz/README.md: decoder, handler, client): built with the
# sanitizers and run 20 s each from the kept corpus; 5 minutes each with KETTE_LONG_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
# XCTest only: the Swift Testing runner would close the output with "0 tests", as no test uses it.
swift test --skip-build --disable-swift-testing
# The server's storage and sync tests once more with the server on PostgreSQL (each test a database
# of its own in one throw-away cluster); tests of the SQLite file itself skip there.
KETTE_SERVER_BACKEND=postgres swift test --skip-build --disable-swift-testing --filter 'KetteServerTests|KetteSyncTests'
if [ "${KETTE_LONG_TESTS:-}" = 1 ]; then scripts/render-committee-report.sh; fi
Fuzz/build.sh
if [ "${KETTE_LONG_TESTS:-}" = 1 ]; then Fuzz/run.sh 300; else Fuzz/run.sh 20; fi
