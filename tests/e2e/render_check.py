"""The bundled workbook as a person prints it: LibreOffice converts it to
PDF; poppler counts the pages, and reads each page's footer (the sheet's
name, the as-of date, the page) to count them per sheet; each page is also
rendered to PNG, to look at (RENDER_DIR keeps them).

usage: render_check.py STREAMSTAT WORKDIR

Known answers: before the page setup, a plain export was 86 A4 portrait
pages, 13 of them the Summary.  Now every sheet is A4 landscape and one page
wide, the Summary one page (its comparison table, facts and notes), and the
whole workbook at most MAX_PAGES pages.  Without soffice or pdfinfo the
check says so loudly and passes.
"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(sys.argv[1])
WORK = os.path.abspath(sys.argv[2])
SHEETS = ["Summary", "Milestones", "Tracks", "Charts", "Daily", "Backtest", "Data quality",
          "About", "Changes"]
MAX_PAGES = 20
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


def main():
    tools = [shutil.which(t) for t in ("soffice", "pdfinfo", "pdftotext", "pdftoppm")]
    if not all(tools):
        print("render_check: *** WARNING: soffice or poppler-utils missing: the workbook "
              "was NOT rendered ***", file=sys.stderr)
        return
    soffice, pdfinfo, pdftotext, pdftoppm = tools
    xlsx = os.path.join(WORK, "bundled.xlsx")
    p = subprocess.run([BIN, "report", "-q", "-o", xlsx, "--as-of", "2023-11-21",
                        "--catalog", "datasets/catalog.csv", "datasets/spotify_albums.csv"],
                       cwd=ROOT, capture_output=True, text=True)
    if not check(p.returncode == 0, "report: exit %d: %s" % (p.returncode, p.stderr)):
        return
    # the published name is a link: LibreOffice names its PDF after the file
    book = os.path.join(WORK, "book.xlsx")
    shutil.copyfile(xlsx, book)
    try:
        p = subprocess.run([soffice, "-env:UserInstallation=file://" +
                            os.path.join(WORK, "lo-profile"), "--headless",
                            "--convert-to", "pdf", "--outdir", WORK, book],
                           capture_output=True, text=True, timeout=180,
                           env=dict(os.environ, HOME=WORK))
    except subprocess.TimeoutExpired:
        check(False, "LibreOffice: --convert-to pdf timed out after 180 s")
        return
    pdf = os.path.join(WORK, "book.pdf")
    if not check(p.returncode == 0 and os.path.isfile(pdf),
                 "LibreOffice: no PDF: %s" % (p.stdout + p.stderr).strip()):
        return
    info = subprocess.run([pdfinfo, pdf], capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    w, h = float(size.group(1)), float(size.group(2))
    check(abs(w - 841.89) < 1 and abs(h - 595.28) < 1,
          "page size %s x %s pts, expected A4 landscape (841.89 x 595.28)" % (w, h))
    per = {}
    for n in range(1, pages + 1):
        text = subprocess.run([pdftotext, "-f", str(n), "-l", str(n), "-layout", pdf, "-"],
                              capture_output=True, text=True).stdout
        foot = [ln for ln in text.splitlines() if "as of 2023-11-21" in ln and "page" in ln]
        name = next((s for s in SHEETS if foot and foot[-1].strip().startswith(s)), None)
        check(name is not None, "page %d has no footer naming its sheet: %r" % (n, foot))
        per[name] = per.get(name, 0) + 1
    print("render_check: %d pages: %s" % (pages, ", ".join("%s %d" % kv for kv in per.items())))
    check(per.get("Summary") == 1, "the Summary prints on %r pages, expected 1"
          % per.get("Summary"))
    check(all(per.get(s, 0) >= 1 for s in SHEETS), "a sheet prints no page: %r" % per)
    check(pages <= MAX_PAGES, "%d pages, expected at most %d (86 before the page setup)"
          % (pages, MAX_PAGES))
    keep = os.environ.get("RENDER_DIR")
    out = keep or os.path.join(WORK, "png")
    os.makedirs(out, exist_ok=True)
    subprocess.run([pdftoppm, "-png", "-r", "60", pdf, os.path.join(out, "page")], check=True)
    if keep:
        print("render_check: pages as PNG in %s" % keep)


main()
if failures:
    print("render_check: %d failure(s)" % len(failures), file=sys.stderr)
    sys.exit(1)
print("render_check: ok")
