"""End-to-end checks of the Charts sheet, read from the workbook's XML
(xl/charts/chartN.xml, the drawing that places them, the sheet's columns and
page breaks) and its cells, on the bundled case as of 2023-11-21.

usage: charts_check.py STREAMSTAT WORKDIR

Known answers: every Layover track past 50M on day 72 (2023-11-18), its
100M projected; FACE's 50M projected (one of its tracks, the interlude, was
at 40M on day 180); BE not drawn on the record chart (5 of its 8 counting
tracks have no data).  So the record chart shows the 50M and 100M lines
only, and its y axis stops below 200M.

1. Every chart has a legend.
2. The record chart is the first on the Charts sheet: one legend entry per
   album drawn (FACE, Layover), the milestone lines 50M and 100M labelled
   at their right end and out of the legend, Layover's crossing labelled
   "Layover: day 72", a y axis from 0 to below 200M and an x axis that ends
   within a little of the last projection shown (day 287), not years out.
3. Per-album track charts: each track named in the legend once; its points,
   curve and projection in one colour and its band in a lighter tint of it;
   colours distinct between tracks; every other series deleted from the
   legend; milestone lines dashed, in neither a track's colour nor the
   gridlines'; a date axis (yyyy-mm-dd) on them and the daily charts.
4. No chart's y axis stretches past the next milestone above what it shows.
5. No column holding chart data is too narrow for its numbers (###).
6. Charts sit on a grid of one size; no chart straddles a page break, and
   the print area is the grid (columns A to T), not the data.
7. A rerun gives a byte-identical workbook.
"""
import os
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

import openpyxl
from openpyxl.utils import get_column_letter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(sys.argv[1])
WORK = os.path.abspath(sys.argv[2])
NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
MILESTONES = [50e6, 100e6, 200e6, 300e6, 500e6, 1e9]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg)
    return cond


def rels(z, path):
    """{id: target path} of a part's relationships."""
    d, f = os.path.split(path)
    rp = os.path.join(d, "_rels", f + ".rels")
    out = {}
    for r in ET.fromstring(z.read(rp)).findall("rel:Relationship", NS):
        out[r.get("Id")] = os.path.normpath(os.path.join(d, r.get("Target")))
    return out


def sheet_path(z, name):
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rid = next(s.get("{%s}id" % NS["r"]) for s in wb.find("m:sheets", NS)
               if s.get("name") == name)
    return rels(z, "xl/workbook.xml")[rid]


def charts_in_order(z, sheet):
    """[(chart part, (from row, to row, from col))] in the drawing's order."""
    sp = sheet_path(z, sheet)
    x = ET.fromstring(z.read(sp))
    did = x.find("m:drawing", NS).get("{%s}id" % NS["r"])
    dp = rels(z, sp)[did]
    drel = rels(z, dp)
    out = []
    for anc in ET.fromstring(z.read(dp)):
        ch = anc.find(".//c:chart", NS)
        if ch is None:
            continue
        f, t = anc.find("xdr:from", NS), anc.find("xdr:to", NS)
        out.append((drel[ch.get("{%s}id" % NS["r"])],
                    (int(f.find("xdr:row", NS).text), int(t.find("xdr:row", NS).text),
                     int(f.find("xdr:col", NS).text), int(t.find("xdr:col", NS).text))))
    return out


def colour(el, path):
    c = el.find(path, NS) if el is not None else None
    return c.get("val") if c is not None else None


def series_info(ser):
    sp = ser.find("c:spPr/a:ln", NS)
    dash = sp.find("a:prstDash", NS) if sp is not None else None
    labels = ["".join(t.text or "" for t in d.iter("{%s}t" % NS["a"]))
              for d in ser.findall("c:dLbls/c:dLbl", NS)]
    hidden_labels = [d for d in ser.findall("c:dLbls/c:dLbl", NS)
                     if d.find("c:delete", NS) is not None]
    name = ser.find("c:tx/c:v", NS)
    return {"idx": int(ser.find("c:idx", NS).get("val")),
            "name": name.text if name is not None else None,
            "line": None if sp is None or sp.find("a:noFill", NS) is not None
            else colour(sp, "a:solidFill/a:srgbClr"),
            "dash": dash.get("val") if dash is not None else "solid",
            "marker": colour(ser, "c:marker/c:spPr/a:solidFill/a:srgbClr"),
            "symbol": colour(ser, "c:marker/c:symbol"),
            "labels": [t for t in labels if t], "hidden_labels": len(hidden_labels),
            "ys": [float(v.text) for v in ser.findall("c:yVal//c:pt/c:v", NS)],
            "xs": [float(v.text) for v in ser.findall("c:xVal//c:pt/c:v", NS)]}


def chart_info(xml):
    x = ET.fromstring(xml)
    title = "".join(t.text or "" for t in x.find("c:chart/c:title", NS).iter("{%s}t" % NS["a"]))
    legend = x.find("c:chart/c:legend", NS)
    deleted = set()
    if legend is not None:
        for e in legend.findall("c:legendEntry", NS):
            if e.find("c:delete", NS) is not None and e.find("c:delete", NS).get("val") == "1":
                deleted.add(int(e.find("c:idx", NS).get("val")))
    axes = []
    for ax in x.findall("c:chart/c:plotArea/c:valAx", NS):
        sc = ax.find("c:scaling", NS)
        mx, mn = sc.find("c:max", NS), sc.find("c:min", NS)
        nf = ax.find("c:numFmt", NS)
        axes.append({"pos": ax.find("c:axPos", NS).get("val"),
                     "max": float(mx.get("val")) if mx is not None else None,
                     "min": float(mn.get("val")) if mn is not None else None,
                     "fmt": nf.get("formatCode") if nf is not None else None,
                     "grid": colour(ax, "c:majorGridlines/c:spPr/a:ln/a:solidFill/a:srgbClr")})
    return {"title": title, "legend": legend is not None, "deleted": deleted,
            "series": [series_info(s) for s in x.iter("{%s}ser" % NS["c"])],
            "x": next((a for a in axes if a["pos"] == "b"), None),
            "y": next((a for a in axes if a["pos"] == "l"), None)}


def lighter(tint, base):
    t = [int(tint[i:i + 2], 16) for i in (0, 2, 4)]
    b = [int(base[i:i + 2], 16) for i in (0, 2, 4)]
    return tint != base and all(tv >= bv for tv, bv in zip(t, b))


def report(out):
    p = subprocess.run([BIN, "report", "-q", "--as-of", "2023-11-21", "--catalog",
                        "datasets/catalog.csv", "-o", out, "datasets/spotify_albums.csv"],
                       cwd=ROOT, capture_output=True, text=True)
    check(p.returncode == 0, "report: exit %d: %s" % (p.returncode, p.stderr[-400:]))
    check("[WARNING]" not in p.stderr and "[ERROR]" not in p.stderr,
          "nothing from the workbook library on stderr: %r" % p.stderr[-400:])


def main():
    out = os.path.join(WORK, "bundled.xlsx")
    report(out)
    z = zipfile.ZipFile(out)
    placed = charts_in_order(z, "Charts")
    charts = [chart_info(z.read(p)) for p, _ in placed]
    check(len(charts) >= 5, "Charts: %d charts, expected the record, the album totals and "
          "one per album" % len(charts))

    # 1. legends
    for ch in charts:
        check(ch["legend"], "chart %r has no legend" % ch["title"])

    # 1b. one way of writing counts: the album totals (BE at 2.4B) in
    # billions past 1B, as the milestones are written, never "2,500M"
    tot = next(ch for ch in charts if ch["title"].startswith("Album total"))
    check(tot["y"]["fmt"] is not None and '"B"' in tot["y"]["fmt"]
          and tot["y"]["fmt"].startswith("[>=1000000000]"),
          "album totals' y axis format %r does not write billions as B" % tot["y"]["fmt"])

    # 2. the record chart
    rec = charts[0]
    check(rec["title"].startswith("The record"), "the first chart is %r, not the record chart"
          % rec["title"])
    shown = [s for s in rec["series"] if s["idx"] not in rec["deleted"]]
    check([s["name"] for s in shown] == ["FACE", "Layover"],
          "record chart: legend entries %r, expected one per album drawn (FACE, Layover)"
          % [s["name"] for s in shown])
    ms = [s for s in rec["series"] if s["name"] in ("50M", "100M", "200M", "300M", "500M", "1B")]
    check(sorted(s["name"] for s in ms) == ["100M", "50M"],
          "record chart: milestone lines %r, expected 50M and 100M" % [s["name"] for s in ms])
    for s in ms:
        check(s["idx"] in rec["deleted"], "record chart: milestone %s in the legend" % s["name"])
        check(s["labels"] == [s["name"]] and s["hidden_labels"] == 1,
              "record chart: milestone %s labelled %r (hidden %d), expected its name at the "
              "right end only" % (s["name"], s["labels"], s["hidden_labels"]))
        check(s["dash"] != "solid", "record chart: milestone %s line is solid" % s["name"])
        check(len(s["xs"]) == 2 and s["xs"][0] == rec["x"]["min"]
              and s["xs"][1] == rec["x"]["max"],
              "record chart: milestone %s from %r, not across the axis %r..%r"
              % (s["name"], s["xs"], rec["x"]["min"], rec["x"]["max"]))
    labels = [t for s in rec["series"] for t in s["labels"]]
    check("Layover: day 72" in labels, "record chart: no label 'Layover: day 72' in %r" % labels)
    check(any(t.startswith("FACE: day ") and "projected" in t for t in labels),
          "record chart: FACE's projected 50M not labelled: %r" % labels)
    lay = next((s for s in rec["series"] if s["name"] == "Layover"), None)
    if check(lay is not None, "record chart: no Layover line"):
        # the line is the least of the tracks' totals: 50M on day 72
        check(72.0 in lay["xs"] and lay["ys"][lay["xs"].index(72.0)] == 50e6,
              "record chart: Layover's line at day 72: %r / %r" % (lay["xs"], lay["ys"]))
        check(max(lay["ys"]) == 50e6, "record chart: Layover's slowest track above 50M: %r"
              % max(lay["ys"]))
    y = rec["y"]
    check(y["min"] == 0 and 100e6 <= y["max"] < 200e6,
          "record chart: y axis %r..%r, expected 0 to a little above 100M, below 200M"
          % (y["min"], y["max"]))
    check(287 <= rec["x"]["max"] <= 320, "record chart: x axis ends at %r, expected just past "
          "day 287 (Layover's projected 100M)" % rec["x"]["max"])

    # 3. per-album track charts
    tracks = [ch for ch in charts if ": tracks observed" in ch["title"]]
    check([t["title"].split(":")[0] for t in tracks] == ["BE", "FACE", "Layover"],
          "track charts: %r" % [t["title"] for t in tracks])
    for ch in tracks:
        groups, milestones = [], []
        for s in ch["series"]:
            if s["name"] in ("50M", "100M", "200M", "300M", "500M", "1B"):
                milestones.append(s)
            elif s["idx"] not in ch["deleted"]:
                groups.append([s])
            elif check(groups, "%s: a series before any track's" % ch["title"]):
                groups[-1].append(s)
        names = [g[0]["name"] for g in groups]
        check(len(names) == len(set(names)) and all(names),
              "%s: tracks in the legend %r, each once" % (ch["title"], names))
        base = []
        for g in groups:
            c0 = g[0]["marker"] or g[0]["line"]
            base.append(c0)
            for s in g[1:]:
                col = s["line"]
                check(col == c0 or lighter(col, c0),
                      "%s: %s: a series in %s, neither its colour %s nor a tint of it"
                      % (ch["title"], g[0]["name"], col, c0))
            dashes = [s["dash"] for s in g[1:] if s["line"] == c0]
            check(not dashes or dashes[-1] == "dash",
                  "%s: %s: the projection is not dashed: %r" % (ch["title"], g[0]["name"], dashes))
            bands = [s for s in g[1:] if s["line"] != c0]
            check(len(bands) in (0, 2), "%s: %s: %d band lines" % (ch["title"], g[0]["name"],
                                                                    len(bands)))
        check(len(base) == len(set(base)), "%s: track colours repeat: %r" % (ch["title"], base))
        hidden = {s["idx"] for g in groups for s in g[1:]} | {s["idx"] for s in milestones}
        check(hidden == ch["deleted"], "%s: legend deletes %r, expected %r"
              % (ch["title"], sorted(ch["deleted"]), sorted(hidden)))
        for s in milestones:
            check(s["line"] not in base and s["line"] != ch["y"]["grid"] and s["dash"] != "solid",
                  "%s: milestone %s looks like a track or a gridline (%s, %s)"
                  % (ch["title"], s["name"], s["line"], s["dash"]))
            check(s["labels"] == [s["name"]], "%s: milestone %s labelled %r"
                  % (ch["title"], s["name"], s["labels"]))
    time_charts = [ch for ch in charts if ": tracks observed" in ch["title"]
                   or ": daily streams" in ch["title"]]
    for ch in time_charts:
        check(ch["x"]["fmt"] == "yyyy-mm-dd", "%s: x axis format %r, expected dates"
              % (ch["title"], ch["x"]["fmt"]))
        check(ch["x"]["min"] > 40000, "%s: x axis from %r, not a date serial"
              % (ch["title"], ch["x"]["min"]))

    # 4. y axes: not past the next milestone above what they show
    for ch in charts:
        data = [v for s in ch["series"] if s["name"] not in ("50M", "100M", "200M", "300M",
                                                            "500M", "1B") for v in s["ys"]]
        if not data or ch["y"]["max"] is None:
            continue
        above = [m for m in MILESTONES if m > max(data)]
        if above:
            check(ch["y"]["max"] <= max(above[0], max(data) * 1.25),
                  "%s: y axis to %r; it shows up to %r (next milestone %r)"
                  % (ch["title"], ch["y"]["max"], max(data), above[0]))
        drawn = {s["name"] for s in ch["series"]} & {"50M", "100M", "200M", "300M", "500M", "1B"}
        beyond = [n for n, m in zip(("50M", "100M", "200M", "300M", "500M", "1B"), MILESTONES)
                  if n in drawn and m > ch["y"]["max"]]
        check(not beyond, "%s: milestone lines above the axis: %r" % (ch["title"], beyond))

    # 5. no ### in the data columns
    wb = openpyxl.load_workbook(out)
    ws = wb["Charts"]
    narrow = []
    for row in ws.iter_rows(min_col=21):
        for c in row:
            if not isinstance(c.value, (int, float)) and not hasattr(c.value, "year"):
                continue
            if hasattr(c.value, "year"):
                need = 10
            elif c.number_format == "#,##0":
                need = len("{:,.0f}".format(c.value))
            else:
                need = len("%.0f" % c.value)
            w = ws.column_dimensions[get_column_letter(c.column)].width
            if w is None or w < need + 1:
                narrow.append("%s (%r, width %r)" % (c.coordinate, c.value, w))
    check(not narrow, "Charts: %d cells too narrow for their numbers, e.g. %s"
          % (len(narrow), narrow[:5]))

    # 6. the grid, the page breaks, the print area
    sx = ET.fromstring(z.read(sheet_path(z, "Charts")))
    breaks = [int(b.get("id")) for b in sx.findall("m:rowBreaks/m:brk", NS)]
    sizes = {(t - f, tc - fc) for _, (f, t, fc, tc) in placed}
    check(len(sizes) == 1, "Charts: charts of different sizes: %r" % sizes)
    for (p, (f, t, fc, tc)), ch in zip(placed, charts):
        cut = [b for b in breaks if f < b <= t]
        check(not cut, "%s (rows %d..%d) is cut by the page break at %r" % (ch["title"], f, t, cut))
        check(tc < 20, "%s reaches column %d, past the print area" % (ch["title"], tc))
    check(breaks, "Charts: no page breaks")
    names = ET.fromstring(z.read("xl/workbook.xml")).find("m:definedNames", NS)
    area = [d.text for d in (names if names is not None else []) if
            d.get("name") == "_xlnm.Print_Area" and "Charts" in (d.text or "")]
    check(area and re.fullmatch(r"Charts!\$A\$1:\$T\$\d+", area[0]),
          "Charts: print area %r, expected columns A to T" % area)

    # 7. reruns
    first = open(out, "rb").read()
    report(out)
    check(open(out, "rb").read() == first, "a rerun into the same path gives a different "
          "workbook")

    if failures:
        print("charts_check: %d failures" % len(failures))
        sys.exit(1)
    print("charts_check: %d charts checked" % len(charts))


main()
