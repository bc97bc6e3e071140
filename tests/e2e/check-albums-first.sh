#!/bin/sh
# "report --albums" naming an album the data do not have fails before any
# work: with stderr a terminal (script(1)), where the report prints each
# stage as it starts, the message comes with no "fitting" line before it,
# exit 64, and nothing is written.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! command -v script >/dev/null; then
	echo "check-albums-first: no script(1); skipped"
	exit 0
fi
status=0
script -qec "$STREAMSTAT report -o $work/out --albums Nope --catalog datasets/catalog.csv \
datasets/spotify_albums.csv" /dev/null >"$work/log" 2>&1 || status=$?
fail() {
	echo "check-albums-first: $1" >&2
	cat "$work/log" >&2
	exit 1
}
[ "$status" -eq 64 ] || fail "exit $status, want 64"
grep -q "report: --albums: no album 'Nope' in the data" "$work/log" || fail "no message"
! grep -q "fitting\|backtesting\|projecting" "$work/log" || fail "work was done first"
[ -z "$(ls "$work/out" | grep -v '^\.')" ] || fail "files were written"
echo "  albums-first: --albums checked before any work"
