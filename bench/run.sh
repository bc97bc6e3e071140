#!/usr/bin/env bash
# bench/run.sh BUILD_DIR - the benchmark "make bench" runs.
#
#  1. Generates bench/out/history.csv and bench/out/catalog.csv with
#     BUILD_DIR/bench/gen, when they are missing, older than the generator,
#     or were made with other GEN_ARGS (extra gen options, e.g.
#     GEN_ARGS="--albums 150" for a tenth of the default ~6.5M rows).
#  2. Runs BUILD_DIR/bench/bench on the history and catalog (BENCH_ARGS
#     adds options): ingest + series against a bare libcsv parse, and peak
#     memory.
#  3. Times "streamstat check -q" on them end to end (max RSS from
#     /usr/bin/time -v when there is one).
#  4. Runs "streamstat check --strict" on them once and prints its summary:
#     it must exit 0 and print no problem (the merged duplicates are only
#     notes), or the generator is wrong.
#  5. Runs BUILD_DIR/bench/fitbench on them (FIT_ARGS adds options, e.g.
#     FIT_ARGS="--jobs 1,2,4 --runs 2"): fitting speed with every model and
#     the least AICc on 1 and 2 jobs, whether the results are identical
#     across jobs (it fails when they are not: that is a bug), and where the
#     time goes, model by model.
#  6. Runs "streamstat milestones -v -j 2" on them: the whole fit, backtest
#     and projection stage with intervals for every track and album, and the
#     tracks per second of fit + projections.
#  7. Runs "streamstat report" end to end (workbook and JSON summary into
#     bench/out/report/): stage times, wall time and peak RSS, the files'
#     sizes and the JSON summary's bytes per track.
#  8. Two nights into one directory, as a nightly job runs: the directory
#     is emptied once, then "report -q --as-of DAY-1" (the baseline) and
#     "report -q" (which compares with it) write into it; both wall times,
#     peak RSS and their ratio (target: the second <= 1.3 x the first).
#     Then, unless BENCH_NIGHTS_200K=0, the same on 200,000 tracks x 30
#     days (bench/out/nights-200k/, generated once).
#  9. Unless BENCH_CATALOG=0: the limit of 1,000,000 distinct tracks
#     (100,000 albums of 10, one day each, bench/out/catalog-1m/): "check"
#     and "report --no-backtest", wall time and peak RSS of each, and the
#     sizes of the files written (then deleted: the JSON is 1.7 GB).
# 10. Unless BENCH_SHARD=0: bench/shard.sh, the same 1,000,000 tracks split
#     into 8 parts, analysed 2 at a time under GNU parallel and merged,
#     against the single run: each phase's time and peak RSS.
#
# The catalog goes with the history everywhere: most tracks came out before
# the first day written, and without release dates check rightly warns that
# their albums' inferred release dates are uncertain.
#
# Generated data stays in bench/out/ (ignored by git).
set -euo pipefail

build=${1:?usage: bench/run.sh BUILD_DIR}
out=$(dirname "$0")/out
gen=$build/bench/gen
bench=$build/bench/bench
fitbench=$build/bench/fitbench
bin=$build/streamstat
history=$out/history.csv
catalog=$out/catalog.csv
stamp=$out/gen-args
gen_args=${GEN_ARGS:-}

mkdir -p "$out"

if [ ! -s "$history" ] || [ ! -s "$catalog" ] || [ ! -f "$stamp" ] ||
	[ "$gen" -nt "$history" ] || [ "$(cat "$stamp")" != "$gen_args" ]; then
	echo "  GEN     $history${gen_args:+ ($gen_args)}"
	start=$(date +%s.%N)
	# shellcheck disable=SC2086 # GEN_ARGS is a list of options
	"$gen" $gen_args --catalog "$catalog.tmp" -o "$history.tmp"
	end=$(date +%s.%N)
	mv "$catalog.tmp" "$catalog"
	mv "$history.tmp" "$history"
	printf '%s' "$gen_args" >"$stamp"
	awk -v s="$start" -v e="$end" -v b="$(stat -c %s "$history")" \
		'BEGIN { printf "          %.1f MB in %.2f s (%.0f MB/s)\n", b / 1e6, e - s, b / 1e6 / (e - s) }'
fi

echo "  BENCH   $history"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
"$bench" ${BENCH_ARGS:-} --catalog "$catalog" "$history"

echo
echo "  CHECK   streamstat check -q --catalog $catalog $history (end to end)"
if [ -x /usr/bin/time ]; then
	times=$out/time.txt
	/usr/bin/time -v -o "$times" "$bin" check -q --catalog "$catalog" "$history"
	awk -F': ' '
		/Elapsed \(wall clock\)/ { wall = $2 }
		/User time/              { user = $2 }
		/System time/            { sys = $2 }
		/Maximum resident/       { rss = $2 }
		END {
			printf "  elapsed %s (user %s s, system %s s)\n", wall, user, sys
			printf "  max RSS %.1f MiB\n", rss / 1024
		}
	' "$times"
else
	TIMEFORMAT='  elapsed %R s (user %U s, system %S s); max RSS unknown (no /usr/bin/time)'
	time "$bin" check -q --catalog "$catalog" "$history"
fi

echo
echo "  CHECK   streamstat check --strict --catalog $catalog $history"
status=0
"$bin" check --strict --catalog "$catalog" "$history" >"$out/check.out" 2>"$out/check.err" ||
	status=$?
sed 's/^/  | /' "$out/check.out"
if [ "$status" -ne 0 ] || [ -s "$out/check.err" ]; then
	head -n 20 "$out/check.err" | sed 's/^/  ! /'
	echo "bench/run.sh: the generated history is not clean input (exit $status);" \
		"fix bench/gen.c" >&2
	exit 1
fi
echo "  generated input is clean: exit 0 with --strict, no problem printed"

echo
echo "  FIT     $history"
# shellcheck disable=SC2086 # FIT_ARGS is a list of options
"$fitbench" ${FIT_ARGS:-} --catalog "$catalog" "$history"

echo
echo "  PROJECT streamstat milestones -v -j 2 --catalog $catalog $history"
# Fit, backtest (at most 200 tracks) and projections with intervals for every
# track and album; the stage times come from -v on stderr.
"$bin" milestones -v --max-problems 0 -j 2 --catalog "$catalog" "$history" \
	2>"$out/milestones.err" >"$out/milestones.csv"
grep -E 'milestones: (model rule|[0-9]+ tracks)' "$out/milestones.err" | sed 's/^streamstat: /  /'
awk '/milestones: [0-9]+ tracks: fit/ {
	for (i = 1; i <= NF; i++) {
		if ($i == "tracks:") n = $(i - 1)
		if ($i == "fit") fit = $(i + 1)
		if ($i == "projections") proj = $(i + 1)
	}
	printf "  fit + projections with intervals: %.2f s, %.0f tracks/s on 2 jobs\n", fit + proj, n / (fit + proj)
}' "$out/milestones.err"

echo
echo "  REPORT  streamstat report -v -j 2 --catalog $catalog $history (end to end)"
# The whole nightly job: load, fit, backtest, projections, the workbook and
# the JSON summary; stage times from -v, wall time and peak RSS from
# /usr/bin/time.  Targets: under 9 s and 330 MB (the pace model; curves only with --curves).
rm -rf "$out/report"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v -o "$out/report.time" "$bin" report -v --max-problems 0 -j 2 \
		-o "$out/report" --catalog "$catalog" "$history" >/dev/null 2>"$out/report.err"
	grep -E 'report: [0-9]+ tracks' "$out/report.err" | sed 's/^streamstat: /  /'
	awk -F': ' '
		/Elapsed \(wall clock\)/ { wall = $2 }
		/Maximum resident/       { rss = $2 }
		END { printf "  end to end %s, max RSS %.1f MiB (targets: 9 s, 330 MB)\n", wall, rss / 1024 }
	' "$out/report.time"
else
	"$bin" report -v --max-problems 0 -j 2 -o "$out/report" --catalog "$catalog" "$history" \
		>/dev/null 2>"$out/report.err"
	grep -E 'report: [0-9]+ tracks' "$out/report.err" | sed 's/^streamstat: /  /'
fi
# the published names are links into the run's directory: their files' sizes
ls -lL "$out/report" | awk 'NR > 1 && $9 ~ /\.(xlsx|json)$/ { printf "  %s %s bytes\n", $9, $5 }'
# the JSON summary's bytes per track (schema 1 wrote 4.5 KB a track here)
ntracks=$(sed -n 's/.*report: \([0-9]*\) tracks.*/\1/p' "$out/report.err" | head -n 1)
awk -v b="$(stat -L -c %s "$out/report/latest.json")" -v n="${ntracks:-0}" \
	'BEGIN { if (n > 0) printf "  JSON summary: %.0f bytes per track (%d tracks)\n", b / n, n }'

# two_nights DIR CATALOG HISTORY: the baseline night and the next, in DIR
two_nights() {
	local dir=$1 cat=$2 hist=$3 last prev n
	last=$(tail -n 1 "$hist" | cut -d, -f1)
	prev=$(date -u -d "$last - 1 day" +%F)
	rm -rf "$dir" # once, before the first night; never between the two
	mkdir -p "$dir"
	for n in 1 2; do
		local args=(-q -j 2 -o "$dir/report")
		[ "$n" = 1 ] && args+=(--as-of "$prev")
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%e %M' -o "$dir/night$n.time" "$bin" report "${args[@]}" \
				--catalog "$cat" "$hist" >"$dir/night$n.out" 2>"$dir/night$n.err"
		else
			local t0 t1
			t0=$(date +%s.%N)
			"$bin" report "${args[@]}" --catalog "$cat" "$hist" >"$dir/night$n.out" \
				2>"$dir/night$n.err"
			t1=$(date +%s.%N)
			awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f 0\n", b - a }' >"$dir/night$n.time"
		fi
	done
	# the second night compared with the first
	grep -q "\"since\": \"$prev\"" "$dir/report/streamstat-$last.json" || {
		echo "bench/run.sh: the second night did not compare with the first" >&2
		exit 1
	}
	awk -v p="$prev" -v l="$last" -v o1="$(wc -l <"$dir/night1.out")" \
		-v o2="$(wc -l <"$dir/night2.out")" '
		NR == FNR { t1 = $1; m1 = $2; next }
		{ t2 = $1; m2 = $2 }
		END {
			printf "  night 1 (--as-of %s, the baseline): %.2f s, max RSS %.0f MiB, %d line(s)\n", p, t1, m1 / 1024, o1
			printf "  night 2 (%s, compared with night 1): %.2f s, max RSS %.0f MiB, %d line(s) of news\n", l, t2, m2 / 1024, o2
			r = sprintf("%.2f", t2 / t1) + 0 # judged as printed
			printf "  second night / first: %.2f (target: at most 1.30: %s)\n", r, r <= 1.30 ? "met" : "MISSED"
		}' "$dir/night1.time" "$dir/night2.time"
	ls -lL "$dir/report" | awk '$9 ~ /^streamstat-.*\.json$/ { printf "  %s %s bytes\n", $9, $5 }'
}

echo
echo "  NIGHTS  streamstat report -q, two nights into one directory ($out/nights/)"
two_nights "$out/nights" "$catalog" "$history"

if [ "${BENCH_NIGHTS_200K:-1}" != 0 ]; then
	big=$out/nights-200k
	mkdir -p "$big"
	echo
	echo "  NIGHTS  200,000 tracks: 16,667 albums x 12 tracks, 30 days"
	if [ ! -s "$big/history.csv" ] || [ "$gen" -nt "$big/history.csv" ]; then
		"$gen" --albums 16667 --tracks-per-album 12 --days 30 \
			--catalog "$big/catalog.csv" -o "$big/history.csv"
	fi
	two_nights "$big/run" "$big/catalog.csv" "$big/history.csv"
	rm -rf "$big/run/report"
fi

if [ "${BENCH_CATALOG:-1}" != 0 ] && [ -x /usr/bin/time ]; then
	big=$out/catalog-1m
	mkdir -p "$big"
	echo
	echo "  LIMIT   1,000,000 tracks: 100,000 albums x 10 tracks, one day"
	if [ ! -s "$big/history.csv" ] || [ "$gen" -nt "$big/history.csv" ]; then
		"$gen" --albums 100000 --tracks-per-album 10 --days 1 \
			--catalog "$big/catalog.csv" -o "$big/history.csv"
	fi
	for cmd in check report; do
		args=(-q)
		[ "$cmd" = report ] && args=(-v --no-backtest --as-of 2023-01-02 -o "$big/report")
		rm -rf "$big/report"
		status=0
		/usr/bin/time -f '%e %M' -o "$big/$cmd.time" "$bin" "$cmd" "${args[@]}" \
			--catalog "$big/catalog.csv" "$big/history.csv" >/dev/null 2>"$big/$cmd.err" ||
			status=$?
		{ grep -E 'report: [0-9]+ tracks' "$big/$cmd.err" || true; } | sed 's/^streamstat: /  /'
		awk -v c="$cmd" -v s="$status" '{ printf "  %-6s exit %d, %.1f s, max RSS %.0f MiB\n", c, s, $1, $2 / 1024 }' \
			"$big/$cmd.time"
	done
	ls -lL "$big/report" | awk 'NR > 1 && $9 ~ /^streamstat/ { printf "  %s %s bytes\n", $9, $5 }'
	rm -rf "$big/report"
fi

if [ "${BENCH_SHARD:-1}" != 0 ]; then
	"$(dirname "$0")/shard.sh" "$build"
fi
