#!/usr/bin/env bash
# The demo: start the built-in mock market, then show the whole pull path against it —
# every Binance endpoint (the signed one with the mock's demo key), Coinbase, Kraken and
# CoinGecko, JSON Lines with provenance, a typed error, the sources table and a
# throughput/latency benchmark.
# Everything stays on 127.0.0.1; no keys, no internet.
set -euo pipefail
bin=${1:-.build/release/tributary}

log=$(mktemp)
# The mock throttles the first Binance call (429, Retry-After: 1) to show the resilience layer at work.
"$bin" mock --port 0 --fault binance:429:retry-after=1:count=1 >"$log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null; wait "$mock" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
    url=$(sed -n 's/^mock market listening on //p' "$log")
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "${url:-}" ] || { echo "demo: the mock market did not start:"; cat "$log"; exit 1; }
export TRIBUTARY_BINANCE_BASE_URL="$url/binance" TRIBUTARY_COINBASE_BASE_URL="$url/coinbase"
export TRIBUTARY_KRAKEN_BASE_URL="$url/kraken" TRIBUTARY_COINGECKO_BASE_URL="$url/coingecko/api/v3"
# The mock accepts this demo pair for signed calls; they are not real keys.
export BINANCE_API_KEY=tributary-demo-key BINANCE_API_SECRET=tributary-demo-secret

step() { echo; echo "== $*"; }
echo "== mock market at $url (each provider's API under /binance, /coinbase, /kraken, /coingecko; seeded moving prices)"
step "tributary sources"
"$bin" sources
step "tributary fetch binance ticker --symbol BTCUSDT --symbol ETH-USDT --symbol SOLUSDT   (first answer is a 429 with Retry-After: 1; the fetch waits it out)"
start=$(date +%s%N)
"$bin" fetch binance ticker --symbol BTCUSDT --symbol ETH-USDT --symbol SOLUSDT
echo "(took $(( ($(date +%s%N) - start) / 1000000 )) ms: one throttled attempt, a pause until Retry-After, then success)"
step "tributary fetch binance klines --symbol BTCUSDT --param interval=1h --param limit=5"
"$bin" fetch binance klines --symbol BTCUSDT --param interval=1h --param limit=5
step "tributary fetch binance depth --symbol ETHUSDT --param limit=5"
"$bin" fetch binance depth --symbol ETHUSDT --param limit=5
step "tributary fetch binance account   (HMAC-SHA256 signed, key from the environment)"
"$bin" fetch binance account
step "tributary fetch coinbase ticker --symbol BTC-USD"
"$bin" fetch coinbase ticker --symbol BTC-USD
step "tributary fetch kraken ohlc --symbol XBTUSDT --param interval=1d   (last 3 rows)"
"$bin" fetch kraken ohlc --symbol XBTUSDT --param interval=1d | awk 'NR == 1 { print; next } { rows[NR] = $0 } END { for (i = NR - 2; i <= NR; i++) print rows[i] }'
step "tributary fetch coingecko price --symbol BTC --symbol ethereum"
"$bin" fetch coingecko price --symbol BTC --symbol ethereum
step "the same ticker as JSON Lines, with provenance and content hash (--json)"
"$bin" fetch binance ticker --symbol BTCUSDT --json
step "a typed upstream error: an unknown symbol"
"$bin" fetch binance ticker --symbol NOSUCHPAIR || true
step "tributary bench fetch: 20000 requests at concurrency 64 through decode + normalize + buffer"
"$bin" bench fetch --url "$url/binance/api/v3/ticker/24hr?symbol=BTCUSDT" --requests 20000 --concurrency 64 --decode binance-ticker

step "tributary run --demo --for 25   (the aggregator: every source polled on its schedule into data/tributary.sqlite;"
echo "   the mock throttles Coinbase at random and fails Kraken for its first calls: watch the breaker open and recover)"
runlog=$(mktemp)
"$bin" run --demo --for 25 --summary-every 5 --port 0 --store data/tributary.sqlite --features Features.d > >(tee "$runlog") &
run=$!
for _ in $(seq 1 200); do
    base=$(sed -n 's#^status: \(http://[^/]*\)/sources.*#\1#p' "$runlog")
    [ -n "$base" ] && break
    sleep 0.1
done
if [ -n "${base:-}" ]; then
    echo "   the live dashboard is at $base/ while it runs (metrics at $base/metrics, sources at $base/sources)"
    sleep 8
    step "push while it runs: POST $base/ingest/demo-push?ack=durable   (two trades as NDJSON, answered once committed)"
    printf '%s\n%s\n' \
        '{"kind":"trade","symbol":"BTC-USD","trade_id":"demo-1","time":"2024-01-02T03:04:05.123Z","price":"95000.10","size":"0.5","side":"buy"}' \
        '{"kind":"trade","symbol":"BTC-USD","trade_id":"demo-2","time":"2024-01-02T03:04:06Z","price":"95000.20","size":"0.25","side":"sell"}' |
        curl -s -X POST -H 'Content-Type: application/x-ndjson' --data-binary @- "$base/ingest/demo-push?ack=durable"; echo
    step "a bad event is refused with the field and the rule: POST $base/ingest/demo-push"
    curl -s -X POST -H 'Content-Type: application/json' -d '{"kind":"trade","symbol":"BTC-USD","price":"cheap"}' "$base/ingest/demo-push"; echo
    step "GET $base/records/latest?symbol=BTC-USDT   (newest quote per source; median, spread, stale and outlier sources)"
    curl -s "$base/records/latest?symbol=BTC-USDT" | head -c 600; echo " …"
    step "GET $base/metrics   (a few of the Prometheus lines)"
    curl -s "$base/metrics" | grep -E '^ingestion_(requests_total\{source="(binance|kraken|coinbase)"|breaker_state|queue_depth)' | head -12
    echo
    # The first 10 s windows close once a source's quotes are 5 s past their end.
    sleep 12
    step "GET $base/features/latest?symbol=BTC-USDT&set=quotes   (Features.d/quotes.yaml: 10 s and 1 m mid/spread bars of the polled quotes, EWMA, returns)"
    curl -s "$base/features/latest?symbol=BTC-USDT&set=quotes" | head -c 900; echo " …"
fi
wait "$run"
rm -f "$runlog"

step "tributary import: a CSV of trades into the same store (schema inferred, rules map the columns, atomic batches)"
csv=$(mktemp --suffix=.csv)
rules=$(mktemp --suffix=.yaml)
printf 'ts,ticker,px_cents,qty,id\n2024-01-02 09:30:00,XBTUSD,9500010,0.5,1\n2024-01-02 09:30:01,XBTUSD,9500020,0.25,2\n2024-01-02 09:30:02,XBTUSD,n/a,0.25,3\n' >"$csv"
printf 'kind: trade\nrename: { ts: time, ticker: symbol, px_cents: price, qty: size, id: trade_id }\nsymbols: { XBTUSD: BTC-USD }\nscale: { px_cents: -2 }\ntimezone: America/New_York\n' >"$rules"
"$bin" import "$csv" --source demo-csv --rules "$rules" --store data/tributary.sqlite
step "tributary dlq list   (the row that was not a record, with its file, line and column)"
"$bin" dlq list --store data/tributary.sqlite --source demo-csv
rm -f "$csv" "$rules"
step "tributary export: what the store now holds, streamed back out (typed tables; also GET /records on run)"
"$bin" export --kind trade --source demo-csv --format csv --store data/tributary.sqlite
bars=$(mktemp --suffix=.csv)
"$bin" export --kind bar --symbol BTC-USDT --format csv --store data/tributary.sqlite --output "$bars"
head -4 "$bars"
rm -f "$bars"
echo "(SQL views read the same way: sqlite3 data/tributary.sqlite 'SELECT source, symbol, start, close FROM bars_view LIMIT 3')"
