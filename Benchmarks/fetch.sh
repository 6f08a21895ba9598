#!/usr/bin/env bash
# The fetch benchmark of Docs/PERFORMANCE.md, everything on 127.0.0.1:
#   nginx (1 worker) serves Benchmarks/fixtures/binance-ticker.json with keep-alive;
#   wrk (server ceiling), the C libcurl multi loop (libcurl ceiling), `tributary bench fetch`
#   and `tributary bench fetch --decode binance-ticker` run interleaved, ROUNDS times each,
#   with the C floor of Tributary's own design (handoff_loop.c: the loop thread hands each
#   response to 2 worker threads and takes the next request back; "+hash" adds a pass over
#   the body and its SHA-256, a floor of the decode mode's work);
#   the median of each is printed with its ratio to the C loop of the same run, and the CPU
#   each run cost per request: the client process's (user + system) and nginx's worker's.
# Needs nginx, wrk, a C compiler and OpenSSL's headers (apt-get install nginx-light wrk gcc libssl-dev).
# Usage: Benchmarks/fetch.sh [REQUESTS] [CONCURRENCY] [ROUNDS]   (TRIBUTARY_BIN overrides the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
concurrency=${2:-64}
rounds=${3:-3}
port=${BENCH_PORT:-18080}
bin=${TRIBUTARY_BIN:-.build/release/tributary}
unset TRIBUTARY_BIN  # not a setting of the binary (it warns about unknown TRIBUTARY_ variables)

for tool in nginx wrk cc; do
    command -v "$tool" >/dev/null || { echo "fetch.sh: $tool is missing (apt-get install nginx-light wrk gcc)"; exit 1; }
done
pkg-config --exists libcurl libcrypto || { echo "fetch.sh: libcurl's or OpenSSL's headers are missing (apt-get install libcurl4-openssl-dev libssl-dev)"; exit 1; }
[ -x "$bin" ] || swift build -c release --product tributary
cc -O2 -Wall -o Benchmarks/c-multi-loop/multi_loop Benchmarks/c-multi-loop/multi_loop.c $(pkg-config --cflags --libs libcurl)
cc -O2 -Wall -pthread -o Benchmarks/c-multi-loop/handoff_loop Benchmarks/c-multi-loop/handoff_loop.c $(pkg-config --cflags --libs libcurl libcrypto)

run=$(mktemp -d)
sed -e "s#@ROOT@#$PWD#g; s#@PORT@#$port#g; s#@RUN@#$run#g" Benchmarks/nginx/nginx.conf.template >"$run/nginx.conf"
nginx -c "$run/nginx.conf" -p "$run" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null; rm -rf "$run"' EXIT
url="http://127.0.0.1:$port/api/v3/ticker/24hr?symbol=BTCUSDT"
for _ in $(seq 1 50); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
worker=$(pgrep -P "$nginx_pid" | head -1)
hz=$(getconf CLK_TCK)
nginx_ticks() { awk '{print $14 + $15}' "/proc/$worker/stat"; }
per_request() { awk -v s="$1" -v n="$requests" 'BEGIN {printf "%.1f", s * 1000000 / n}'; }
TIMEFORMAT='%U %S'

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); body $(wc -c <Benchmarks/fixtures/binance-ticker.json) bytes; $requests requests at concurrency $concurrency, $rounds rounds"
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A rps p99 rss cpu ngx
for round in $(seq 1 "$rounds"); do
    w=$(wrk -t1 -c"$concurrency" -d4s "$url" | awk '/Requests\/sec/ {print int($2)}')
    rps[wrk]+="$w "
    for name in c handoff plain handoff_hash decode; do
        before=$(nginx_ticks)
        case $name in
            c) times=$({ time Benchmarks/c-multi-loop/multi_loop "$url" "$requests" "$concurrency" >"$run/out"; } 2>&1) ;;
            handoff) times=$({ time Benchmarks/c-multi-loop/handoff_loop "$url" "$requests" "$concurrency" 2 >"$run/out"; } 2>&1) ;;
            handoff_hash) times=$({ time Benchmarks/c-multi-loop/handoff_loop "$url" "$requests" "$concurrency" 2 hash >"$run/out"; } 2>&1) ;;
            plain) times=$({ time "$bin" bench fetch --url "$url" --requests "$requests" --concurrency "$concurrency" >"$run/out"; } 2>&1) ;;
            decode) times=$({ time "$bin" bench fetch --url "$url" --requests "$requests" --concurrency "$concurrency" --decode binance-ticker >"$run/out"; } 2>&1) ;;
        esac
        out=$(cat "$run/out")
        process=$(per_request "$(echo "$times" | tail -1 | awk '{print $1 + $2}')")
        server=$(per_request "$(awk -v t=$(($(nginx_ticks) - before)) -v hz="$hz" 'BEGIN {print t / hz}')")
        echo "round $round $name $out cpu_us_per_req=$process nginx_us_per_req=$server"
        cpu[$name]+="$process "
        ngx[$name]+="$server "
        rps[$name]+="$(echo "$out" | field req_per_s) "
        p99[$name]+="$(echo "$out" | field p99_ms) "
        rss[$name]+="$(echo "$out" | field rss_mb) "
    done
    echo "round $round wrk $w req/s"
done
c=$(echo ${rps[c]} | tr ' ' '\n' | median)
echo
row() { printf '%-34s %10s %8s %8s %8s %12s %12s\n' "$@"; }
row "median of $rounds" "req/s" "vs C" "p99 ms" "RSS MB" "CPU µs/req" "nginx µs/req"
row "wrk (server ceiling)" "$(echo ${rps[wrk]} | tr ' ' '\n' | median)" "-" "-" "-" "-" "-"
for name in c handoff handoff_hash plain decode; do
    r=$(echo ${rps[$name]} | tr ' ' '\n' | median)
    label=$name
    case $name in c) label="C libcurl multi loop" ;; handoff) label="C hand-off floor" ;; handoff_hash) label="C hand-off floor +hash" ;; plain) label="tributary bench fetch" ;; decode) label="tributary bench fetch --decode" ;; esac
    row "$label" "$r" "$(awk -v a="$r" -v b="$c" 'BEGIN {printf "%.2f", a/b}')" "$(echo ${p99[$name]} | tr ' ' '\n' | median)" \
        "$(echo ${rss[$name]} | tr ' ' '\n' | median)" "$(echo ${cpu[$name]} | tr ' ' '\n' | median)" "$(echo ${ngx[$name]} | tr ' ' '\n' | median)"
done
