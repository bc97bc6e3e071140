#!/usr/bin/env bash
# The report in parts (split, analyse under GNU parallel, merge) against the
# single run on the same input and options: the workbook byte for byte, the
# JSON summary byte for byte but for its run_seconds line.  On the bundled
# case, on input with problems of every kind (their file:line kept), on
# files read with input options, on standard input, and on two nights of a generated history
# (the second one's Changes sheet), the last through GNU parallel's
# --sshlogin, --transferfile and --return (tests/e2e/fake-ssh stands in for
# ssh and rsync carries the files).  Then the Slurm script under shellcheck.
set -euo pipefail
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
bin=$(cd "$(dirname "$STREAMSTAT")" && pwd)/$(basename "$STREAMSTAT")
root=$(pwd)
work=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] && echo "check-shard: keeping $work"
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT
gen=$(dirname "$bin")/bench/gen
fails=0

# same NAME DIR_SINGLE DIR_SHARDED FILE: the two runs wrote the same FILE
same() {
	if ! "$root/tests/e2e/same-output" "check-shard: $1" "$2/$4" "$3/$4"; then
		fails=$((fails + 1))
		return
	fi
	echo "  shard   $1: $4 identical"
}

# run NAME PARTS "SCRIPT OPTIONS" INPUTS... -- REPORT OPTIONS...: both runs,
# in $work/NAME/single and $work/NAME/sharded (each with -o out there)
run() {
	local name=$1 parts=$2 sopts=$3 inputs=() opts=()
	shift 3
	while [ "$1" != -- ]; do
		inputs+=("$1")
		shift
	done
	shift
	opts=("$@")
	mkdir -p "$work/$name/single" "$work/$name/sharded"
	(cd "$work/$name/single" && "$bin" report "${inputs[@]}" "${opts[@]}" -o out \
		>stdout 2>stderr) || {
		echo "check-shard: $name: the single run failed:" >&2
		cat "$work/$name/single/stderr" >&2
		exit 1
	}
	# shellcheck disable=SC2086 # sopts is a list of script options
	(cd "$work/$name/sharded" && STREAMSTAT=$bin STREAMSTAT_REMOTE=$bin \
		"$root/scripts/shard-report.sh" -n "$parts" $sopts -- "${inputs[@]}" -- \
		"${opts[@]}" -o out >stdout 2>stderr) || {
		echo "check-shard: $name: the sharded run failed:" >&2
		cat "$work/$name/sharded/stderr" >&2
		exit 1
	}
	for s in stdout stderr; do
		if ! cmp -s "$work/$name/single/$s" "$work/$name/sharded/$s"; then
			echo "check-shard: $name: $s differs:" >&2
			diff "$work/$name/single/$s" "$work/$name/sharded/$s" >&2 || true
			fails=$((fails + 1))
		fi
	done
}

d=$root/datasets
run bundled 3 "-j 2" --catalog "$d/catalog.csv" "$d/spotify_albums.csv" --as-of 2023-11-21 \
	-- --no-backtest
for f in streamstat-2023-11-21.xlsx streamstat-2023-11-21.json; do
	same bundled "$work/bundled/single/out" "$work/bundled/sharded/out" "$f"
done

b=$root/tests/data/bad
run problems 4 "-j 2" --catalog "$b/catalog.csv" "$b/duplicate-conflict.csv" \
	"$b/total-decrease.csv" "$b/release-dates.csv" "$b/streams-total-mismatch.csv" \
	"$b/same-title-no-artist.csv" "$b/field-count.csv" "$b/data-new-album.csv" \
	"$b/bad-bound.csv" "$b/duplicate-same.csv" "$b/quoted-names.csv" \
	"$b/total-decrease-sparse.csv" -- --no-backtest --milestones 1M,5M,50M
for f in latest.xlsx latest.json; do
	same problems "$work/problems/single/out" "$work/problems/sharded/out" "$f"
done
# a problem the series stage finds in a part keeps its original file:line
grep -q "^streamstat: $b/duplicate-conflict.csv:4: track 'Rainy Days'" \
	"$work/problems/sharded/stderr" || {
	echo "check-shard: problems: no original file:line on the merge's stderr" >&2
	fails=$((fails + 1))
}

f=$root/tests/data/formats
run formats 2 "-j 2" --date-format %d.%m.%Y --thousands . "$f/eu-semicolon.csv" \
	--wide --values total --album Layover --artist V --date-format %Y-%m-%d --thousands , \
	"$f/wide-totals.csv" -- --no-backtest --exclude-track "Rainy Days"
for f in latest.xlsx latest.json; do
	same formats "$work/formats/single/out" "$work/formats/sharded/out" "$f"
done

# two nights of a generated history, the second compared with the first;
# the parts travel to two "hosts" and back
mkdir -p "$work/gen"
"$gen" --albums 24 --tracks-per-album 5 --days 60 --catalog "$work/gen/catalog.csv" \
	-o "$work/gen/history.csv"
last=$(tail -n 1 "$work/gen/history.csv" | cut -d, -f1)
prev=$(date -u -d "$last - 1 day" +%F)
export SHARD_SSH=$root/tests/e2e/fake-ssh
for night in 1 2; do
	asof=()
	[ "$night" = 1 ] && asof=(--as-of "$prev")
	run nights 5 "-j 2 -S hostA -S hostB" --catalog "$work/gen/catalog.csv" \
		"$work/gen/history.csv" "${asof[@]}" -- --no-backtest --curves -j 1
done
unset SHARD_SSH
for f in "streamstat-$last.xlsx" "streamstat-$last.json" "streamstat-$prev.xlsx"; do
	same nights "$work/nights/single/out" "$work/nights/sharded/out" "$f"
done
grep -q "\"since\": \"$prev\"" "$work/nights/sharded/out/latest.json" || {
	echo "check-shard: nights: the second sharded night did not compare with the first" >&2
	fails=$((fails + 1))
}

# standard input through a pipe ("-"), as "curl ... | streamstat split -":
# the options in the order a sharded run records them (split's, then merge's)
stdin_runs() {
	local in=(--catalog "$d/catalog.csv" --as-of 2023-11-21 -) p
	mkdir -p "$work/stdin/single" "$work/stdin/sharded"
	# shellcheck disable=SC2002 # a pipe, not a file, is what is tested
	(cd "$work/stdin/single" &&
		cat "$d/spotify_albums.csv" | "$bin" report "${in[@]}" -q --no-backtest -o out >/dev/null) || return
	# shellcheck disable=SC2002
	(cd "$work/stdin/sharded" &&
		cat "$d/spotify_albums.csv" | "$bin" split -n 2 -o parts "${in[@]}" >/dev/null &&
		for p in parts/part-*.csv; do
			"$bin" analyse -q --no-backtest -o "${p%.csv}.result" "$p" || exit 1
		done &&
		"$bin" merge -q --no-backtest -o out parts/part-*.result >/dev/null)
}
if ! stdin_runs; then
	echo "check-shard: stdin: a run failed" >&2
	exit 1
fi
for f in latest.xlsx latest.json; do
	same stdin "$work/stdin/single/out" "$work/stdin/sharded/out" "$f"
done
# any other pipe is refused (each input is read twice), before any part is written
status=0
# shellcheck disable=SC2002
err=$(cat "$d/spotify_albums.csv" | "$bin" split -n 2 -o "$work/stdin/pipe" /dev/stdin 2>&1) ||
	status=$?
if [ "$status" != 66 ] || [ -e "$work/stdin/pipe" ] ||
	[ "$err" != "streamstat: split: /dev/stdin is a pipe: each input is read twice (to load it and for its SHA-256), so only regular files are taken; save it to a file first" ]; then
	echo "check-shard: stdin: a pipe named as a file: exit $status, $err" >&2
	fails=$((fails + 1))
fi

# the Slurm array script, its tasks run here as Slurm would (no Slurm here)
mkdir -p "$work/slurm"
(cd "$work/slurm" && "$bin" split -q -n 3 -o parts --catalog "$d/catalog.csv" \
	"$d/spotify_albums.csv" --as-of 2023-11-21 &&
	for i in 0 1 2; do
		SLURM_ARRAY_TASK_ID=$i SLURM_CPUS_PER_TASK=1 STREAMSTAT=$bin \
			"$root/scripts/shard-slurm.sbatch" parts --no-backtest -q
	done &&
	"$bin" merge -q --no-backtest -o out parts/part-*.result >/dev/null)
cmp -s "$work/slurm/out/latest.json" /dev/null && fails=$((fails + 1))
echo "  shard   slurm: the array's tasks and the merge ran"

shellcheck "$root/scripts/shard-report.sh" "$root/scripts/shard-slurm.sbatch" \
	"$root/tests/e2e/fake-ssh" "$0"
echo "  shard   shellcheck: scripts/shard-report.sh, scripts/shard-slurm.sbatch clean"

if [ "$fails" -ne 0 ]; then
	echo "check-shard: $fails difference(s) from the single run" >&2
	exit 1
fi
