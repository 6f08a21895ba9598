#!/usr/bin/env bash
# The bus benchmark of Docs/PERFORMANCE.md: records/s from pollers into PostgreSQL, in-process
# and through NATS JetStream, in one run on this machine, with each process's CPU per record.
#   1. in-process: `tributary bench run --store postgres://…` (poll → buffer → PostgreSQL);
#   2. the bus:    1, 2 and 3 `tributary bench run --bus nats://… --series K` side by side
#                  (poll → buffer → stream, acknowledged) with one `tributary sink` storing into
#                  PostgreSQL at the same time; records/s is end to end: every acknowledged record
#                  stored, from start to the sink drained; CPU per record per process, and
#                  PostgreSQL's (the commit stage) from its processes.
# Both stores are then checked: the same number of rows, no duplicates.
# Usage: Benchmarks/cluster.sh [SECONDS] [JOBS] [EVENTS_PER_MESSAGE]   (TRIBUTARY_BIN overrides the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
jobs=${2:-4}
events=${3:-100}
bin=${TRIBUTARY_BIN:-.build/release/tributary}
unset TRIBUTARY_BIN  # not a setting of the binary (it warns about unknown TRIBUTARY_ variables)
[ -x "$bin" ] || swift build -c release --product tributary
command -v nats-server >/dev/null || { echo "cluster.sh: needs nats-server (apt-get install nats-server)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "cluster.sh: needs /usr/bin/time for CPU figures (apt-get install time)" >&2; exit 1; }
command -v psql >/dev/null || { echo "cluster.sh: needs psql (apt-get install postgresql-client)" >&2; exit 1; }
work=$(mktemp -d)
pg=$(mktemp -d /tmp/tributary-pg-bench.XXXXXX)
nats_pid=""
sink_pid=""
cleanup() {
    [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
    [ -n "$nats_pid" ] && kill "$nats_pid" 2>/dev/null && wait "$nats_pid" 2>/dev/null || true
    bash scripts/postgres-test.sh stop "$pg"
    rm -rf "$work"
}
trap cleanup EXIT
url=$(bash scripts/postgres-test.sh start "$pg")
hostport=$(echo "$url" | sed -E 's|postgres://tributary@([^/]+)/.*|\1|')
host=${hostport%:*}; port=${hostport#*:}
psql="psql -q -h $host -p $port -U tributary"
$psql -d postgres -c "CREATE DATABASE inprocess"
nats_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
store() { echo "postgres://tributary@$hostport/$1?sslmode=disable"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime, in clock ticks
# PostgreSQL's CPU (the commit stage): the postmaster's own and its exited children's, plus each
# live backend's, in clock ticks. The stat's second field has no spaces here ("(postgres)").
pg_cpu() {
    local master total
    master=$(head -n 1 "$pg/data/postmaster.pid")
    total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$master/stat")
    for child in $(pgrep -P "$master"); do total=$((total + $(cpu "$child" 2>/dev/null || echo 0))); done
    echo "$total"
}
# A backend's CPU moves to the postmaster's children's time only once it has exited and been
# reaped; read between the two it would be missed. Waits (≤ 5 s) until no more backends run than $1.
pg_settle() {
    local master
    master=$(head -n 1 "$pg/data/postmaster.pid")
    for _ in $(seq 50); do [ "$(pgrep -c -P "$master")" -le "$1" ] && return; sleep 0.1; done
}
pg_children() { pgrep -c -P "$(head -n 1 "$pg/data/postmaster.pid")"; }
ticks=$(getconf CLK_TCK)
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
echo "# $(date -u +%FT%TZ) $(nproc) cores; $jobs poll jobs every 100 ms, 1000 new bars each, for $seconds s; bus messages of up to $events events"

# 1. In-process.
pg_cpu0=$(pg_cpu); pg_idle=$(pg_children)
start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$work/time1" "$bin" bench run --seconds "$seconds" --jobs "$jobs" --store "$(store inprocess)" >"$work/inprocess.json"
end=$(date +%s.%N)
pg_settle "$pg_idle"
pg1=$(( $(pg_cpu) - pg_cpu0 ))
stored1=$(field "$(cat "$work/inprocess.json")" records_stored)
cpu1=$(awk '{ print $1 + $2 }' "$work/time1")
rows1=$($psql -d inprocess -At -c "SELECT count(*) FROM bars")
echo "in-process: $(cat "$work/inprocess.json")"
rate1=$(python3 -c "print(round($stored1 / ($end - $start)))")
python3 -c "s=$stored1; t=$end-$start; c=$cpu1; pg=$pg1/$ticks; print(f'in-process: {s} records in {t:.2f} s = {s/t:.0f} records/s end to end; CPU µs/record: poll+publish+consume (run) {c*1e6/max(s,1):.1f}, commit (PostgreSQL) {pg*1e6/max(s,1):.1f}; {$rows1} rows')"

# 2. Through the bus with 1, 2 and 3 publishing instances (`bench run --bus --series K`: each its
#    own upstream and bars, so no record is shared), one sink storing meanwhile; a fresh stream
#    (nats-server data directory) and database for each.
bus_phase() {
    local n=$1
    [ -n "$nats_pid" ] && { kill "$nats_pid"; wait "$nats_pid" 2>/dev/null || true; }
    nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$work/js$n" -l "$work/nats$n.log" &
    nats_pid=$!
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$nats_port") 2>/dev/null && break; sleep 0.1; done
    $psql -d postgres -c "CREATE DATABASE bus$n"
    local sink_port
    sink_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    "$bin" sink --bus "nats://127.0.0.1:$nats_port" --store "$(store bus$n)" --port "$sink_port" --batch 2000 >"$work/sink$n.out" 2>"$work/sink$n.err" &
    sink_pid=$!
    for _ in $(seq 300); do curl -fsS "127.0.0.1:$sink_port/health" >/dev/null 2>&1 && break; sleep 0.1; done
    local nats_cpu0 sink_cpu0 start end pids=()
    local pg_cpu0
    nats_cpu0=$(cpu "$nats_pid"); sink_cpu0=$(cpu "$sink_pid"); pg_cpu0=$(pg_cpu)
    start=$(date +%s.%N)
    for k in $(seq 0 $((n - 1))); do
        /usr/bin/time -f "%U %S" -o "$work/time-$n-$k" "$bin" bench run --seconds "$seconds" --jobs "$jobs" --series "$k" --events-per-message "$events" \
            --bus "nats://127.0.0.1:$nats_port" --store "$work/unused-$n-$k.sqlite" >"$work/bus-$n-$k.json" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    local published=0 pub_cpu=0
    for k in $(seq 0 $((n - 1))); do
        published=$((published + $(field "$(cat "$work/bus-$n-$k.json")" records_stored)))
        pub_cpu=$(python3 -c "print($pub_cpu + $(awk '{ print $1 + $2 }' "$work/time-$n-$k"))")
    done
    # Until the sink has every acknowledged message: nothing pending, nothing unacknowledged.
    for _ in $(seq 6000); do
        metrics=$(curl -fsS "127.0.0.1:$sink_port/metrics" || true)
        drained=$(echo "$metrics" | awk '$1 == "ingestion_bus_lag_messages" || $1 == "ingestion_bus_pending_acks" { n++; if ($2 + 0 == 0) z++ } END { print (n == 2 && z == 2) ? "yes" : "no" }')
        [ "$drained" = "yes" ] && break
        sleep 0.05
    done
    end=$(date +%s.%N)
    local nats_cpu sink_cpu rows
    local pg_used
    nats_cpu=$(( $(cpu "$nats_pid") - nats_cpu0 )); sink_cpu=$(( $(cpu "$sink_pid") - sink_cpu0 )); pg_used=$(( $(pg_cpu) - pg_cpu0 ))
    kill -TERM "$sink_pid"; wait "$sink_pid" || true; sink_pid=""
    rows=$($psql -d "bus$n" -At -c "SELECT count(*) FROM bars")
    tail -1 "$work/sink$n.out"
    python3 - <<PY
published, t = $published, $end - $start
pub, sink, nats, pg = $pub_cpu, $sink_cpu / $ticks, $nats_cpu / $ticks, $pg_used / $ticks
rate = published / t
print(f"bus, $n instance(s): {published} records in {t:.2f} s = {rate:.0f} records/s end to end (published and stored); {$rows} rows; {rate / $rate1:.2f}x the in-process path")
per = lambda c: c * 1e6 / max(published, 1)
print(f"bus, $n instance(s), CPU µs/record: poll+publish (run) {per(pub):.1f}, bus (nats-server) {per(nats):.1f}, consume (sink) {per(sink):.1f}, commit (PostgreSQL) {per(pg):.1f}")
PY
    [ "$rows" -eq "$published" ] || { echo "cluster.sh: $n instance(s): the store has $rows rows for $published acknowledged records" >&2; exit 1; }
}
for n in 1 2 3; do bus_phase "$n"; done
