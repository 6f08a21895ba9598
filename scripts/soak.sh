#!/usr/bin/env bash
# make soak MINUTES=30: the soak of scripts/soak.py against the release binary (built when
# missing), with matplotlib in .venv-soak for the plot. Results in soak-results/ (or $SOAK_OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
out=${SOAK_OUT:-soak-results}
bin=${TRIBUTARY_BIN:-.build/release/tributary}
[ -x "$bin" ] || swift build -c release --product tributary
venv=.venv-soak
extra=()
if [ "${SOAK_SHORT:-0}" = 1 ]; then
  # CI's short run: no plot (no PyPI download); the RSS slope reported, not gated (two minutes
  # are mostly warm-up).
  venv=/nonexistent
  extra=(--no-rss-gate)
elif [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
  echo "soak: installing matplotlib from PyPI into $venv (for soak.png)"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q matplotlib || echo "soak: no matplotlib; the soak runs without its plot"
fi
python=$venv/bin/python
[ -x "$python" ] || python=python3
exec "$python" scripts/soak.py --minutes "$minutes" --binary "$bin" --out "$out" "${extra[@]}"
