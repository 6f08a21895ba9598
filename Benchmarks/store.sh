#!/usr/bin/env bash
# The store benchmark of Docs/PERFORMANCE.md, references and Tributary on the same file in one run:
# a generated trades CSV (ROWS rows, ~48 bytes each, as Benchmarks/import.sh makes it) loaded by
#   - the sqlite3 shell's .import into an equivalent keyed WITHOUT ROWID table,
#   - psql \copy into an equivalent keyed PostgreSQL table (on a throw-away cluster),
#   - tributary import into SQLite and into PostgreSQL (types, rules, hash, dedup, provenance),
# with the time each took and the bytes each left on disk.
# Usage: Benchmarks/store.sh [ROWS] [ROUNDS]   (TRIBUTARY_BIN overrides the binary; the SQLite pair runs ROUNDS times, 3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
rounds=${2:-3}
command -v sqlite3 >/dev/null || { echo "store.sh: needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }
source Benchmarks/trades-tape.sh
bytes=$(wc -c <"$run/tape.csv")
seconds() { python3 -c "print(round($2-$1, 2))"; }
mbps() { python3 -c "print(round($bytes/1e6/($2-$1), 1))"; }
echo "# $(date -u +%FT%TZ) $(nproc) cores; $bytes bytes, $rows rows"

# SQLite first, before the PostgreSQL cluster has loaded anything (its autovacuum and checkpoints
# after a load would run beside these), the reference and Tributary alternated ROUNDS times.
for round in $(seq 1 "$rounds"); do
  rm -f "$run"/ref.sqlite* "$run"/t.sqlite*
  start=$(date +%s.%N)
  sqlite3 "$run/ref.sqlite" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
CREATE TABLE trades (time INTEGER, symbol TEXT, price TEXT, size TEXT, trade_id TEXT, side TEXT, PRIMARY KEY (symbol, trade_id)) WITHOUT ROWID;
.mode csv
.import --skip 1 $run/tape.csv trades
SQL
  end=$(date +%s.%N)
  sqlite3 "$run/ref.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  echo "sqlite3 .import (keyed WITHOUT ROWID, round $round): $(seconds $start $end) s, $(mbps $start $end) MB/s, $(du -b "$run/ref.sqlite" | cut -f1) bytes"

  start=$(date +%s.%N)
  "$bin" import "$run/tape.csv" --source tape --rules "$run/rules.yaml" --store "$run/t.sqlite" | tail -1
  end=$(date +%s.%N)
  sqlite3 "$run/t.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  echo "tributary import → SQLite (round $round): $(seconds $start $end) s, $(mbps $start $end) MB/s, $(du -b "$run/t.sqlite" | cut -f1) bytes ($(python3 -c "print(round($(du -b "$run/t.sqlite" | cut -f1)/$bytes, 2))")× the CSV)"
done

$psql -d postgres -c "CREATE DATABASE ref" -c "CREATE DATABASE tributary_bench"
$psql -d ref -c "$reference_table"
start=$(date +%s.%N)
$psql -d ref -c "\\copy trades FROM '$run/tape.csv' WITH (FORMAT csv, HEADER true)"
end=$(date +%s.%N)
# Settled before the next load (autovacuum would otherwise analyze these rows beside it).
$psql -d ref -c "VACUUM ANALYZE trades" -c "CHECKPOINT"
echo "psql \\copy (keyed): $(seconds $start $end) s, $(mbps $start $end) MB/s, $($psql -d ref -At -c "SELECT pg_database_size('ref')") bytes (database)"

start=$(date +%s.%N)
"$bin" import "$run/tape.csv" --source tape --rules "$run/rules.yaml" --store "postgres://tributary@$host:$port/tributary_bench?sslmode=disable" | tail -1
end=$(date +%s.%N)
echo "tributary import → PostgreSQL: $(seconds $start $end) s, $(mbps $start $end) MB/s, $($psql -d tributary_bench -At -c "SELECT pg_database_size('tributary_bench')") bytes (database)"

# The server's own share: Tributary's stored rows copied out and loaded by psql \copy into an empty
# copy of Tributary's trades table (same columns, key and indexes), no Tributary process involved.
# Tributary's PostgreSQL import can be no faster than this; beside the reference it says how far
# the table's shape alone puts 0.8× \copy.
$psql -d tributary_bench -c "\\copy trades TO '$run/rows.copy'" -c "CREATE TABLE trades_floor (LIKE trades INCLUDING ALL)" -c "CHECKPOINT"
start=$(date +%s.%N)
$psql -d tributary_bench -c "\\copy trades_floor FROM '$run/rows.copy'"
end=$(date +%s.%N)
echo "psql \\copy of Tributary's rows into its trades table (server floor): $(seconds $start $end) s"
