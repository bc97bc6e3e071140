#!/bin/sh
# `streamstat milestones` and `streamstat backtest` end to end: the public
# facts of the bundled dataset, and calibration on generated histories whose
# crossings are known (see milestones_check.py).
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen=$(dirname "$STREAMSTAT")/bench/gen
/usr/bin/python3 tests/e2e/milestones_check.py "$STREAMSTAT" "$gen" "$work"
