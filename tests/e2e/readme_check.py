"""The examples of the README and of doc/*.md run as shown.  Usage:
readme_check.py STREAMSTAT WORKDIR

A fenced block whose info string is "csv FILE" is written to WORKDIR/FILE.
A block tagged "console" holds commands, each line "$ streamstat ...",
followed by the output it shows; each block runs in a fresh directory (which
links the repository's datasets/ and tests/ and the files written above), and
its output must be what the block shows: lines starting "streamstat: " are
its standard error, the others its standard output, each in order.  A line
"..." (or "…") stands for any number of lines of either.  "$ cd DIR" and "$ rm ..."
lines are run too; other blocks are prose.  The README's lists of the Debian
packages "make report" and "make test" install are the Makefile's
DEB_PACKAGES and TEST_PACKAGES.
"""
import os
import re
import shlex
import subprocess
import sys

binary, work = os.path.abspath(sys.argv[1]), sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []
ELLIPSIS = ("...", "…")


def fail(what):
    failures.append(what)
    print("readme_check: FAIL: " + what, file=sys.stderr)


def blocks(path):
    """(info, first line number, lines) of each fenced block of path."""
    out, info, start, lines = [], None, 0, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if info is None and line.startswith("```"):
                info, start, lines = line[3:].strip(), n, []
            elif info is not None and line.startswith("```"):
                out.append((info, start, lines))
                info = None
            elif info is not None:
                lines.append(line)
    return out


def matches(want, got):
    """Do the lines got fit the pattern want (ELLIPSIS: any lines)?"""
    if not want:
        return not got
    if want[0] in ELLIPSIS:
        return any(matches(want[1:], got[k:]) for k in range(len(got) + 1))
    return bool(got) and got[0] == want[0] and matches(want[1:], got[1:])


def run(where, cmd, shown, cwd):
    args = shlex.split(cmd)
    if args[0] == "streamstat":
        args[0] = binary
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    out, err = p.stdout.splitlines(), p.stderr.splitlines()
    want_out, want_err = [], []
    for s in shown:  # an elision stands in both streams
        if s in ELLIPSIS:
            want_out.append(s)
            want_err.append(s)
        else:
            (want_err if s.startswith("streamstat: ") else want_out).append(s)
    if not matches(want_out, out):
        fail("%s: '%s': stdout\n  shown:\n    %s\n  got:\n    %s" % (
            where, cmd, "\n    ".join(want_out), "\n    ".join(out)))
    if not matches(want_err, err):
        fail("%s: '%s': stderr\n  shown:\n    %s\n  got:\n    %s" % (
            where, cmd, "\n    ".join(want_err), "\n    ".join(err)))


def make_packages():
    """The Makefile's DEB_PACKAGES and TEST_PACKAGES, each a list."""
    with open(os.path.join(root, "Makefile"), encoding="utf-8") as f:
        text = f.read().replace("\\\n", " ")
    return {m.group(1): m.group(2).split()
            for m in re.finditer(r"^(DEB_PACKAGES|TEST_PACKAGES)\s*:=(.*)$", text, re.M)}


def check_packages():
    """The README's Debian package lists are the Makefile's, in its order."""
    with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
        text = " ".join(f.read().split())
    want = make_packages()
    for var, sentence, form in (
            ("DEB_PACKAGES", "`make report` installs the missing Debian packages",
             r"[^:`]*\(through `sudo` unless run as root\): `([^`]*)`"),
            ("TEST_PACKAGES", "`make test` adds", r" `([^`]*)`")):
        at = text.find(sentence)
        m = re.match(form, text[at + len(sentence):]) if at >= 0 else None
        got = m.group(1).split() if m else None
        if got != want.get(var):
            fail("README: %r lists %r, the Makefile's %s is %r"
                 % (sentence, got, var, want.get(var)))


def main():
    check_packages()
    docs = [os.path.join(root, "README.md")]
    docdir = os.path.join(root, "doc")
    if os.path.isdir(docdir):
        docs += sorted(os.path.join(docdir, n) for n in os.listdir(docdir) if n.endswith(".md"))
    ncmds, written, nblock = 0, [], 0
    for doc in docs:
        rel = os.path.relpath(doc, root)
        for info, start, lines in blocks(doc):
            words = info.split()
            if len(words) == 2 and words[0] == "csv":
                with open(os.path.join(work, words[1]), "w", encoding="utf-8") as f:
                    f.write("\n".join(lines) + "\n")
                written.append(words[1])
            if info != "console":
                continue
            # each block in a directory of its own: no report of an earlier
            # example is taken for the previous run
            nblock += 1
            cwd = os.path.join(work, "block%d" % nblock)
            os.mkdir(cwd)
            for name in ("datasets", "tests"):
                os.symlink(os.path.join(root, name), os.path.join(cwd, name))
            for name in written:
                os.symlink(os.path.join(work, name), os.path.join(cwd, name))
            cmd, shown, at = None, [], start
            for k, line in enumerate(lines + ["$ "]):
                if not line.startswith("$ "):
                    shown.append(line)
                    continue
                if cmd:
                    run("%s:%d" % (rel, at), cmd, shown, cwd)
                    ncmds += 1
                cmd, shown, at = line[2:].strip(), [], start + 1 + k
                if cmd.startswith("cd "):
                    cwd = os.path.join(cwd, cmd[3:].strip())
                    cmd = None
                elif cmd.startswith("rm "):
                    subprocess.run(shlex.split(cmd), cwd=cwd, check=False)
                    cmd = None
    if ncmds == 0:
        fail("no console examples found")
    if failures:
        sys.exit(1)
    print("readme_check: %d commands in %d documents ran as shown" % (ncmds, len(docs)))


main()
