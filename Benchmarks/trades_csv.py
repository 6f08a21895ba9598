"""The benchmarks' generated trades CSV: ROWS rows of ~48 bytes (time, symbol, price, size, trade_id, side).

Usage: python3 Benchmarks/trades_csv.py PATH ROWS
"""
import sys

path, rows = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("time,symbol,price,size,trade_id,side\n")
    for i in range(rows):
        f.write(f"{1700000000000+i},BTC-USD,{95000+i%1000}.{i%100:02d},0.{i%997+1:03d},{i},{'buy' if i%2 else 'sell'}\n")
