#!/bin/sh
# `streamstat fit` end to end: tracks drawn from known curves must come back
# from its CSV (read with Python's csv module), the same for any --jobs.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tests/e2e/fit_recovery.py "$STREAMSTAT" "$work"
