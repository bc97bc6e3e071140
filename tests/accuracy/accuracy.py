#!/usr/bin/python3
"""The accuracy harness: streamstat's projections against what real songs did.

    tests/accuracy/accuracy.py [--real DIR] [--bin build/streamstat] [options]

Rolling-origin cuts over real daily histories (default ../shared/data/real):
at each cut the history up to that day is written out, dense (every day) or
thinned (K totals per track before the cut, the last on the cut day, seeded),
and `streamstat milestones --method M` projects every milestone of the
issue's list for each method.  Every projected crossing whose real day is
known (within 365 days of the cut and before the data end) is scored:
median absolute error and bias (projected minus real, days), share of real
days inside the 80% interval, and median interval width, by band of the real
horizon (1-30, 31-90, 91-180, 181-365 days), for tracks and for albums
("every track" and "album total", built by grouping the real tracks by album).
A "never" or an "after DATE" (a projection past the tool's horizon) for a
crossing that came within the 365 days is a miss: an infinite error, outside
its interval.

Beside the methods stands the yardstick computed here, independently of the
tool: remaining streams / the mean daily gain of the last 7 days (or the
last interval, on thinned data), extended linearly.

Cuts before 2025-01-01 are in sample (the shipped calibration was learned
on them, tests/accuracy/calibrate.py); later ones are out of sample and are
reported apart.  --check runs a small sample and fails when the harness or
the tool's recent pace disagrees with the yardstick (what `make test` runs).
Needs python3-numpy.
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import realdata  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
MILESTONE_ARG = "10M,20M,30M,50M,75M,100M,150M,200M,300M,400M,500M,750M,1B,1.5B,2B,3B"
OUT_OF_SAMPLE = "2025-01-01"
KINDS = ("track", "every_track", "album_total")


def write_cut(data, path, cut, K, rng, tracks):
    """The history a user would have on the cut day: returns what each
    track's yardstick is (pace, total) keyed by index."""
    yard = {}
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["date", "artist", "album", "track", "total"])
        for i in tracks:
            days = realdata.observed_days(data, i, cut, K, rng)
            for d in days:
                w.writerow([realdata.date_of(data, d), "Taylor Swift", data.keys[i][0],
                            data.keys[i][1], "%d" % data.T[i, d]])
            if len(days) and days[-1] == cut:
                f_ = realdata.features(data, days, cut, i)
                if f_ is not None:
                    yard[i] = f_["p7"]
    return yard


def write_catalog(data, path, tracks):
    keep = {data.keys[i] for i in tracks}
    with open(data.catalog, newline="", encoding="utf-8") as f, \
            open(path, "w", newline="", encoding="utf-8") as g:
        r = csv.DictReader(f)
        w = csv.DictWriter(g, fieldnames=r.fieldnames)
        w.writeheader()
        for row in r:
            if (row["album"], row["track"]) in keep:
                w.writerow(row)


def run_tool(binary, cut_csv, catalog, method):
    cmd = [binary, "milestones", "-q", "--catalog", catalog, "--milestones", MILESTONE_ARG,
           "--method", method, cut_csv]
    p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    if p.returncode != 0:
        raise SystemExit("accuracy: %s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    return list(csv.DictReader(p.stdout.splitlines()))


def parse_milestone(s):
    v = float(s[:-1])
    return v * {"K": 1e3, "M": 1e6, "B": 1e9}[s[-1]]


class Truth:
    """Real crossing days after a cut, for tracks and albums."""

    def __init__(self, data, tracks):
        self.data = data
        self.index = {data.keys[i]: i for i in tracks}
        self.albums = {}
        for i in tracks:
            self.albums.setdefault(data.keys[i][0], []).append(i)

    def track_day(self, i, M, cut):
        row = self.data.Ti[i, cut + 1:]
        w = np.nonzero(row >= M)[0]
        return cut + 1 + int(w[0]) if len(w) else None

    def every_track_day(self, album, M, cut):
        days = []
        for i in self.albums[album]:
            if np.isnan(self.data.T[i, cut]) or np.isnan(self.data.Ti[i, -1]):
                return None  # not followed from the cut to the end
            if self.data.T[i, cut] >= M:
                continue
            d = self.track_day(i, M, cut)
            if d is None:
                return None
            days.append(d)
        return max(days) if days else None

    def album_total_day(self, album, M, cut):
        idx = self.albums[album]
        S = self.data.Ti[idx, cut + 1:].sum(axis=0)
        if np.isnan(self.data.T[idx, cut]).any() or self.data.T[idx, cut].sum() >= M:
            return None
        w = np.nonzero(S >= M)[0]
        if not len(w) or np.isnan(S[:w[0]]).any():
            return None
        return cut + 1 + int(w[0])


def day_of(data, s):
    if s in ("", "never"):
        return None if s == "" else math.inf
    return realdata.day(s, data.d0)


def score_rows(data, truth, rows, cut, method, period, density, out):
    """Append (period, density, kind, method, horizon, err, lo_ok, width)."""
    for r in rows:
        kind = r["kind"]
        # "after DATE" (past the horizon) claims no crossing before DATE: scored
        # like "never" when the milestone was in fact reached within H days
        if kind not in KINDS or r["status"] not in ("projected", "never", "after"):
            continue
        M = parse_milestone(r["milestone"])
        if kind == "track":
            i = truth.index.get((r["album"], r["track"]))
            if i is None or np.isnan(data.T[i, cut]) or data.T[i, cut] >= M:
                continue
            real = truth.track_day(i, M, cut)
        elif r["album"] not in truth.albums:
            continue
        elif kind == "every_track":
            real = truth.every_track_day(r["album"], M, cut)
        else:
            real = truth.album_total_day(r["album"], M, cut)
        if real is None or real - cut > realdata.H:
            continue
        if r["status"] in ("never", "after"):
            got, lo, hi = math.inf, math.inf, math.inf
        else:
            got, lo, hi = day_of(data, r["date"]), day_of(data, r["lo"]), day_of(data, r["hi"])
        out.append((period, density, kind, method, real - cut, got - real,
                    None if lo is None else (lo <= real <= hi),
                    None if lo is None or hi is None else hi - lo))


def score_yardstick(data, truth, yard, cut, period, density, out):
    for i, p7 in yard.items():
        C = data.T[i, cut]
        for M in [m for m in realdata.MILESTONES if m > C][:16]:
            real = truth.track_day(i, M, cut)
            if real is None or real - cut > realdata.H:
                continue
            got = cut + math.ceil((M - C) / p7)
            out.append((period, density, "track", "yardstick", real - cut, got - real, None, None))


def table(results, printer=print):
    """The printed table; returns {(period, density, kind, method): [band stats]}."""
    bands = realdata.BANDS + [(1, 365)]
    keys = sorted({r[:4] for r in results}, key=lambda k: (k[0], k[1], KINDS.index(k[2]), k[3]))
    stats = {}
    printer("%-13s %-6s %-12s %-10s | %s" % ("period", "data", "kind", "method", " | ".join(
        "%-27s" % ("%d-%d days" % b) for b in bands)))
    printer("%-13s %-6s %-12s %-10s | %s" % ("", "", "", "", " | ".join(
        "%-27s" % "n  med.err  bias  cover  width" for _ in bands)))
    for k in keys:
        rs = [r for r in results if r[:4] == k]
        cells, st = [], []
        for lo, hi in bands:
            b = [r for r in rs if lo <= r[4] <= hi]
            err = np.array([r[5] for r in b], dtype=float)
            cov = [r[6] for r in b if r[6] is not None]
            wid = [r[7] for r in b if r[7] is not None and math.isfinite(r[7])]
            s = dict(n=len(b),
                     mae=float(np.median(np.abs(err))) if len(b) else math.nan,
                     bias=float(np.median(err)) if len(b) else math.nan,
                     cover=float(np.mean(cov)) if cov else math.nan,
                     width=float(np.median(wid)) if wid else math.nan)
            st.append(s)
            cells.append("%-27s" % ("%4d %6.1f %5.0f %5s %6s" % (
                s["n"], s["mae"], s["bias"],
                "" if math.isnan(s["cover"]) else "%3.0f%%" % (100 * s["cover"]),
                "" if math.isnan(s["width"]) else "%.0f" % s["width"])))
        stats[k] = st
        printer("%-13s %-6s %-12s %-10s | %s" % (k + (" | ".join(cells),)))
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real", default=os.path.join(ROOT, "..", "shared", "data", "real"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "streamstat"))
    ap.add_argument("--first", default="2024-02-04")
    ap.add_argument("--last", default="2025-09-10")
    ap.add_argument("--step", type=int, default=14, help="days between cuts")
    ap.add_argument("--thin", type=int, default=4, help="totals per track when thinned")
    ap.add_argument("--methods", default="pace,recent,aicc")
    ap.add_argument("--tracks", type=int, default=0, help="a seeded sample of N tracks (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true",
                    help="a small sample; fail when the harness disagrees with itself")
    a = ap.parse_args()
    if a.check:
        a.first, a.last, a.step, a.tracks, a.methods = "2024-08-04", "2025-03-01", 182, 100, "pace,recent"

    data = realdata.load(a.real)
    rng = np.random.default_rng(a.seed)
    tracks = list(range(data.ntracks))
    if a.tracks:
        albums = sorted({k[0] for k in data.keys})
        rng.shuffle(albums)
        tracks = []
        for al in albums:
            if len(tracks) >= a.tracks:
                break
            tracks += [i for i in range(data.ntracks) if data.keys[i][0] == al]
    truth = Truth(data, tracks)
    oos = realdata.day(OUT_OF_SAMPLE, data.d0)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        catalog = os.path.join(tmp, "catalog.csv")
        write_catalog(data, catalog, tracks)
        for cut in realdata.cut_days(data, a.first, a.last, a.step):
            period = "in sample" if cut < oos else "out of sample"
            for density, K in (("dense", None), ("thin%d" % a.thin, a.thin)):
                path = os.path.join(tmp, "cut.csv")
                yard = write_cut(data, path, cut, K, np.random.default_rng([a.seed, cut]), tracks)
                score_yardstick(data, truth, yard, cut, period, density, results)
                for m in a.methods.split(","):
                    score_rows(data, truth, run_tool(a.bin, path, catalog, m), cut, m, period,
                               density, results)
            print("cut %s: %d scored so far" % (realdata.date_of(data, cut), len(results)),
                  file=sys.stderr)
    stats = table(results)
    if a.check:
        sys.exit(check(results, stats))


def check(results, stats):
    """The harness's own consistency: the tool's recent pace is the yardstick
    computed here (to a day on dense data), and every figure is defined."""
    bad = 0
    for period in ("in sample", "out of sample"):
        y = stats.get((period, "dense", "track", "yardstick"))
        r = stats.get((period, "dense", "track", "recent"))
        p = stats.get((period, "dense", "track", "pace"))
        if not (y and r and p) or y[-1]["n"] < 10:
            print("accuracy: %s: too few scored crossings" % period, file=sys.stderr)
            bad = 1
            continue
        if abs(y[-1]["mae"] - r[-1]["mae"]) > 1 or y[-1]["n"] != r[-1]["n"]:
            print("accuracy: %s: the tool's recent pace (n %d, %.1f d) is not the yardstick "
                  "(n %d, %.1f d)" % (period, r[-1]["n"], r[-1]["mae"], y[-1]["n"], y[-1]["mae"]),
                  file=sys.stderr)
            bad = 1
        if not 0 < p[-1]["cover"] <= 1:
            print("accuracy: %s: pace coverage undefined" % period, file=sys.stderr)
            bad = 1
    return bad


if __name__ == "__main__":
    main()
