#!/bin/sh
# `make install` puts the binary and the man page in place, and the man page
# renders without a warning.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make --no-print-directory -s install DESTDIR="$work" PREFIX=/usr >/dev/null
[ -x "$work/usr/bin/streamstat" ] || { echo "check-install: no binary installed" >&2; exit 1; }
page="$work/usr/share/man/man1/streamstat.1"
[ -f "$page" ] || { echo "check-install: no man page installed" >&2; exit 1; }
"$work/usr/bin/streamstat" --version >/dev/null
if command -v groff >/dev/null 2>&1; then
	out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$out" ] || { echo "check-install: the man page has warnings: $out" >&2; exit 1; }
	for s in COMMANDS OPTIONS FILES "EXIT STATUS" "JSON SUMMARY"; do
		groff -man -Tutf8 -P-cbou "$page" 2>/dev/null | grep -q "^$s" ||
			{ echo "check-install: the man page lacks $s" >&2; exit 1; }
	done
fi
echo "check-install: ok"
