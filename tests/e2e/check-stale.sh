#!/bin/sh
# Stale tracks and daily-only histories end to end: the workbook and the
# JSON summary say what the milestones CSV says (see stale_check.py).
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tests/e2e/stale_check.py "$STREAMSTAT" "$work"
