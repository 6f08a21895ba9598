#!/usr/bin/env bash
# The least a Swift caller costs per request with no I/O at all (Docs/PERFORMANCE.md, sixteenth
# figures): 64 tasks asking a loop thread that sleeps in poll(2) on a pipe, as libcurl's multi
# handle does, and are resumed by it — `pool`: the tasks on Swift's global executor; `inline`:
# on the loop thread's own executor. Prints round trips per second and CPU µs per round trip,
# the process's and the loop thread's.
# Usage: Benchmarks/handoff-floor.sh [ROUND_TRIPS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
trips=${1:-1000000}
rounds=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swiftc -O -parse-as-library Benchmarks/handoff-floor/main.swift -o "$out/handoff-floor"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); $trips round trips, $rounds rounds"
for _ in $(seq 1 "$rounds"); do
    "$out/handoff-floor" pool "$trips"
    "$out/handoff-floor" inline "$trips"
done
