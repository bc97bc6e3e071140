#!/usr/bin/python3
"""What the out-of-sample misses of the pace model are made of.

    tests/accuracy/ceiling.py [REAL_DIR] [--event YYYY-MM-DD]

Two diagnostics on the real histories (default ../shared/data/real), both in
the pace model's own terms (tests/accuracy/calibrate.py), on the harness's
out-of-sample cuts (every 14 days from 2025-01-05), dense and thinned to 4:

  - the ceiling: the model as calibrate.py fits it on the 2024 cuts, then
    refitted on those cuts themselves (hindsight),
    and again with each cut's catalog-wide swing at every horizon taken out
    (the median outcome of the cut's tracks, which no forecast can know),
    scored beside the yardstick as the harness scores it: median absolute
    error of milestone crossings in days, by band of the real horizon;
  - an event: that 2024 fit's 80% band on log future streams,
    held for windows that end before --event and for windows that span it,
    by age (older or younger than 2,000 days).

It reads the data in place and writes nothing.  Needs python3-numpy.
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import calibrate as cal  # noqa: E402
import realdata  # noqa: E402

OLD = 2000


def project(train, test, swing=False):
    """R(h) for h = 1..365: the median fitted on train, applied to test;
    with swing, each (cut, horizon) shifted by the test cut's own median
    residual."""
    L = np.zeros((len(test["cut"]), len(cal.GRID)))
    for k, h in enumerate(cal.GRID):
        y = np.log(train["R"][:, h - 1] / (h * train["p7"]))
        m = np.isfinite(y)
        L[:, k] = cal.Xmed(test, h) @ cal.qreg(cal.Xmed(train, h)[m], y[m])
        if swing:
            r = np.log(test["R"][:, h - 1] / (h * test["p7"])) - L[:, k]
            for c in np.unique(test["cut"]):
                here = test["cut"] == c
                known = here & np.isfinite(r)
                if known.any():
                    L[here, k] += np.median(r[known])
    hs = np.arange(1, 366)
    Lh = np.array([np.interp(np.log(hs), np.log(cal.GRID), row) for row in L])
    return hs * test["p7"][:, None] * np.exp(Lh)


def errors(s, R):
    hs = np.arange(1, 366)
    t, (p, y) = cal.crossing_days(s, [R, hs * s["p7"][:, None]])
    out = []
    for a, b in realdata.BANDS + [(1, 365)]:
        m = (t >= a) & (t <= b)
        out.append((np.median(np.abs(p[m] - t[m])), np.median(np.abs(y[m] - t[m]))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("real", nargs="?", default=os.path.join(HERE, "..", "..", "..", "shared", "data", "real"))
    ap.add_argument("--event", default="2025-05-30")
    a = ap.parse_args()
    np.seterr(divide="ignore", invalid="ignore")
    data = realdata.load(a.real)
    cuts_in = realdata.cut_days(data, cal.FIRST_CUT, cal.LAST_CUT, 7)
    cuts_out = realdata.cut_days(data, "2025-01-05", realdata.date_of(data, data.nd), 14)
    both = lambda x, y: {k: np.concatenate([x[k], y[k]]) for k in x}  # noqa: E731
    ins = {K: realdata.samples(data, cuts_in, K, cal.SEED) for K in (None, cal.THIN_K)}
    outs = {K: realdata.samples(data, cuts_out, K, cal.SEED) for K in (None, cal.THIN_K)}
    train, hindsight = both(ins[None], ins[cal.THIN_K]), both(outs[None], outs[cal.THIN_K])
    bands = ["%d-%d" % b for b in realdata.BANDS] + ["all"]
    print("median absolute error of crossings, days (model / yardstick), out-of-sample cuts")
    print("%-34s %s" % ("", "  ".join("%12s" % b for b in bands)))
    med, q = cal.fit(train)
    for K in (None, cal.THIN_K):
        for name, R in (("as shipped (2024 cuts)", cal.predict(outs[K], med, q)),
                        ("refitted on these cuts", project(hindsight, outs[K])),
                        ("refitted, swings known", project(hindsight, outs[K], True))):
            print("%-7s %-26s %s" % ("dense" if K is None else "thin%d" % K, name,
                                     "  ".join("%5.1f / %4.1f" % v for v in errors(outs[K], R))))
    event = realdata.day(a.event, data.d0)
    print("\n80%% band on log streams to come, held: windows ending before %s | spanning it (age > %d d / younger)"
          % (a.event, OLD))
    for k, h in enumerate(cal.GRID):
        if h < 14:
            continue
        s = hindsight
        r = np.log(s["R"][:, h - 1] / (h * s["p7"])) - cal.Xmed(s, h) @ med[k]
        held = (r >= cal.Xerr(s) @ q[k][1]) & (r <= cal.Xerr(s) @ q[k][4])
        m = np.isfinite(r)
        before, span, old = m & (s["cut"] + h < event), m & (s["cut"] + h >= event), s["age"] > OLD
        share = lambda w: "%3.0f%% (n %5d)" % (100 * held[w].mean(), w.sum()) if w.any() else "%12s" % "-"  # noqa: E731
        print("h %3d  %s | %s / %s" % (h, share(before), share(span & old), share(span & ~old)))


if __name__ == "__main__":
    main()
