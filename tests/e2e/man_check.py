"""The man page describes everything the help prints.  Usage:
man_check.py STREAMSTAT MANPAGE

For every command that "streamstat --help" lists, each option ("-x" and
"--long") on the option lines of "streamstat help CMD" (lines starting with
blanks and a dash) must be the tag of an item of the man page (the line
after a .TP): mentioned in passing or in the synopsis is not described.
So must every model under "Models:" in "help fit", every exit code of
"Exit status:" (under EXIT STATUS), and --help and --version.  The man
page is read as text: \\- is a dash, font escapes and quotes are dropped.
An option must be described under a subsection of OPTIONS that names its
command or under one the commands share (Input, Common, Other options).
"""
import re
import subprocess
import sys

binary, page = sys.argv[1], sys.argv[2]
failures = []


def fail(what):
    failures.append(what)
    print("man_check: FAIL: " + what, file=sys.stderr)


def text(line):
    line = re.sub(r"\\f[BIRP]|\\f\(..", "", line).replace("\\-", "-").replace('"', "")
    return re.sub(r"^\.(BI|BR|IR|RB|RI|IB|B|I)\s+", "", line)


def helptext(*args):
    p = subprocess.run([binary] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        fail("%s exited %d" % (" ".join(args), p.returncode))
    return p.stdout


with open(page, encoding="utf-8") as f:
    lines = f.read().split("\n")
tags, section, sub = [], None, None  # (section, subsection, tag text) of every .TP item
for i, line in enumerate(lines):
    if line.startswith(".SH "):
        section, sub = text(line[4:]).strip(), None
    if line.startswith(".SS "):
        sub = text(line[4:]).strip()
    if line == ".TP" and i + 1 < len(lines):
        tags.append((section, sub, text(lines[i + 1])))
OPTION = r"(?<![\w-])(--?[A-Za-z][\w-]*)"
tag_options = set()
sub_options = {}  # subsection of OPTIONS -> the options its items describe
for _, ss, t in tags:
    tag_options.update(re.findall(OPTION, t))
    sub_options.setdefault(ss, set()).update(re.findall(OPTION, t))
tag_words = {t.strip() for _, _, t in tags}


def described_for(cmd, opt):
    """An option of cmd is described in a subsection of OPTIONS that names
    cmd ("Fit options", "Split, analyse and merge options") or in one that
    several commands share (Input, Common, Other), not in another command's."""
    for ss, opts in sub_options.items():
        if opt in opts and ss and (re.search(r"\b%s\b" % cmd, ss, re.I) or
                                   ss in ("Input options", "Common options", "Other options")):
            return True
    return False

top = helptext("--help")
commands = []
m = re.search(r"^Commands:\n((?:  \S.*\n)+)", top, re.M)
if not m:
    fail("streamstat --help lists no commands")
else:
    commands = [line.split()[0] for line in m.group(1).splitlines()]
checked = 0
for want in ("--help", "--version"):
    checked += 1
    if want not in tag_options:
        fail("streamstat %s is not described in the man page" % want)
for cmd in commands:
    out = helptext("help", cmd)
    for line in out.splitlines():
        if not re.match(r"^ {2,}-", line):
            continue
        for opt in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", line):
            checked += 1
            if opt not in tag_options:
                fail("%s %s (help: %r) is not described in the man page" % (
                    cmd, opt, line.strip()))
            elif not described_for(cmd, opt):
                fail("%s %s is described in the man page only under another command's "
                     "options" % (cmd, opt))
    if cmd == "fit":
        models = re.search(r"^Models:\n((?:  \S.*\n)+)", out, re.M)
        if not models:
            fail("help fit lists no models")
        for line in models.group(1).splitlines() if models else []:
            checked += 1
            if line.split()[0] not in tag_words:
                fail("fit model %s is not described in the man page" % line.split()[0])
codes = re.search(r"^Exit status: (.*?)\n\n", top + "\n\n", re.M | re.S)
exit_tags = {t.strip() for s, _, t in tags if s == "EXIT STATUS"}
for code in re.findall(r"(?:^|; |\n)(\d+) ", codes.group(1) if codes else ""):
    checked += 1
    if code not in exit_tags:
        fail("exit status %s is not described under EXIT STATUS" % code)
if not codes:
    fail("streamstat --help gives no exit status")
if failures:
    sys.exit(1)
print("man_check: %d options, models and exit codes of %d commands' help, all in the man page"
      % (checked, len(commands)))
