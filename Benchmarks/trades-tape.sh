# Sourced by Benchmarks/store.sh and Benchmarks/pg-floor.sh (from the repository root, with
# `rows` set): the binary to measure, a throw-away PostgreSQL cluster, and the generated trades
# CSV with its rules. Sets bin, run (a temp dir holding tape.csv and rules.yaml), pg, host, port,
# psql, and reference_table (the keyed PostgreSQL table psql \copy loads the CSV into, the
# reference both scripts compare with); the cluster and the temp dir are removed on exit.
bin=${TRIBUTARY_BIN:-.build/release/tributary}
unset TRIBUTARY_BIN  # not a setting of the binary (it warns about unknown TRIBUTARY_ variables)
[ -x "$bin" ] || swift build -c release --product tributary
run=$(mktemp -d)
pg=$(mktemp -d /tmp/tributary-pg-bench.XXXXXX)
trap 'bash scripts/postgres-test.sh stop "$pg"; rm -rf "$run"' EXIT
url=$(bash scripts/postgres-test.sh start "$pg")
hostport=$(echo "$url" | sed -E 's|postgres://tributary@([^/]+)/.*|\1|')
host=${hostport%:*}; port=${hostport#*:}
psql="psql -q -h $host -p $port -U tributary"
python3 Benchmarks/trades_csv.py "$run/tape.csv" "$rows"
printf 'kind: trade\n' >"$run/rules.yaml"
reference_table="CREATE TABLE trades (time bigint, symbol text, price numeric, size numeric, trade_id text, side text, PRIMARY KEY (symbol, trade_id))"
