#!/bin/sh
# `streamstat report` end to end: the workbook read back with openpyxl
# (values, types, formats, the chart references and the cells they read),
# against the JSON summary and against a hand-made history whose answers are
# known; the bundled dataset's public facts; byte-identical reruns; and
# LibreOffice converting the workbook, when soffice is installed (see
# report_check.py).
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$(dirname "$0")/report_check.py" "$STREAMSTAT" "$work"
