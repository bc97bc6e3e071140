#!/usr/bin/env python3
"""Rebuild catalog.csv and spotify_albums.csv from the public-facts tables.

usage: python3 datasets/build_from_facts.py FACTS_DIR [OUT_DIR]

FACTS_DIR holds releases.csv, track_milestones.csv, daily_values.csv and
album_records.csv (the project's collection of dated public news figures).
OUT_DIR defaults to the directory of this script.  Every figure written comes
from one facts row and carries its source URL; the rules applied are the ones
described in PROVENANCE.md, and the script fails rather than guess when the
facts do not fit them.
"""
import csv
import os
import sys

HISTORY_HEADER = ["date", "artist", "album", "track", "total", "bound", "streams",
                  "kind", "source_url", "evidence"]
CATALOG_HEADER = ["album", "artist", "album_release_date", "track", "track_release_date",
                  "counts", "note"]

# Note vocabulary for the catalog: the first keyword found in releases.csv's note
# (or the fact that the track came out before its album) decides it.
NOTE_KEYWORDS = ["interlude", "skit", "pre-release single", "alternate version", "title track"]

# Per-track lower bounds implied by album records and missing from
# track_milestones.csv.  Only implications that are certain are listed; the
# reasoning is checked below against the facts and explained in PROVENANCE.md.
IMPLIED = [
    {
        "album": "FACE", "track": "Interlude : Dive", "date": "2023-09-19", "total": 40000000,
        "record": "all tracks >=40M (179 days)",
        "evidence": ("Implied by the album record 'all tracks >=40M (179 days)' (2023-09-19, "
                     "date computed as release + 179). Every other FACE track already had "
                     ">=40M by 2023-08-27 (Face-off 50M on Jul 23; Alone 50M, Like Crazy "
                     "474.6M, English version 202.6M, Set Me Free Pt.2 190M on Aug 27), so a "
                     "179-day count can only have been set by the interlude: it counted and "
                     "was >=40M by Sep 19."),
    },
]

DOUBTFUL_NOTE = (" Kept as a lower bound: >=102.46M holds whether the printed 122.46M or the "
                 "corrected 102.46M is right; it lies between 90M (Apr 23) and 122.55M "
                 "(May 20), and the same article's '3 tracks >=100M' on this day also needs "
                 "this track >=100M. See PROVENANCE.md.")


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def note_for(rel):
    note = rel["note"].lower()
    for k in NOTE_KEYWORDS:
        if k in note:
            return k
    if rel["track_release_date"] < rel["album_release_date"]:
        return "pre-release single"
    return ""


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 64
    facts = argv[1]
    out = argv[2] if len(argv) == 3 else os.path.dirname(os.path.abspath(__file__))
    releases = read(os.path.join(facts, "releases.csv"))
    milestones = read(os.path.join(facts, "track_milestones.csv"))
    daily = read(os.path.join(facts, "daily_values.csv"))
    records = read(os.path.join(facts, "album_records.csv"))

    rel = {(r["album"], r["track"]): r for r in releases}
    assert len(rel) == len(releases), "duplicate track in releases.csv"

    # Catalog: every track counts; the note says why a user might exclude one.
    with open(os.path.join(out, "catalog.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CATALOG_HEADER)
        for r in releases:
            w.writerow([r["album"], r["artist"], r["album_release_date"], r["track"],
                        r["track_release_date"], "yes", note_for(r)])

    rows = {}

    def add(row):
        key = (row["album"], row["track"], row["date"])
        assert (row["album"], row["track"]) in rel, "unknown track %r" % (key,)
        assert row["artist"] == rel[(row["album"], row["track"])]["artist"], key
        assert key not in rows, "two figures for %r" % (key,)
        rows[key] = row

    for m in milestones:
        if m["kind"] not in ("crossed", "as_of"):
            raise SystemExit("unknown kind %r" % m["kind"])
        evidence = m["evidence"]
        if "DOUBTFUL" in evidence:
            evidence += DOUBTFUL_NOTE
        add({"date": m["date"], "artist": m["artist"], "album": m["album"],
             "track": m["track"], "total": m["streams_at_least"],
             "bound": "crossed" if m["kind"] == "crossed" else "at_least",
             "streams": "", "kind": m["kind"], "source_url": m["source_url"],
             "evidence": evidence})

    # Release-day chart counts: a daily count, and (release day only) a lower
    # bound on that day's total, which track_milestones.csv already carries.
    for d in daily:
        key = (d["album"], d["track"], d["date"])
        r = rel[(d["album"], d["track"])]
        assert d["date"] == r["track_release_date"], "daily count not on release day: %r" % (key,)
        assert d["total"] == "", "daily_values.csv now has totals: update the rules"
        row = rows.get(key)
        if row is None:
            raise SystemExit("release-day count without a milestone row: %r" % (key,))
        assert int(row["total"]) == int(d["streams"]), key
        row["streams"] = d["streams"]
        row["evidence"] += (" Same figure as daily_values.csv's release-day count: used as "
                            "the day's streams (filtered chart count, low) and as a lower "
                            "bound on the total.")

    for imp in IMPLIED:
        rec = [r for r in records
               if r["album"] == imp["album"] and r["milestone"] == imp["record"]]
        assert len(rec) == 1 and rec[0]["date"] == imp["date"], imp
        r = rel[(imp["album"], imp["track"])]
        add({"date": imp["date"], "artist": r["artist"], "album": imp["album"],
             "track": imp["track"], "total": str(imp["total"]), "bound": "at_least",
             "streams": "", "kind": "implied", "source_url": rec[0]["source_url"],
             "evidence": imp["evidence"]})

    # Lower bounds may not go down along a track (they are all true at once).
    best = {}
    for key in sorted(rows, key=lambda k: (k[0], k[1], k[2])):
        tk, v = key[:2], int(rows[key]["total"])
        assert v >= best.get(tk, 0), "bound goes down at %r" % (key,)
        best[tk] = v
        assert rows[key]["date"] >= rel[tk]["track_release_date"], "before release %r" % (key,)

    with open(os.path.join(out, "spotify_albums.csv"), "w", newline="",
              encoding="utf-8") as f:
        w = csv.DictWriter(f, HISTORY_HEADER, lineterminator="\n")
        w.writeheader()
        for key in sorted(rows, key=lambda k: (k[0], k[1], k[2])):
            w.writerow(rows[key])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
