#!/bin/sh
# tests/run-unit.sh BIN SRC - run one cmocka unit test binary (from
# tests/unit, where the tests find their data) and check that what ran is
# what SRC declares:
#  - every test SRC names in its table (cmocka_unit_test(NAME) and the
#    _setup_teardown form) ran and passed: an entry that a later one
#    overwrote, or that the table was too small to hold, fails here;
#  - cmocka's "[  PASSED  ] N test(s)" equals its "Running N test(s)" and
#    is at least the number of entries SRC names (tables may add generated
#    cases after them).
# Prints the binary's output when it fails; exits 1 on any mismatch.
set -u
bin=$1
src=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
(cd tests/unit && "../../$bin") >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	cat "$log"
	exit 1
fi
names=$(grep -o 'cmocka_unit_test[a-z_]*([A-Za-z_0-9]*' "$src" | sed 's/.*(//')
declared=$(printf '%s\n' "$names" | grep -c .)
running=$(sed -n 's/^\[==========\] Running \([0-9]*\) test(s)\.$/\1/p' "$log" | head -n 1)
passed=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' "$log" | head -n 1)
bad=0
for n in $names; do
	grep -qxF "[       OK ] $n" "$log" || {
		echo "$src: the test '$n' is declared but did not run" >&2
		bad=1
	}
done
if [ -z "$passed" ] || [ "$passed" != "$running" ] || [ "$passed" -lt "$declared" ]; then
	echo "$src: $declared tests declared, cmocka ran ${running:-?} and passed ${passed:-?}" >&2
	bad=1
fi
[ "$bad" -eq 0 ] || { cat "$log"; exit 1; }
# what the tests measured (print_message), without cmocka's own lines
grep -v '^\[' "$log" | sed 's/^/          /'
echo "          $passed passed ($declared named in the table)"
