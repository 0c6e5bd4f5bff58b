"""KM + log-rank on 1 million synthetic subjects: trialmatch vs lifelines, same data, same run.

From the workspace root:  python crates/outcomes/bench/survival_bench.py [N]
Needs lifelines (pip install lifelines==0.30.3); builds the Rust example in release mode.
"""
import subprocess
import sys
import tempfile
import time

import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test

n = sys.argv[1] if len(sys.argv) > 1 else "1000000"
with tempfile.TemporaryDirectory() as tmp:
    csv = f"{tmp}/data.csv"
    rust = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "tm-outcomes", "--example", "survival_bench",
         "--", n, "--write", csv],
        check=True, capture_output=True, text=True).stdout.strip()
    df = pd.read_csv(csv)
start = time.perf_counter()
medians = []
for g in (0, 1):
    d = df[df.group == g]
    kmf = KaplanMeierFitter().fit(d.time, d.event)
    _ = kmf.confidence_interval_
    medians.append(kmf.median_survival_time_)
a, b = df[df.group == 0], df[df.group == 1]
lr = logrank_test(a.time, b.time, a.event, b.event)
elapsed = time.perf_counter() - start
print(rust)
print(f"lifelines:  n={n} KM(2 groups)+log-rank {elapsed:.3f} s; medians {medians}; chi2 {lr.test_statistic:.4f}")
