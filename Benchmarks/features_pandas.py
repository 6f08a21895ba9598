"""The pandas reference for `tributary bench features`: the same trades into the same bars.

Reads the CSV `tributary bench features --csv` wrote (time_ns,symbol,price,size), then times
only the aggregation — per symbol and window: open, high, low, close (`ohlc()`), volume, trade
count and VWAP — once on float64 (inexact) and once on Python `Decimal` (exact, as Tributary is).
Prints one JSON object.

Usage: python Benchmarks/features_pandas.py TRADES.csv 1s,5s,1m [--no-decimal]
"""
import json
import sys
import time
from decimal import Decimal

import pandas as pd

path, windows = sys.argv[1], sys.argv[2].split(",")
decimal = "--no-decimal" not in sys.argv
frequency = {"s": "s", "m": "min", "h": "h"}


def freq(window):
    return window[:-1] + frequency[window[-1]]


trades = pd.read_csv(path, dtype={"symbol": "category", "price": "float64", "size": "float64"})
trades.index = pd.to_datetime(trades.pop("time_ns"), unit="ns")


def bars_float(frame):
    rows = 0
    for window in windows:
        groups = frame.groupby(["symbol", pd.Grouper(freq=freq(window))], observed=True)
        ohlc = groups["price"].ohlc()
        volume = groups["size"].sum()
        count = groups["size"].count()
        vwap = (frame["price"] * frame["size"]).groupby([frame["symbol"], pd.Grouper(freq=freq(window))], observed=True).sum() / volume
        rows += len(ohlc.join(volume).join(count.rename("count")).join(vwap.rename("vwap")))
    return rows


def bars_decimal(frame):
    rows = 0
    for window in windows:
        groups = frame.groupby(["symbol", pd.Grouper(freq=freq(window))], observed=True)
        ohlc = groups["price"].agg(["first", "max", "min", "last"])
        volume = groups["size"].agg(lambda sizes: sum(sizes, Decimal(0)))
        count = groups["size"].count()
        notional = (frame["price"] * frame["size"]).groupby([frame["symbol"], pd.Grouper(freq=freq(window))], observed=True).agg(
            lambda values: sum(values, Decimal(0)))
        vwap = notional / volume
        rows += len(ohlc.join(volume).join(count.rename("count")).join(vwap.rename("vwap")))
    return rows


result = {"trades": len(trades), "windows": ",".join(windows), "pandas": pd.__version__}
start = time.perf_counter()
result["float_rows"] = bars_float(trades)
seconds = time.perf_counter() - start
result["float_seconds"] = round(seconds, 3)
result["float_trades_per_second"] = int(len(trades) / seconds)
if decimal:
    exact = trades.copy()
    exact["price"] = [Decimal(repr(value)) for value in exact["price"]]
    exact["size"] = [Decimal(repr(value)) for value in exact["size"]]
    start = time.perf_counter()
    result["decimal_rows"] = bars_decimal(exact)
    seconds = time.perf_counter() - start
    result["decimal_seconds"] = round(seconds, 3)
    result["decimal_trades_per_second"] = int(len(trades) / seconds)
print(json.dumps(result))
