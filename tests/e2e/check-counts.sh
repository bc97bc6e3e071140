#!/bin/sh
# The bundled dataset and the good inputs, counted by Python's csv module,
# must match what `streamstat check` reports: nothing lost, nothing invented.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
/usr/bin/python3 tests/e2e/counts.py "$STREAMSTAT" --catalog datasets/catalog.csv \
	datasets/spotify_albums.csv
