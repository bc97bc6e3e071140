#!/bin/sh
# A generated date-major history (interleaved tracks, duplicates, missing
# days, quoted and non-ASCII names), counted by Python's csv module, must
# match what `streamstat check` reports; its rows must come out in order.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
gen=$(dirname "$STREAMSTAT")/bench/gen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" --albums 40 --tracks-per-album 7 --days 90 --seed 7 --catalog "$tmp/catalog.csv" \
	-o "$tmp/history.csv"
/usr/bin/python3 tests/e2e/counts.py "$STREAMSTAT" --catalog "$tmp/catalog.csv" "$tmp/history.csv"
# The same rows split across two files in reverse order read the same.
head -1 "$tmp/history.csv" >"$tmp/a.csv"
cp "$tmp/a.csv" "$tmp/b.csv"
tail -n +2 "$tmp/history.csv" | tac | awk -v a="$tmp/a.csv" -v b="$tmp/b.csv" \
	'{ print >> (NR % 2 ? a : b) }'
/usr/bin/python3 tests/e2e/counts.py "$STREAMSTAT" --catalog "$tmp/catalog.csv" \
	"$tmp/a.csv" "$tmp/b.csv"
