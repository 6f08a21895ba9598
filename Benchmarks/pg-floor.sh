#!/usr/bin/env bash
# What PostgreSQL itself needs to load Tributary's trades, by table shape and COPY format — the
# floor under issue #11's "CSV → PostgreSQL ≥ 0.8× psql \copy" (Docs/PERFORMANCE.md).
#
# One throw-away cluster. The reference CSV is loaded by psql \copy into the keyed reference table
# (as Benchmarks/store.sh does); Tributary imports the same CSV; its stored rows are then copied
# out (text and binary) and loaded by psql alone, no Tributary process running, into empty copies
# of its trades table: with every index, without the "latest per source" index, without the BRIN
# index, with the primary key only, and with no index at all. The reference's own rows are loaded
# in binary as well, so each format is compared with its own kind.
# Usage: Benchmarks/pg-floor.sh [ROWS]   (TRIBUTARY_BIN overrides the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
source Benchmarks/trades-tape.sh
# Seconds a command takes, its output discarded.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null || { echo "pg-floor.sh: failed: $*" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}
echo "# $(date -u +%FT%TZ) $(nproc) cores; $(wc -c <"$run/tape.csv") bytes, $rows rows"

$psql -d postgres -c "CREATE DATABASE ref" -c "CREATE DATABASE tributary_floor"
$psql -d ref -c "$reference_table"
reference=$(timed $psql -d ref -c "\\copy trades FROM '$run/tape.csv' WITH (FORMAT csv, HEADER true)")
echo "psql \\copy (reference, keyed, CSV): $reference s"
$psql -d ref -c "\\copy trades TO '$run/ref.bin' WITH (FORMAT binary)" \
  -c "CREATE TABLE again (LIKE trades INCLUDING ALL)" -c "VACUUM ANALYZE trades" -c "CHECKPOINT"
echo "psql \\copy (reference, keyed, binary): $(timed $psql -d ref -c "\\copy again FROM '$run/ref.bin' WITH (FORMAT binary)") s"

tributary=$(timed "$bin" import "$run/tape.csv" --source tape --rules "$run/rules.yaml" --store "postgres://tributary@$host:$port/tributary_floor?sslmode=disable")
echo "tributary import → PostgreSQL: $tributary s ($(python3 -c "print(f'{$reference / $tributary:.2f}')")× the reference)"
$psql -d tributary_floor -c "\\copy trades TO '$run/rows.text'" -c "\\copy trades TO '$run/rows.binary' WITH (FORMAT binary)" -c "CHECKPOINT"

for shape in "every index" "no latest index" "no BRIN index" "primary key only" "no index"; do
  for format in text binary; do
    $psql -d tributary_floor -c "DROP TABLE IF EXISTS floor" -c "CREATE TABLE floor (LIKE trades INCLUDING ALL)"
    case $shape in
      "no latest index") $psql -d tributary_floor -c "DROP INDEX floor_symbol_source_key_time_idx" ;;
      "no BRIN index") $psql -d tributary_floor -c "DROP INDEX floor_time_idx" ;;
      "primary key only") $psql -d tributary_floor -c "DROP INDEX floor_symbol_source_key_time_idx" -c "DROP INDEX floor_time_idx" ;;
      "no index") $psql -d tributary_floor -c "DROP INDEX floor_symbol_source_key_time_idx" -c "DROP INDEX floor_time_idx" -c "ALTER TABLE floor DROP CONSTRAINT floor_pkey" ;;
    esac
    $psql -d tributary_floor -c "CHECKPOINT"
    if [ "$format" = text ]; then options=""; else options=" WITH (FORMAT binary)"; fi
    seconds=$(timed $psql -d tributary_floor -c "\\copy floor FROM '$run/rows.$format'$options")
    echo "server floor, $shape, $format: $seconds s ($(python3 -c "print(f'{$reference / $seconds:.2f}')")× the reference)"
  done
done
