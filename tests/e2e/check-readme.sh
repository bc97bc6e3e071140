#!/bin/sh
# The README's and doc/'s console examples run and print what they show, and
# the README's package lists are the Makefile's
# (see readme_check.py).
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$(dirname "$0")/readme_check.py" "$STREAMSTAT" "$work"
