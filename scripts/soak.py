#!/usr/bin/env python3
"""The soak of issue #10: `tributary run --demo` with every demo source polled against the mock
market with ~5 % injected faults, a steady push load at ~70 % of the capacity measured at the
start, a Jepsen-style check of the pushes, and a sampler of the server's RSS and open fds.

    scripts/soak.py --minutes 30 --binary .build/release/tributary --out soak-results

Phases: (1) capacity — CAPACITY_SECONDS of NDJSON batches of BATCH durable pushes
(`?ack=durable`: 200 only once committed) from SENDERS connections as fast as the server
answers; capacity = events acknowledged per second. (2) steady — the rest of the time at 70 % of
it, paced by a token bucket. Then SIGTERM (a graceful stop drains the buffer), and the store is
exported and checked against what the server said:

  acknowledged (200) and stored once ........ ok
  acknowledged and not stored ............... LOST
  stored more than once ..................... DUPLICATED
  refused (429/503) or never sent, stored ... UNEXPECTED
  no answer (timeout, reset), stored or not . indeterminate (either is correct)

Pass: lost = duplicated = unexpected = 0, RSS slope after the warm-up < 1 MB per 10 minutes
(a least-squares line through the samples), open fds flat (the last sample within 16 of the
warm-up's median). Writes samples.csv, summary.json and, when matplotlib is importable, soak.png
into --out. Exits 0 on pass, 1 on fail, 2 when the server could not be started. Every process it
starts is stopped by PID on every way out; time is bounded by --minutes plus the drain and check.
"""

import argparse
import csv
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

SENDERS = 16
BATCH = 100
SOURCES = ["alphavantage", "binance", "coinbase", "coingecko", "finnhub", "fmp", "fred", "kraken", "newsapi", "polygon", "tiingo", "twelvedata", "yahoo"]

# Per-event state in one byte each (a 30-minute soak pushes tens of millions of events).
UNSENT, ACKED, REFUSED, UNKNOWN, REJECTED = 0, 1, 2, 3, 4


class Ledger:
    """What the server said about each event sequence number, and the count of each answer."""

    def __init__(self, capacity):
        self.state = bytearray(capacity)
        self.lock = threading.Lock()
        self.next_seq = 0
        self.counts = {"acked": 0, "refused": 0, "unknown": 0, "rejected": 0}

    def take(self, count):
        with self.lock:
            if self.next_seq + count > len(self.state):
                self.state.extend(bytearray(max(count, len(self.state))))
            start = self.next_seq
            self.next_seq += count
            return start

    def settle(self, start, count, outcome):
        name = {ACKED: "acked", REFUSED: "refused", UNKNOWN: "unknown", REJECTED: "rejected"}[outcome]
        with self.lock:
            self.state[start:start + count] = bytes([outcome]) * count
            self.counts[name] += count


class TokenBucket:
    """Events allowed per second (None: unlimited), shared by the sender threads."""

    def __init__(self):
        self.rate = None
        self.tokens = 0.0
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def set_rate(self, rate):
        with self.lock:
            self.rate = rate
            self.tokens = 0.0
            self.last = time.monotonic()

    def wait(self, count, stop):
        while not stop.is_set():
            with self.lock:
                if self.rate is None:
                    return True
                now = time.monotonic()
                self.tokens = min(self.tokens + (now - self.last) * self.rate, max(count, self.rate))
                self.last = now
                if self.tokens >= count:
                    self.tokens -= count
                    return True
                delay = (count - self.tokens) / self.rate
            time.sleep(min(delay, 0.05))
        return False


def sender(host, port, ledger, bucket, stop, prefix):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    while not stop.is_set():
        if not bucket.wait(BATCH, stop):
            break
        start = ledger.take(BATCH)
        body = "\n".join(
            '{"kind":"trade","symbol":"SOAK-USD","trade_id":"%s%d","time":1700000000123,"price":"95000.10","size":"0.5","side":"buy"}' % (prefix, seq)
            for seq in range(start, start + BATCH)).encode()
        try:
            connection.request("POST", "/ingest/demo-push?ack=durable", body, {"Content-Type": "application/x-ndjson"})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                ledger.settle(start, BATCH, ACKED)
            elif response.status in (429, 503):
                ledger.settle(start, BATCH, REFUSED)
                retry = response.getheader("Retry-After")
                time.sleep(min(float(retry), 1.0) if retry and retry.replace(".", "", 1).isdigit() else 0.05)
            else:
                ledger.settle(start, BATCH, REJECTED)
                print(f"soak: unexpected answer {response.status} to a push", file=sys.stderr)
        except (OSError, http.client.HTTPException):
            ledger.settle(start, BATCH, UNKNOWN)
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            time.sleep(0.1)
    connection.close()


def sample(pid):
    """(RSS in MB, open fds) of a running process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def slope_per_10_minutes(points):
    """Least-squares slope of (seconds, value) points, per 600 seconds."""
    if len(points) < 3:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return 0.0 if var == 0 else sum((t - mean_t) * (v - mean_v) for t, v in points) / var * 600


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--binary", default=".build/release/tributary")
    parser.add_argument("--out", default="soak-results")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of warm-up left out of the slopes (default: a sixth of the run, at most 5 minutes)")
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--load", type=float, default=0.7, help="the steady push load as a fraction of the measured capacity (0: no pushes)")
    parser.add_argument("--run-arg", action="append", default=[], help="an extra argument for `tributary run` (repeatable), e.g. --run-arg=--only --run-arg=demo-push")
    parser.add_argument(
        "--no-rss-gate", action="store_true",
        help="report the RSS slope without failing on it (CI's 2-minute run: that short, a cache still filling looks like a leak)")
    args = parser.parse_args()
    total = args.minutes * 60
    warmup = args.warmup if args.warmup is not None else min(300.0, total / 6)
    capacity_seconds = min(30.0, max(10.0, total / 12))
    interval = 5.0 if total >= 600 else 2.0
    os.makedirs(args.out, exist_ok=True)
    work = os.path.abspath(os.path.join(args.out, "work"))
    os.makedirs(work, exist_ok=True)
    store = os.path.join(work, "soak.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)

    log = open(os.path.join(args.out, "run.log"), "w")
    server = subprocess.Popen(
        [args.binary, "run", "--demo", "--port", "0", "--store", store, "--summary-every", "60", "--log-level", "warning"] + args.run_arg,
        stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1)
    lines = []

    def read_stdout():
        for line in server.stdout:
            lines.append(line)
            log.write(line)

    threading.Thread(target=read_stdout, daemon=True).start()
    stop = threading.Event()
    threads = []
    try:
        base = mock = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None and not (base and mock):
            for line in list(lines):
                if found := re.match(r"status: (http://127\.0\.0\.1:\d+)/", line):
                    base = found.group(1)
                if found := re.match(r"demo: mock market at (http://\S+)", line):
                    mock = found.group(1).rstrip("/")
            time.sleep(0.1)
        if not (base and mock):
            print(f"soak: the server did not start (see {args.out}/run.log)", file=sys.stderr)
            return 2
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(base + "/ready", timeout=5).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        # ~5 % faults on every source: 3 % server errors, 2 % throttling with a Retry-After.
        half = args.fault_rate * 0.6
        specs = "\n".join(f"{source}:5xx:rate={half:.4f}\n{source}:429:retry-after=1:rate={args.fault_rate - half:.4f}" for source in SOURCES)
        urllib.request.urlopen(urllib.request.Request(mock + "/control/faults", data=specs.encode(), method="POST"), timeout=10).read()

        host, port = base[len("http://"):].split(":")
        ledger = Ledger(1 << 20)
        bucket = TokenBucket()
        prefix = f"soak{int(time.time())}-"
        started = time.monotonic()
        senders = SENDERS if args.load > 0 else 0
        threads = [threading.Thread(target=sender, args=(host, int(port), ledger, bucket, stop, prefix), daemon=True) for _ in range(senders)]
        for thread in threads:
            thread.start()
        samples = []  # (seconds, rss MB, fds, acked events so far)
        capacity = None
        next_sample = started
        while True:
            now = time.monotonic()
            elapsed = now - started
            if elapsed >= total:
                break
            if capacity is None and elapsed >= capacity_seconds:
                capacity = ledger.counts["acked"] / elapsed
                bucket.set_rate(max(BATCH, capacity * args.load))
                print(f"soak: capacity {capacity:,.0f} events/s acknowledged; steady load {capacity * args.load:,.0f} events/s", flush=True)
            if now >= next_sample:
                rss, fds = sample(server.pid)
                samples.append((elapsed, rss, fds, ledger.counts["acked"]))
                next_sample += interval
            if server.poll() is not None:
                print("soak: the server exited during the soak", file=sys.stderr)
                break
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        crashed = server.poll() is not None
        steady_rate = (samples[-1][3] - next((s[3] for s in samples if s[0] >= capacity_seconds), 0)) / max(1.0, total - capacity_seconds) if samples else 0
        server.send_signal(signal.SIGTERM)
        try:
            status = server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            status = server.wait()

        # The check: every event the store holds for the push source, against the ledger, read
        # through the store's documented view (Docs/STORE.md) — tens of millions of rows stream
        # from SQLite several times faster than through `tributary export` and a CSV parser.
        stored = bytearray(len(ledger.state))
        foreign = 0
        database = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        for (trade,) in database.execute("SELECT trade_id FROM trades_view WHERE source = 'demo-push'"):
            number = trade[len(prefix):] if trade.startswith(prefix) else ""
            if not number.isdigit() or int(number) >= len(stored):
                foreign += 1
                continue
            seq = int(number)
            stored[seq] = min(255, stored[seq] + 1)
        database.close()
        lost = duplicated = unexpected = indeterminate_stored = 0
        for seq in range(ledger.next_seq):
            said, count = ledger.state[seq], stored[seq]
            if count > 1:
                duplicated += 1
            if said == ACKED and count == 0:
                lost += 1
            elif said in (REFUSED, REJECTED, UNSENT) and count > 0:
                unexpected += 1
            elif said == UNKNOWN and count > 0:
                indeterminate_stored += 1
        unexpected += foreign

        after = [(t, rss, fds) for t, rss, fds, _ in samples if t >= warmup]
        rss_slope = slope_per_10_minutes([(t, rss) for t, rss, _ in after])
        fds_after = sorted(fds for _, _, fds in after) or [0]
        fd_median = fds_after[len(fds_after) // 2]
        fd_last = after[-1][2] if after else 0
        checks = {
            "lost == 0": lost == 0,
            "duplicated == 0": duplicated == 0,
            "unexpected == 0": unexpected == 0,
            "RSS slope < 1 MB / 10 min": rss_slope < 1.0 or args.no_rss_gate,
            "fds flat (last within 16 of the median)": abs(fd_last - fd_median) <= 16,
            "server ran the whole soak and stopped with 0": not crashed and status == 0,
        }
        summary = {
            "minutes": args.minutes, "warmup_seconds": warmup, "capacity_events_per_s": round(capacity or 0),
            "steady_events_per_s": round(steady_rate), "pushed_events": ledger.next_seq, "answers": ledger.counts,
            "lost": lost, "duplicated": duplicated, "unexpected": unexpected, "indeterminate_stored": indeterminate_stored,
            "rss_mb_first_after_warmup": round(after[0][1], 1) if after else None, "rss_mb_last": round(samples[-1][1], 1) if samples else None,
            "rss_mb_max": round(max(s[1] for s in samples), 1) if samples else None,
            "rss_slope_mb_per_10_min": round(rss_slope, 3), "fds_median_after_warmup": fd_median, "fds_last": fd_last,
            "fds_min_max_after_warmup": [fds_after[0], fds_after[-1]], "exit_status": status, "checks": checks,
        }
        with open(os.path.join(args.out, "samples.csv"), "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["seconds", "rss_mb", "open_fds", "acked_events"])
            writer.writerows((round(t, 1), round(rss, 1), fds, acked) for t, rss, fds, acked in samples)
        with open(os.path.join(args.out, "summary.json"), "w") as out:
            json.dump(summary, out, indent=2)
        plot(args.out, samples, warmup, summary)
        print(json.dumps(summary, indent=2))
        passed = all(checks.values())
        print("soak: " + ("PASS" if passed else "FAIL: " + ", ".join(name for name, ok in checks.items() if not ok)))
        return 0 if passed else 1
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()


def plot(directory, samples, warmup, summary):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("soak: matplotlib is not installed; no soak.png (pip install matplotlib)", file=sys.stderr)
        return
    minutes = [t / 60 for t, _, _, _ in samples]
    figure, (rss_axis, fd_axis, rate_axis) = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    rss_axis.plot(minutes, [s[1] for s in samples], color="tab:blue")
    rss_axis.set_ylabel("RSS (MB)")
    rss_axis.set_title(
        f"tributary run --demo soak: {summary['steady_events_per_s']:,} pushed events/s steady; lost {summary['lost']}, "
        f"duplicated {summary['duplicated']}, unexpected {summary['unexpected']}; RSS slope {summary['rss_slope_mb_per_10_min']} MB/10 min",
        fontsize=9)
    fd_axis.plot(minutes, [s[2] for s in samples], color="tab:green")
    fd_axis.set_ylabel("open fds")
    rates = [0.0] + [(b[3] - a[3]) / max(0.001, b[0] - a[0]) for a, b in zip(samples, samples[1:])]
    rate_axis.plot(minutes, rates, color="tab:orange")
    rate_axis.set_ylabel("acked events/s")
    rate_axis.set_xlabel("minutes")
    for axis in (rss_axis, fd_axis, rate_axis):
        axis.axvline(warmup / 60, color="grey", linestyle="--", linewidth=0.8)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(os.path.join(directory, "soak.png"), dpi=100)


if __name__ == "__main__":
    sys.exit(main())
