#!/bin/sh
# Nightly-run safety of `streamstat report` (see nightly_check.py): latest.*,
# the lock (exit 75), an unwritable or full output directory (exit 73/74,
# nothing replaced) and a run killed mid-write (the previous report intact).
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
cleanup() {
	for m in "$work"/ro "$work"/full; do
		if mountpoint -q "$m" 2>/dev/null; then umount "$m"; fi
	done
	rm -rf "$work"
}
trap cleanup EXIT
gen=$(dirname "$STREAMSTAT")/bench/gen
/usr/bin/python3 tests/e2e/nightly_check.py "$STREAMSTAT" "$gen" "$work"
