#!/usr/bin/env bash
# bench/shard.sh BUILD_DIR - the sharded report against the single run
# (the last step of "make bench"; runs alone too).
#
# 1,000,000 tracks (100,000 albums x 10, one day: bench/out/catalog-1m/,
# generated once) split into SHARD_PARTS parts (8), analysed SHARD_JOBS (2)
# at a time under GNU parallel (one thread each), merged; beside it the
# single "report --no-backtest" with as many threads.  Prints each phase's
# wall time, the peak RSS of the largest analyse and of merge against the
# single run's, whether the workbooks are the same bytes, and the targets:
# sharded <= 1.2 x single, largest analyse <= 1/4 of the single run's
# memory, merge <= 1 GB.  SHARD_ALBUMS (100000) scales it down.
set -euo pipefail

build=${1:?usage: bench/shard.sh BUILD_DIR}
bin=$(cd "$build" && pwd)/streamstat
gen=$build/bench/gen
parts=${SHARD_PARTS:-8}
jobs=${SHARD_JOBS:-2}
albums=${SHARD_ALBUMS:-100000}
out=$(dirname "$0")/out
big=$out/catalog-1m
[ "$albums" = 100000 ] || big=$out/shard-$albums
command -v parallel >/dev/null || { echo "bench/shard.sh: GNU parallel is not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/shard.sh: needs /usr/bin/time (Debian: time)" >&2; exit 1; }
mkdir -p "$big"
if [ ! -s "$big/history.csv" ] || [ "$gen" -nt "$big/history.csv" ]; then
	"$gen" --albums "$albums" --tracks-per-album 10 --days 1 \
		--catalog "$big/catalog.csv" -o "$big/history.csv"
fi
echo
echo "  SHARD   $((albums * 10)) tracks ($albums albums x 10, one day): $parts parts, $jobs at a time"
run=$big/shard
rm -rf "$run"
mkdir -p "$run"
inputs=(--catalog "$big/catalog.csv" "$big/history.csv" --as-of 2023-01-02)
opts=(--no-backtest -q)

# both write to the same -o, which the About sheet names: the single run's
# report is then moved aside
/usr/bin/time -f '%e %M' -o "$run/single.time" "$bin" report "${inputs[@]}" "${opts[@]}" \
	-j "$jobs" -o "$run/report" >/dev/null 2>"$run/single.err"
mv "$run/report" "$run/single"
/usr/bin/time -f '%e %M' -o "$run/split.time" "$bin" split -n "$parts" -o "$run/parts" \
	"${inputs[@]}" >/dev/null 2>"$run/split.err"
# shellcheck disable=SC2016 # expanded by the inner sh
/usr/bin/time -f '%e %M' -o "$run/analyse.time" sh -c '
	printf "%s\n" "$1"/parts/part-*.csv | parallel --halt now,fail=1 -j "$2" \
		"/usr/bin/time -f \"%e %M\" -o {.}.time $3 analyse {} --no-backtest -q -j 1 -o {.}.result"
' sh "$run" "$jobs" "$bin"
/usr/bin/time -f '%e %M' -o "$run/merge.time" "$bin" merge "${opts[@]}" -j "$jobs" \
	-o "$run/report" "$run"/parts/part-*.result >/dev/null 2>"$run/merge.err"

read -r s_wall s_rss <"$run/single.time"
read -r sp_wall sp_rss <"$run/split.time"
read -r an_wall _ <"$run/analyse.time"
read -r me_wall me_rss <"$run/merge.time"
an_rss=$(cat "$run"/parts/part-*.time | awk '$2 > m { m = $2 } END { print m }')
an_max=$(cat "$run"/parts/part-*.time | awk '$1 > m { m = $1 } END { print m }')
awk -v s="$s_wall" -v sr="$s_rss" -v a="$sp_wall" -v ar="$sp_rss" -v b="$an_wall" \
	-v br="$an_rss" -v bm="$an_max" -v c="$me_wall" -v cr="$me_rss" -v p="$parts" 'BEGIN {
	printf "  single report      %7.1f s, max RSS %5.0f MiB\n", s, sr / 1024
	printf "  split              %7.1f s, max RSS %5.0f MiB\n", a, ar / 1024
	printf "  analyse (%d parts)  %7.1f s, largest %5.0f MiB (slowest part %.1f s)\n", p, b, br / 1024, bm
	printf "  merge              %7.1f s, max RSS %5.0f MiB\n", c, cr / 1024
	t = a + b + c
	# each ratio judged as printed
	x = sprintf("%.2f", t / s) + 0
	y = sprintf("%.2f", br / sr) + 0
	printf "  sharded total      %7.1f s = %.2f x the single run (target 1.2: %s)\n", t, x, x <= 1.2 ? "met" : "MISSED"
	printf "  largest analyse    %.2f of the single run'\''s memory (target 0.25: %s)\n", y, y <= 0.25 ? "met" : "MISSED"
	printf "  merge              %.0f MiB (target 1 GB, 953.7 MiB: %s)\n", cr / 1024, cr * 1024 <= 1e9 ? "met" : "MISSED"
}'
if cmp -s "$run/single/latest.xlsx" "$run/report/latest.xlsx"; then
	echo "  workbooks: the same bytes"
else
	echo "  workbooks: DIFFERENT" >&2
	exit 1
fi
du -sh "$run/parts" | awk '{ printf "  parts and results: %s\n", $1 }'
rm -rf "$run/parts" "$run/single" "$run/report"
