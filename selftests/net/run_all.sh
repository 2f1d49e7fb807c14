#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the psmon network selftests, one after the other, in this (virtual)
# machine, as root:
#
#	selftests/vm/run.sh -- selftests/net/run_all.sh [SCRIPT...]
#
# Without arguments every psmon_*.sh below runs; "run_all.sh --list" prints
# them.  Each script starts with
# psmon unloaded and loads it as it needs; psmon is unloaded after it.
# The output is one TAP stream, kselftest style: each script's own TAP
# indented as "# " comments, then one "ok"/"not ok" line for the script.
# With PSMON_TAP_DIR set, each script's TAP also goes to
# $PSMON_TAP_DIR/NAME.tap.
#
# Exit status: 0 when every script passed (or skipped, but not all), 1 when
# one failed, 4 when all skipped.  PSMON_TEST_TIMEOUT (seconds, default
# 600) bounds each script; a script that needs longer says so in a line
# "# psmon-test-timeout: SECONDS".

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

ALL="psmon_counting.sh psmon_churn.sh psmon_membership.sh
     psmon_lifecycle.sh psmon_badinput.sh psmon_scale.sh psmon_alert.sh
     psmon_capacity.sh psmon_safety.sh psmon_ctlscale.sh psmon_package.sh
     psmon_fuzz.sh psmon_pktfuzz.sh psmon_workflow.sh psmon_security.sh
     psmon_churnloop.sh"
TIMEOUT=${PSMON_TEST_TIMEOUT:-600}

if [ "${1:-}" = --list ]; then
	# shellcheck disable=SC2086
	echo $ALL
	exit 0
fi
scripts=("$@")
# shellcheck disable=SC2206
[ ${#scripts[@]} -gt 0 ] || scripts=($ALL)

require_root

tap_plan ${#scripts[@]}
tap_diag "kernel $(uname -r), $(nproc) CPUs"
if [ -n "${PSMON_TAP_DIR:-}" ]; then
	mkdir -p "$PSMON_TAP_DIR" || exit 1
fi

# hang_watch LIMIT LOG: 15 s before a script's time limit, append to LOG
# what is still running and where each blocked task waits, and have the
# kernel log every blocked task's stack and every CPU's backtrace (sysrq
# w and l), so that a hang is diagnosed by the run that met it.
hang_watch()
{
	local after=$(($1 > 30 ? $1 - 15 : $1 / 2))

	sleep "$after" || return
	{
		echo "# hang_watch: still running ${after}s after the start:"
		ps -eo pid,ppid,stat,wchan:32,etimes,args --sort=pid |
			awk 'NR == 1 || $3 ~ /^D/ || $6 !~ /^\[/' | cut -c1-160 |
			sed 's/^/#   /'
		for p in /proc/[0-9]*; do
			case $(awk '{print $3}' "$p/stat" 2>/dev/null) in
			D) echo "#   stack of ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)):"
			   sed 's/^/#     /' "$p/stack" 2>/dev/null ;;
			esac
		done
	} >> "$2"
	echo w 2>/dev/null > /proc/sysrq-trigger
	echo l 2>/dev/null > /proc/sysrq-trigger
}

t_all=$(now_ms)
for s in "${scripts[@]}"; do
	name=${s##*/}
	path=$NET_DIR/$name
	if [ ! -x "$path" ]; then
		tap_fail "$name" "no such test"
		continue
	fi
	# A fresh module for every script.
	if ! psmon_unload; then
		tap_fail "$name" "cannot unload psmon before the test"
		continue
	fi
	log=$(mktemp)
	t0=$(now_ms)
	rc=0
	limit=$(sed -n 's/^# psmon-test-timeout: *\([0-9][0-9]*\)$/\1/p' "$path")
	[ "${limit:-0}" -gt "$TIMEOUT" ] || limit=$TIMEOUT
	hang_watch "$limit" "$log" &
	watch_pid=$!
	timeout -k 10 "$limit" "$path" >>"$log" 2>&1 </dev/null || rc=$?
	pkill -P "$watch_pid" 2>/dev/null
	kill "$watch_pid" 2>/dev/null
	wait "$watch_pid" 2>/dev/null
	secs=$(( ($(now_ms) - t0) / 1000 ))
	sed 's/^/# /' "$log"
	[ -n "${PSMON_TAP_DIR:-}" ] && cp "$log" "$PSMON_TAP_DIR/${name%.sh}.tap"
	rm -f "$log"
	tap_diag "$name: ${secs}s, exit status $rc"
	if [ "$rc" -eq 124 ]; then
		tap_fail "$name" "timed out after ${limit}s"
	else
		tap_result "$name" "$rc"
	fi
	if ! psmon_unload; then
		tap_diag "cannot unload psmon after $name:"
		lsmod | grep -E '^psmon' | sed 's/^/# /'
		tap_fail "$name: psmon unloads afterwards"
	fi
done
tap_diag "all scripts: $(( ($(now_ms) - t_all) / 1000 ))s"

tap_done
exit $?
