#!/usr/bin/env bash
# libFuzzer harnesses (Fuzz/): builds them with `-sanitize=fuzzer,address` into .build-fuzz (the
# main build is untouched) and runs each for a bounded number of executions or seconds.
#   FUZZ_RUNS=1000000 bash scripts/fuzz.sh          # each harness for 1,000,000 executions
#   FUZZ_SECONDS=20 bash scripts/fuzz.sh            # each for 20 s (what make test runs)
#   bash scripts/fuzz.sh FuzzCSV                    # one harness (default runs: 100,000)
# Seeds: Fuzz/Corpus/<harness>/ (committed) and, for JSON bodies, Tests/Fixtures/payloads; new
# inputs go to .build-fuzz/corpus/<harness>/. A crash stops the script (exit 1) and leaves its input
# in .build-fuzz/crashes/ — commit it as a regression test of the code it broke.
set -euo pipefail
cd "$(dirname "$0")/.."
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(FuzzDecimalTime FuzzRetryAfter FuzzJSON FuzzYAML FuzzCSV FuzzPush FuzzWebhook)
build=.build-fuzz
for harness in "${harnesses[@]}"; do
    ENABLE_TRIBUTARY_FUZZ=1 swift build --build-path "$build" -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address \
        --product "$harness" 2>&1 | grep -vE "^\[|Cannot export local symbol|^warning: '.*unhandled" || true
    [ -x "$build/release/$harness" ] || { echo "fuzz: $harness did not build" >&2; exit 1; }
done
mkdir -p "$build/crashes"
for harness in "${harnesses[@]}"; do
    corpus="$build/corpus/$harness"
    mkdir -p "$corpus"
    seeds=()
    [ -d "Fuzz/Corpus/$harness" ] && seeds+=("Fuzz/Corpus/$harness")
    case "$harness" in FuzzJSON | FuzzPush) seeds+=($(find Tests/Fixtures/payloads -mindepth 1 -maxdepth 1 -type d)) ;; esac
    limit=(-runs="${FUZZ_RUNS:-100000}")
    [ -n "${FUZZ_SECONDS:-}" ] && limit=(-max_total_time="$FUZZ_SECONDS")
    start=$(date +%s)
    log="$build/$harness.log"
    if ! ASAN_OPTIONS=detect_leaks=0 "$build/release/$harness" "$corpus" "${seeds[@]}" "${limit[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$build/crashes/$harness-" -print_final_stats=1 >"$log" 2>&1; then
        echo "fuzz: $harness FAILED — input in $build/crashes/, log $log" >&2
        grep -E "ERROR|==[0-9]+==|Fatal error|SUMMARY" "$log" | head -20 >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -oE "cov: [0-9]+" "$log" | tail -1)
    echo "fuzz: $harness ok — ${runs:-?} executions in $(( $(date +%s) - start )) s (${speed:-?}/s), $cov, corpus $(ls "$corpus" | wc -l) inputs"
done
