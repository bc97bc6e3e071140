"""End-to-end checks of `streamstat milestones` and `streamstat backtest`.

usage: milestones_check.py STREAMSTAT GEN WORKDIR

1. The bundled dataset, as of 2023-11-21 (the public facts in datasets/):
   every Layover track passed 50M on 2023-11-18, day 72, Blue last, and
   Layover holds the record (FACE's projection is unranked: records are
   observed); FACE's every-track-40M is only known by day 180 (its figures
   are lower bounds: day 1..180, 0..179 with --day-zero); BE cannot be
   ranked on "every track" and the reason names its tracks without data;
   with them excluded BE is past 50M by day 165, a range that overlaps
   Layover's day 72, so neither is ranked.
2. Generated histories (bench/gen, three seeds): the backtest's 80%
   intervals of the chosen models hold the observed day 70-90% of the time,
   the median error does not shrink as the horizon grows, and --jobs does
   not change a byte.
3. Bad option values exit 64 with a message.
"""
import csv
import io
import subprocess
import sys

BIN, GEN, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
DATA = ["--catalog", "datasets/catalog.csv", "datasets/spotify_albums.csv"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def run(args, code=0):
    p = subprocess.run([BIN] + args, capture_output=True, text=True)
    check(p.returncode == code,
          "%s: exit %d, expected %d; stderr: %s" % (" ".join(args), p.returncode, code,
                                                     p.stderr.strip()))
    return p


def rows(args):
    return list(csv.DictReader(io.StringIO(run(args).stdout)))


def find(table, **kw):
    hits = [r for r in table if all(r[k] == v for k, v in kw.items())]
    check(len(hits) == 1, "one row for %r, found %d" % (kw, len(hits)))
    return hits[0] if hits else {}


# 1. the bundled facts
ms = rows(["milestones", "--as-of", "2023-11-21", "--milestones", "40M,50M,100M"] + DATA)
lay = find(ms, kind="every_track", album="Layover", milestone="50M")
check(lay.get("status") == "reached", "Layover every track 50M reached: %r" % lay)
check(lay.get("date") == "2023-11-18", "Layover 50M on 2023-11-18: %r" % lay.get("date"))
check(lay.get("day") == "72", "Layover 50M on day 72: %r" % lay.get("day"))
check(lay.get("bottleneck") == "Blue", "Blue last: %r" % lay.get("bottleneck"))
check(lay.get("rank") == "1", "Layover holds the 50M record: %r" % lay.get("rank"))
face = find(ms, kind="every_track", album="FACE", milestone="50M")
check(face.get("status") in ("reached", "projected") and int(face.get("day", 0)) > 72,
      "FACE every track 50M after day 72: %r" % face)
check(face.get("rank") == ("2" if face.get("status") == "reached" else ""),
      "FACE second for 50M if observed, unranked if projected: %r" % face)
check(face.get("bottleneck") == "Interlude : Dive", "FACE waits for the interlude: %r" % face)
f40 = find(ms, kind="every_track", album="FACE", milestone="40M")
check(f40.get("how") == "by" and f40.get("day") == "1..180",
      "FACE every track 40M by day 180, at any day since the release: %r" % f40)
be = find(ms, kind="every_track", album="BE", milestone="50M")
check(be.get("status") == "unknown" and be.get("rank") == "", "BE unranked: %r" % be)
check("5 of 8 counting tracks lack data" in be.get("reason", ""), "BE's reason: %r" % be)
nxt = find(ms, kind="every_track", album="Layover", milestone="100M")
check(nxt.get("status") == "projected" and nxt.get("date", "") > "2023-11-21",
      "Layover every track 100M projected after the as-of date: %r" % nxt)
blue = find(ms, kind="track", album="Layover", track="Blue", milestone="100M")
check(float(blue.get("needed_pace") or 0) > 0 and blue.get("needed_by") == "2024-09-08",
      "Blue's needed pace to 100M by the anniversary: %r" % blue)

zero = rows(["milestones", "--no-backtest", "--day-zero", "--milestones", "40M"] + DATA)
check(find(zero, kind="every_track", album="FACE", milestone="40M").get("day") == "0..179",
      "--day-zero: FACE 40M within 179 days")
excl = ["--exclude-track", "BE/Fly To My Room", "--exclude-track", "Skit",
        "--exclude-track", "Telepathy", "--exclude-track", "Dis-ease", "--exclude-track", "Stay"]
ex = rows(["milestones", "--no-backtest", "--milestones", "50M"] + excl + DATA)
be = find(ex, kind="every_track", album="BE", milestone="50M")
# Blue & Grey passed 100M on 2021-05-03 (day 165); nothing says when it passed
# 50M, so BE's day is 1..165 and may be before or after Layover's 72
check(be.get("status") == "reached" and be.get("how") == "by" and be.get("day") == "1..165" and
      be.get("rank") == "1..2" and "unranked: range overlaps" in be.get("reason", ""),
      "BE by day 165 once its tracks without data are excluded, unranked: %r" % be)
lay = find(ex, kind="every_track", album="Layover", milestone="50M")
check(lay.get("day") == "72" and lay.get("rank") == "1..2",
      "Layover's record does not hold against BE's range: %r" % lay)
inter = rows(["milestones", "--no-backtest", "--exclude-interludes", "--milestones", "40M"] + DATA)
f40 = find(inter, kind="every_track", album="FACE", milestone="40M")
check(f40.get("bottleneck") != "Interlude : Dive" and
      int(f40.get("day", "999").split("..")[-1]) < 180,
      "--exclude-interludes leaves the interlude out: %r" % f40)

# 2. generated histories: calibration over seeded trials, identity across --jobs
levels = "1M,2M,5M,10M,20M,50M,100M,200M,500M"
growth = [0.0, 0.0, 0.0]
for seed in ("3", "7", "11"):
    hist, cat = WORK + "/gen%s.csv" % seed, WORK + "/gencat%s.csv" % seed
    subprocess.run([GEN, "--albums", "40", "--tracks-per-album", "8", "--days", "365", "--seed",
                    seed, "--catalog", cat, "-o", hist], check=True)
    bt = run(["backtest", "-q", "-j", "2", "--milestones", levels, "--catalog", cat, hist]).stdout
    score = {(r["method"], r["horizon_days"]): r for r in csv.DictReader(io.StringIO(bt))}
    allc = score.get(("chosen", "all"), {})
    check(int(allc.get("cuts") or 0) >= 500, "seed %s: at least 500 cuts: %r" % (seed, allc))
    cov = float(allc.get("coverage") or 0)
    check(0.70 <= cov <= 0.90,
          "seed %s: 80%% intervals hold 70-90%% of observed days: %.3f" % (seed, cov))
    err = [float(score[("chosen", h)]["median_abs_error_days"]) for h in ("7", "30", "120")]
    check(err[0] <= err[1] <= err[2], "seed %s: median error grows with the horizon: %r"
          % (seed, err))
    growth = [g + e for g, e in zip(growth, err)]
    check(("recent", "all") in score, "the yardstick is scored")
check(growth[0] < growth[2], "median error at 120 days above that at 7: %r" % growth)
bt1 = run(["backtest", "-q", "-j", "1", "--milestones", levels, "--catalog", cat, hist]).stdout
check(bt == bt1, "backtest output differs between -j 1 and -j 2")
m2 = run(["milestones", "-q", "-j", "2", "--milestones", levels, "--catalog", cat, hist]).stdout
m1 = run(["milestones", "-q", "-j", "1", "--milestones", levels, "--catalog", cat, hist]).stdout
check(m1 == m2, "milestones output differs between -j 1 and -j 2")

# 3. bad values
for args in (["--milestones", "50Q"], ["--level", "1.5"], ["--by", "2023-02-30"],
             ["--exclude-track", "No Such Song"], ["--draws", "5"], ["--method", "nosuch"],
             ["--horizon", "0"], ["--horizon", "5y"]):
    p = run(["milestones"] + args + DATA, code=64)
    check(p.stderr.startswith("streamstat: "), "%r explains itself: %r" % (args, p.stderr))

if failures:
    sys.exit("milestones_check: %d failure(s)" % len(failures))
print("milestones_check: ok")
