"""Reference values for crates/outcomes/tests/survival_oracles.rs (log-rank and Cox).

Run with lifelines 0.30.3 (pip install lifelines==0.30.3) from the workspace root:
    python crates/outcomes/tests/oracle/gen_lifelines_comparisons.py
Prints the values that the Rust tests hard-code. Not needed to run the tests.
"""
import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test

D = "../shared/data/survival/datasets/"


def show(name, df, t, e, g, strata=None, ref=None):
    df = df.dropna(subset=[c for c in [t, e, g, strata] if c]).copy()
    groups = sorted(df[g].unique())
    ref = groups[0] if ref is None else ref
    if len(groups) == 2:
        a = df[df[g] == groups[1]]
        b = df[df[g] == groups[0]]
        lr = logrank_test(a[t], b[t], a[e], b[e])
    else:
        lr = multivariate_logrank_test(df[t], df[g], df[e])
    print(f"{name}: logrank chi2={lr.test_statistic:.10f} df={lr.degrees_of_freedom} p={lr.p_value:.10e}")
    X = pd.DataFrame({"T": df[t], "E": df[e]})
    for lvl in groups:
        if lvl != ref:
            X[f"g_{lvl}"] = (df[g] == lvl).astype(float)
    if strata:
        X["S"] = df[strata]
    c = CoxPHFitter().fit(X, "T", "E", strata=["S"] if strata else None,
                          fit_options={"precision": 1e-14, "max_steps": 500})
    for cov, row in c.summary.iterrows():
        print(f"  cox {cov}: coef={row['coef']:.10f} hr={row['exp(coef)']:.10f} se={row['se(coef)']:.10f} "
              f"lo={row['exp(coef) lower 95%']:.10f} hi={row['exp(coef) upper 95%']:.10f} p={row['p']:.10e}")
    print(f"  loglik={c.log_likelihood_:.10f}")


show("lung sex", pd.read_csv(D + "lung.csv"), "time", "status", "sex")
show("lung sex | strata ph.ecog", pd.read_csv(D + "lung.csv"), "time", "status", "sex", strata="ph.ecog")
show("rossi fin", pd.read_csv(D + "rossi.csv"), "week", "arrest", "fin")
show("waltons", pd.read_csv(D + "waltons_dataset.csv"), "T", "E", "group")
gehan = pd.read_csv(D + "gehan.dat", sep=r"\s+", header=None, names=["group", "time", "event"])
show("gehan (placebo=1 vs 6-MP=2, ref 2)", gehan, "time", "event", "group", ref=2)
lar = pd.read_csv(D + "larynx.csv")
lar["stage"] = 1 + lar["Stage_II"] + 2 * lar["Stage_III"] + 3 * lar["Stage_IV"]
show("larynx stage (4 groups)", lar, "time", "death", "stage")


def stratified_logrank(df, t, e, g, s):
    """Independent numpy computation of the 2-group stratified log-rank (sums U and V over strata)."""
    df = df.dropna(subset=[t, e, g, s])
    a_lvl = sorted(df[g].unique())[0]
    U = V = 0.0
    for _, d in df.groupby(s):
        for tt in sorted(d.loc[d[e] == 1, t].unique()):
            risk = d[d[t] >= tt]
            n, na = len(risk), (risk[g] == a_lvl).sum()
            dd = ((d[t] == tt) & (d[e] == 1)).sum()
            da = ((d[t] == tt) & (d[e] == 1) & (d[g] == a_lvl)).sum()
            U += da - dd * na / n
            if n > 1:
                V += na * (n - na) * dd * (n - dd) / (n * n * (n - 1))
    print(f"stratified logrank chi2={U * U / V:.10f}")


stratified_logrank(pd.read_csv(D + "lung.csv"), "time", "status", "sex", "ph.ecog")
