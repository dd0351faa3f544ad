"""The data benchmark's input: N rows (default 1,000,000), 16 numeric and 4 categorical
columns, about 5% of cells missing, seeded so every run reads the same file.

    python3 bench/data/make_data.py OUT.csv [ROWS]
"""

import sys

import numpy as np
import pandas as pd

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
rng = np.random.default_rng(7)
columns = {}
for i in range(16):
    values = rng.normal(loc=i * 10.0, scale=1.0 + i, size=rows).round(4)
    values[rng.random(rows) < 0.05] = np.nan
    columns[f"x{i}"] = values
for i, size in enumerate([3, 12, 50, 200]):
    values = np.array([f"c{i}_{k}" for k in range(size)], dtype=object)[rng.integers(0, size, rows)]
    values[rng.random(rows) < 0.05] = None
    columns[f"cat{i}"] = values
pd.DataFrame(columns).to_csv(out, index=False, na_rep="")
print(f"wrote {out}: {rows} rows, {len(columns)} columns")
