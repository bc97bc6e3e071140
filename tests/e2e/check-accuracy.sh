#!/bin/sh
# The accuracy harness (tests/accuracy/accuracy.py) on a small sample of the
# real histories: the albums of 100 tracks, one cut in sample and one out of sample, dense
# and thinned.  It fails when the tool's recent pace is not the yardstick the
# harness computes itself, or a figure is undefined.  The real data are not
# in the repository: REAL_DATA (default ../shared/data/real) must hold them,
# else the check says it is skipped.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
real=${REAL_DATA:-../shared/data/real}
if [ ! -s "$real/streams.csv" ] || [ ! -s "$real/catalog.csv" ]; then
	echo "check-accuracy: skipped: no real histories in $real (set REAL_DATA)"
	exit 0
fi
/usr/bin/python3 tests/accuracy/accuracy.py --check --bin "$STREAMSTAT" --real "$real" \
	>"${TMPDIR:-/tmp}/streamstat-accuracy-check.txt" 2>&1 ||
	{ cat "${TMPDIR:-/tmp}/streamstat-accuracy-check.txt"; exit 1; }
echo "check-accuracy: ok"
