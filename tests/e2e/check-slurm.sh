#!/usr/bin/env bash
# scripts/shard-slurm.sbatch under a real Slurm: a one-node cluster of its
# own (slurmctld and slurmd on 127.0.0.1, ports of their own, state, spool
# and logs in a temporary directory, no munge: auth/none), the bundled case
# split in 3, analysed by `sbatch --wait --array=0-2`, merged, and compared
# with the single run: the workbook byte for byte, the JSON summary byte for
# byte but for its run_seconds line, stdout and stderr.  The daemons are
# stopped and waited for however the check ends.  Skipped when Slurm's
# controller (Debian's slurmctld) is not installed.
set -euo pipefail
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
command -v slurmctld >/dev/null || {
	echo "check-slurm: skipped: slurmctld is not installed (Debian: slurmctld, slurmd, slurm-client)"
	exit 0
}
bin=$(cd "$(dirname "$STREAMSTAT")" && pwd)/$(basename "$STREAMSTAT")
root=$(pwd)
d=$root/datasets
work=$(mktemp -d)
user=$(id -un)
[ "${KEEP:-0}" = 1 ] && echo "check-slurm: keeping $work"
pids=()

# stop [SIGNAL]: cancel the jobs left (a check that failed), signal the
# daemons (TERM unless told), KILL those still there after 10 s, and wait
# for them.  The jobs go first: slurmd leaves running jobs alone when it stops.
stop() {
	local pid i
	if [ "${#pids[@]}" -gt 0 ] && [ -n "$(timeout 5 squeue -h 2>/dev/null)" ]; then
		timeout 5 scancel --quiet --user="$user" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			[ -n "$(timeout 5 squeue -h 2>/dev/null)" ] || break
			sleep 0.1
		done
	fi
	for pid in "${pids[@]}"; do
		kill -"${1:-TERM}" "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	pids=()
}
trap 'stop; [ "${KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT

# fail MESSAGE: say it, with the daemons' logs, and stop
fail() {
	local f
	echo "check-slurm: $*" >&2
	for f in "$work"/log/*; do
		[ -s "$f" ] || continue
		echo "--- ${f##*/} (last 20 lines)" >&2
		tail -n 20 "$f" >&2
	done
	exit 1
}

# no setting of an enclosing Slurm job reaches this cluster's commands
while read -r v; do
	unset "$v"
done < <(compgen -e | grep '^SLURM_' || true)

# The array script asks 2 CPUs a task: a node of fewer is declared with 2
cpus=$(nproc)
[ "$cpus" -ge 2 ] || cpus=2
export SLURM_CONF=$work/slurm.conf

# start PORT: the controller on PORT, slurmd on PORT+1, the node idle within
# 30 s; returns 2 (all stopped) when either port was taken.  MinJobAge=4
# keeps sbatch --wait polling every 2 s (it backs off to 32 s while finished
# jobs are kept longer); no record is purged in this check's first minute,
# and merge refuses a missing result anyway.
start() {
	local port=$1 pid state='' until=$((SECONDS + 30))
	rm -rf "$work/state" "$work/spool" "$work/log"
	mkdir -p "$work/state" "$work/spool" "$work/log"
	cat >"$SLURM_CONF" <<EOF
ClusterName=streamstat-check
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0
MinJobAge=4
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=check Nodes=localhost Default=YES MaxTime=10 State=UP
EOF
	slurmctld -D -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
	pids+=($!)
	slurmd -D -N localhost -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
	pids+=($!)
	while [ "$SECONDS" -lt "$until" ]; do
		# a port taken: slurmctld exits, slurmd keeps trying to register
		if grep -qs 'Address already in use' "$work"/log/*.out; then
			stop KILL 2>/dev/null
			return 2
		fi
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2>/dev/null || fail "a Slurm daemon exited at start-up"
		done
		# (sinfo retries for seconds while no controller answers)
		state=$(timeout 2 sinfo -h -N -n localhost -o %T 2>/dev/null || true)
		[ "$state" = idle ] && return 0
		sleep 0.1
	done
	fail "the node is not idle after 30 s (state '${state:-none}')"
}

# two ports next to each other, below the ephemeral range (no connection
# made from this host takes them) and with nothing listening on either
low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$low" -gt 12000 ] || low=32768
up=
for ((n = 0; n < 5; n++)); do
	port=$((10000 + RANDOM % ((low - 10002) / 2) * 2))
	(: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
	(: <"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null && continue
	rc=0
	start "$port" || rc=$?
	[ "$rc" = 0 ] && up=$port && break
done
[ -n "$up" ] || fail "no two free ports on 127.0.0.1 in 5 tries"
echo "  slurm   one-node cluster up (port $up, $cpus CPUs)"

# the single run
mkdir -p "$work/single"
(cd "$work/single" && "$bin" report --catalog "$d/catalog.csv" "$d/spotify_albums.csv" \
	--as-of 2023-11-21 --no-backtest -o out >stdout 2>stderr) || {
	cat "$work/single/stderr" >&2
	fail "the single run failed"
}

# split, the array, merge
s=$work/run
mkdir -p "$s"
(cd "$s" && "$bin" split -n 3 -o parts --catalog "$d/catalog.csv" \
	"$d/spotify_albums.csv" --as-of 2023-11-21 >split.log 2>&1) || {
	cat "$s/split.log" >&2
	fail "split failed"
}
(cd "$s" && STREAMSTAT=$bin timeout 60 sbatch --quiet --wait --array=0-2 \
	"$root/scripts/shard-slurm.sbatch" parts --no-backtest >sbatch.out 2>&1) || {
	cat "$s/sbatch.out" "$s"/streamstat-analyse-*.log >&2 2>/dev/null || true
	fail "sbatch --wait --array=0-2 scripts/shard-slurm.sbatch failed"
}
n=$(find "$s" -maxdepth 1 -name 'streamstat-analyse-*_*.log' | wc -l)
[ "$n" -eq 3 ] || fail "$n array task logs, want 3"
(cd "$s" && "$bin" merge --no-backtest -o out parts/part-*.result >stdout 2>stderr) || {
	cat "$s/stderr" >&2
	fail "merge failed"
}
stop
echo "  slurm   3 array tasks ran, merged; cluster stopped"

fails=0
for f in stdout stderr out/streamstat-2023-11-21.xlsx out/streamstat-2023-11-21.json; do
	if ! "$root/tests/e2e/same-output" check-slurm "$work/single/$f" "$s/$f"; then
		fails=$((fails + 1))
		continue
	fi
	echo "  slurm   bundled: ${f#out/} identical"
done
if [ "$fails" -ne 0 ]; then
	echo "check-slurm: $fails difference(s) from the single run" >&2
	exit 1
fi
