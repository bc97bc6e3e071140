#!/usr/bin/python3
"""End-to-end check of `streamstat fit`: tracks drawn from known curves go
through the binary, and its CSV, read back with Python's csv module, must
give the curves back.

    fit_recovery.py STREAMSTAT WORKDIR

Writes a catalog and a history into WORKDIR:
  - "Decay"   dense daily streams + totals from d = b + a e^(-k t);
  - "Power"   dense daily streams from d = A (t + tau)^(-alpha);
  - "Sparse"  15 irregular totals only, from the same decay as "Decay";
  - "Twice"   two totals: too few for any curve, the recent pace stands in.
Counts are rounded to whole streams, the only noise.  Checks: the fitted
parameters of the true model within 1% (Decay, Power) and 5% (Sparse) of
the truth, and inside their 95% intervals; one chosen row per track; Akaike
weights summing to 1; byte-identical output for --jobs 1 and --jobs 2;
--average, --chosen and --model; usage errors exit 64.
"""
import csv
import io
import math
import subprocess
import sys
from datetime import date, timedelta

BIN, WORK = sys.argv[1], sys.argv[2]
RELEASE = date(2023, 3, 10)
DECAY = dict(a=80000.0, k=0.05, b=4000.0)
POWER = dict(A=200000.0, tau=2.0, alpha=0.8)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def c_decay(t, a, k, b):
    return b * t + a / k * (1.0 - math.exp(-k * t))


def c_power(t, A, tau, alpha):
    u = 1.0 - alpha
    return A * ((t + tau) ** u - tau ** u) / u


def write_inputs():
    rows = []
    for track, cum, days in (("Decay", lambda t: c_decay(t, **DECAY), 200),
                             ("Power", lambda t: c_power(t, **POWER), 300)):
        for k in range(days):
            total = round(cum(k + 1))
            streams = total - round(cum(k))
            rows.append((RELEASE + timedelta(k), "Shapes", track, streams,
                         total if track == "Decay" else ""))
    day = 0
    for gap in (0, 3, 6, 9, 13, 17, 21, 26, 31, 36, 42, 48, 55, 62, 70):
        day += gap
        rows.append((RELEASE + timedelta(day), "Shapes", "Sparse", "",
                     round(c_decay(day + 1, **DECAY))))
    rows.append((RELEASE + timedelta(30), "Shapes", "Twice", "", 1000000))
    rows.append((RELEASE + timedelta(60), "Shapes", "Twice", "", 1600000))
    with open(f"{WORK}/history.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("date", "album", "track", "streams", "total"))
        for r in rows:
            w.writerow((r[0].isoformat(),) + r[1:])
    with open(f"{WORK}/catalog.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("album", "track", "release_date"))
        for t in ("Decay", "Power", "Sparse", "Twice"):
            w.writerow(("Shapes", t, RELEASE.isoformat()))


def run(*args, status=0):
    p = subprocess.run([BIN, "fit", "--catalog", f"{WORK}/catalog.csv", *args],
                       capture_output=True, text=True)
    check(p.returncode == status,
          f"fit {' '.join(args)}: exit {p.returncode}, want {status}: {p.stderr.strip()}")
    return p


def rows_of(out):
    return list(csv.DictReader(io.StringIO(out)))


def params(row):
    got = {}
    for j in range(1, 5):
        name = row[f"p{j}_name"]
        if name and row[f"p{j}"]:
            got[name] = (float(row[f"p{j}"]), float(row[f"p{j}_lo95"] or "nan"),
                         float(row[f"p{j}_hi95"] or "nan"))
    return got


def check_recovery(rows, track, model, truth, tol):
    row = next((r for r in rows if r["track"] == track and r["model"] == model), None)
    check(row is not None, f"{track}: no {model} row")
    if row is None:
        return
    check(row["status"] == "ok", f"{track}/{model}: status {row['status']} ({row['reason']})")
    got = params(row)
    for name, want in truth.items():
        if name not in got:
            failures.append(f"{track}/{model}: no parameter {name}")
            continue
        v, lo, hi = got[name]
        check(abs(v - want) <= tol * abs(want),
              f"{track}/{model}: {name} = {v:.6g}, truth {want:.6g} (tolerance {tol:.0%})")
        check(lo <= want <= hi,
              f"{track}/{model}: truth {name} = {want:.6g} outside [{lo:.6g}, {hi:.6g}]")


def main():
    history = f"{WORK}/history.csv"
    write_inputs()
    one = run("--jobs", "1", history)
    two = run("--jobs", "2", history)
    check(one.stdout == two.stdout, "--jobs 1 and --jobs 2 outputs differ")
    rows = rows_of(one.stdout)
    check(len(rows) == 4 * 7, f"{len(rows)} rows, want 28 (4 tracks x 7 models)")

    check_recovery(rows, "Decay", "expdecay", DECAY, 0.01)
    check_recovery(rows, "Power", "powerlaw", POWER, 0.01)
    check_recovery(rows, "Sparse", "expdecay", DECAY, 0.05)

    for track in ("Decay", "Power", "Sparse", "Twice"):
        mine = [r for r in rows if r["track"] == track]
        chosen = [r["model"] for r in mine if r["chosen"] == "1"]
        check(len(chosen) == 1, f"{track}: chosen {chosen}, want exactly one")
        curves = [r for r in mine if r["status"] == "ok" and r["model"] not in ("recent", "pace")]
        if curves:
            total = sum(float(r["weight"]) for r in curves)
            check(abs(total - 1.0) < 1e-6, f"{track}: Akaike weights sum to {total}")
            best = min(curves, key=lambda r: float(r["aicc"]))
            check(chosen == [best["model"]], f"{track}: chosen {chosen}, least AICc "
                  f"{best['model']}")
            check(float(best["delta_aicc"]) == 0.0, f"{track}: delta_aicc of the best")
    decay_choice = [r["model"] for r in rows if r["track"] == "Decay" and r["chosen"] == "1"]
    check(decay_choice in (["expdecay"], ["doubleexp"]),
          f"Decay: chosen {decay_choice}, want expdecay or its nested doubleexp")
    power_choice = [r["model"] for r in rows if r["track"] == "Power" and r["chosen"] == "1"]
    check(power_choice == ["powerlaw"], f"Power: chosen {power_choice}")
    twice = {r["model"]: r for r in rows if r["track"] == "Twice"}
    check(twice["recent"]["chosen"] == "1" and "no curve" in twice["recent"]["reason"],
          "Twice: the recent pace should stand in, marked as such")
    check(abs(float(twice["recent"]["p1"]) - 600000 / 30) < 1e-6,
          f"Twice: recent pace {twice['recent']['p1']}, want 20000 a day")
    check(all(twice[m]["status"] == "too_few" for m in twice if m not in ("recent", "pace")),
          "Twice: every curve should be too_few")
    # the pace model measures what it needs from two totals: 20,000 a day now
    check(twice["pace"]["status"] == "ok" and twice["pace"]["chosen"] != "1" and
          abs(float(twice["pace"]["p1"]) - 20000) < 1e-6,
          f"Twice: pace {twice['pace']['status']} p7 {twice['pace']['p1']}, want 20000 a day")
    check(twice["recent"]["last_total"] == "1600000", "Twice: last total")

    # Averaging uses every curve that carries weight (exp(-dAICc/2) can be 0).
    avg = rows_of(run("--average", history).stdout)
    for track in ("Decay", "Power", "Sparse"):
        weighted = {r["model"] for r in avg if r["track"] == track and r["status"] == "ok"
                    and r["model"] not in ("recent", "pace") and float(r["weight"]) > 0}
        used = {r["model"] for r in avg if r["track"] == track and r["chosen"] == "1"}
        best = [r["model"] for r in rows if r["track"] == track and r["chosen"] == "1"]
        check(used == weighted and set(best) <= used,
              f"--average {track}: chosen {used}, weighted {weighted}, best {best}")

    chosen = rows_of(run("--chosen", history).stdout)
    check(sorted(r["track"] for r in chosen) == ["Decay", "Power", "Sparse", "Twice"],
          f"--chosen: tracks {[r['track'] for r in chosen]}")

    only = rows_of(run("--model", "expdecay,recent", history).stdout)
    for r in only:
        want = r["model"] in ("expdecay", "recent")
        check((r["status"] != "skipped") == want, f"--model: {r['track']}/{r['model']} "
              f"status {r['status']}")

    bad = run("--model", "nosuch", history, status=64)
    check("no model named 'nosuch'" in bad.stderr, f"--model nosuch: {bad.stderr!r}")
    bad = run("--jobs", "0", history, status=64)
    check("--jobs" in bad.stderr, f"--jobs 0: {bad.stderr!r}")

    if failures:
        for f in failures:
            print(f"fit_recovery.py: {f}", file=sys.stderr)
        sys.exit(1)
    print(f"fit_recovery.py: {len(rows)} rows; curves recovered, output the same for 1 and 2 jobs")


main()
