#!/bin/sh
# The Charts sheet of the bundled case read back from the workbook's XML:
# legends, colours per track, the record chart, axes, column widths, page
# breaks and reruns (see charts_check.py).
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$(dirname "$0")/charts_check.py" "$STREAMSTAT" "$work"
