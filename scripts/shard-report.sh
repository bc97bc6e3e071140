#!/usr/bin/env bash
# scripts/shard-report.sh - "streamstat report" in parts under GNU parallel:
# split the input by album, analyse the parts side by side (on this machine,
# or on other hosts over ssh), merge into the same workbook and JSON summary.
#
#   scripts/shard-report.sh [-n PARTS] [-j JOBS] [-S SSHLOGIN]... [-w DIR] [-k]
#                           -- INPUTS... -- REPORT OPTIONS...
#
#   INPUTS          what "streamstat split" reads: the history files, catalogs
#                   (--catalog), --as-of and the input options, as for report
#   REPORT OPTIONS  given to every "analyse" and to "merge" alike (they must
#                   include --no-backtest); e.g. -o reports --milestones 50M,1B
#   -n PARTS        how many parts (default 8)
#   -j JOBS         parts analysed at once on each host (default 2)
#   -S SSHLOGIN     a host for GNU parallel's --sshlogin (repeatable; ":" is
#                   this machine); each part is sent there (--transferfile),
#                   analysed, and its result brought back (--return); the
#                   hosts need streamstat of the same version on their PATH
#                   (or STREAMSTAT_REMOTE names it)
#   -w DIR          where the parts and results go (default: a temporary
#                   directory, removed at the end)
#   -k              keep that directory
#
# STREAMSTAT names the binary on this machine (default: streamstat on PATH);
# SHARD_SSH, the command GNU parallel reaches the hosts with (its --ssh;
# default ssh).
# The exit status is merge's, or the first failing step's.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 64
}

parts=8
jobs=2
work=
keep=0
logins=()
while getopts "n:j:S:w:kh" opt; do
	case $opt in
	n) parts=$OPTARG ;;
	j) jobs=$OPTARG ;;
	S) logins+=("$OPTARG") ;;
	w) work=$OPTARG ;;
	k) keep=1 ;;
	*) usage ;;
	esac
done
# getopts takes the first "--" itself when it ends the options
[ "${*:OPTIND-1:1}" = -- ] || { shift $((OPTIND - 1)); [ "${1:-}" = -- ] || usage; OPTIND=2; }
shift $((OPTIND - 1))
inputs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	inputs+=("$1")
	shift
done
[ "${1:-}" = -- ] || usage
shift
opts=("$@")
[ ${#inputs[@]} -gt 0 ] || usage

command -v parallel >/dev/null || {
	echo "shard-report.sh: GNU parallel is not installed (Debian: apt-get install parallel)" >&2
	exit 69
}
bin=${STREAMSTAT:-streamstat}
case $bin in */*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;; esac
remote=${STREAMSTAT_REMOTE:-streamstat}

if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/streamstat-shard.XXXXXX")
	[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

# 1. split: one read of the whole input.  What it says goes to split.log,
# shown only when it fails: merge says the same problems, in report's order.
status=0
"$bin" split -n "$parts" -o "$work/parts" "${inputs[@]}" >"$work/split.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	cat "$work/split.log" >&2
	exit "$status"
fi

# 2. analyse every part: here with -j, or on the hosts named by -S
pargs=(--halt "now,fail=1" -j "$jobs")
if [ ${#logins[@]} -gt 0 ]; then
	for l in "${logins[@]}"; do
		pargs+=(--sshlogin "$l")
	done
	pargs+=(--workdir ... --transferfile "{}" --return "{.}.result" --cleanup)
	[ -z "${SHARD_SSH:-}" ] || pargs+=(--ssh "$SHARD_SSH")
	cmd=$remote
else
	cmd=$bin
fi
(cd "$work" && printf '%s\n' parts/part-*.csv |
	parallel -q "${pargs[@]}" "$cmd" analyse "{}" "${opts[@]}" -o "{.}.result")

# 3. merge, with the same options: the workbook, the summary, latest.*
results=()
for p in "$work"/parts/part-*.csv; do
	results+=("${p%.csv}.result")
done
"$bin" merge "${opts[@]}" "${results[@]}"
