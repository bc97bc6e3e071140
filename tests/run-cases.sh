#!/bin/sh
# run-cases.sh - golden end-to-end tests: run the binary on every case and
# compare stdout, stderr and the exit status with what the case expects.
#
#   tests/run-cases.sh BIN [CASE ...]             run all cases (or the named ones)
#   tests/run-cases.sh --update BIN CASE ...      rewrite the named cases' expout,
#                                                 experr and status from BIN's output
#
# A case is a directory tests/cases/NAME/ holding
#   cmd      the arguments, one shell line, run from the repository root as
#            "$BIN" ARGS (paths relative to the root, e.g. tests/data/bad/empty.csv);
#            it may use $CASE_TMP
#   expout   the exact expected stdout
#   experr   the exact expected stderr
#   status   the expected exit code
#   stdin    optional: the command's standard input (else /dev/null), for "-"
#   setup    optional, executable: run first as "setup DIR" with DIR (also
#            exported as CASE_TMP) a fresh scratch directory under $TMPDIR, for
#            inputs too big or too odd to commit; DIR is removed afterwards.
#            Where DIR's path appears in the output it is replaced by the text
#            $CASE_TMP before comparing, so that expout/experr stay stable.
#
# Every line of the actual stdout of the form "rows: R read, U used, S skipped
# [, A after --as-of]" must also add up (R = U + S + A): no row is lost unseen.
#
# Prints one line per failed case (with the diffs below it) and a summary
# "cases: N passed, M failed"; exits 1 when any case failed, 2 on misuse.
# POSIX sh; needs only diff, mktemp and the usual utilities.  --update is for
# regenerating after a deliberate change: read every diff before committing.

set -u

update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
	echo "usage: tests/run-cases.sh [--update] BIN [CASE ...]" >&2
	exit 2
fi
BIN=$1
shift
if [ "$update" = 1 ] && [ $# -eq 0 ]; then
	echo "run-cases.sh: --update needs the names of the cases to rewrite" >&2
	exit 2
fi

# Resolve BIN before moving to the repository root, so that a relative path
# given from anywhere still works.
case $BIN in
/*) ;;
*) BIN=$(pwd)/$BIN ;;
esac
if [ ! -x "$BIN" ]; then
	echo "run-cases.sh: $BIN: not an executable" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$root" || exit 2
export BIN

# Messages and sorting must not depend on the caller's locale.
LC_ALL=C
export LC_ALL

work=$(mktemp -d "${TMPDIR:-/tmp}/streamstat-cases.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# A case that hangs must not hang the build: use timeout(1) when there is one.
if command -v timeout >/dev/null 2>&1; then
	limit="timeout ${CASE_TIMEOUT:-120}"
else
	limit=
fi

if [ $# -eq 0 ]; then
	set -- tests/cases/*/
	if [ ! -d "$1" ]; then
		echo "run-cases.sh: no cases in tests/cases" >&2
		exit 1
	fi
fi

passed=0
failed=0
failed_names=

fail() { # name, reason
	failed=$((failed + 1))
	failed_names="$failed_names $1"
	echo "FAIL $1: $2"
}

# Replace every occurrence of the string $1 by the text $CASE_TMP.
untmp() {
	awk -v t="$1" '{
		out = ""
		while ((i = index($0, t)) > 0) {
			out = out substr($0, 1, i - 1) "$CASE_TMP"
			$0 = substr($0, i + length(t))
		}
		print out $0
	}'
}

# Check that every "rows:" line adds up; print the first one that does not.
rows_add_up() {
	awk '
	/^rows:/ {
		r = $2; u = $4; s = $6; a = 0
		if ($0 ~ /after --as-of/) a = $8
		gsub(/,/, "", r); gsub(/,/, "", u); gsub(/,/, "", s); gsub(/,/, "", a)
		if (r + 0 != u + s + a) { print; bad = 1; exit }
	}
	END { exit bad }' "$1"
}

for dir in "$@"; do
	dir=${dir%/}
	case $dir in
	*/*) ;;
	*) dir=tests/cases/$dir ;;
	esac
	name=${dir##*/}
	if [ ! -d "$dir" ]; then
		fail "$name" "no such case directory $dir"
		continue
	fi
	if [ ! -f "$dir/cmd" ]; then
		fail "$name" "no cmd file"
		continue
	fi
	if [ "$update" = 0 ]; then
		missing=
		for f in expout experr status; do
			[ -f "$dir/$f" ] || missing="$missing $f"
		done
		if [ -n "$missing" ]; then
			fail "$name" "missing$missing"
			continue
		fi
	fi

	tmp=$work/$name
	out=$work/$name.out
	err=$work/$name.err
	rm -rf "$tmp"
	mkdir "$tmp" || exit 2
	CASE_TMP=$tmp
	export CASE_TMP

	if [ -e "$dir/setup" ]; then
		if [ ! -x "$dir/setup" ]; then
			fail "$name" "setup is not executable"
			rm -rf "$tmp"
			continue
		fi
		if ! "$dir/setup" "$tmp" >"$work/$name.setup" 2>&1; then
			fail "$name" "setup failed"
			sed 's/^/    /' "$work/$name.setup"
			rm -rf "$tmp"
			continue
		fi
	fi

	args=$(cat "$dir/cmd")
	input=/dev/null
	if [ -f "$dir/stdin" ]; then
		input=$dir/stdin
	fi
	# shellcheck disable=SC2086
	(eval "set -- $args" && exec $limit "$BIN" "$@") <"$input" >"$out" 2>"$err"
	status=$?
	if [ -n "$limit" ] && [ "$status" = 124 ]; then
		echo "(timed out after ${CASE_TIMEOUT:-120}s)" >>"$err"
	fi
	rm -rf "$tmp"
	# The scratch directory's name changes from run to run: write it as $CASE_TMP.
	for f in "$out" "$err"; do
		if grep -F -q -e "$tmp" "$f"; then
			untmp "$tmp" <"$f" >"$f.n" && mv "$f.n" "$f"
		fi
	done

	if [ "$update" = 1 ]; then
		cp "$out" "$dir/expout" && cp "$err" "$dir/experr" && echo "$status" >"$dir/status"
		echo "updated $name (status $status)"
		continue
	fi

	ok=1
	reasons=
	want=$(tr -d ' \n' <"$dir/status")
	if [ "$status" != "$want" ]; then
		ok=0
		reasons="$reasons, exit status $status (expected $want)"
	fi
	if ! diff -u "$dir/expout" "$out" >"$work/$name.dout" 2>&1; then
		ok=0
		reasons="$reasons, stdout differs"
	fi
	if ! diff -u "$dir/experr" "$err" >"$work/$name.derr" 2>&1; then
		ok=0
		reasons="$reasons, stderr differs"
	fi
	if ! rows_add_up "$out" >"$work/$name.rows"; then
		ok=0
		reasons="$reasons, rows do not add up: $(cat "$work/$name.rows")"
	fi
	if [ "$ok" = 1 ]; then
		passed=$((passed + 1))
	else
		fail "$name" "${reasons#, }"
		for d in dout derr; do
			[ -s "$work/$name.$d" ] && sed 's/^/    /' "$work/$name.$d"
		done
	fi
done

if [ "$update" = 1 ]; then
	exit 0
fi
echo "cases: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	echo "failed:$failed_names"
	exit 1
fi
if [ "$passed" -eq 0 ]; then
	echo "run-cases.sh: no cases found" >&2
	exit 1
fi
exit 0
