#!/usr/bin/env bash
# Line coverage of the pure modules after `swift test --enable-code-coverage` (what `make test`
# runs), printed per module, with a gate: any module under COVERAGE_GATE percent (default 90)
# fails. Counts every test process and every `tributary` process the end-to-end tests started
# (each writes its own .profraw next to the test bundle).
#
#   bash scripts/coverage.sh keep       # after each `swift test` run: each run empties codecov/ first
#   bash scripts/coverage.sh report     # merge what was kept, print, gate
#   COVERAGE_GATE=92 bash scripts/coverage.sh report
set -euo pipefail
cd "$(dirname "$0")/.."
gate=${COVERAGE_GATE:-90}
bin=${COVERAGE_BIN:-$(swift build --show-bin-path)}
kept=${COVERAGE_PROFILES:-.build/coverage}

case "${1:-report}" in
keep)
    mkdir -p "$kept"
    run=$(date +%s%N)
    shopt -s nullglob
    for file in "$bin"/codecov/*.profraw; do mv "$file" "$kept/$run-$(basename "$file" | tr ' ' '-')"; done
    exit 0
    ;;
clean)
    rm -rf "$kept"
    exit 0
    ;;
report) ;;
*)
    echo "usage: scripts/coverage.sh keep|report|clean" >&2
    exit 2
    ;;
esac

toolchain=$(dirname "$(readlink -f "$(command -v swift)")")
# The toolchain's own LLVM tools: a distribution's older llvm-cov cannot read this profile format.
profdata=$toolchain/llvm-profdata
cov=$toolchain/llvm-cov
shopt -s nullglob
raw=("$kept"/*.profraw)
if [ ${#raw[@]} -eq 0 ]; then
    echo "coverage: no profiles in $kept; run the tests with --enable-code-coverage and then 'scripts/coverage.sh keep' (make test does both)" >&2
    exit 1
fi
merged=$kept/merged.profdata
"$profdata" merge -sparse "${raw[@]}" -o "$merged"
objects=("$bin/tributaryPackageTests.xctest" -object "$bin/tributary")

# name|paths: the gated groups. The state machines of Engine that are pure (no I/O, clock passed in).
groups=(
    "TributaryCore|Sources/TributaryCore"
    "Resilience|Sources/Resilience"
    "Connectors|Sources/Connectors"
    "Engine state machines|Sources/Engine/Scheduler/PollSchedule.swift Sources/Engine/Run/SourceCondition.swift"
)
failed=0
printf '%-24s %8s %8s %8s\n' "module" "lines" "missed" "cover"
for group in "${groups[@]}"; do
    name=${group%%|*}
    # shellcheck disable=SC2206
    paths=(${group#*|})
    # The TOTAL row: regions, missed, %, functions, missed, %, lines, missed, %, …
    read -r lines missed percent < <("$cov" report "${objects[@]}" -instr-profile="$merged" "${paths[@]}" | awk '$1 == "TOTAL" { print $8, $9, $10 }')
    printf '%-24s %8s %8s %8s\n' "$name" "$lines" "$missed" "$percent"
    if awk -v p="${percent%\%}" -v g="$gate" 'BEGIN { exit !(p < g) }'; then
        echo "coverage: $name has ${percent} of its lines covered, under the gate of ${gate}%: add tests for the uncovered lines (llvm-cov show lists them)" >&2
        failed=1
    fi
done
all=$("$cov" report "${objects[@]}" -instr-profile="$merged" Sources | awk '$1 == "TOTAL" { print $10 }')
echo "whole package (not gated): $all of lines"
echo "uncovered lines of one file: $cov show ${objects[*]} -instr-profile=$merged Sources/FILE.swift"
exit $failed
