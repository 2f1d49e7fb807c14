#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon utilisation and the 40% alert, end to end: a LAG with a small fixed
# capacity carries a ping flood (about 2 Mbit/s each way) until it crosses
# the threshold; psctl monitor sees the raise and the clear, deadline shows
# exactly +45/+60 days from the crossing, the crossing survives a module
# reload (psctl's state directory), lag ack forgets it, and the Prometheus
# export is valid.
#
#   ROUTER (psmon: lag add bond0 capacity 3mbit window 3)      PEER
#   lo: 198.51.100.10
#   bond0 192.0.2.1/28 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/28
#                        +-- bond0-m2 <-veth-> bond0-p2 --+
#                                  <== ping -s 1400 flood ==

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

DAY=86400
STATE=$(mktemp -d)
export PSMON_STATE_DIR=$STATE
MON=$STATE/monitor.out

cleanup()
{
	[ -n "${MON_PID:-}" ] && kill "$MON_PID" 2>/dev/null
	cleanup_all_ns
	rm -rf "$STATE"
}

# flood NS DST COUNT: a ping flood of 1442-byte frames, 5 ms apart.
flood()
{
	ip netns exec "$1" ping -q -n -c "$3" -i 0.005 -s 1400 -W 2 "$2" > /dev/null
}

# rate_covers SECS: bond0's rates cover at least SECS seconds.
rate_covers()
{
	[ "$(lag_field "$R" bond0 rate_seconds)" -ge "$1" ]
}

alert_is()
{
	[ "$(lag_field "$R" bond0 alert)" = "$1" ]
}

# monitor_has EVENT: the monitor printed an EVENT line for bond0.
monitor_has()
{
	grep -q "\"event\": *\"$1\".*\"lag\": *\"bond0\"" "$MON"
}

# monitor_check: the events, in order, with sane values.
monitor_check()
{
	python3 - "$MON" <<-'PY'
	import json, sys
	ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	ev = [e for e in ev if e.get("lag") == "bond0"
	      and e["event"] in ("alert", "clear")]
	assert [e["event"] for e in ev][:2] == ["alert", "clear"], ev
	a, c = ev[0], ev[1]
	assert a["direction"] in ("rx", "tx"), a
	assert a["utilization_pct"] >= 40, a
	assert c["utilization_pct"] < 35, c
	assert isinstance(a["time"], int) and c["time"] >= a["time"], ev
	PY
}

test_alert()
{
	local t0 t1 since earliest latest days flood_pid

	setup_ns R P || exit 1
	assert psmon_topo "$R" "$P"
	assert pc "$R" lag add bond0 capacity 3mbit window 3
	"$PSCTL" -n "$R" -j monitor > "$MON" 2>"$STATE/monitor.err" &
	MON_PID=$!
	# Let the monitor subscribe and the sampler take its first samples.
	assert busywait 10000 rate_covers 2
	assert alert_is false

	t0=$(date +%s)
	flood "$P" 198.51.100.10 1200 &
	flood_pid=$!
	assert busywait 30000 alert_is true
	t1=$(date +%s)
	since=$(lag_field "$R" bond0 alert_since)
	assert check_range "alert_since" "$since" "$t0" "$t1"
	assert check_ge "utilization_pct >= 40" \
		"$(lag_field "$R" bond0 utilization_pct | cut -d. -f1)" 40
	assert dmesg_has "bond0: .* reached the 40% threshold"

	wait "$flood_pid"
	assert busywait 30000 alert_is false
	assert busywait 10000 monitor_has clear
	assert monitor_has alert
	assert monitor_check

	# deadline: exactly +45 and +60 days from the crossing.
	read -r earliest latest days < <(jget "$R" "deadline bond0" 0 \
		deadline_earliest,deadline_latest,days_left | tr '\n' ' ')
	assert check_eq "deadline alert_since" \
		"$(jget "$R" "deadline bond0" 0 alert_since)" "$since"
	assert check_eq "deadline_earliest" "$earliest" $((since + 45 * DAY))
	assert check_eq "deadline_latest" "$latest" $((since + 60 * DAY))
	assert check_range "days_left" "$days" 59 60

	# The crossing outlives the module.
	kill "$MON_PID"
	MON_PID=
	assert psmon_reload
	assert pc "$R" lag add bond0 capacity 3mbit window 3
	assert check_eq "alert_since after reload" \
		"$(jget "$R" "deadline bond0" 0 alert_since)" "$since"
	assert check_eq "deadline_latest after reload" \
		"$(jget "$R" "deadline bond0" 0 deadline_latest)" "$latest"

	# Prometheus export while a crossing is recorded.
	assert pc "$R" export prometheus "$STATE/psmon.prom"
	if command -v promtool > /dev/null; then
		assert promtool check metrics < "$STATE/psmon.prom"
	fi
	assert grep -q "^psmon_lag_augmentation_deadline_timestamp_seconds{.*bound=\"latest\".*} $latest\$" \
		"$STATE/psmon.prom"
	# From a named namespace every series also carries its netns label.
	assert grep -q "^psmon_lag_alert{lag=\"bond0\",netns=\"$R\"} 0\$" "$STATE/psmon.prom"

	# The augmentation is done.
	assert pc "$R" lag ack bond0
	assert check_eq "alert_since after ack" \
		"$(jget "$R" "deadline bond0" 0 alert_since)" null
	assert check_eq "deadline_latest after ack" \
		"$(jget "$R" "deadline bond0" 0 deadline_latest)" null
}

# dmesg_has REGEX: the kernel log has a line matching REGEX.
dmesg_has()
{
	dmesg | grep -qE "$1"
}

psmon_require
trap cleanup EXIT

tap_plan 3
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "40% alert: raised, cleared, dated, kept across reload, acked" test_alert

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
