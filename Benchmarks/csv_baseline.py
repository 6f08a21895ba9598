#!/usr/bin/env python3
"""The reference for `tributary import`'s speed: Python's csv module (C) reading the same file,
each row split into fields and nothing else — no types, no records, no hashing, no store.

Usage: python3 Benchmarks/csv_baseline.py FILE
"""
import csv, json, os, sys, time

path = sys.argv[1]
began = time.perf_counter()
rows = 0
with open(path, newline="") as f:
    for _ in csv.reader(f):
        rows += 1
elapsed = time.perf_counter() - began
size = os.path.getsize(path)
print(json.dumps({"rows": rows, "seconds": round(elapsed, 3), "mb_per_s": round(size / 1048576 / elapsed, 1)}))
