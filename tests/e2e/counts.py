#!/usr/bin/python3
"""Independent check of `streamstat check`: count the input with Python's csv
module and compare with the tool's summary.

usage: counts.py STREAMSTAT [--catalog CATALOG] DATA.csv [MORE.csv ...]

For well-formed input (every row usable) the tool must report exactly the
rows, albums, tracks and distinct (album, track, date) observations that a
separate CSV reader finds, the observed date range, and no problem.  An album
is its (artist, title) where the input gives an artist.
"""
import csv
import re
import subprocess
import sys


def read_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader)]
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue
            yield dict(zip(header, (c.strip() for c in row)))


def main():
    args = sys.argv[1:]
    tool = args.pop(0)
    catalog = []
    if args and args[0] == "--catalog":
        catalog = ["--catalog", args[1]]
        args = args[2:]
    files = args

    rows = 0
    albums, tracks, observations, dates = set(), set(), set(), set()
    for path in files:
        for r in read_rows(path):
            rows += 1
            album = (r.get("artist", ""), r["album"])
            albums.add(album)
            tracks.add((album, r["track"]))
            observations.add((album, r["track"], r["date"]))
            dates.add(r["date"])
    if catalog:
        for r in read_rows(catalog[1]):
            album = (r.get("artist", ""), r["album"])
            albums.add(album)
            tracks.add((album, r["track"]))
    with_data = {(a, t) for a, t, _ in observations}

    out = subprocess.run([tool, "check", *catalog, *files], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"check exited {out.returncode}:\n{out.stderr}")
    summary = out.stdout

    def field(name):
        m = re.search(rf"^{name}:\s+(.*)$", summary, re.M)
        if not m:
            sys.exit(f"no '{name}' line in:\n{summary}")
        return m.group(1)

    def num(text):
        return int(text.replace(",", ""))

    failures = []

    def expect(what, got, want):
        if got != want:
            failures.append(f"{what}: tool says {got}, csv module says {want}")

    m = re.match(r"([\d,]+) read, ([\d,]+) used, ([\d,]+) skipped", field("rows"))
    expect("rows read", num(m.group(1)), rows)
    expect("rows used", num(m.group(2)), rows)
    expect("rows skipped", num(m.group(3)), 0)
    expect("albums", num(field("albums")), len(albums))
    m = re.match(r"([\d,]+) \(([\d,]+) with data\)", field("tracks"))
    expect("tracks", num(m.group(1)), len(tracks))
    expect("tracks with data", num(m.group(2)), len(with_data))
    m = re.match(r"([\d,]+), (\S+) to (\S+)", field("observations"))
    expect("observations", num(m.group(1)), len(observations))
    expect("first date", m.group(2), min(dates))
    expect("last date", m.group(3), max(dates))
    # Clean input: no warnings either (a mis-sorted series would show up here
    # as totals that go down).
    expect("problems", num(field("problems").split()[0]), 0)
    if failures:
        sys.exit("counts.py: " + "; ".join(failures) + "\n" + out.stderr)
    print(f"counts.py: {rows} rows, {len(observations)} observations, "
          f"{len(tracks)} tracks agree")


if __name__ == "__main__":
    main()
