"""Each input format of the README's "Your own data" goes from file to
workbook with its one command, and the workbook holds what the data were
made with.  Usage: formats_check.py STREAMSTAT WORKDIR

The four files in tests/data/formats/ hold the same history, written four
ways: album Layover by V, released 2023-09-08, two tracks observed for five
days from the release:

    day         Rainy Days daily / total     Blue daily / total
    2023-09-08  1,200,000 / 1,200,000        1,000,000 / 1,000,000
    2023-09-09    900,000 / 2,100,000          750,000 / 1,750,000
    2023-09-10    800,000 / 2,900,000          600,000 / 2,350,000
    2023-09-11    700,000 / 3,600,000          500,000 / 2,850,000
    2023-09-12    650,000 / 4,250,000          450,000 / 3,300,000

so with --milestones 1M,2M,3M: Rainy Days passes 2M on 09-09 (day 2) and
3M on 09-11 (day 4); Blue passes 2M on 09-10 (day 3) and 3M on 09-12 (day 5);
every track has 3M on 2023-09-12, day 5.  1M is passed on the first day: an
exact crossing where the history is known to start at the release (the
per-song exports with the catalog's release date), else "by then" (an
inferred release date cannot say the track had nothing the day before).  The peak day is the first where daily
counts are given; from totals alone the first day's count is unknown, so the
peak is the second day's.
"""
import datetime
import hashlib
import os
import subprocess
import sys

import openpyxl

binary, work = sys.argv[1], sys.argv[2]
failures = []
D = "tests/data/formats/"
MS = ["--milestones", "1M,2M,3M"]

# the commands of the README's "Your own data" section
COMMANDS = {
    "s4a": ["report", "-c", D + "s4a-catalog.csv", "--track-from-filename",
            D + "s4a/Rainy Days.csv", D + "s4a/Blue.csv"],
    "semicolon": ["report", "--date-format", "%d.%m.%Y", "--thousands", ".",
                  D + "eu-semicolon.csv"],
    "wide": ["report", "--wide", "--values", "total", "--album", "Layover", "--artist", "V",
             D + "wide-totals.csv"],
    "kworb": ["report", "--column", "total=Streams", "--thousands", ",", D + "kworb-totals.csv"],
}

TOTALS = {"Rainy Days": 4250000, "Blue": 3300000}
PEAK = {"Rainy Days": 1200000, "Blue": 1000000}
PEAK_FROM_TOTALS = {"Rainy Days": 900000, "Blue": 750000}
FROM_TOTALS = ("semicolon", "wide")  # totals only, and no release date
FIRST_DAY_BY_THEN = ("semicolon", "wide", "kworb", "stdin", "pipe")
CROSSED = {  # (track, milestone): (date, day)
    ("Rainy Days", 1000000): ("2023-09-08", 1), ("Rainy Days", 2000000): ("2023-09-09", 2),
    ("Rainy Days", 3000000): ("2023-09-11", 4), ("Blue", 1000000): ("2023-09-08", 1),
    ("Blue", 2000000): ("2023-09-10", 3), ("Blue", 3000000): ("2023-09-12", 5),
}


def check(cond, what):
    if not cond:
        failures.append(what)
        print("formats_check: FAIL: " + what, file=sys.stderr)


def day(s):
    return datetime.datetime.strptime(s, "%Y-%m-%d")


def rows(ws):
    it = ws.iter_rows(values_only=True)
    head = next(it)
    return [dict(zip(head, r)) for r in it]


def run(tag, args, stdin=None):
    out = os.path.join(work, tag)
    os.makedirs(out, exist_ok=True)
    xlsx = os.path.join(out, "streamstat-2023-09-12.xlsx")
    p = subprocess.run([binary] + args[:1] + ["--no-backtest", "-q", "-o", xlsx] + MS + args[1:],
                       capture_output=True, stdin=stdin)
    check(p.returncode == 0, "%s: exit %d: %s" % (tag, p.returncode, p.stderr.decode()))
    return xlsx


def check_workbook(tag, path):
    wb = openpyxl.load_workbook(path)
    tracks = {r["Track"]: r for r in rows(wb["Tracks"])}
    check(sorted(tracks) == ["Blue", "Rainy Days"], "%s: tracks %r" % (tag, sorted(tracks)))
    for name, total in TOTALS.items():
        t = tracks.get(name, {})
        check(t.get("Album") == "Layover", "%s: %s album %r" % (tag, name, t.get("Album")))
        check(t.get("Latest total") == total,
              "%s: %s latest total %r, want %d" % (tag, name, t.get("Latest total"), total))
        check(t.get("Observations") == 5, "%s: %s observations %r" % (tag, name,
                                                                     t.get("Observations")))
        check(t.get("First date") == day("2023-09-08") and t.get("Latest date") ==
              day("2023-09-12"), "%s: %s dates %r %r" % (tag, name, t.get("First date"),
                                                        t.get("Latest date")))
        peak = (PEAK_FROM_TOTALS if tag in FROM_TOTALS else PEAK)[name]
        check(t.get("Peak daily") == peak,
              "%s: %s peak daily %r" % (tag, name, t.get("Peak daily")))
    got = {(r["Track"], r["Milestone"]): r for r in rows(wb["Milestones"]) if r["Track"]}
    for key, (date, n) in CROSSED.items():
        r = got.get(key, {})
        status = "reached"
        if key[1] == 1000000 and tag in FIRST_DAY_BY_THEN:
            status, n = "reached (by then)", "<=1"
        check(r.get("Status") == status and r.get("Date") == day(date) and
              r.get("Day (track)") == n,
              "%s: %s %d: %r %r day %r, want %s %s day %s" % (
                  tag, key[0], key[1], r.get("Status"), r.get("Date"), r.get("Day (track)"),
                  status, date, n))
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    check(summary.get("Album") == "Layover" and summary.get("artist") == "V",
          "%s: summary album %r artist %r" % (tag, summary.get("Album"), summary.get("artist")))
    check(summary.get("release date") == day("2023-09-08"),
          "%s: release date %r" % (tag, summary.get("release date")))
    headline = wb["Summary"].cell(row=1, column=1).value or ""
    check(headline.startswith("Every Layover track passed 3M on 2023-09-12, day 5"),
          "%s: headline %r" % (tag, headline))
    return wb


for tag, args in COMMANDS.items():
    check_workbook(tag, run(tag, args))

# the README's one-file Spotify for Artists command: no catalog, the release
# date given with --release-date, so the daily counts add up to totals and
# the milestones are reached on the known days (without it: none is)
ONE = ["report", "--track", "Rainy Days", "--album", "Layover", "--artist", "V",
       "--release-date", "2023-09-08", "Rainy Days.csv"]
with open("README.md", encoding="utf-8") as f:
    readme = f.read()
check("`streamstat %s`" % " ".join('"%s"' % a if " " in a else a for a in ONE) in readme,
      "README: no one-file command `streamstat %s`" % " ".join(ONE))
for tag, args in (("s4a-one", ONE), ("s4a-one-no-release", ONE[:7] + ONE[9:])):
    wb = openpyxl.load_workbook(run(tag, args[:-1] + [D + "s4a/" + args[-1]]))
    t = {r["Track"]: r for r in rows(wb["Tracks"])}.get("Rainy Days", {})
    got = {r["Milestone"]: r for r in rows(wb["Milestones"]) if r["Track"] == "Rainy Days"}
    if tag == "s4a-one":
        check(t.get("Latest total") == TOTALS["Rainy Days"] and
              t.get("Release date") == day("2023-09-08") and
              t.get("Release date from") == "data column",
              "%s: track %r %r from %r" % (tag, t.get("Latest total"), t.get("Release date"),
                                           t.get("Release date from")))
        for (name, m), (date, n) in CROSSED.items():
            r = got.get(m, {})
            if name == "Rainy Days":
                check(r.get("Status") == "reached" and r.get("Date") == day(date) and
                      r.get("Day (track)") == n,
                      "%s: %d: %r %r day %r, want reached %s day %d" % (
                          tag, m, r.get("Status"), r.get("Date"), r.get("Day (track)"), date, n))
    else:
        check(t.get("Latest total") is None and
              not any(str(r.get("Status", "")).startswith("reached") for r in got.values()),
              "%s: without --release-date: total %r, milestones %r" % (
                  tag, t.get("Latest total"), {m: r.get("Status") for m, r in got.items()}))

# standard input: the same answers, and the About sheet's checksum is the file's
src = D + "kworb-totals.csv"
with open(src, "rb") as f:
    data = f.read()
with open(src, "rb") as f:
    wb = check_workbook("stdin", run("stdin", ["report", "--column", "total=Streams",
                                               "--thousands", ",", "-"], stdin=f))
about = [r for r in wb["About"].iter_rows(values_only=True) if r and r[0] == "<stdin>"]
check(len(about) == 1 and about[0][3] == hashlib.sha256(data).hexdigest() and
      about[0][2] == len(data), "stdin: About row %r" % about)
# through a pipe, which a report spools to read it twice
p = subprocess.Popen(["cat", src], stdout=subprocess.PIPE)
check_workbook("pipe", run("pipe", ["report", "--column", "total=Streams", "--thousands", ",",
                                    "-"], stdin=p.stdout))
p.wait()

# a rerun into the same path writes the same bytes
a = run("again", COMMANDS["semicolon"])
with open(a, "rb") as f:
    first = f.read()
run("again", COMMANDS["semicolon"])
with open(a, "rb") as f:
    check(f.read() == first, "semicolon: a rerun wrote a different workbook")

if failures:
    sys.exit(1)
print("formats_check: %d formats, one song with --release-date, stdin and a pipe: every "
      "workbook holds the known answers" % len(COMMANDS))
