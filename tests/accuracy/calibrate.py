#!/usr/bin/python3
"""Learn the pace model's shipped calibration (include/streamstat/pace.h).

    tests/accuracy/calibrate.py [REAL_DIR] > src/pace_table.c

REAL_DIR (default ../shared/data/real) holds streams.csv and catalog.csv:
real daily histories.  Only cuts before 2025-01-01 are used: later cuts
judge the result out of sample (tests/accuracy/accuracy.py).  Needs
python3-numpy (Debian); the tool itself needs nothing of this.

What it does, in the terms of pace.h:
  - a cut every 7 days from 2024-01-14 to 2024-12-29; every track with a
    total on the cut day gives a sample, dense (every day before the cut)
    and thinned (4 totals before the cut, seeded);
  - features at the cut as the tool measures them on its intervals;
  - per grid horizon h, the outcome L(h) = log(R(h) / (h p7)) where the
    history reaches h days past the cut;
  - the median of L by least absolute deviations on
    [g(a, h), t7, t90, lag], alternating with one shock per cut (the
    median residual of the cut's tracks) taken out;
  - the error quantiles (shocks kept in) by quantile regression on
    [1, 1 / sqrt(a), log(1 + l)], their offsets then widened per horizon by
    a split-conformal step in time: fitted on the cuts before 2024-07-01,
    the factor (at least 1) that makes the band hold 80% on the later ones;
  - its record on the same cuts: median absolute error of milestone
    crossings by band, beside the recent pace, and 80% coverage;
  - how much wider an album total's error is than its tracks' quantiles
    say (album_widen: the albums' intervals are widened by it).
"""
import csv
import datetime as dt
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import realdata  # noqa: E402

BETA = 0.7
GRID = [1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 150, 180, 240, 300, 365]
LEVELS = [0.05, 0.10, 0.25, 0.75, 0.90, 0.95]
FIRST_CUT, LAST_CUT = "2024-01-14", "2024-12-31"
SPLIT_CUT = "2024-07-01"  # the time split of the interval's conformal step
THIN_K, SEED = 4, 1


def qreg(X, y, tau=0.5, iters=60):
    """Quantile regression by iteratively reweighted least squares."""
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    for _ in range(iters):
        r = y - X @ b
        w = np.where(r > 0, tau, 1 - tau) / np.maximum(np.abs(r), 1e-4)
        Xw = X * w[:, None]
        b = np.linalg.solve(X.T @ Xw + 1e-9 * np.eye(X.shape[1]), Xw.T @ y)
    return b


def age_decay(a, h, beta=BETA):
    x = h / a
    return np.log(np.expm1((1 - beta) * np.log1p(x)) / ((1 - beta) * x))


def Xmed(s, h):
    return np.c_[age_decay(s["age"], h), s["t7"], s["t90"], s["lag"]]


def Xerr(s):
    return np.c_[np.ones(len(s["age"])), 1 / np.sqrt(s["age"]), s["lag"] * np.sqrt(s["age"])]


def fit(s):
    med, q = [], []
    for h in GRID:
        y = np.log(s["R"][:, h - 1] / (h * s["p7"]))
        m = np.isfinite(y)
        X, yy, cc = Xmed(s, h)[m], y[m], s["cut"][m]
        shock = np.zeros(len(yy))
        for _ in range(3):
            b = qreg(X, yy - shock)
            r = yy - X @ b
            for c in np.unique(cc):
                k = cc == c
                shock[k] = np.median(r[k])
        r = yy - X @ b
        med.append(b)
        q.append([qreg(Xerr(s)[m], r, t) for t in LEVELS])
    return np.array(med), np.array(q)


def predict(s, med, q, level_index=None):
    """R(h) for h = 1..365 for every sample (median, or a quantile)."""
    hs = np.arange(1, 366)
    L = np.array([Xmed(s, h) @ med[k] for k, h in enumerate(GRID)]).T
    if level_index is not None:
        L = L + np.array([Xerr(s) @ q[k][level_index] for k in range(len(GRID))]).T
    for k in range(1, len(GRID)):
        L[:, k] = np.maximum(L[:, k], L[:, k - 1] - 0.999 * (np.log(GRID[k]) - np.log(GRID[k - 1])))
    lg = np.log(GRID)
    Lh = np.array([np.interp(np.log(hs), lg, row) for row in L])
    return hs * s["p7"][:, None] * np.exp(Lh)


def crossing_days(s, curves):
    truth, got = [], [[] for _ in curves]
    for k in range(len(s["cut"])):
        for M in realdata.next_milestones(s["total"][k]):
            need = M - s["total"][k]
            w = np.nonzero(s["R"][k] >= need)[0]
            if not len(w):
                continue
            truth.append(w[0] + 1)
            for j, R in enumerate(curves):
                p = np.nonzero(R[k] >= need)[0]
                got[j].append(p[0] + 1 if len(p) else 10**6)
    return np.array(truth), [np.array(g) for g in got]


def record(samples, med, q):
    bands = realdata.BANDS + [(1, 365)]
    mae_p, mae_r, cov = [], [], []
    T, P, Y, LO, HI = [], [], [], [], []
    for s in samples:
        hs = np.arange(1, 366)
        t, (p, y, lo, hi) = crossing_days(
            s, [predict(s, med, q), hs * s["p7"][:, None], predict(s, med, q, 4), predict(s, med, q, 1)])
        T.append(t), P.append(p), Y.append(y), LO.append(lo), HI.append(hi)
    T, P, Y, LO, HI = map(np.concatenate, (T, P, Y, LO, HI))
    for a, b in bands:
        m = (T >= a) & (T <= b)
        mae_p.append(np.median(np.abs(P[m] - T[m])))
        mae_r.append(np.median(np.abs(Y[m] - T[m])))
        cov.append(np.mean((T[m] >= LO[m]) & (T[m] <= HI[m])))
    return mae_p, mae_r, cov


def album_widen(data, s, med, q):
    """How much wider than its tracks' own an album's error is: for every
    (cut, album of 2+ tracks all in the sample), the album total's log error
    log(sum R / sum R-hat) at horizons of 30 days and more, its 10-90%
    spread over the mean spread the tracks' quantiles give (each track
    weighted by its share of the album's projected streams)."""
    Rm, Rl, Rh = predict(s, med, q), predict(s, med, q, 1), predict(s, med, q, 4)
    groups = {}
    for k in range(len(s["cut"])):
        groups.setdefault((s["cut"][k], data.keys[s["track"][k]][0]), []).append(k)
    ratios = []
    for h in [g for g in GRID if g >= 30]:
        err, width = [], []
        for ks in groups.values():
            if len(ks) < 2:
                continue
            true = s["R"][ks, h - 1]
            if not np.all(np.isfinite(true)):
                continue
            pm = Rm[ks, h - 1]
            err.append(np.log(true.sum() / pm.sum()))
            width.append(np.sum(pm * np.log(Rh[ks, h - 1] / Rl[ks, h - 1])) / pm.sum())
        if len(err) >= 30:
            ratios.append((np.quantile(err, 0.9) - np.quantile(err, 0.1)) / np.mean(width))
    return float(np.median(ratios))


def widen_factors(s, split):
    """Split-conformal in time: fit on the cuts before split, and on the
    later ones find per horizon the factor on the error quantiles' offsets
    that makes the 10-90% band hold 80% (never below 1: the factor carries a
    change of regime, which the fit on all cuts cannot see)."""
    early = {k: v[s["cut"] < split] for k, v in s.items()}
    late = {k: v[s["cut"] >= split] for k, v in s.items()}
    med, q = fit(early)
    out = []
    for k, h in enumerate(GRID):
        y = np.log(late["R"][:, h - 1] / (h * late["p7"]))
        m = np.isfinite(y)
        r = y[m] - Xmed(late, h)[m] @ med[k]
        lo, hi = Xerr(late)[m] @ q[k][1], Xerr(late)[m] @ q[k][4]
        best = 1.0
        for f in np.arange(1.0, 3.0, 0.02):
            if np.mean((r >= f * lo) & (r <= f * hi)) >= 0.80:
                best = f
                break
            best = f
        out.append(best)
    # smooth over neighbouring horizons: the factors are noisy
    out = np.array(out)
    return np.maximum.accumulate(np.convolve(np.r_[out[0], out, out[-1]], [1 / 3] * 3, "valid"))


def main():
    real = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "data", "real")
    data = realdata.load(real)
    cuts = realdata.cut_days(data, FIRST_CUT, LAST_CUT, 7)
    dense = realdata.samples(data, cuts, None, SEED)
    thin = realdata.samples(data, cuts, THIN_K, SEED)
    both = {k: np.concatenate([dense[k], thin[k]]) for k in dense}
    med, q = fit(both)
    widen = widen_factors(both, realdata.day(SPLIT_CUT, data.d0))
    q = q * widen[:, None, None]
    print("interval widening by horizon: %s" % np.round(widen, 2), file=sys.stderr)
    mae_p, mae_r, cov = record([dense, thin], med, q)
    album = album_widen(data, both, med, q)
    fmt = lambda v: "%.6g" % v  # noqa: E731
    out = sys.stdout
    out.write("/*\n * pace_table.c - the shipped calibration of the pace model (pace.h).\n *\n")
    out.write(" * Generated by tests/accuracy/calibrate.py from %d real daily histories\n" % data.ntracks)
    out.write(" * (../shared/data/real), cuts %s to %s: do not edit.\n */\n" % (FIRST_CUT, LAST_CUT))
    out.write('#include "streamstat/pace.h"\n\nconst struct ss_pace_cal ss_pace_shipped = {\n')
    out.write('\t.source = "shipped: %d real Spotify histories, weekly cuts %s to %s, dense and thinned to %d",\n'
              % (data.ntracks, FIRST_CUT, LAST_CUT, THIN_K))
    out.write("\t.beta = %s,\n" % fmt(BETA))
    out.write("\t.h = {%s},\n" % ", ".join(fmt(h) for h in GRID))
    out.write("\t.med = {\n")
    for b in med:
        out.write("\t\t{%s},\n" % ", ".join(fmt(v) for v in b))
    out.write("\t},\n\t.q = {\n")
    for qk in q:
        out.write("\t\t{%s},\n" % ", ".join("{%s}" % ", ".join(fmt(v) for v in c) for c in qk))
    out.write("\t},\n")
    out.write("\t.level = {%s},\n" % ", ".join(fmt(v) for v in LEVELS))
    out.write("\t.mae_pace = {%s},\n" % ", ".join(fmt(v) for v in mae_p))
    out.write("\t.mae_recent = {%s},\n" % ", ".join(fmt(v) for v in mae_r))
    out.write("\t.coverage = {%s},\n" % ", ".join("%.3f" % v for v in cov))
    out.write("\t.album_widen = %.3f,\n" % album)
    out.write("};\n")


if __name__ == "__main__":
    main()
