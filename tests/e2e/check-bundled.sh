#!/bin/sh
# The bundled case end to end: `make report` on datasets/ must tell the
# story of the public facts (see bundled_check.py), and the binary under
# test ($STREAMSTAT, perhaps a sanitizer build) must write the same summary.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make --no-print-directory -s report >"$work/make-report.out"
/usr/bin/python3 tests/e2e/bundled_check.py "$STREAMSTAT" "$work"
