#!/bin/sh
# The bundled workbook printed: LibreOffice to PDF, pages counted per sheet
# from their footers, rendered to PNG (RENDER_DIR=dir keeps them); see
# render_check.py.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$(dirname "$0")/render_check.py" "$STREAMSTAT" "$work"
