#!/usr/bin/env bash
# Trades → OHLCV bars: Tributary's feature engine (exact decimals, watermarks, de-duplication,
# on every core) next to pandas on the same trades in the same run — float64 `ohlc()` (inexact)
# and Python Decimal (exact). pandas comes from PyPI into .build-bench/venv (benchmark only).
#
# Usage: TRIBUTARY_BIN=.build/release/tributary bash Benchmarks/features.sh [TRADES] [SYMBOLS]
set -euo pipefail
bin=${TRIBUTARY_BIN:-.build/release/tributary}
unset TRIBUTARY_BIN  # not a setting of the binary (it warns about unknown TRIBUTARY_ variables)
trades=${1:-2000000}
symbols=${2:-1000}
venv=.build-bench/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pandas' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pandas
fi
csv=$(mktemp --suffix=.csv)
trap 'rm -f "$csv"' EXIT
echo "machine: $(nproc) cores, $(uname -m); $(date -u +%Y-%m-%dT%H:%MZ)"
for windows in 1s 1s,5s,1m; do
    echo "== $trades trades, $symbols symbols, windows $windows"
    "$bin" bench features --trades "$trades" --symbols "$symbols" --windows "$windows" --csv "$csv"
    "$bin" bench features --trades "$trades" --symbols "$symbols" --windows "$windows"
    "$venv/bin/python" Benchmarks/features_pandas.py "$csv" "$windows"
done
