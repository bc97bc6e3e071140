#!/bin/sh
# `streamstat schedule`: the crontab line and the systemd units it prints
# run this binary's report with -q, every path absolute, at the time asked.
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
bin=$(readlink -f "$STREAMSTAT")
root=$(pwd)
fail() { echo "check-schedule: $*" >&2; exit 1; }

cron=$("$STREAMSTAT" schedule --cron --at 04:05 -- --catalog datasets/catalog.csv \
	-o reports --milestones 50M,100M datasets/spotify_albums.csv | grep -v '^#')
want="5 4 * * * cd $root && $bin report -q --catalog $root/datasets/catalog.csv -o $root/reports --milestones 50M,100M $root/datasets/spotify_albums.csv"
[ "$cron" = "$want" ] || fail "crontab line: got '$cron', want '$want'"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/my data.csv"
units=$("$STREAMSTAT" schedule --systemd --name nightly -- "$work/my data.csv")
echo "$units" | grep -qx 'Persistent=true' || fail "timer without Persistent=true"
echo "$units" | grep -qx 'OnCalendar=\*-\*-\* 03:15:00' || fail "timer not at 03:15"
echo "$units" | grep -qx "ExecStart=$bin report -q \"$work/my data.csv\"" ||
	fail "ExecStart: $(echo "$units" | grep ExecStart)"
echo "$units" | grep -qx "WorkingDirectory=$root" || fail "WorkingDirectory"
echo "$units" | grep -qx '# ==> ~/.config/systemd/user/nightly.service <==' ||
	fail "the service's file marker"
echo "$units" | grep -qx '# ==> ~/.config/systemd/user/nightly.timer <==' ||
	fail "the timer's file marker"
echo "$units" | grep -q 'loginctl enable-linger' || fail "no word of loginctl enable-linger"

# the crontab line runs as written (the shell parses it; cron would)
line=$("$STREAMSTAT" schedule --cron -- --no-backtest -o "$work/out dir" --catalog datasets/catalog.csv \
	datasets/spotify_albums.csv | grep -v '^#' | cut -d' ' -f6-)
(cd / && sh -c "$line") >"$work/stdout" || fail "the crontab command failed: $line"
[ -s "$work/out dir/latest.xlsx" ] || fail "the crontab command wrote no report"
[ "$(cat "$work/stdout")" = "First report in $work/out dir: the baseline the next reports compare with." ] ||
	fail "a first quiet run printed: $(cat "$work/stdout")"

# read as cron and systemd read them (systemd-analyze verify when installed),
# from directories whose names hold what quoting must survive
/usr/bin/python3 tests/e2e/schedule_check.py "$STREAMSTAT" "$work"

# usage errors
if "$STREAMSTAT" schedule -- x.csv 2>/dev/null; then fail "no --cron/--systemd accepted"; fi
if "$STREAMSTAT" schedule --cron --at 25:00 -- x.csv 2>/dev/null; then fail "bad --at accepted"; fi
echo "check-schedule: ok"
