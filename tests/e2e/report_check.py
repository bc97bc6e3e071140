"""End-to-end checks of `streamstat report`: the workbook read back with
openpyxl (and opened by LibreOffice when it is installed), against the JSON
summary and against answers known by construction.

usage: report_check.py STREAMSTAT WORKDIR

1. A hand-made history (written to WORKDIR) whose answers are known: three
   albums with a catalog, exact daily totals growing linearly, so every
   crossing is a known day (the release day is day 1).  Alpha (released
   2024-01-01; A1 100k/day, A2 50k/day) has every track past 1M on day 20
   and 2M on day 40, A2 last; Beta (2024-03-01; B1 200k/day, B2 125k/day,
   "B skit" 1k/day but counts=no) on days 8 and 16, B2 last: Beta holds the
   record.  Gamma (2024-01-15; G1 90k/day, G2 counting but without data) is
   unknown and unranked, and says why.  Album totals: Alpha 150k/day
   (1M on day 7, 2M on day 14), Beta 325k/day (days 4 and 7), Gamma 90k/day
   (days 12 and 23, a partial sum).  Every sheet is checked: names and
   order, real dates and integer days in the Summary, the Milestones rows
   against the JSON, the Tracks table and its number formats, the chart
   series and the cells they read, the Daily dates and totals, the About
   checksums.
2. The bundled dataset as of 2023-11-21, backtest on: Layover's every track
   past 50M on 2023-11-18, day 72, Blue last, the record; BE unknown; the
   headline says so; the JSON agrees.
3. Rerunning into the same path gives a byte-identical workbook.
4. No NaN/inf (numbers or text) and no formulas anywhere.
5. LibreOffice (soffice), when installed, converts the bundled workbook to
   PDF, and to CSV, in which it shows the Summary's dates as dates.
6. An output path that cannot be created exits 73 with a "streamstat: "
   message naming it.
7. Odd inputs: non-UTF-8 names, counts near INT64_MAX, an album without
   data (no empty chart).
8. A catalog past Excel's limits (16,400 albums x 7 tracks, generated):
   Summary stops at 16,384 columns and says so; Tracks, past 100,000 rows,
   is a plain sheet with filters instead of a table, with every track; the
   JSON has every album and track.
"""
import csv
import datetime as dt
import glob
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import zipfile

import warnings

import openpyxl
from openpyxl.utils.cell import range_boundaries
import summary  # tests/e2e/summary.py: the summary as a reader reads it

# openpyxl drops the sparklines extension it cannot read, and says so; the
# checks read it from the XML
warnings.filterwarnings("ignore", message="Sparkline Group extension is not supported")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(sys.argv[1])
WORK = os.path.abspath(sys.argv[2])
SHEETS = ["Summary", "Milestones", "Tracks", "Charts", "Daily", "Backtest", "Data quality",
          "About", "Changes"]  # the eight in its order, then the nightly news
SPARK_SHEET = "Sparkline data"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


def run(args, code=0):
    p = subprocess.run([BIN] + args, capture_output=True, text=True, cwd=ROOT)
    check(p.returncode == code,
          "streamstat %s: exit %d, expected %d; stderr: %s"
          % (" ".join(args), p.returncode, code, p.stderr.strip()))
    return p


def day(s):
    return dt.date.fromisoformat(s)


def cell_date(v):
    """A date cell's date, or None when empty; a non-date is a failure."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    return "not a date: %r" % (v,)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


# ---- reading the workbook ----------------------------------------------

def summary_table(ws):
    """albums (column order) and {block label: {row label: {album: cell}}}."""
    head = None
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == "Album":
            head = r
            break
    if not check(head is not None, "Summary: no 'Album' header row"):
        return [], {}
    albums, c = [], 2
    while ws.cell(head, c).value is not None:
        albums.append(ws.cell(head, c).value)
        c += 1
    blocks, cur = {}, "facts"
    blocks[cur] = {}
    for r in range(head + 1, ws.max_row + 1):
        label = ws.cell(r, 1).value
        if not isinstance(label, str):
            continue
        if label.startswith("Every track >= ") or label.startswith("Album total >= "):
            cur = label
            blocks[cur] = {}
            continue
        if label in blocks[cur]:
            continue
        blocks[cur][label] = {a: ws.cell(r, 2 + i) for i, a in enumerate(albums)}
    return albums, blocks


def status_text(x):
    """The Summary/Milestones status text of a JSON crossing."""
    if x["status"] == "reached":
        return {"exact": "reached", "interpolated": "reached (interpolated)",
                "by": "reached (by then)"}.get(x["how"], "?" + str(x["how"]))
    if x["status"] == "after":
        return "after " + x["date"]  # past the horizon: its end, and no day
    return x["status"]


def dated_date(x):
    """The date a workbook's date cell holds for a JSON crossing: none past
    the horizon (the status says "after DATE")."""
    return x["date"] if x["status"] != "after" else None


def milestone_label(m):
    for unit, name in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if m >= unit and m % unit == 0:
            return "%d%s" % (m // unit, name)
    return str(m)


def compare_summary_json(tag, ws, js):
    """The Summary's album blocks against albums[].all_tracks / album_total."""
    albums, blocks = summary_table(ws)
    check(albums == [a["album"] for a in js["albums"]],
          "%s: Summary albums %r, JSON %r" % (tag, albums, [a["album"] for a in js["albums"]]))
    facts = blocks.get("facts", {})
    for a in js["albums"]:
        name = a["album"]
        if name not in albums:
            continue
        rel = facts.get("release date", {}).get(name)
        got = cell_date(rel.value) if rel is not None else None
        want = day(a["release_date"]) if a["release_date"] else None
        check(got == want, "%s: %s release date %r, JSON %r" % (tag, name, got, want))
        lt = facts.get("latest total", {}).get(name)
        check(lt is not None and lt.value == a["latest_total"],
              "%s: %s latest total %r, JSON %r"
              % (tag, name, lt.value if lt is not None else None, a["latest_total"]))
        for kind, key in (("Every track", "all_tracks"), ("Album total", "album_total")):
            for x in a[key]:
                label = "%s >= %s" % (kind, milestone_label(x["milestone"]))
                b = blocks.get(label)
                if not check(b is not None, "%s: Summary has no block %r" % (tag, label)):
                    continue
                where = "%s: Summary %s, %s" % (tag, label, name)
                dcell, ncell = b["date"][name], b["day"][name]
                got = cell_date(dcell.value)
                check(got == (day(dated_date(x)) if dated_date(x) else None),
                      "%s: date %r, JSON %r" % (where, got, x["date"]))
                if dated_date(x):
                    check(dcell.is_date and "yyyy" in dcell.number_format,
                          "%s: date cell %s is not a formatted date (%r, %r)"
                          % (where, dcell.coordinate, dcell.value, dcell.number_format))
                check(ncell.value == day_cell(x) and
                      (day_cell(x) is None or isinstance(day_cell(x), str) or
                       is_int(ncell.value)),
                      "%s: day %r (%s), JSON %r"
                      % (where, ncell.value, type(ncell.value).__name__, x["day"]))
                check(b["status"][name].value == status_text(x),
                      "%s: status %r, JSON %r" % (where, b["status"][name].value,
                                                   status_text(x)))
                rank = b["rank"][name].value
                want = rank_cell(x)
                check(rank == want, "%s: rank %r, JSON %r" % (where, rank, x["rank"]))
                if x["rank"] is not None:
                    check(is_int(rank) and b["rank"][name].number_format == rank_format(x),
                          "%s: rank %r is not a number formatted %r: %r"
                          % (where, rank, rank_format(x), b["rank"][name].number_format))
                # an interval (or an observed day's range) as two dates
                lo, hi = (("low", "high") if x["status"] == "projected" else
                          ("range_low", "range_high"))
                if x["status"] in ("projected", "reached") and \
                        (x["status"] == "projected" or x[hi] != x[lo]) and x.get(hi):
                    for row, k in (("low", lo), ("high", hi)):
                        got = b[row][name].value
                        if row == "high" and x.get("high_open"):
                            check(got == "never", "%s: high %r, JSON open" % (where, got))
                            continue
                        check(cell_date(got) == (day(x[k]) if x[k] else None),
                              "%s: %s %r, JSON %s %r" % (where, row, got, k, x[k]))
                if key == "all_tracks":
                    check(b["bottleneck"][name].value == x["bottleneck_track"],
                          "%s: bottleneck %r, JSON %r"
                          % (where, b["bottleneck"][name].value, x["bottleneck_track"]))
                if x["status"] not in ("reached", "projected") and x["reason"]:
                    check(b["note"][name].value == x["reason"],
                          "%s: note %r, JSON reason %r" % (where, b["note"][name].value,
                                                            x["reason"]))
    return albums, blocks


def compare_milestones_json(tag, ws, js):
    """Every Milestones row against tracks[].milestones."""
    hdr = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(hdr)}
    need = ["Album", "Track", "Milestone", "Status", "Date", "Day (track)", "Day (album)",
            "Low", "High"]
    if not check(all(h in col for h in need), "%s: Milestones header %r" % (tag, hdr)):
        return {}
    rows = {}
    for r in ws.iter_rows(min_row=2, values_only=True):
        if r[col["Album"]] is None:
            continue
        key = (r[col["Album"]], r[col["Track"]], r[col["Milestone"]])
        check(key not in rows, "%s: Milestones row %r twice" % (tag, key))
        rows[key] = r
    # a track without data: one line for every milestone
    want = sum(1 if t["observations"] == 0 else len(t["milestones"]) for t in js["tracks"])
    check(len(rows) == want, "%s: %d Milestones rows, JSON has %d" % (tag, len(rows), want))
    for t in js["tracks"]:
        if t["observations"] == 0:
            r = rows.get((t["album"], t["track"], "all"))
            check(r is not None and r[col["Status"]] == "unknown" and
                  not any((t["album"], t["track"], x["milestone"]) in rows
                          for x in t["milestones"]),
                  "%s: Milestones: %s / %s has no data but not one 'all' line: %r"
                  % (tag, t["album"], t["track"], r))
            continue
        for x in t["milestones"]:
            key = (t["album"], t["track"], x["milestone"])
            r = rows.get(key)
            if not check(r is not None, "%s: no Milestones row for %r" % (tag, key)):
                continue
            where = "%s: Milestones %r" % (tag, key)
            check(r[col["Status"]] == status_text(x),
                  "%s: status %r, JSON %r" % (where, r[col["Status"]], status_text(x)))
            dated = x["status"] in ("reached", "projected")
            for h, k in (("Date", "date"), ("Low", "low"), ("High", "high")):
                v = r[col[h]]
                if h == "High" and x["high_open"]:
                    check(v == "never", "%s: High %r, JSON open" % (where, v))
                    continue
                if h != "Date" and not dated:
                    continue
                if h != "Date" and x["status"] == "reached":
                    k = "range_" + k     # an observed day's range, not an interval
                got = cell_date(v)
                want = dated_date(x) if k == "date" else x[k]
                check(got == (day(want) if want else None),
                      "%s: %s %r, JSON %r" % (where, h, got, x[k]))
            for h, k in (("Day (track)", "day"), ("Day (album)", "day_album")):
                v = r[col[h]]
                if x["status"] == "reached" and x["how"] == "by" and \
                        x["range_low"] != x["date"]:
                    # only known by then: the day numbers it may have been
                    low = x["day_low"] if k == "day" else \
                        (None if x["day_low"] is None else x["day_low"] - x["day"] + x[k])
                    want = "<=%d" % x[k] if low is None else "%d..%d" % (low, x[k])
                    check(v == want, "%s: %s %r, JSON %r" % (where, h, v, want))
                    continue
                check(v == x[k] and (v is None or is_int(v)),
                      "%s: %s %r, JSON %r" % (where, h, v, x[k]))
    return rows


def day_cell(x):
    """A Summary day cell as the JSON says it should read: the day number,
    or for a crossing only known by then the days it may have been."""
    if x["status"] == "reached" and x["how"] == "by" and x["day_low"] != x["day_high"]:
        return ("<=%d" % x["day_high"] if x["day_low"] is None
                else "%d..%d" % (x["day_low"], x["day_high"]))
    return x["day"]


def rank_cell(x):
    """A Summary rank cell from the JSON: the rank as a number (its format
    says "(record)" and inferred dates, see rank_format), or why a reached
    crossing is unranked."""
    if x["rank"] is not None:
        return x["rank"]
    if x.get("unranked") == "range overlaps":
        return "unranked: range overlaps (ranks %d to %d)" % (x["rank_low"], x["rank_high"])
    if x.get("unranked"):
        return "unranked: " + x["unranked"]
    return None


def rank_format(x):
    """The number format of a ranked Summary rank cell."""
    inferred = "days from inferred release dates" if x.get("rank_inferred") else ""
    if x["rank"] == 1:
        return '0" (record%s)"' % (", " + inferred if inferred else "")
    return '0" (%s)"' % inferred if inferred else "0"


def sheet_range(wb, ref):
    """The cells of a chart reference like Charts!$U$3:$U$12 (sheet, cells)."""
    sheet, rng = ref.rsplit("!", 1)
    sheet = sheet.strip("'")
    if sheet not in wb.sheetnames:
        return sheet, None
    c1, r1, c2, r2 = range_boundaries(rng.replace("$", ""))
    ws = wb[sheet]
    return sheet, [ws.cell(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def series_name(s):
    if s.tx is None:
        return None
    if s.tx.v is not None:
        return s.tx.v
    if s.tx.strRef is not None:
        return s.tx.strRef.f
    return None


def excel_serial(v):
    """The Excel serial number of a date (day 0 is 1899-12-30)."""
    return (v.date() - dt.date(1899, 12, 30)).days


def chart_title(ch):
    try:
        return "".join(r.t for p in ch.title.tx.rich.p for r in (p.r or []))
    except AttributeError:
        return ""


def chart_series(tag, wb):
    """Check every series of every chart on Charts and return
    {(chart title, series name): (x values, y values)}."""
    ws = wb["Charts"]
    out = {}
    check(len(ws._charts) >= 2, "%s: Charts has %d charts, expected >= 2"
          % (tag, len(ws._charts)))
    empty, below = [], []  # series that plot nothing; cumulative streams < 0
    for ch in ws._charts:
        title = chart_title(ch)
        check(len(ch.series) > 0, "%s: chart %r has no series" % (tag, title))
        for s in ch.series:
            name = series_name(s)
            where = "%s: chart %r series %r" % (tag, title, name)
            vals = []
            for axis, ref in (("x", s.xVal), ("y", s.yVal)):
                f = ref.numRef.f if ref is not None and ref.numRef is not None else None
                if not check(f is not None, "%s: no %s reference" % (where, axis)):
                    vals.append([])
                    continue
                sheet, cells = sheet_range(wb, f)
                check(sheet == "Charts" and cells is not None,
                      "%s: %s reference %s is not on the Charts sheet" % (where, axis, f))
                cells = cells or []
                check(all(c.column >= 21 for c in cells),
                      "%s: %s reference %s is left of the data columns (U on)"
                      % (where, axis, f))
                # a date axis plots date serials: openpyxl reads them as dates
                bad = [c.coordinate for c in cells if c.value is not None
                       and not isinstance(c.value, (int, float, dt.datetime))]
                check(not bad, "%s: %s cells that are not numbers: %s" % (where, axis, bad[:5]))
                vals.append([excel_serial(c.value) if isinstance(c.value, dt.datetime)
                             else c.value for c in cells])
            xs, ys = vals
            check(len(xs) == len(ys), "%s: %d x cells, %d y cells" % (where, len(xs), len(ys)))
            if not any(isinstance(v, (int, float)) for v in ys):
                empty.append("%s (%s)" % (name, s.yVal.numRef.f if s.yVal is not None
                                          and s.yVal.numRef is not None else "?"))
            neg = [v for v in ys if isinstance(v, (int, float)) and v < 0]
            if neg:
                below.append("%s: %d points, e.g. %.0f" % (name, len(neg), min(neg)))
            out[(title, name)] = (xs, ys)
    check(not empty, "%s: %d chart series whose value cells are all empty (they plot "
          "nothing; e.g. the interval band of a projection without interval): %s"
          % (tag, len(empty), "; ".join(empty)))
    check(not below, "%s: %d chart series plot cumulative streams below zero (the model "
          "curve before the observations): %s" % (tag, len(below), "; ".join(below)))
    return out


BAD_TEXT = re.compile(r"(?<![A-Za-z])[-+]?(nan|inf|infinity)(?![A-Za-z])", re.I)


def no_nan_no_formula(tag, path, wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                where = "%s: %s!%s" % (tag, ws.title, c.coordinate)
                check(c.data_type != "f", "%s: a formula: %r" % (where, v))
                if isinstance(v, float):
                    check(math.isfinite(v), "%s: holds %r" % (where, v))
                elif isinstance(v, str):
                    check(not BAD_TEXT.search(v), "%s: text with nan/inf: %r" % (where, v))
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                xml = z.read(n).decode("utf-8")
                check(not re.search(r"<f[ >]", xml), "%s: %s has a <f> formula" % (tag, n))
                check(not re.search(r"<v>[-+]?(nan|inf)", xml, re.I),
                      "%s: %s has a NaN/inf value" % (tag, n))


def about(tag, wb, js, inputs):
    """The About sheet lists each input (as given) with size and SHA-256."""
    ws = wb["About"]
    rows = {}
    head = None
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == "Input" and ws.cell(r, 4).value == "SHA-256":
            head = r
        elif head and ws.cell(r, 1).value is None:
            break
        elif head:
            rows[ws.cell(r, 1).value] = [ws.cell(r, c).value for c in range(2, 5)]
    check(head is not None, "%s: About has no Input/SHA-256 table" % tag)
    check(sorted(rows) == sorted(p for p, _ in inputs),
          "%s: About lists %r, expected %r" % (tag, sorted(rows), sorted(p for p, _ in inputs)))
    jin = {i["path"]: i for i in js["inputs"]}
    for p, kind in inputs:
        with open(os.path.join(ROOT, p), "rb") as f:
            data = f.read()
        sha = hashlib.sha256(data).hexdigest()
        got = rows.get(p, [None, None, None])
        check(got[0] == kind, "%s: About %s kind %r, expected %r" % (tag, p, got[0], kind))
        check(got[1] == len(data) and is_int(got[1]),
              "%s: About %s bytes %r, expected %d" % (tag, p, got[1], len(data)))
        check(isinstance(got[2], str) and re.fullmatch(r"[0-9a-f]{64}", got[2]) is not None,
              "%s: About %s SHA-256 %r is not 64 hex digits" % (tag, p, got[2]))
        check(got[2] == sha, "%s: About %s SHA-256 %r, hashlib %s" % (tag, p, got[2], sha))
        j = jin.get(p, {})
        check(j.get("sha256") == sha and j.get("bytes") == len(data)
              and j.get("catalog") == (kind == "catalog"),
              "%s: JSON inputs entry for %s: %r" % (tag, p, j))
    asof = None
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == "as of":
            asof = cell_date(ws.cell(r, 2).value)
    check(asof == day(js["as_of"]), "%s: About as of %r, JSON %r" % (tag, asof, js["as_of"]))


def load(tag, xlsx, jsn):
    wb = openpyxl.load_workbook(xlsx)
    with open(jsn, encoding="utf-8") as f:
        js = summary.load(f)
    # then, hidden, the Tracks sparklines' data (when there are tracks)
    check(wb.sheetnames == SHEETS + [SPARK_SHEET], "%s: sheets %r, expected %r"
          % (tag, wb.sheetnames, SHEETS + [SPARK_SHEET]))
    check(SPARK_SHEET not in wb.sheetnames or wb[SPARK_SHEET].sheet_state == "hidden",
          "%s: the sheet %r is not hidden" % (tag, SPARK_SHEET))
    return wb, js


# ---- 1. the hand-made history -----------------------------------------

CATALOG = """album,artist,album_release_date,track,track_release_date,counts
Alpha,Ann,2024-01-01,A1,2024-01-01,yes
Alpha,Ann,2024-01-01,A2,2024-01-01,yes
Gamma,Gil,2024-01-15,G1,2024-01-15,yes
Gamma,Gil,2024-01-15,G2,2024-01-15,yes
Beta,Bo,2024-03-01,B1,2024-03-01,yes
Beta,Bo,2024-03-01,B2,2024-03-01,yes
Beta,Bo,2024-03-01,B skit,2024-03-01,no
"""
# album, track, release, streams a day, days observed (day 1 = release day)
TRACKS = [("Alpha", "A1", "2024-01-01", 100000, 45),
          ("Alpha", "A2", "2024-01-01", 50000, 45),
          ("Gamma", "G1", "2024-01-15", 90000, 30),
          ("Beta", "B1", "2024-03-01", 200000, 20),
          ("Beta", "B2", "2024-03-01", 125000, 20),
          ("Beta", "B skit", "2024-03-01", 1000, 20)]
RATE = {"Alpha": 150000, "Gamma": 90000, "Beta": 325000}  # counting tracks' sum a day
DAYS = {"Alpha": 45, "Gamma": 30, "Beta": 20}


def nth(release, n):
    """The date of day n (day 1 = the release day)."""
    return day(release) + dt.timedelta(days=n - 1)


def small():
    tag = "small"
    d = os.path.join(WORK, "small")
    os.makedirs(d)
    cat, hist = os.path.join(d, "catalog.csv"), os.path.join(d, "hist.csv")
    with open(cat, "w") as f:
        f.write(CATALOG)
    with open(hist, "w") as f:
        f.write("date,album,track,total\n")
        for album, track, rel, rate, n in TRACKS:
            for k in range(1, n + 1):
                f.write("%s,%s,%s,%d\n" % (nth(rel, k), album, track, rate * k))
    xlsx, jsn = os.path.join(WORK, "out.xlsx"), os.path.join(WORK, "out.json")
    args = ["report", "-o", xlsx, "--json", jsn, "--no-backtest", "--as-of", "2024-03-31",
            "--milestones", "1M,2M", "--catalog", cat, hist]
    p = run(args)
    if not check(os.path.isfile(xlsx) and os.path.isfile(jsn), "small: no workbook/JSON"):
        return
    check(p.stdout.startswith(xlsx + "\n" + jsn + "\n"),
          "small: stdout does not start with the paths written: %r" % p.stdout[:200])
    wb, js = load(tag, xlsx, jsn)
    check(js["as_of"] == "2024-03-31", "small: JSON as_of %r" % js["as_of"])
    check(js["milestones"] == [1000000, 2000000], "small: JSON milestones %r" % js["milestones"])

    # Summary: values known by construction
    ws = wb["Summary"]
    albums, blocks = compare_summary_json(tag, ws, js)
    check(albums == ["Alpha", "Gamma", "Beta"],
          "small: Summary albums %r, expected release order Alpha, Gamma, Beta" % albums)
    known = {  # every track: (album, milestone) -> (day, bottleneck, rank)
        ("Alpha", "1M"): (20, "A2", 2), ("Alpha", "2M"): (40, "A2", 2),
        ("Beta", "1M"): (8, "B2", 1), ("Beta", "2M"): (16, "B2", 1)}
    rel = {"Alpha": "2024-01-01", "Gamma": "2024-01-15", "Beta": "2024-03-01"}
    facts = blocks.get("facts", {})
    for a in albums:
        c = facts.get("release date", {}).get(a)
        check(c is not None and isinstance(c.value, dt.datetime)
              and c.value.date() == day(rel[a]),
              "small: Summary %s release date %r" % (a, c.value if c else None))
    counted = {a: facts.get("tracks counted", {}).get(a) for a in albums}
    check([counted[a].value if counted[a] else None for a in albums] ==
          ["2 of 2", "2 of 2", "2 of 3"],
          "small: tracks counted %r" % [counted[a].value if counted[a] else None
                                        for a in albums])
    for a, want in (("Alpha", 6750000), ("Gamma", 2700000), ("Beta", 6500000)):
        c = facts.get("latest total", {}).get(a)
        check(c is not None and c.value == want and is_int(c.value)
              and c.number_format == "#,##0",
              "small: Summary %s latest total %r (%r), expected %d with #,##0"
              % (a, c.value if c else None, c.number_format if c else None, want))
    for (a, m), (n, neck, rank) in known.items():
        b = blocks.get("Every track >= " + m, {})
        where = "small: Summary every track >= %s, %s" % (m, a)
        if not check(b, where + ": block missing"):
            continue
        dv, nv = b["date"][a].value, b["day"][a].value
        check(isinstance(dv, dt.datetime) and dv.date() == nth(rel[a], n),
              "%s: date %r, expected %s" % (where, dv, nth(rel[a], n)))
        check(is_int(nv) and nv == n, "%s: day %r, expected int %d" % (where, nv, n))
        check(b["status"][a].value == "reached", "%s: status %r" % (where, b["status"][a].value))
        check(b["bottleneck"][a].value == neck,
              "%s: bottleneck %r, expected %s" % (where, b["bottleneck"][a].value, neck))
        check(b["rank"][a].value == rank,
              "%s: rank %r, expected %r" % (where, b["rank"][a].value, rank))
    for m in ("1M", "2M"):
        b = blocks.get("Every track >= " + m, {})
        if not b:
            continue
        where = "small: Summary every track >= %s, Gamma" % m
        check(b["status"]["Gamma"].value == "unknown",
              "%s: status %r" % (where, b["status"]["Gamma"].value))
        for q in ("date", "day", "rank", "bottleneck"):
            check(b[q]["Gamma"].value is None,
                  "%s: %s %r, expected empty" % (where, q, b[q]["Gamma"].value))
        note = b["note"]["Gamma"].value or ""
        check("G2" in note and "1 of 2" in note,
              "%s: note %r does not name the missing track G2" % (where, note))
    for m, mult in (("1M", 1000000), ("2M", 2000000)):
        b = blocks.get("Album total >= " + m, {})
        for a in albums:
            n = -(-mult // RATE[a])  # first day with rate * day >= M
            where = "small: Summary album total >= %s, %s" % (m, a)
            if not check(b, where + ": block missing"):
                break
            dv, nv = b["date"][a].value, b["day"][a].value
            check(isinstance(dv, dt.datetime) and dv.date() == nth(rel[a], n),
                  "%s: date %r, expected %s" % (where, dv, nth(rel[a], n)))
            if a == "Gamma":
                # G2 has no data: the sum is a lower bound, past M by day n
                # at any day since the release
                check(nv == "1..%d" % n, "%s: day %r, expected 1..%d" % (where, nv, n))
                continue
            check(is_int(nv) and nv == n, "%s: day %r, expected %d" % (where, nv, n))
        if b:
            check(b["rank"]["Beta"].value == 1 and b["rank"]["Alpha"].value == 2,
                  "small: album total >= %s ranks Beta %r, Alpha %r"
                  % (m, b["rank"]["Beta"].value, b["rank"]["Alpha"].value))
            check(b["rank"]["Gamma"].value == "unranked: partial sum" and
                  b["note"]["Gamma"].value == "partial sum",
                  "small: album total >= %s Gamma note %r" % (m, b["note"]["Gamma"].value))
    a1 = ws["A1"].value or ""
    check(a1 == (js["headline"] or [None])[0], "small: A1 %r, JSON headline %r"
          % (a1, js["headline"][:1]))
    check(("Beta" in a1 and "1M" in a1 and "day 8" in a1 and "2024-03-08" in a1)
          or ("Beta" in a1 and "2M" in a1 and "day 16" in a1 and "2024-03-16" in a1),
          "small: headline A1 does not give Beta's record: %r" % a1)
    notes = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    check("Beta: not counted: B skit;" in notes,
          "small: Summary does not say B skit is not counted")

    # Milestones: against the JSON, and known days
    rows = compare_milestones_json(tag, wb["Milestones"], js)
    for album, track, r0, rate, n in TRACKS:
        for m in (1000000, 2000000):
            k = -(-m // rate)
            r = rows.get((album, track, m))
            if r is None:
                continue
            if k <= n:
                check(r[3] == "reached" and cell_date(r[4]) == nth(r0, k) and r[5] == k,
                      "small: Milestones %s %s %d: %r, expected reached on day %d (%s)"
                      % (album, track, m, r[3:7], k, nth(r0, k)))
            else:
                check(r[3] != "reached", "small: Milestones %s %s %d reached: %r"
                      % (album, track, m, r[3:7]))
    # G2 has no data: one line for both milestones
    r = rows.get(("Gamma", "G2", "all"))
    check(r is not None and r[3] == "unknown" and r[4] is None and r[14] == "no data for this track"
          and all(("Gamma", "G2", m) not in rows for m in (1000000, 2000000)),
          "small: Milestones Gamma G2: %r" % (r,))
    mrow = rows.get(("Alpha", "A1", 1000000))
    ws = wb["Milestones"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Alpha" and row[1].value == "A1" and row[2].value == 1000000:
            check(row[4].is_date and row[4].number_format == "yyyy-mm-dd",
                  "small: Milestones date %s format %r" % (row[4].coordinate,
                                                          row[4].number_format))
    check(mrow is not None, "small: no Milestones row Alpha A1 1M")

    # Tracks: an Excel table over every row, counts as formatted numbers
    ws = wb["Tracks"]
    ntr = len(js["tracks"])
    check(ntr == 7, "small: JSON has %d tracks, expected 7" % ntr)
    check("Tracks" in ws.tables, "small: Tracks has no table named Tracks: %r"
          % list(ws.tables.keys()))
    if "Tracks" in ws.tables:
        ref = ws.tables["Tracks"].ref
        check(ref == "A1:W%d" % (ntr + 1) and ws.max_row == ntr + 1,
              "small: table Tracks covers %s; sheet has %d rows, %d tracks"
              % (ref, ws.max_row, ntr))
    hdr = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(hdr)}
    obs = {(a, t): n for a, t, _, _, n in TRACKS}
    obs[("Gamma", "G2")] = 0
    last = {(a, t): r * n for a, t, _, r, n in TRACKS}
    jt = {(t["album"], t["track"]): t for t in js["tracks"]}
    seen = []
    for row in ws.iter_rows(min_row=2):
        key = (row[col["Album"]].value, row[col["Track"]].value)
        seen.append(key)
        o, lt = row[col["Observations"]], row[col["Latest total"]]
        check(is_int(o.value) and o.value == obs.get(key) and o.number_format == "#,##0",
              "small: Tracks %r observations %r (%r), expected %r with #,##0"
              % (key, o.value, o.number_format, obs.get(key)))
        check(o.value == jt.get(key, {}).get("observations"),
              "small: Tracks %r observations %r, JSON %r"
              % (key, o.value, jt.get(key, {}).get("observations")))
        if key in last:
            check(is_int(lt.value) and lt.value == last[key] and lt.number_format == "#,##0",
                  "small: Tracks %r latest total %r (%r), expected %d with #,##0"
                  % (key, lt.value, lt.number_format, last[key]))
        else:
            check(lt.value is None, "small: Tracks %r latest total %r, expected empty"
                  % (key, lt.value))
        rd = row[col["Release date"]]
        check(rd.is_date and cell_date(rd.value) == day(rel[key[0]]),
              "small: Tracks %r release date %r" % (key, rd.value))
    check(seen == [(t["album"], t["track"]) for t in js["tracks"]],
          "small: Tracks rows %r, JSON tracks %r"
          % (seen, [(t["album"], t["track"]) for t in js["tracks"]]))

    # Charts: the series read the Charts sheet's data, which holds the sums
    series = chart_series(tag, wb)
    album_chart = [k for k in series if k[0].startswith("Album total")]
    check(album_chart, "small: no 'Album total' chart")
    for a in ("Alpha", "Gamma", "Beta"):
        k = [s for s in album_chart if s[1] == a]
        if not check(k, "small: the album chart has no series %r" % a):
            continue
        xs, ys = series[k[0]]
        want = list(range(1, DAYS[a] + 1))
        check(xs == want, "small: album chart %s days %r, expected 1..%d" % (a, xs, DAYS[a]))
        check(ys == [RATE[a] * d for d in want],
              "small: album chart %s totals %r..., expected %d a day" % (a, ys[:4], RATE[a]))
    for m in (1000000, 2000000):
        k = [s for s in album_chart if s[1] == milestone_label(m)]
        check(k and series[k[0]][1] == [m, m],
              "small: album chart milestone line %s: %r"
              % (milestone_label(m), series[k[0]][1] if k else None))
    for a, t, r0, rate, n in TRACKS:
        k = [s for s in series if s[0].startswith(a + ": tracks observed") and s[1] == t]
        if not check(len(k) == 1, "small: no per-track chart series %s / %s" % (a, t)):
            continue
        xs, ys = series[k[0]]
        dates = [excel_serial(dt.datetime.combine(nth(r0, d), dt.time()))
                 for d in range(1, n + 1)]
        check(xs == dates and ys == [rate * d for d in range(1, n + 1)],
              "small: %s observed series %r / %r, expected the dates of days 1..%d at %d a day"
              % (t, xs[:4], ys[:4], n, rate))

    # the daily charts: a track's streams a day, averaged over 7 days, by date
    for a, t, r0, rate, n in TRACKS:
        k = [s for s in series if s[0].startswith(a + ": daily streams") and s[1] == t]
        if not check(len(k) == 1, "small: no daily chart series %s / %s" % (a, t)):
            continue
        xs, ys = series[k[0]]
        first = excel_serial(dt.datetime.combine(nth(r0, 1), dt.time()))
        check(ys and all(y == rate for y in ys) and xs[-1] == first + n - 1 and xs[0] >= first,
              "small: %s daily series %r / %r, expected %d a day up to day %d"
              % (t, xs[:4], ys[:4], rate, n))

    # Daily: one row per observation, real dates, the totals given
    ws = wb["Daily"]
    check([c.value for c in ws[2]][:5] == ["Album", "Track", "Date", "Streams", "Total"],
          "small: Daily header %r" % [c.value for c in ws[2]])
    nobs = sum(n for *_, n in TRACKS)
    drows = list(ws.iter_rows(min_row=3))
    check(len(drows) == nobs, "small: Daily has %d rows, expected %d" % (len(drows), nobs))
    got = {}
    for row in drows:
        c = row[2]
        check(c.is_date and isinstance(c.value, dt.datetime) and c.number_format == "yyyy-mm-dd",
              "small: Daily %s is not a date: %r (%r)" % (c.coordinate, c.value, c.number_format))
        if isinstance(c.value, dt.datetime):
            got[(row[0].value, row[1].value, c.value.date())] = row[4].value
    want = {(a, t, nth(r0, k)): rate * k for a, t, r0, rate, n in TRACKS for k in range(1, n + 1)}
    check(got == want, "small: Daily totals differ from the input (%d of %d rows agree)"
          % (sum(got.get(k) == v for k, v in want.items()), len(want)))

    check(wb["Backtest"]["A1"].value == "The backtest did not run (--no-backtest).",
          "small: Backtest A1 %r" % wb["Backtest"]["A1"].value)
    # About lists the paths as given (absolute here)
    about(tag, wb, js, [(cat, "catalog"), (hist, "history")])
    no_nan_no_formula(tag, xlsx, wb)

    # 3. a rerun into the same path gives the same bytes
    with open(xlsx, "rb") as f:
        first = f.read()
    run(args)
    with open(xlsx, "rb") as f:
        check(f.read() == first, "small: rerun into the same path: the workbook changed")


# ---- 2. the bundled dataset -------------------------------------------

def bundled():
    tag = "bundled"
    d = os.path.join(WORK, "bundled")
    os.makedirs(d)
    xlsx, jsn = os.path.join(d, "report.xlsx"), os.path.join(d, "report.json")
    args = ["report", "-o", xlsx, "--json", jsn, "--as-of", "2023-11-21",
            "--catalog", "datasets/catalog.csv", "datasets/spotify_albums.csv"]
    run(args)
    if not check(os.path.isfile(xlsx) and os.path.isfile(jsn), "bundled: no workbook/JSON"):
        return None
    wb, js = load(tag, xlsx, jsn)
    check(js["as_of"] == "2023-11-21", "bundled: JSON as_of %r" % js["as_of"])
    check(js["backtest"] is not None, "bundled: the backtest did not run")
    ws = wb["Summary"]
    albums, blocks = compare_summary_json(tag, ws, js)
    check(albums == ["BE", "FACE", "Layover"], "bundled: Summary albums %r" % albums)
    b = blocks.get("Every track >= 50M", {})
    if check(b, "bundled: no 'Every track >= 50M' block"):
        dv, nv = b["date"]["Layover"].value, b["day"]["Layover"].value
        check(isinstance(dv, dt.datetime) and dv.date() == dt.date(2023, 11, 18),
              "bundled: Layover every track 50M date %r, expected 2023-11-18" % dv)
        check(is_int(nv) and nv == 72, "bundled: Layover every track 50M day %r, expected 72"
              % nv)
        check(b["bottleneck"]["Layover"].value == "Blue",
              "bundled: Layover bottleneck %r" % b["bottleneck"]["Layover"].value)
        check(b["rank"]["Layover"].value == 1 and
              b["rank"]["Layover"].number_format == '0" (record)"',
              "bundled: Layover rank %r" % b["rank"]["Layover"].value)
        check(b["status"]["BE"].value == "unknown" and b["date"]["BE"].value is None
              and b["rank"]["BE"].value is None,
              "bundled: BE every track 50M %r/%r/%r, expected unknown, unranked"
              % (b["status"]["BE"].value, b["date"]["BE"].value, b["rank"]["BE"].value))
        check("Fly To My Room" in (b["note"]["BE"].value or ""),
              "bundled: BE note %r does not name a track without data" % b["note"]["BE"].value)
        face = b["day"]["FACE"].value
        # projected: later than Layover's, and unranked (records are observed)
        check(is_int(face) and face > 72 and b["rank"]["FACE"].value is None and
              b["status"]["FACE"].value == "projected",
              "bundled: FACE every track 50M day %r rank %r" % (face, b["rank"]["FACE"].value))
    ja = {a["album"]: a for a in js["albums"]}
    lay = ja.get("Layover", {}).get("all_tracks", [{}])[0]
    check(lay.get("date") == "2023-11-18" and lay.get("day") == 72 and lay.get("rank") == 1
          and lay.get("bottleneck_track") == "Blue" and lay.get("status") == "reached",
          "bundled: JSON Layover every track 50M %r" % lay)
    be = ja.get("BE", {}).get("all_tracks", [{}])[0]
    check(be.get("status") == "unknown" and be.get("rank") is None,
          "bundled: JSON BE every track 50M %r" % be)
    a1 = ws["A1"].value or ""
    check("Layover" in a1 and "50M" in a1 and "day 72" in a1,
          "bundled: headline A1 %r does not give Layover's 50M on day 72" % a1)
    check(a1 == js["headline"][0], "bundled: A1 %r, JSON headline %r" % (a1, js["headline"][0]))
    compare_milestones_json(tag, wb["Milestones"], js)
    t = wb["Tracks"]
    check("Tracks" in t.tables and t.tables["Tracks"].ref == "A1:W%d" % (len(js["tracks"]) + 1),
          "bundled: table Tracks %r for %d tracks"
          % ({k: t.tables[k].ref for k in t.tables}, len(js["tracks"])))
    check(wb["Backtest"]["A4"].value == "Method" and wb["Backtest"].max_row > 4,
          "bundled: Backtest has no table")
    chart_series(tag, wb)
    about(tag, wb, js, [("datasets/catalog.csv", "catalog"),
                        ("datasets/spotify_albums.csv", "history")])
    no_nan_no_formula(tag, xlsx, wb)
    reading_and_print(tag, xlsx, wb)

    # 3. rerun: byte-identical
    with open(xlsx, "rb") as f:
        first = f.read()
    run(args)
    with open(xlsx, "rb") as f:
        check(f.read() == first, "bundled: rerun into the same path: the workbook changed")
    return xlsx



# ---- 2b. the bundled workbook as read and printed ----------------------

SHEET_FILES = {n: "xl/worksheets/sheet%d.xml" % (i + 1) for i, n in enumerate(SHEETS)}


def reading_and_print(tag, xlsx, wb):
    """Page setup on every sheet, the Summary's comparison table, the
    milestone labels, Milestones' status colours and no-data lines, Tracks'
    sparklines and their data, Backtest's whole days and counts: against
    the raw XML where openpyxl does not read it, and known answers."""
    with zipfile.ZipFile(xlsx) as z:
        xml = {n: z.read(f).decode("utf-8") for n, f in SHEET_FILES.items()}
        book = z.read("xl/workbook.xml").decode("utf-8")
    for name, x in xml.items():
        where = "%s: %s page setup" % (tag, name)
        ps = re.search(r"<pageSetup [^>]*>", x)
        check(ps and 'orientation="landscape"' in ps.group(0) and 'paperSize="9"' in ps.group(0),
              "%s: not A4 landscape: %r" % (where, ps.group(0) if ps else None))
        if name == "Charts":
            # a print scale, since fitting to the page overrides the page
            # breaks that keep each chart on one page (Excel ignores them)
            check('fitToPage="1"' not in x and ps and 'scale="54"' in ps.group(0),
                  "%s: expected a print scale of 54%%, not fitted: %r"
                  % (where, ps.group(0) if ps else None))
            check("<rowBreaks " in x, "%s: no page breaks between chart rows" % where)
        else:
            check('<pageSetUpPr fitToPage="1"/>' in x, "%s: not fitted to the page" % where)
            # one page wide (fitToWidth 1 is the default, so not written)
            check(ps and "fitToWidth" not in ps.group(0), "%s: not one page wide" % where)
            down = 'fitToHeight="0"' in (ps.group(0) if ps else "")
            check(down == (name != "Summary"),
                  "%s: fitToHeight %r (the Summary is one page, the others as long as they are)"
                  % (where, ps.group(0) if ps else None))
        foot = re.search(r"<oddFooter>(.*?)</oddFooter>", x)
        check(foot and foot.group(1) == "&amp;L&amp;A&amp;Cas of 2023-11-21&amp;Rpage &amp;P "
              "of &amp;N", "%s: footer %r" % (where, foot.group(1) if foot else None))
    titles = dict(re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="\d+">'
                             r"([^!<]+)!([^<]+)</definedName>", book))
    for name, rows in (("Summary", "$6:$6"), ("Milestones", "$1:$1"), ("Tracks", "$1:$1"),
                       ("Daily", "$2:$2"), ("Backtest", "$4:$4")):
        check(titles.get(name) == rows, "%s: %s repeats rows %r on each page, expected %s"
              % (tag, name, titles.get(name), rows))
    area = re.search(r'<definedName name="_xlnm.Print_Area" localSheetId="0">([^<]+)<', book)
    check(area and area.group(1) == "Summary!$A$1:$D$31",
          "%s: Summary print area %r (the comparison, facts and notes)"
          % (tag, area.group(1) if area else None))

    # Summary: the comparison table first, albums as columns
    ws = wb["Summary"]
    head = next((r for r in range(1, 20) if ws.cell(r, 1).value == "Milestone"), None)
    if check(head == 6, "%s: Summary comparison header at row %r, expected 6" % (tag, head)):
        albums = [ws.cell(head, c).value for c in range(2, 5)]
        cmp = {ws.cell(r, 1).value: {a: ws.cell(r, 2 + i) for i, a in enumerate(albums)}
               for r in range(head + 1, head + 13)}
        want_rows = ["%s, %s" % (m, k) for m in ("50M", "100M", "200M", "300M", "500M", "1B")
                     for k in ("every track", "album total")]
        check(list(cmp) == want_rows, "%s: comparison rows %r" % (tag, list(cmp)))
        lay = cmp.get("50M, every track", {}).get("Layover")
        check(lay is not None and lay.value == "day 72, 2023-11-18, record" and lay.font.b,
              "%s: comparison Layover every track 50M %r, expected bold 'day 72, 2023-11-18, "
              "record'" % (tag, lay.value if lay is not None else None))
        face = cmp.get("50M, every track", {}).get("FACE")
        check(face is not None and face.value ==
              "day 267, 2023-12-15\n80%: 2023-12-03 to 2024-01-19",
              "%s: comparison FACE every track 50M %r" % (tag, face.value if face else None))
        be = cmp.get("50M, every track", {}).get("BE")
        check(be is not None and be.value == "unknown", "%s: comparison BE %r"
              % (tag, be.value if be else None))
        after = cmp.get("200M, every track", {}).get("Layover")
        check(after is not None and after.value == "after 2028-11-18",
              "%s: comparison Layover 200M %r" % (tag, after.value if after else None))

    # milestones written one way: 1B, never 1,000M
    ms = wb["Milestones"]
    hdr = [c.value for c in ms[1]]
    mcol = hdr.index("Milestone")
    fmts = {}
    for row in ms.iter_rows(min_row=2):
        c = row[mcol]
        if isinstance(c.value, int):
            fmts.setdefault(c.value, set()).add(c.number_format)
    check(fmts.get(10**9) == {'"1B"'} and fmts.get(50 * 10**6) == {'"50M"'},
          "%s: Milestones labels %r, expected the formats \"1B\", \"50M\"" % (tag, fmts))
    nodata = [(r[0], r[1]) for r in ms.iter_rows(min_row=2, values_only=True) if r[2] == "all"]
    check(nodata == [("BE", t) for t in ("Fly To My Room", "Skit", "Telepathy", "Dis-ease",
                                          "Stay")],
          "%s: Milestones lines for tracks without data %r" % (tag, nodata))
    cf = re.search(r'<conditionalFormatting sqref="D2:D(\d+)">(.*?)</conditionalFormatting>',
                   xml["Milestones"])
    check(cf and int(cf.group(1)) == ms.max_row,
          "%s: Milestones status colours over D2:D%s, the sheet has %d rows"
          % (tag, cf.group(1) if cf else None, ms.max_row))
    texts = re.findall(r'type="beginsWith"[^>]* text="([^"]+)"', cf.group(2) if cf else "")
    check(texts == ["reached", "projected", "after", "never", "unknown"],
          "%s: Milestones status rules %r" % (tag, texts))

    # Tracks: sparklines over hidden data, the latest day's count, the pace's span
    tr = wb["Tracks"]
    hdr = [c.value for c in tr[1]]
    col = {h: i for i, h in enumerate(hdr) if h}
    check(hdr[11] == "Last 90 days" and "Pace over (days)" in col and "Recent pace" in col,
          "%s: Tracks header %r" % (tag, hdr[:23]))
    rows = {r[1].value: r for r in tr.iter_rows(min_row=2)}
    blue = rows.get("Blue")
    if check(blue is not None, "%s: Tracks has no Blue" % tag):
        # known: 40M by 2023-10-25 (day 48), 50M on 2023-11-18: 40M/48 days, then
        # 10M/24 days; the window ends on the latest data, 2023-11-18
        sp = wb[SPARK_SHEET]  # row for row as on Tracks
        dates = [sp.cell(1, 1 + j).value for j in range(90)]
        check(dates[0] == dt.datetime(2023, 8, 21) and dates[-1] == dt.datetime(2023, 11, 18),
              "%s: sparkline dates %r..%r" % (tag, dates[0], dates[-1]))
        vals = [sp.cell(blue[0].row, 1 + j).value for j in range(90)]
        want = [None] * 18 + [833333] * 48 + [416667] * 24
        check(vals == want, "%s: Blue's sparkline data %r" % (tag, vals))
        check(blue[col["Pace over (days)"]].value == 24 and
              abs(blue[col["Recent pace"]].value - 10**7 / 24) < 1e-6,
              "%s: Blue's recent pace %r over %r days, expected 416,667 over 24"
              % (tag, blue[col["Recent pace"]].value, blue[col["Pace over (days)"]].value))
    latest = [r[col["Latest daily"]].value for r in rows.values()]
    check(latest == [None] * len(rows),
          "%s: Latest daily %r: the bundled figures have no daily counts" % (tag, latest))
    spark = re.findall(r"<x14:sparkline><xm:f>([^<]+)</xm:f><xm:sqref>([^<]+)</xm:sqref>",
                       xml["Tracks"])
    check('uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"' in xml["Tracks"] and
          'displayHidden="1"' in xml["Tracks"] and
          spark == [("'Sparkline data'!A%d:CL%d" % (r, r), "L%d" % r)
                    for r in range(2, len(rows) + 2)],
          "%s: Tracks sparklines %r" % (tag, spark[:3]))

    # Backtest: whole days, the coverage beside its count
    bt = wb["Backtest"]
    hdr = [c.value for c in bt[4]]
    check(hdr == ["Method", "Horizon (days)", "Cuts", "Dated", "Never", "Median error (days)",
                  "Bias (days)", "Coverage", "Covered of judged", "Judged", "Covered"],
          "%s: Backtest header %r" % (tag, hdr))
    seen = 0
    for r in bt.iter_rows(min_row=5, values_only=True):
        for v in (r[5], r[6]):
            check(v is None or is_int(v), "%s: Backtest error %r is not whole days" % (tag, v))
        if r[9]:
            seen += 1
            check(r[8] == "%d of %d" % (r[10], r[9]),
                  "%s: Backtest coverage count %r, covered %r of %r" % (tag, r[8], r[10], r[9]))
        else:
            check(r[8] is None and r[7] is None, "%s: Backtest coverage without cases %r"
                  % (tag, r))
    check(seen > 0, "%s: no Backtest row with a coverage" % tag)


# ---- 5. LibreOffice ----------------------------------------------------

def libreoffice(xlsx):
    soffice = shutil.which("soffice")
    if not soffice:
        print("report_check: soffice not installed: LibreOffice check skipped", file=sys.stderr)
        print("report_check: *** WARNING: the workbook was NOT opened by LibreOffice "
              "(apt-get install libreoffice-calc-nogui) ***", file=sys.stderr)
        return
    out = os.path.join(WORK, "lo")
    os.makedirs(out)
    base = os.path.splitext(os.path.basename(xlsx))[0]
    for fmt in ("pdf", "csv"):
        cmd = [soffice, "-env:UserInstallation=file://" + os.path.join(WORK, "lo-profile"),
               "--headless", "--convert-to", fmt, "--outdir", out, xlsx]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, HOME=WORK))
        except subprocess.TimeoutExpired:
            check(False, "LibreOffice: --convert-to %s timed out after 120 s" % fmt)
            continue
        path = os.path.join(out, base + "." + fmt)
        check(p.returncode == 0, "LibreOffice: --convert-to %s exit %d: %s"
              % (fmt, p.returncode, (p.stdout + p.stderr).strip()))
        if not check(os.path.isfile(path) and os.path.getsize(path) > 0,
                     "LibreOffice: %s missing or empty; output: %s"
                     % (path, (p.stdout + p.stderr).strip())):
            continue
        if fmt == "pdf":
            with open(path, "rb") as f:
                check(f.read(5) == b"%PDF-", "LibreOffice: %s is not a PDF" % path)
        else:
            # the first sheet (Summary) as LibreOffice shows it: dates as dates
            with open(path, newline="", encoding="utf-8", errors="replace") as f:
                rows = list(csv.reader(f))
            albums = next((r[1:] for r in rows if r and r[0] == "Album"), [])
            i = next((k for k, r in enumerate(rows) if r and r[0] == "Every track >= 50M"), None)
            if check(i is not None and "Layover" in albums,
                     "LibreOffice: Summary CSV has no Layover / every track 50M block"):
                col = 1 + albums.index("Layover")
                got = {r[0]: r[col] for r in rows[i + 1:i + 9] if len(r) > col}
                # the rank is the number 1 (its "(record)" is its format)
                check(got.get("date") == "2023-11-18" and got.get("day") == "72"
                      and got.get("rank") in ("1", "1 (record)"),
                      "LibreOffice shows Layover's every track 50M as %r" % got)
    print("report_check: LibreOffice converted %s to PDF and CSV" % os.path.basename(xlsx))


# ---- 6. a path that cannot be created ----------------------------------

def bad_output():
    bad = "/proc/nope/x.xlsx"
    p = run(["report", "-o", bad, "--no-backtest", "--as-of", "2023-11-21",
             "--catalog", "datasets/catalog.csv", "datasets/spotify_albums.csv"], code=73)
    err = p.stderr
    check(err.startswith("streamstat: "),
          "bad output path: stderr does not start with 'streamstat: ': %r" % err)
    lines = [ln for ln in err.splitlines() if ln]
    check(all(ln.startswith("streamstat: ") for ln in lines),
          "bad output path: stderr lines not from streamstat: %r"
          % [ln for ln in lines if not ln.startswith("streamstat: ")])
    check(any(bad in ln for ln in lines if ln.startswith("streamstat: ")),
          "bad output path: streamstat's message does not name %s: %r" % (bad, err))
    check(p.stdout == "", "bad output path: printed %r" % p.stdout)


# ---- 7. odd input: names that are not UTF-8, counts near INT64_MAX -------

def odd_inputs():
    # names with a 0xff byte and a control character: the workbook stays XML
    bad = os.path.join(WORK, "bad-utf8.csv")
    with open(bad, "wb") as f:
        f.write(b"date,album,track,total\n2023-01-01,A\xff\x01B,T\xc3\x28x,5\n"
                b"2023-01-02,A\xff\x01B,T\xc3\x28x,9\n")
    out = os.path.join(WORK, "bad-utf8.xlsx")
    p = subprocess.run([BIN, "report", "-q", "--no-backtest", "-o", out, bad],
                       capture_output=True)
    check(p.returncode == 0, "non-UTF-8 names: exit %d" % p.returncode)
    try:
        wb = openpyxl.load_workbook(out)
        check(wb["Tracks"]["A2"].value == "A\ufffd\ufffdB",
              "non-UTF-8 album: %r" % wb["Tracks"]["A2"].value)
        check(wb["Tracks"]["B2"].value == "T\ufffd(x",
              "non-UTF-8 track: %r" % wb["Tracks"]["B2"].value)
    except Exception as e:  # openpyxl refuses XML that is not well formed
        check(False, "non-UTF-8 names: the workbook does not open: %s" % e)

    # counts near INT64_MAX: sums are not wrapped, and nothing is NaN
    big = os.path.join(WORK, "big.csv")
    with open(big, "w") as f:
        f.write("date,album,track,streams,total\n"
                "2023-01-01,A,T,9223372036854775000,\n2023-01-02,A,T,9223372036854775000,\n"
                "2023-01-03,A,T,,9223372036854775807\n2023-01-01,A,U,,1\n"
                "2023-01-05,A,U,,9223372036854775807\n")
    out = os.path.join(WORK, "big.xlsx")
    p = subprocess.run([BIN, "report", "-q", "--no-backtest", "-o", out, big],
                       capture_output=True)
    check(p.returncode == 0, "huge counts: exit %d" % p.returncode)
    text = open(out[:-5] + ".json").read()
    total = json.loads(text)["albums"][0]["latest_total"]
    check(isinstance(total, (int, float)) and total > 1.8e19,
          "album total of two INT64_MAX tracks, not wrapped: %r" % total)
    check("NaN" not in text, "huge counts: no NaN in the JSON")

    # an album in the catalog before any data: no empty chart (Excel has
    # none; libxlsxwriter would warn on stderr), a note says why instead
    out = os.path.join(WORK, "no-data.xlsx")
    p = subprocess.run([BIN, "report", "-q", "--no-backtest", "-o", out, "--catalog",
                        "tests/data/bad/catalog.csv", "tests/data/bad/catalog-layover-only.csv"],
                       capture_output=True, text=True)
    check(p.returncode == 0, "album without data: exit %d" % p.returncode)
    check("[WARNING]" not in p.stderr and "[ERROR]" not in p.stderr,
          "album without data: nothing from the workbook library on stderr: %r" % p.stderr)
    wb = openpyxl.load_workbook(out)
    notes = [v for (v,) in wb["Charts"].iter_rows(min_col=1, max_col=1, values_only=True) if v]
    check("FACE: no track has totals or a curve to chart yet." in notes,
          "album without data: the Charts note: %r" % notes)
    check(len(wb["Charts"]._charts) == 3, "album without data: %d charts, want 3 (the record, "
          "all albums, Layover's tracks)" % len(wb["Charts"]._charts))


# ---- 8. a catalog past Excel's limits --------------------------------------

def huge_catalog():
    gen = os.path.join(os.path.dirname(BIN), "bench", "gen")
    hist, cat = os.path.join(WORK, "huge.csv"), os.path.join(WORK, "huge-catalog.csv")
    subprocess.run([gen, "--albums", "16400", "--tracks-per-album", "7", "--days", "1",
                    "--catalog", cat, "-o", hist], check=True)
    out = os.path.join(WORK, "huge.xlsx")
    p = subprocess.run([BIN, "report", "-q", "--no-backtest", "--milestones", "50M", "-o", out,
                        "--catalog", cat, hist], capture_output=True, text=True)
    check(p.returncode == 0, "huge catalog: exit %d: %s" % (p.returncode, p.stderr[-500:]))
    js = json.load(open(out[:-5] + ".json"))
    nalbums, ntracks = len(js["albums"]), len(js["tracks"])
    check(nalbums == 16400 and ntracks == 16400 * 7,
          "huge catalog: JSON has %d albums, %d tracks" % (nalbums, ntracks))
    wb = openpyxl.load_workbook(out, read_only=True)
    ws = wb["Summary"]
    notes = [r[0] for r in ws.iter_rows(min_row=1, max_row=6, max_col=1, values_only=True)]
    check(any(n and "the first 16383 of 16400 albums shown" in n for n in notes),
          "huge catalog: Summary says it stops at Excel's columns: %r" % notes)
    header = next(r for r in ws.iter_rows(max_col=3, values_only=True) if r[0] == "Album")
    check(header[1] == js["albums"][0]["album"],
          "huge catalog: Summary's first album %r, JSON %r" % (header[1], js["albums"][0]["album"]))
    check(ws.max_column == 16384, "huge catalog: Summary has %d columns" % ws.max_column)
    rows = sum(1 for _ in wb["Tracks"].iter_rows(min_col=2, max_col=2, values_only=True))
    check(rows == ntracks + 1, "huge catalog: Tracks has %d rows for %d tracks" % (rows, ntracks))
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        xml = z.read("xl/worksheets/sheet3.xml")
    check(not any(n.startswith("xl/tables/") for n in names),
          "huge catalog: Tracks is not a table past 100,000 rows")
    check(b'<autoFilter ref="A1:W%d"/>' % (ntracks + 1) in xml,
          "huge catalog: Tracks has filters over every row")


# ---- 9. names that look like formulas, control characters ----------------

def hostile_names():
    """A name starting with '=' is a literal in chart titles and series
    names, never a formula; a control character in a name reaches stdout
    escaped (a backslash, x and two hex digits), not raw."""
    path = os.path.join(WORK, "hostile.csv")
    album, track = '=HYPERLINK("http://x.invalid","y")', "=1+1\x1b[31mred"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "album", "album_release_date", "track", "total"])
        for d, t in (("2023-01-01", 1000000), ("2023-01-20", 60000000), ("2023-02-01", 70000000)):
            w.writerow([d, album, "2023-01-01", track, t])
    out = os.path.join(WORK, "hostile")
    p = subprocess.run([BIN, "report", "--no-backtest", "--milestones", "50M,100M", "-o", out,
                        path], capture_output=True, text=True)
    check(p.returncode == 0, "hostile names: exit %d: %s" % (p.returncode, p.stderr))
    check("\x1b" not in p.stdout and "\\x1b[31mred" in p.stdout,
          "hostile names: the escape byte reaches stdout raw: %r" % p.stdout)
    xlsx = glob.glob(os.path.join(out, "streamstat-*.xlsx"))[0]
    with zipfile.ZipFile(xlsx) as z:
        charts = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/")]
    check(charts, "hostile names: the workbook has charts")
    for xml in charts:
        formulas = re.findall(r"<c:f>([^<]*)</c:f>", xml)
        check(not any("HYPERLINK" in f or "1+1" in f for f in formulas),
              "hostile names: a name became a chart formula: %r" % formulas)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Charts"]
    literals = [c.value for row in ws.iter_rows(min_col=16384, max_col=16384) for c in row
                if c.value]
    check(album in literals and any(v.startswith("=1+1") for v in literals),
          "hostile names: the chart names are literal cells: %r" % literals)
    refs = [s.tx.strRef.f for ch in ws._charts for s in ch.series
            if s.tx is not None and s.tx.strRef is not None]
    check(refs and all(r.startswith("Charts!$XFD$") for r in refs),
          "hostile names: series names refer to the literal cells: %r" % refs)
    for row in ws.iter_rows():
        for c in row:
            check(c.data_type != "f", "hostile names: a formula cell %s: %r" % (c.coordinate,
                                                                              c.value))


def backtest_methods(wb, js):
    """The methods the Backtest sheet and the JSON summary show, and the
    sheet's notes below its table."""
    bt = wb["Backtest"]
    sheet = {r[0] for r in bt.iter_rows(min_row=5, values_only=True) if r[1] is not None}
    notes = [r[0] for r in bt.iter_rows(min_row=5, values_only=True) if r[1] is None and r[0]]
    return sheet, {m["method"] for m in js["backtest"]["methods"]}, notes


def backtest_curves():
    """By default the curves are not fitted, so neither the Backtest sheet
    nor the summary shows them (the sheet names them); with --curves both
    show every model."""
    every = {"expdecay", "doubleexp", "powerlaw", "bass", "logistic", "recent", "pace",
             "chosen"}
    for tag, extra, want, want_notes in (
            ("backtest default", [], {"recent", "pace", "chosen"},
             ["Not fitted, so not shown: expdecay, doubleexp, powerlaw, bass, logistic "
              "(--curves fits them)."]),
            ("backtest --curves", ["--curves"], every, [])):
        d = os.path.join(WORK, tag.replace(" ", "-"))
        os.makedirs(d)
        xlsx, jsn = os.path.join(d, "report.xlsx"), os.path.join(d, "report.json")
        run(["report", "-q", "-o", xlsx, "--json", jsn, "--as-of", "2023-11-21"] + extra +
            ["--catalog", "datasets/catalog.csv", "datasets/spotify_albums.csv"])
        if not check(os.path.isfile(xlsx) and os.path.isfile(jsn), "%s: no workbook" % tag):
            continue
        wb, js = load(tag, xlsx, jsn)
        sheet, summary, notes = backtest_methods(wb, js)
        check(sheet == want and summary == want,
              "%s: methods on the sheet %r, in the summary %r, expected %r"
              % (tag, sorted(sheet), sorted(summary), sorted(want)))
        check(notes == want_notes, "%s: Backtest notes %r" % (tag, notes))


def main():
    small()
    xlsx = bundled()
    if xlsx:
        libreoffice(xlsx)
    backtest_curves()
    bad_output()
    odd_inputs()
    huge_catalog()
    hostile_names()
    if failures:
        print("report_check: %d failure(s)" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("report_check: ok")


main()
