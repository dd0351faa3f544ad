"""pandas + scikit-learn on the data benchmark's CSV: load, profile, impute, one-hot,
standardize; prints a JSON report of seconds per stage and peak memory.

    python3 bench/data/pandas_sklearn.py DATA.csv
"""

import json
import resource
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

seconds = {}
start = time.perf_counter()


def lap(name):
    global start
    now = time.perf_counter()
    seconds[name] = now - start
    start = now


df = pd.read_csv(sys.argv[1])
lap("load")
numeric = df.select_dtypes("number").columns
categorical = [c for c in df.columns if c not in numeric]
# What Fornax's profile computes: describe, missing, distinct, top values, histograms, duplicates.
profile = {
    "describe": df[numeric].describe(),
    "missing": df.isna().sum(),
    "unique": df.nunique(),
    "top": {c: df[c].value_counts().head(10) for c in df.columns},
    "histograms": {c: np.histogram(df[c].dropna(), bins=20) for c in numeric},
    "duplicates": int(df.duplicated().sum()),
}
lap("profile")
x_num = SimpleImputer(strategy="mean").fit_transform(df[numeric])
x_cat = SimpleImputer(strategy="most_frequent").fit_transform(df[categorical])
lap("impute")
onehot = OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float32).fit_transform(x_cat)
lap("one_hot")
scaled = StandardScaler().fit_transform(x_num).astype(np.float32)
encoded = np.hstack([scaled, onehot])
lap("standardize")
seconds["total"] = sum(seconds.values())
print(json.dumps({
    "seconds": seconds,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "width": encoded.shape[1],
    "version": f"pandas {pd.__version__}, scikit-learn {sklearn.__version__}",
}))
