"""Real daily histories (../shared/data/real) as arrays, for the accuracy
harness and the calibration: totals by track and day, release days, and
the features the pace model (include/streamstat/pace.h) measures at a cut.
Needs python3-numpy."""
import csv
import datetime as dt
import os

import numpy as np

MILESTONES = [10e6, 20e6, 30e6, 50e6, 75e6, 100e6, 150e6, 200e6, 300e6, 400e6, 500e6, 750e6,
              1e9, 1.5e9, 2e9, 3e9]
BANDS = [(1, 30), (31, 90), (91, 180), (181, 365)]
H = 365


class Data:
    pass


def day(s, d0):
    return (dt.date.fromisoformat(s) - d0).days


def load(real_dir):
    """Totals T[track, day] (NaN where none), their linear interpolation Ti
    (the truth between two totals), release days, albums."""
    streams = os.path.join(real_dir, "streams.csv")
    catalog = os.path.join(real_dir, "catalog.csv")
    with open(streams, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    d0 = dt.date.fromisoformat(min(r["date"] for r in rows))
    keys, index = [], {}
    for r in rows:
        k = (r["album"], r["track"])
        if k not in index:
            index[k] = len(keys)
            keys.append(k)
    nd = max(day(r["date"], d0) for r in rows) + 1
    T = np.full((len(keys), nd), np.nan)
    for r in rows:
        T[index[(r["album"], r["track"])], day(r["date"], d0)] = float(r["total"])
    release = np.zeros(len(keys), dtype=int)
    with open(catalog, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            k = (r["album"], r["track"])
            if k in index:
                release[index[k]] = day(r["track_release_date"], d0)
    Ti = T.copy()
    for i in range(len(keys)):
        d = np.nonzero(~np.isnan(T[i]))[0]
        if len(d) > 1:
            Ti[i, d[0]:d[-1] + 1] = np.interp(np.arange(d[0], d[-1] + 1), d, T[i, d])
    data = Data()
    data.d0, data.keys, data.T, data.Ti, data.release, data.nd = d0, keys, T, Ti, release, nd
    data.ntracks = len(keys)
    data.streams, data.catalog = streams, catalog
    return data


def cut_days(data, first, last, step):
    """Cut days from first to last (ISO dates, last excluded) every step days."""
    return list(range(day(first, data.d0), day(last, data.d0), step))


def date_of(data, d):
    return (data.d0 + dt.timedelta(days=int(d))).isoformat()


def next_milestones(total, n=4):
    return [M for M in MILESTONES if M > total][:n]


def observed_days(data, i, c, K, rng):
    """Days with a total up to cut c: all, or K of them ending with c."""
    d = np.nonzero(~np.isnan(data.T[i, :c + 1]))[0]
    if K is None or len(d) <= K:
        return d
    return np.r_[np.sort(rng.choice(d[:-1], K - 1, replace=False)), d[-1]]


def features(data, days, c, i):
    """The pace model's features at cut c from the totals on days (the
    last being c), as the tool measures them: windows clipped at the
    release, from 0 the day before it."""
    tots = data.T[i, days]
    rel = data.release[i]
    age = c - rel + 1
    xs, ys = np.r_[rel - 1, days], np.r_[0.0, tots]

    def pace(w):
        w = min(w, age)
        return (tots[-1] - np.interp(c - w, xs, ys)) / w

    p7, p28, p90 = pace(7), pace(28), pace(91)
    if not (p7 > 0 and p28 > 0 and p90 > 0):
        return None
    last = c - days[-2] if len(days) > 1 else age
    return dict(age=age, p7=p7, t7=np.log(p7 / p28), t90=np.log(p28 / p90),
                lag=np.log1p(last) / np.sqrt(age), total=tots[-1])


def samples(data, cuts, K, seed):
    """One sample per (cut, track with a total on the cut day): features,
    and R[h - 1], the streams of the h days after the cut (NaN past the
    data)."""
    rng = np.random.default_rng(seed)
    out = {k: [] for k in ("cut", "track", "age", "p7", "t7", "t90", "lag", "total", "R")}
    for c in cuts:
        for i in range(data.ntracks):
            if np.isnan(data.T[i, c]) or c < data.release[i]:
                continue
            f = features(data, observed_days(data, i, c, K, rng), c, i)
            if f is None:
                continue
            R = np.full(H, np.nan)
            seg = data.Ti[i, c + 1:min(data.nd, c + H + 1)] - data.T[i, c]
            R[:len(seg)] = seg
            out["cut"].append(c)
            out["track"].append(i)
            for k, v in f.items():
                out[k].append(v)
            out["R"].append(R)
    return {k: np.array(v) for k, v in out.items()}
