#!/usr/bin/env bash
# The CSV import benchmark of Docs/PERFORMANCE.md: a generated trades CSV (ROWS rows, ~48 bytes
# each) imported by `tributary import` into a fresh SQLite store, next to Python's csv module
# reading the same file in the same run.
# Usage: Benchmarks/import.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
bin=.build/release/tributary
[ -x "$bin" ] || swift build -c release --product tributary
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
python3 Benchmarks/trades_csv.py "$run/tape.csv" "$rows"
printf 'kind: trade\n' >"$run/rules.yaml"
echo "# $(date -u +%FT%TZ) $(nproc) cores; $(wc -c <"$run/tape.csv") bytes, $rows rows"
echo "python csv.reader: $(python3 Benchmarks/csv_baseline.py "$run/tape.csv")"
start=$(date +%s.%N)
"$bin" import "$run/tape.csv" --source tape --rules "$run/rules.yaml" --store "$run/t.sqlite" | tail -2
end=$(date +%s.%N)
echo "tributary import (parse, types, rules, record, hash, provenance, SQLite): $(python3 -c "print(round($end-$start,2))") s"
start=$(date +%s.%N)
"$bin" import "$run/tape.csv" --source tape --rules "$run/rules.yaml" --store "$run/strict.sqlite" --strict | tail -1
echo "  (--strict adds a validation pass: $(python3 -c "import time; print(round(time.time()-$start,2))") s in all)"
