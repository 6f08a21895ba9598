#!/usr/bin/env bash
# The demo: start the built-in mock market, then show the whole pull path against it —
# a table, JSON Lines with provenance, and a throughput/latency benchmark.
# Everything stays on 127.0.0.1; no keys, no internet.
set -euo pipefail
bin=${1:-.build/release/tributary}

log=$(mktemp)
"$bin" mock --port 0 >"$log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null; wait "$mock" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
    url=$(sed -n 's/^mock market listening on //p' "$log")
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "${url:-}" ] || { echo "demo: the mock market did not start:"; cat "$log"; exit 1; }

echo "== mock market at $url (Binance API shapes, seeded moving prices)"
echo
echo "== tributary fetch binance ticker --symbol BTCUSDT --symbol ETH-USDT --symbol SOLUSDT"
"$bin" fetch binance ticker --symbol BTCUSDT --symbol ETH-USDT --symbol SOLUSDT --base-url "$url"
echo
echo "== the same record as JSON Lines, with provenance and content hash (--json)"
"$bin" fetch binance ticker --symbol BTCUSDT --json --base-url "$url"
echo
echo "== a typed upstream error: an unknown symbol"
"$bin" fetch binance ticker --symbol NOSUCHPAIR --base-url "$url" || true
echo
echo "== tributary bench fetch: 20000 requests at concurrency 64 through decode + normalize + buffer"
"$bin" bench fetch --url "$url/api/v3/ticker/24hr?symbol=BTCUSDT" --requests 20000 --concurrency 64 --decode binance-ticker
