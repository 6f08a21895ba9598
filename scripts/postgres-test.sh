#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests, on a free loopback port, run as the unprivileged
# `postgres` user (initdb refuses root): `start DIR` prints the URL the tests use, `halt DIR` and
# `resume DIR` stop and restart the server on the same data and port (outage tests), `stop DIR`
# stops that cluster (by the PID pg_ctl recorded) and removes DIR.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "postgres-test: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
start)
    mkdir -p "$dir/data" "$dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    as_postgres "$bin/initdb" -D "$dir/data" -U tributary --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://tributary@127.0.0.1:$port/postgres?sslmode=disable" >"$dir/url"
    cat "$dir/url"
    ;;
halt)
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    ;;
resume)
    port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$dir/url")
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || kill "$(head -n 1 "$dir/data/postmaster.pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
*) echo "usage: $0 start|halt|resume|stop DIR" >&2; exit 2 ;;
esac
