#!/usr/bin/env bash
# The push benchmark of Docs/PERFORMANCE.md, everything on 127.0.0.1: wrk POSTs to
#   - nginx answering 202 to any POST (the HTTP ceiling of this machine, same run), and
#   - `tributary run` with one unsigned push source, events stored in SQLite,
# as single events and as NDJSON batches of 100, acknowledged at 202 (buffered) and with
# ?ack=durable (200 after the commit). Prints requests/s, events/s and latency percentiles.
# Needs nginx and wrk (apt-get install nginx-light wrk).
# Usage: Benchmarks/ingest.sh [SECONDS] [CONNECTIONS]   (TRIBUTARY_BIN overrides the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
nginx_port=${BENCH_PORT:-18080}
port=${BENCH_INGEST_PORT:-18087}
bin=${TRIBUTARY_BIN:-.build/release/tributary}
unset TRIBUTARY_BIN  # not a setting of the binary (it warns about unknown TRIBUTARY_ variables)
for tool in nginx wrk; do command -v "$tool" >/dev/null || { echo "ingest.sh: $tool is missing (apt-get install nginx-light wrk)"; exit 1; }; done
[ -x "$bin" ] || swift build -c release --product tributary

run=$(mktemp -d)
sed -e "s#@ROOT@#$PWD#g; s#@PORT@#$nginx_port#g; s#@RUN@#$run#g" Benchmarks/nginx/nginx.conf.template >"$run/nginx.conf"
mkdir -p "$run/sources"
printf 'id: bench\npush: { max_body_bytes: 1048576 }\n' >"$run/sources/bench.yaml"
nginx -c "$run/nginx.conf" -p "$run" &
nginx_pid=$!
TRIBUTARY_SOURCES_DIR="$run/sources" TRIBUTARY_BUFFER_CAPACITY=100000 TRIBUTARY_STORE_BATCH_SIZE=5000 TRIBUTARY_STORE_LINGER=2ms \
    "$bin" run --only bench --port "$port" --store "$run/bench.sqlite" --summary-every 3600 --log-level error >"$run/run.log" 2>&1 &
run_pid=$!
trap 'kill $nginx_pid $run_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$run"' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/ready" && break; sleep 0.1; done

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); wrk -t1 -c$connections -d${seconds}s"
measure() {  # name url script events-per-request
    local out rps p50 p99 errors total accepted
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "Benchmarks/ingest/$3.lua" "$2")
    rps=$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    total=$(awk '/requests in/ {print $1}' <<<"$out")
    # Events accepted per second: answered 2xx (a 429 refuses its whole batch).
    accepted=$(( (total - ${errors:-0}) * $4 / seconds ))
    printf '%-32s %7s req/s  %8s events/s accepted   p50 %-9s p99 %-9s 429s %s\n' "$1" "$rps" "$accepted" "$p50" "$p99" "${errors:-0}"
}
measure "nginx 202, single"            "http://127.0.0.1:$nginx_port/ingest/bench" single 1
measure "tributary 202, single"        "http://127.0.0.1:$port/ingest/bench" single 1
measure "tributary durable, single"    "http://127.0.0.1:$port/ingest/bench?ack=durable" single 1
measure "nginx 202, NDJSON x100"       "http://127.0.0.1:$nginx_port/ingest/bench" batch 100
measure "tributary 202, NDJSON x100"   "http://127.0.0.1:$port/ingest/bench" batch 100
measure "tributary durable, NDJSON x100" "http://127.0.0.1:$port/ingest/bench?ack=durable" batch 100
kill -TERM $run_pid; wait $run_pid || true
grep "tributary run: stopped" "$run/run.log" || tail -5 "$run/run.log"
echo "peak RSS of tributary: see VmHWM below"
