#!/usr/bin/env python3
"""The drift statistics of one exporter round in NumPy/SciPy, for bench/exporter/fleet.ts.

Reads <dir>/windows.json and <dir>/windows.f64 (float64 arrays the bench wrote:
each feature's window and reference), computes per numeric feature the PSI over
the reference's bins and scipy.stats.ks_2samp against the reference values (the
exact method where the exporter uses it, the asymptotic one elsewhere), per
categorical feature the PSI over the reference's buckets and the chi-square test
of homogeneity (scipy.stats.chi2_contingency, no Yates correction), and the PSI
of the predicted classes. Prints the time of each round and every figure as JSON.
Needs Debian's python3-numpy and python3-scipy.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy import stats


def psi(ref, sample, eps):
    r = np.maximum(ref, eps)
    s = np.maximum(sample, eps)
    return float(np.sum((s - r) * np.log(s / r)))


def one_round(spec, data):
    eps = spec["epsilon"]
    arr = lambda span: data[span[0] : span[0] + span[1]]
    out = {}
    for m in spec["models"]:
        for f in m["features"]:
            window = arr(f["window"])
            window = window[~np.isnan(window)]
            key = m["model"] + "/" + f["name"]
            if f["type"] == "numeric":
                edges = arr(f["edges"])
                bins = np.searchsorted(edges[1:-1], window, side="right")
                sample = np.bincount(bins, minlength=len(edges) - 1) / len(window)
                score = psi(arr(f["proportions"]), sample, eps)
                ks = stats.ks_2samp(window, arr(f["values"]), method="exact" if f["exact"] else "asymp")
                out[key] = [score, float(ks.statistic), float(ks.pvalue)]
            else:
                ref = arr(f["proportions"])
                counts = np.bincount(window.astype(np.int64), minlength=len(ref)).astype(float)
                score = psi(ref, counts / counts.sum(), eps)
                table = np.vstack([ref * f["count"], counts])
                table = table[:, table.sum(axis=0) > 0]
                chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
                out[key] = [score, float(chi2), float(p)]
        window = arr(m["prediction"]["window"])
        ref = arr(m["prediction"]["proportions"])
        counts = np.bincount(window.astype(np.int64), minlength=len(ref)).astype(float)
        out[m["model"] + "/prediction"] = [psi(ref, counts / counts.sum(), eps)]
    return out


def main():
    folder = sys.argv[1]
    with open(folder + "/windows.json") as fh:
        spec = json.load(fh)
    data = np.fromfile(folder + "/windows.f64", dtype="<f8")
    times = []
    results = {}
    for _ in range(spec["rounds"]):
        t = time.perf_counter()
        results = one_round(spec, data)
        times.append((time.perf_counter() - t) * 1000)
    versions = "python %s, numpy %s, scipy %s" % (sys.version.split()[0], np.__version__, scipy.__version__)
    json.dump({"versions": versions, "ms": times, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
