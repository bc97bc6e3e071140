"""A track whose feed stopped is flagged "stale" in the JSON summary and the
workbook (Milestones flags and reason, Tracks note), and its projections say
the older day they continue from; a daily-only history without a release
date says why nothing can be dated.  Usage: stale_check.py STREAMSTAT WORKDIR
"""
import json
import os
import subprocess
import sys

import openpyxl
import summary  # tests/e2e/summary.py: the summary as a reader reads it

binary, work = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("stale_check: FAIL: " + what, file=sys.stderr)


def report(tag, *args):
    out = os.path.join(work, tag)
    os.mkdir(out)
    p = subprocess.run([binary, "report", "--no-backtest", "-q", "-o", out] + list(args),
                       capture_output=True, text=True)
    check(p.returncode == 0, "%s: exit %d: %s" % (tag, p.returncode, p.stderr))
    names = sorted(os.listdir(out))
    xlsx = [n for n in names if n.endswith(".xlsx") and n != "latest.xlsx"][0]
    with open(os.path.join(out, xlsx[:-5] + ".json"), encoding="utf-8") as f:
        js = summary.load(f)
    return js, openpyxl.load_workbook(os.path.join(out, xlsx)), p.stderr


def rows(ws):
    it = ws.iter_rows(values_only=True)
    head = next(it)
    return [dict(zip(head, r)) for r in it]


# ---- a feed that stopped ----------------------------------------------
js, wb, err = report("stale", "--milestones", "10M,50M", "tests/data/good/stale-feed.csv")
check("stale-feed.csv:7: track 'Rainy Days' of album 'Layover': last observed on 2023-09-10"
      in err, "stale: no stale-track warning on stderr: " + err)
tracks = {t["track"]: t for t in js["tracks"]}
check(tracks["Rainy Days"]["stale"] is True, "stale: Rainy Days not stale in the JSON")
check(tracks["Blue"]["stale"] is False, "stale: Blue stale in the JSON")
for m in tracks["Rainy Days"]["milestones"]:
    check("stale" in m["flags"], "stale: Rainy Days %s lacks the flag" % m["milestone"])
rd10 = tracks["Rainy Days"]["milestones"][0]
check(rd10["status"] == "projected" and rd10["reason"] ==
      "stale: continues from 2023-09-10, its last total, 10 days before the latest data",
      "stale: Rainy Days 10M reason %r" % rd10["reason"])
for m in tracks["Blue"]["milestones"]:
    check("stale" not in m["flags"], "stale: Blue %s flagged" % m["milestone"])
al = js["albums"][0]
check("stale" in al["all_tracks"][0]["flags"], "stale: every-track 10M not flagged")
check(al["all_tracks"][0]["reason"] ==
      "continues from stale tracks' older totals: Rainy Days (2023-09-10)",
      "stale: every-track reason %r" % al["all_tracks"][0]["reason"])
check(js["problems"]["by_kind"]["stale track"] == 1, "stale: by_kind %r" % js["problems"])
ms = [r for r in rows(wb["Milestones"]) if r["Track"] == "Rainy Days"]
check(len(ms) == 2 and all("stale" in (r["Flags"] or "") for r in ms),
      "stale: Milestones sheet flags %r" % [r.get("Flags") for r in ms])
check(ms and (ms[0]["Note"] or "").startswith("stale: continues from 2023-09-10"),
      "stale: Milestones sheet note %r" % (ms[0].get("Note") if ms else None))
tr = {r["Track"]: r for r in rows(wb["Tracks"])}
check((tr["Rainy Days"]["Note"] or "").startswith("stale: last observed 2023-09-10, 10 days"),
      "stale: Tracks note %r" % tr["Rainy Days"].get("Note"))
check(not tr["Blue"]["Note"], "stale: Blue has a Tracks note")

# ---- --stale-days raises the bar ---------------------------------------
js, wb, err = report("stale10", "--stale-days", "10", "tests/data/good/stale-feed.csv")
check(not any(t["stale"] for t in js["tracks"]), "stale10: a track is stale")
check("stale track" not in err, "stale10: warned: " + err)

# ---- daily counts only, no release date --------------------------------
js, wb, err = report("daily", "--milestones", "50M", "tests/data/good/daily-only.csv")
check("daily counts only and no release date, so its total is unknown" in err,
      "daily: no warning on stderr: " + err)
for t in js["tracks"]:
    m = t["milestones"][0]
    check(m["status"] == "unknown" and m["reason"].startswith(
        "daily counts only and no release date, so no total is known"),
        "daily: %s reason %r" % (t["track"], m["reason"]))
check(js["albums"][0]["all_tracks"][0]["reason"].startswith(
    "2 of 2 counting tracks have daily counts only and no release date"),
    "daily: album reason %r" % js["albums"][0]["all_tracks"][0]["reason"])
check(js["problems"]["by_kind"]["no known total"] == 2, "daily: by_kind")

if failures:
    print("stale_check: %d failure(s)" % len(failures), file=sys.stderr)
    sys.exit(1)
print("stale_check: ok")
