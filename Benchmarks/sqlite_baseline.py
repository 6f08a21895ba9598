#!/usr/bin/env python3
"""The ceiling `tributary bench run` is measured against: Python's sqlite3 (C) doing only the
store's part — the same upsert statement, table and indexes, WAL, batches of 2,000 rows in one
transaction — on pre-built rows of the same size as Tributary's JSON lines. No HTTP, no decode,
no hashing: what is left when everything but SQLite is free.

Usage: python3 Benchmarks/sqlite_baseline.py [ROWS] [PATH]
"""
import json, os, sqlite3, sys, time

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
path = sys.argv[2] if len(sys.argv) > 2 else "/tmp/tributary-sqlite-baseline.sqlite"
for suffix in ("", "-wal", "-shm"):
    try: os.remove(path + suffix)
    except FileNotFoundError: pass
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("""CREATE TABLE records (id INTEGER PRIMARY KEY, source TEXT NOT NULL, kind TEXT NOT NULL, symbol TEXT NOT NULL,
    natural_key TEXT NOT NULL, endpoint TEXT NOT NULL, content_hash TEXT NOT NULL, record_json TEXT NOT NULL,
    observed_at TEXT NOT NULL, ingested_at TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1, as_of TEXT,
    UNIQUE (source, kind, symbol, natural_key))""")
db.execute("CREATE INDEX records_symbol ON records (symbol, kind, observed_at)")
db.execute("CREATE INDEX records_latest ON records (symbol, kind, source, as_of)")
sql = """INSERT INTO records (source, kind, symbol, natural_key, endpoint, content_hash, record_json, observed_at, ingested_at, as_of)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (source, kind, symbol, natural_key) DO UPDATE SET content_hash = excluded.content_hash, record_json = excluded.record_json,
    revision = records.revision + 1 WHERE records.content_hash != excluded.content_hash RETURNING revision"""
line = json.dumps({"kind": "bar", "pad": "x" * 880})
def row(i):
    start = "2017-07-14T02:%02d:%02d.000Z" % (i // 60 % 60, i % 60) + str(i)
    return ("binance", "bar", "BTC-USDT", "1m@" + start, "klines", "sha256:%064x" % i, line, start, start, start)
prepared = [row(i) for i in range(rows)]
began = time.perf_counter()
for offset in range(0, rows, 2000):
    db.execute("BEGIN")
    for r in prepared[offset:offset + 2000]:
        db.execute(sql, r).fetchall()
    db.execute("COMMIT")
elapsed = time.perf_counter() - began
print(json.dumps({"rows": rows, "seconds": round(elapsed, 3), "rows_per_s": round(rows / elapsed)}))
