#!/usr/bin/python3
"""schedule_check.py BIN WORK - what `streamstat schedule` prints, read the
way cron and systemd read it, runs the report with exactly the arguments
asked for.

The binary is copied into directories whose names hold what quoting must
survive (space, quotes, %, backslash, $, ;, non-ASCII), and run from one,
so the program's path and the working directory are put to the test too.

cron: the five time fields split off, the command undone as cron does
(do_command.c: up to the first % not after a backslash, \\% becomes %; BSD
cron also turns \\\\ into \\; both readings must agree), then run by sh -c for
real with the copy replaced by a script that records its working directory
and argv.

systemd: ExecStart= read per systemd.syntax(7) and systemd.service(5)
(specifiers, quotes and C escapes, a lone ; is a separator, $$ in the
arguments) and WorkingDirectory= per systemd.exec(5) (specifiers only); and
`systemd-analyze verify` on the units when it is installed: no error, no
warning.  The units are printed each after a "# ==> FILE <==" marker, with
a word on `loginctl enable-linger`; `--write DIR` writes the same two
files into DIR.

Refusals: a data file or catalog that does not exist (exit 66, naming it),
`--write` with `--cron` (64), a `--write` directory that cannot be made (73).
"""
import os
import re
import shutil
import subprocess
import sys

BIN, WORK = sys.argv[1], sys.argv[2]

# Values that quoting must carry: cron's %, backslashes next to %, shell and
# systemd metacharacters, environment references, a lone ;.
VALUES = ["a%b", "a\\%b", "a\\\\%b", "\\", "\\\\", "%\\", "'", '"', "$HOME", "${HOME}",
          "$$", ";", "a b", "*", "~", "`id`", "$(id)", "%%", "\u00fc\u4e2d", "#x", "-",
          "&&", "'\"\\%$;", " lead", "trail ", "x'\\''y", "%n%%h"]


class Failure(Exception):
    pass


def fail(msg):
    raise Failure(msg)


def schedule(kind, args, cwd):
    p = subprocess.run([BIN_COPY[kind], "schedule", kind, "--"] + args, cwd=cwd,
                       capture_output=True)
    if p.returncode != 0:
        fail("schedule %s %r exited %d: %s" % (kind, args, p.returncode, p.stderr.decode()))
    return p.stdout.decode()


def touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "a").close()


def report_args(cwd, values, options):
    """The arguments given, and the ones the job must pass: every path
    absolute (cwd/NAME; the inputs, data files and catalogs, made to exist,
    as schedule refuses missing ones), values as they were."""
    for name in ("data.csv", "rel/c%t \\%'.csv", "sub dir/c$t.csv", "d'a%ta $x.csv",
                 "-dash.csv", "--as"):
        touch(os.path.join(cwd, name))
    given, want = [], []
    for v in values:
        given += ["--albums", v]
        want += ["--albums", v]
    if not options:
        return given + ["data.csv"], want + [cwd + "/data.csv"]
    given += ["--as", "2023-11-01", "--exclude-track=" + VALUES[4], "--max", "3"]
    want += ["--as", "2023-11-01", "--exclude-track=" + VALUES[4], "--max", "3"]
    given += ["--cat=rel/c%t \\%'.csv", "-qcsub dir/c$t.csv", "-o", "out'put",
              "--json", "j\\%.json", "--tmpd", "t;mp"]
    want += ["--cat=" + cwd + "/rel/c%t \\%'.csv", "-qc" + cwd + "/sub dir/c$t.csv",
             "-o", cwd + "/out'put", "--json", cwd + "/j\\%.json", "--tmpd", cwd + "/t;mp"]
    given += ["d'a%ta $x.csv", "--", "-dash.csv", "--as"]
    want += [cwd + "/d'a%ta $x.csv", "--", cwd + "/-dash.csv", cwd + "/--as"]
    return given, want


def cron_undo(cmd, bsd):
    """The command cron gives sh -c, and what it feeds to stdin."""
    out, i = [], 0
    while i < len(cmd):
        c = cmd[i]
        if c == "\\" and i + 1 < len(cmd):
            n = cmd[i + 1]
            if n == "%" or (bsd and n == "\\"):
                out.append(n)
            else:
                out.append(c + n)
            i += 2
            continue
        if c == "%":
            return "".join(out), cmd[i + 1:]
        out.append(c)
        i += 1
    return "".join(out), ""


def check_cron(cwd, values, options):
    given, want = report_args(cwd, values, options)
    text = schedule("--cron", given, cwd)
    lines = [l for l in text.split("\n") if l and not l.startswith("#")]
    if len(lines) != 1:
        fail("cron: %d lines, want 1:\n%s" % (len(lines), text))
    fields = lines[0].split(None, 5)
    if fields[:5] != ["15", "3", "*", "*", "*"]:
        fail("cron: time fields %r" % fields[:5])
    cmd, stdin = cron_undo(fields[5], bsd=False)
    cmd_bsd, stdin_bsd = cron_undo(fields[5], bsd=True)
    if stdin or stdin_bsd:
        fail("cron: an unescaped %% cuts the command: stdin %r" % (stdin or stdin_bsd))
    if cmd != cmd_bsd:
        fail("cron: Vixie and BSD cron read the command differently:\n%s\n%s" % (cmd, cmd_bsd))
    # run it as cron would, the program replaced by a recorder
    exe = BIN_COPY["--cron"]
    record = os.path.join(WORK, "argv")
    shutil.copy(exe, exe + ".real")
    with open(exe, "w") as f:
        f.write("#!/bin/sh\n{ pwd; printf '%%s\\0' \"$@\"; } >'%s'\n" % record)
    try:
        p = subprocess.run(["/bin/sh", "-c", cmd], cwd="/", capture_output=True)
    finally:
        os.replace(exe + ".real", exe)
    if p.returncode != 0:
        fail("cron: sh -c exited %d: %s\n%s" % (p.returncode, p.stderr.decode(), cmd))
    with open(record, "rb") as f:
        where, _, argv = f.read().partition(b"\n")
    if where.decode() != cwd:
        fail("cron: ran in %r, want %r" % (where.decode(), cwd))
    got = [a.decode() for a in argv.split(b"\0")[:-1]]
    if got != ["report", "-q"] + want:
        fail("cron: argv differs:\n got  %r\n want %r" % (got, ["report", "-q"] + want))


ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
           "\\": "\\", '"': '"', "'": "'", "s": " "}


def specifiers(s, what):
    def sub(m):
        if m.group(1) != "%":
            fail("systemd: %s: specifier %%%s: %r" % (what, m.group(1), s))
        return "%"
    return re.sub(r"%(.)", sub, s)


def exec_words(line):
    """ExecStart='s words as systemd splits them (quotes, C escapes)."""
    words, i = [], 0
    while True:
        while i < len(line) and line[i] in " \t":
            i += 1
        if i == len(line):
            return words
        if line[i] == ";" and (i + 1 == len(line) or line[i + 1] in " \t"):
            fail("systemd: a lone ; ends the command: %r" % line)
        w, quote = "", None
        while i < len(line):
            c = line[i]
            if quote is None and c in " \t":
                break
            if c == "\\":
                e = line[i + 1]
                if e not in ESCAPES:
                    fail("systemd: unknown escape \\%s in %r" % (e, line))
                w += ESCAPES[e]
                i += 2
                continue
            if quote is None and c in "\"'" and w == "":
                quote = c
            elif c == quote:
                quote = None
                if i + 1 < len(line) and line[i + 1] not in " \t":
                    fail("systemd: text after a closing quote: %r" % line)
            else:
                w += c
            i += 1
        if quote:
            fail("systemd: unterminated quote: %r" % line)
        words.append(w)


def env_subst(w):
    """$$ is a $; any other $ would be a variable of the service's."""
    def sub(m):
        if m.group(0) != "$$":
            fail("systemd: environment reference %r in %r" % (m.group(0), w))
        return "$"
    return re.sub(r"\$(\$|\{?[A-Za-z_][A-Za-z0-9_]*\}?)", sub, w)


def check_systemd(cwd, values, options):
    given, want = report_args(cwd, values, options)
    text = schedule("--systemd", given, cwd)
    marker = "# ==> ~/.config/systemd/user/streamstat-report.%s <==\n"
    head, _, units = text.partition(marker % "service")
    service, _, timer = units.partition(marker % "timer")
    if not service or not timer or "loginctl enable-linger" not in head:
        fail("systemd: no file markers, or no word of lingering:\n%s" % text)
    # --write DIR writes the same two files
    written = os.path.join(WORK, "written", "user")
    shutil.rmtree(os.path.join(WORK, "written"), ignore_errors=True)
    p = subprocess.run([BIN_COPY["--systemd"], "schedule", "--systemd", "--write", written,
                        "--"] + given, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0 or "wrote %s/streamstat-report.timer" % written not in p.stdout:
        fail("systemd: --write exited %d: %s%s" % (p.returncode, p.stdout, p.stderr))
    for name, want_text in (("service", service), ("timer", timer)):
        with open(os.path.join(written, "streamstat-report." + name)) as f:
            if f.read() != want_text:
                fail("systemd: --write's .%s is not the one printed" % name)
    keys = dict(l.split("=", 1) for l in service.split("\n") if "=" in l and l[0] != "#")
    if specifiers(keys["WorkingDirectory"], "WorkingDirectory") != cwd:
        fail("systemd: WorkingDirectory=%s, want %s" % (keys["WorkingDirectory"], cwd))
    words = exec_words(specifiers(keys["ExecStart"], "ExecStart"))
    if words[0] != BIN_COPY["--systemd"]:
        fail("systemd: runs %r, want %r" % (words[0], BIN_COPY["--systemd"]))
    args = [env_subst(w) for w in words[1:]]
    if args != ["report", "-q"] + want:
        fail("systemd: argv differs:\n got  %r\n want %r" % (args, ["report", "-q"] + want))
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("schedule_check: systemd-analyze not installed: units not verified")
        return
    units = os.path.join(WORK, "units")
    shutil.rmtree(units, ignore_errors=True)
    os.makedirs(units)
    with open(os.path.join(units, "streamstat-report.service"), "w") as f:
        f.write(service)
    with open(os.path.join(units, "streamstat-report.timer"), "w") as f:
        f.write(timer)
    p = subprocess.run([analyze, "verify", "--man=no", "streamstat-report.service",
                        "streamstat-report.timer"], cwd=units, capture_output=True, text=True,
                       env=dict(os.environ, SYSTEMD_LOG_LEVEL="warning"))
    if p.returncode != 0 or p.stdout.strip() or p.stderr.strip():
        fail("systemd-analyze verify exited %d:\n%s%s" % (p.returncode, p.stdout, p.stderr))


# The directories: cron can run a program from anywhere; systemd refuses an
# executable whose name holds \, " or ', so its copy lives where only the
# rest is; the working directory may hold anything but a trailing space or
# backslash.
real = os.path.realpath(WORK)
hard = os.path.join(real, "w d'i\"r%n \\%$x;\u00fc")
sysbin = os.path.join(real, "b in %n $x;\u00fc")
plain = os.path.join(real, "plain")
spaced = os.path.join(real, "a dir")
for d in (hard, sysbin, plain, spaced):
    os.makedirs(d)
HARD_BIN = {"--cron": os.path.join(hard, "streamstat"),
            "--systemd": os.path.join(sysbin, "streamstat")}
PLAIN_BIN = {"--cron": os.path.join(plain, "streamstat"),
             "--systemd": os.path.join(plain, "streamstat")}
for exe in list(HARD_BIN.values()) + [PLAIN_BIN["--cron"]]:
    shutil.copy(BIN, exe)

# Each scenario on its own, so that a failure names what broke.
SCENARIOS = [
    ("cron: % and backslashes before it", check_cron, plain,
     ["a%b", "a\\%b", "a\\\\%b", "%\\", "x\\"], False),
    ("cron: abbreviated and attached options", check_cron, plain, [], True),
    ("systemd: abbreviated and attached options", check_systemd, plain, [], True),
    ("systemd: a working directory with a space", check_systemd, spaced, ["x"], False),
    ("systemd: % $ \\ quotes and ; in arguments", check_systemd, plain, VALUES, False),
    ("cron: everything, in a hard directory", check_cron, hard, VALUES, True),
    ("systemd: everything, in a hard directory", check_systemd, hard, VALUES, True),
]


def check_refusals(cwd, values, options):
    """Inputs that do not exist are refused (exit 66) naming the file;
    --write goes with --systemd (64); a --write that cannot be created, 73."""
    missing = [(["nodata.csv"], cwd + "/nodata.csv"),
               (["-c", "nocat.csv", "data.csv"], cwd + "/nocat.csv"),
               (["--catalog=sub/nocat.csv", "data.csv"], cwd + "/sub/nocat.csv"),
               (["data.csv", "--", "--nodata"], cwd + "/--nodata")]
    touch(os.path.join(cwd, "data.csv"))
    for kind in ("--cron", "--systemd"):
        for args, path in missing:
            p = subprocess.run([BIN_COPY[kind], "schedule", kind, "--"] + args, cwd=cwd,
                               capture_output=True, text=True)
            if p.returncode != 66 or p.stdout or \
                    not p.stderr.startswith("streamstat: schedule: %s: " % path):
                fail("%s %r: exit %d, %r, want 66 naming %s" % (kind, args, p.returncode,
                                                                p.stderr, path))
    p = subprocess.run([BIN_COPY["--cron"], "schedule", "--cron", "--write", WORK, "--",
                        "data.csv"], cwd=cwd, capture_output=True, text=True)
    if p.returncode != 64 or "--write goes with --systemd" not in p.stderr:
        fail("--cron --write: exit %d, %r" % (p.returncode, p.stderr))
    blocker = os.path.join(WORK, "a-file")
    touch(blocker)
    p = subprocess.run([BIN_COPY["--systemd"], "schedule", "--systemd", "--write",
                        os.path.join(blocker, "units"), "--", "data.csv"], cwd=cwd,
                       capture_output=True, text=True)
    if p.returncode != 73 or "cannot create the directory" not in p.stderr:
        fail("--write under a file: exit %d, %r" % (p.returncode, p.stderr))


SCENARIOS.append(("refusals: missing inputs, --write", check_refusals, plain, [], False))
failed = 0
for name, check, cwd, values, options in SCENARIOS:
    BIN_COPY = HARD_BIN if cwd == hard else PLAIN_BIN
    try:
        check(cwd, values, options)
    except Failure as e:
        failed += 1
        print("schedule_check: %s: %s" % (name, e), file=sys.stderr)
if failed:
    sys.exit(1)
print("schedule_check: ok")
