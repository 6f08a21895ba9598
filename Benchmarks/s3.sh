#!/usr/bin/env bash
# The bucket import benchmark of Docs/PERFORMANCE.md (issue #14), all in one run on this machine:
# the generated trades CSV (ROWS rows, ~48 bytes each) put into a local S3-compatible server
# (moto_server from .venv-s3), then
#   aws s3 cp of the object to disk (awscli: the reference for just moving the bytes),
#   tributary import of the same file from disk and
#   tributary import s3://bench/tape/ (list, ranged GETs into the spool, then the same import),
#   three times each, alternating (the medians are compared),
# and the chunker alone on DOCS_MB of generated markdown (`tributary bench chunk`).
# Usage: Benchmarks/s3.sh [ROWS] [DOCS_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
docs_mb=${2:-40}
bin=.build/release/tributary
[ -x "$bin" ] || swift build -c release --product tributary
make -s deps-s3
venv=.venv-s3
[ -x "$venv/bin/aws" ] || "$venv/bin/pip" install -q awscli
run=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$run/moto.log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null; wait "$moto" 2>/dev/null; rm -rf "$run"' EXIT
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
endpoint="http://127.0.0.1:$port"
for _ in $(seq 150); do curl -fs "$endpoint" >/dev/null 2>&1 && break; sleep 0.2; done
aws=("$venv/bin/aws" --endpoint-url "$endpoint")
seconds() { python3 -c "import time; print(f'{time.time() - $1:.2f}')"; }

python3 Benchmarks/trades_csv.py "$run/tape.csv" "$rows"
printf 'kind: trade\n' >"$run/rules.yaml"
"${aws[@]}" s3 mb s3://bench >/dev/null
"${aws[@]}" s3 cp "$run/tape.csv" s3://bench/tape/tape.csv >/dev/null
bytes=$(wc -c <"$run/tape.csv")
echo "# $(date -u +%FT%TZ) $(nproc) cores; $bytes bytes, $rows rows; moto $("$venv/bin/pip" show moto | sed -n 's/^Version: //p'), $("$venv/bin/aws" --version 2>&1 | cut -d' ' -f1)"

start=$(date +%s.%N)
"${aws[@]}" s3 cp s3://bench/tape/tape.csv "$run/copy.csv" >/dev/null
echo "aws s3 cp (download only): $(seconds "$start") s"
rm -f "$run/copy.csv"

# The import's own time varies by ±10 % from run to run on a shared 2-core VM, so each import
# runs three times, alternating, each into a new store, and the medians are compared.
file_times=()
s3_times=()
for attempt in 1 2 3; do
  rm -f "$run"/file.sqlite* "$run"/s3.sqlite*
  start=$(date +%s.%N)
  "$bin" import "$run/tape.csv" --source tape --rules "$run/rules.yaml" --store "$run/file.sqlite" | tail -1
  file_times+=("$(seconds "$start")")
  echo "tributary import FILE (run $attempt): ${file_times[-1]} s"
  start=$(date +%s.%N)
  "$bin" import s3://bench/tape/ --endpoint-url "$endpoint" --source tape --rules "$run/rules.yaml" --store "$run/s3.sqlite" --spool-dir "$run" | tail -2
  s3_times+=("$(seconds "$start")")
  echo "tributary import s3:// (run $attempt): ${s3_times[-1]} s"
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
file_s=$(median "${file_times[@]}")
s3_s=$(median "${s3_times[@]}")
echo "medians: FILE $file_s s, s3:// $s3_s s ($(python3 -c "print(f'{$file_s / $s3_s:.2f}')")x the file import)"

python3 Benchmarks/text_docs.py "$run/docs" 8 "$(python3 -c "print($docs_mb / 8)")"
echo "tributary bench chunk ($docs_mb MB of markdown, default size/overlap): $("$bin" bench chunk "$run"/docs/*.md)"
