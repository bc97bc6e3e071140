"""The bundled dataset's story, as `make report` writes it.

usage: bundled_check.py STREAMSTAT WORKDIR   (after `make report`)

From the public facts as of 2023-11-21 (datasets/PROVENANCE.md), the
workbook (read with openpyxl) and the JSON summary must say:
- every Layover track passed 50M on 2023-11-18, day 72, Blue last, and
  Layover holds that record (the Summary's headline says so too);
- FACE is slower: its every-track-past-50M is projected after day 72 (it had
  not got every track past 40M before day 179: day 180 here), and being a
  projection it has no rank (records are observed, never projected);
- BE cannot be ranked on "every track" and the missing tracks are named;
  excluding them ranks it;
- the next milestones of Layover and FACE are projected with intervals.
The binary under test, run like `make report`, must agree with it.
"""
import datetime
import json
import os
import subprocess
import sys

import openpyxl
import summary  # tests/e2e/summary.py: the summary as a reader reads it

BIN, WORK = sys.argv[1], sys.argv[2]
XLSX, JSON = "reports/streamstat-2023-11-21.xlsx", "reports/streamstat-2023-11-21.json"
ARGS = ["--as-of", "2023-11-21", "--catalog", "datasets/catalog.csv",
        "datasets/spotify_albums.csv"]
MISSING = ["Fly To My Room", "Skit", "Telepathy", "Dis-ease", "Stay"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


out = open(os.path.join(WORK, "make-report.out")).read()
check(XLSX in out and JSON in out, "make report names its files: %r" % out)
check("Every Layover track passed 50M on 2023-11-18, day 72, Blue last" in out,
      "make report prints the headline: %r" % out)
js = summary.load(JSON)
albums = {a["album"]: a for a in js["albums"]}
check([a["album"] for a in js["albums"]] == ["BE", "FACE", "Layover"], "release order")


def entry(album, kind, m):
    hits = [e for e in albums[album][kind] if e["milestone"] == m]
    check(len(hits) == 1, "%s %s %d in the JSON" % (album, kind, m))
    return hits[0] if hits else {}


lay = entry("Layover", "all_tracks", 50000000)
check(lay.get("status") == "reached" and lay.get("date") == "2023-11-18" and
      lay.get("day") == 72 and lay.get("bottleneck_track") == "Blue" and lay.get("rank") == 1,
      "JSON: every Layover track past 50M on 2023-11-18, day 72, Blue last, the record: %r"
      % lay)
face = entry("FACE", "all_tracks", 50000000)
check((face.get("status") == "reached" and face.get("day", 0) > 72 and face.get("rank") == 2) or
      (face.get("status") == "projected" and face.get("day", 0) > 72 and face.get("rank") is None),
      "JSON: FACE slower to 50M, ranked only if observed: %r" % face)
be = entry("BE", "all_tracks", 50000000)
check(be.get("status") == "unknown" and be.get("rank") is None and
      be.get("lacking_tracks") == MISSING, "JSON: BE unranked, its tracks named: %r" % be)
check(any("BE cannot be ranked" in h and "Stay" in h for h in js["headline"]),
      "headline says BE cannot be ranked and why: %r" % js["headline"])
for album, m in (("Layover", 100000000), ("FACE", 100000000)):
    e = entry(album, "all_tracks", m)
    check(e.get("status") == "projected" and e.get("date", "") > "2023-11-21" and
          e.get("low") and (e.get("high") or e.get("high_open")),
          "JSON: every %s track past %dM projected with an interval: %r"
          % (album, m // 1000000, e))

# the workbook says the same
wb = openpyxl.load_workbook(XLSX)
ws = wb["Summary"]
check("Layover" in str(ws["A1"].value) and "day 72" in str(ws["A1"].value),
      "Summary!A1 is the headline: %r" % ws["A1"].value)
rows = list(ws.iter_rows(values_only=True))
head = next(i for i, r in enumerate(rows) if r and r[0] == "Album")
col = {name: j for j, name in enumerate(rows[head]) if name}
block = next(i for i, r in enumerate(rows) if r and r[0] == "Every track >= 50M")
labels = {rows[i][0]: rows[i] for i in range(block + 1, block + 9)}
c = col["Layover"]
check(labels["date"][c] == datetime.datetime(2023, 11, 18), "Summary: Layover's date")
check(labels["day"][c] == 72, "Summary: Layover's day 72")
check(labels["bottleneck"][c] == "Blue", "Summary: Blue last")
check(labels["rank"][c] == 1, "Summary: Layover holds the record (rank 1)")
check(labels["rank"][col["FACE"]] in (None, ""), "Summary: FACE's projection unranked: %r"
      % (labels["rank"][col["FACE"]],))
check(labels["status"][col["BE"]] == "unknown" and "Stay" in str(labels["note"][col["BE"]]),
      "Summary: BE unknown, missing tracks named: %r" % (labels["note"][col["BE"]],))

# the binary under test agrees, and ranks BE once its missing tracks are excluded
mine = os.path.join(WORK, "mine.xlsx")
subprocess.run([BIN, "report", "-q", "-o", mine] + ARGS, check=True)
js2 = summary.load(os.path.join(WORK, "mine.json"))
for key in ("albums", "headline", "milestones", "backtest"):
    check(js2[key] == js[key], "%s: %s differs from make report's" % (BIN, key))
excl = []
for t in MISSING:
    excl += ["--exclude-track", "BE/" + t]
subprocess.run([BIN, "report", "-q", "--no-backtest", "-o", os.path.join(WORK, "x.xlsx")] +
               excl + ARGS, check=True)
js3 = summary.load(os.path.join(WORK, "x.json"))
be = [e for a in js3["albums"] if a["album"] == "BE" for e in a["all_tracks"]
      if e["milestone"] == 50000000][0]
# Blue & Grey passed 100M on 2021-05-03, day 165, and nothing says when it
# passed 50M: BE's range, day 1 to 165, overlaps Layover's day 72
check(be["status"] == "reached" and be["how"] == "by" and be["day_low"] == 1 and
      be["day_high"] == 165 and be["rank"] is None and be["unranked"] == "range overlaps" and
      be["rank_low"] == 1 and be["rank_high"] == 2,
      "BE by day 165 once its tracks without data are excluded, unranked: %r" % be)

# Rainy Days (out 2023-08-11) is over 40M on 2023-10-25 and over 50M on
# 2023-11-18, both lower bounds: past 50M by 2023-11-18, at any day since
# its release (day 1 to 100), never interpolated
rd = [e for t in js["tracks"] if t["track"] == "Rainy Days" for e in t["milestones"]
      if e["milestone"] == 50000000][0]
check(rd["how"] == "by" and rd["range_low"] == "2023-08-11" and rd["day_low"] == 1 and
      rd["day_high"] == 100, "Rainy Days 50M by day 100, from its release: %r" % rd)
# BE's album total of 1B is a partial sum (5 tracks without data): no record
bet = [e for a in js["albums"] if a["album"] == "BE" for e in a["album_total"]
       if e["milestone"] == 1000000000][0]
check(bet["rank"] is None and bet["unranked"] == "partial sum" and bet["how"] == "by" and
      bet["range_low"] == "2020-11-20", "BE's partial 1B total unranked: %r" % bet)

# without the catalog every release date is inferred: a day count, "first"
# or "fastest" claim says so in the same sentence, and the JSON carries it
subprocess.run([BIN, "report", "-q", "--no-backtest", "--as-of", "2023-11-21", "-o",
                os.path.join(WORK, "nocat.xlsx"), "datasets/spotify_albums.csv"], check=True,
               stderr=subprocess.DEVNULL)
js4 = summary.load(os.path.join(WORK, "nocat.json"))
for h in js4["headline"]:
    if "day " in h or "fastest" in h or "first album" in h:
        check("inferred release date" in h, "no-catalog headline says inferred: %r" % h)
claims = [e for a in js4["albums"] for e in a["all_tracks"] + a["album_total"]
          if e["rank"] is not None]
check(claims and all(e["rank_inferred"] and "inferred_release" in e["flags"] for e in claims),
      "no-catalog ranks carry rank_inferred and the flag: %r" % claims[:1])
ws4 = openpyxl.load_workbook(os.path.join(WORK, "nocat.xlsx"))["Summary"]
# a rank is a number; its format says so ("1 (record, days from inferred ...)")
ranks = [(c.value, c.number_format) for row in ws4.iter_rows() if row[0].value == "rank"
         for c in row[1:] if isinstance(c.value, int)]
check(ranks and all("inferred release dates" in f for _, f in ranks),
      "Summary ranks say they count from inferred dates: %r" % ranks)

if failures:
    sys.exit("bundled_check: %d failure(s)" % len(failures))
print("bundled_check: ok")
