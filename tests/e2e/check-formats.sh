#!/bin/sh
# Files as people have them, each from file to workbook with the one command
# the README gives for it: a Spotify for Artists per-song export, a European
# spreadsheet's ';' export, a wide table, a kworb-style totals table, and the
# same from standard input; each workbook read back and checked against the
# answers the data were made with (see formats_check.py).
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$(dirname "$0")/formats_check.py" "$STREAMSTAT" "$work"
