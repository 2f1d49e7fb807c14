#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Capacity and utilisation that follow the LAG's real state: active-backup
# counts one link, an 802.3ad port outside the active aggregator is not
# active, an outage degrades the LAG without recording a crossing, rates
# come from the interface counters (traffic dropped before psmon's hooks
# included), a slow control operation does not inflate a rate, and a
# threshold set alone keeps a valid clear level.
#
#   ROUTER (psmon)                                            PEER
#   lo: 198.51.100.10
#   bond0 192.0.2.1/28 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/28
#                        +-- bond0-m2 <-veth-> bond0-p2 --+
#                                  <== ping -s 1400 flood ==
#
# Every veth reports 10 Gbit/s, so two members make a 20 Gbit/s LAG.

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

G10=10000000000
STATE=$(mktemp -d)
export PSMON_STATE_DIR=$STATE
MON=$STATE/monitor.out
FLOOD_PID=
MON_PID=

cleanup()
{
	[ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
	[ -n "$FLOOD_PID" ] && kill "$FLOOD_PID" 2>/dev/null
	cleanup_all_ns
	rm -rf "$STATE"
}

# lf FIELD [DEV]: a field of a LAG in lag show.
lf()
{
	jget "$R" "lag show" "dev=${2:-bond0}" "$1"
}

# mf MEMBER FIELD [DEV]: a field of a member in lag show.
mf()
{
	jget "$R" "lag show" "dev=${3:-bond0}" members "dev=$1" "$2"
}

field_is()
{
	[ "$(lf "$1" "${3:-bond0}")" = "$2" ]
}

member_is()
{
	[ "$(mf "$1" "$2" "${4:-bond0}")" = "$3" ]
}

# active_count DEV: how many of DEV's members are active.
active_count()
{
	jget "$R" "lag show" "dev=$1" members "?sum(1 for m in v if m['active'])"
}

monitor_start()
{
	"$PSCTL" -n "$R" -j monitor > "$MON" 2>"$STATE/monitor.err" &
	MON_PID=$!
	# Subscribed once an event of another LAG could reach it: give it a
	# moment (the monitor prints nothing before the first event).
	sleep 1
}

# monitor_has EVENT [DEV]: the monitor printed an EVENT line for DEV.
monitor_has()
{
	grep -q "\"event\": *\"$1\".*\"lag\": *\"${2:-bond0}\"" "$MON"
}

# if_bytes NS LAG DIR: the members' interface byte counters, summed (the
# numbers ip -s link shows).
if_bytes()
{
	ip netns exec "$1" sh -c "cat /sys/class/net/$2-m*/statistics/${3}_bytes" |
		awk '{ s += $1 } END { printf "%d\n", s }'
}

# refute CMD...: CMD must fail.
refute()
{
	"$@" || return 0
	echo "# unexpectedly true (line ${BASH_LINENO[0]}): $*"
	exit 1
}

dmesg_has()
{
	dmesg | grep -qE "$1"
}

# measured_bps NS LAG DIR SECS: bit/s through the members over SECS seconds,
# from the interface counters.
measured_bps()
{
	local b0 b1 t0 t1

	b0=$(if_bytes "$1" "$2" "$3")
	t0=$(now_ms)
	sleep "$4"
	b1=$(if_bytes "$1" "$2" "$3")
	t1=$(now_ms)
	echo $(( (b1 - b0) * 8 * 1000 / (t1 - t0) ))
}

# within PCT A B: A and B differ by at most PCT percent of B.
within()
{
	python3 -c 'import sys
p, a, b = (float(x) for x in sys.argv[1:])
sys.exit(0 if abs(a - b) <= p / 100 * b else 1)' "$@" ||
	{ echo "# $2 and $3 differ by more than $1%"; return 1; }
}

test_active_backup()
{
	local active other

	setup_ns R P || exit 1
	assert quiet_ns "$R" "$P"
	assert make_lag "$R" "$P" bond0 2 active-backup
	assert pc "$R" lag add bond0

	assert check_eq "mode" "$(lf mode)" active-backup
	assert check_eq "capacity_bps: one link of two" "$(lf capacity_bps)" $G10
	assert check_eq "active_capacity_bps" "$(lf active_capacity_bps)" $G10
	assert check_eq "degraded" "$(lf degraded)" false
	assert check_eq "one active member" "$(active_count bond0)" 1
	active=$(jget "$R" "lag show" dev=bond0 members "?[m['dev'] for m in v if m['active']][0]")
	other=bond0-m1
	[ "$active" = bond0-m1 ] && other=bond0-m2
	assert check_eq "the other is a backup" "$(mf "$other" inactive_reason)" backup
	pc "$R" lag show bond0 | sed 's/^/# /'

	# Failover: the active link goes down, the backup takes over.
	assert ip -n "$R" link set "$active" down
	assert busywait 10000 member_is "$other" active true
	assert check_eq "failed link" "$(mf "$active" inactive_reason)" down
	assert check_eq "capacity after failover" "$(lf capacity_bps)" $G10
	assert busywait 5000 field_is degraded false
	assert check_eq "active capacity after failover" \
		"$(lf active_capacity_bps)" $G10
	pc "$R" lag show bond0 | sed 's/^/# /'
}

test_8023ad_partial()
{
	setup_ns R P || exit 1
	assert psmon_topo "$R" "$P"
	assert pc "$R" lag add bond0
	monitor_start
	assert check_eq "mode" "$(lf mode)" 802.3ad
	assert check_eq "capacity_bps" "$(lf capacity_bps)" $((2 * G10))
	assert busywait 5000 field_is active_capacity_bps $((2 * G10))

	# The partner stops aggregating its second port: ours ends up alone
	# in an aggregator of its own, not the active one.
	assert ip -n "$P" link set bond0-p2 nomaster
	assert ip -n "$P" link set bond0-p2 up
	assert busywait 20000 member_is bond0-m2 inactive_reason "not aggregated"
	assert busywait 5000 field_is degraded true
	assert check_eq "capacity_bps stays" "$(lf capacity_bps)" $((2 * G10))
	assert check_eq "active_capacity_bps" "$(lf active_capacity_bps)" $G10
	assert check_eq "m1 active" "$(mf bond0-m1 active)" true
	assert busywait 5000 monitor_has degraded
	ip netns exec "$R" cat /proc/net/bonding/bond0 | grep -E "Aggregator ID|Slave Interface" | sed 's/^/# /'
	pc "$R" lag show bond0 | sed 's/^/# /'

	# The partner is fixed.
	assert ip -n "$P" link set bond0-p2 down
	assert ip -n "$P" link set bond0-p2 master bond0
	assert ip -n "$P" link set bond0-p2 up
	assert busywait 20000 member_is bond0-m2 active true
	assert busywait 5000 field_is degraded false
	assert busywait 5000 monitor_has restored
	assert check_eq "active_capacity_bps restored" \
		"$(lf active_capacity_bps)" $((2 * G10))
	assert check_eq "no crossing" "$(lf alert_since)" null
}

# A member fails under steady load at about 25% of the contract capacity.
test_outage()
{
	local bps

	setup_ns R P || exit 1
	assert psmon_topo "$R" "$P"
	assert pc "$R" lag add bond0 window 3
	monitor_start
	flood_start "$P" 198.51.100.10 20000
	sleep 4
	bps=$(measured_bps "$R" bond0 rx 3)
	echo "# offered load: $bps bit/s"
	assert check_ge "offered load" "$bps" 500000
	# Capacity: about three times the load, so about 30%; half of it is
	# about 60% of the active capacity once a member fails. Margins both
	# ways for a load that varies on a busy host.
	assert pc "$R" lag set bond0 capacity "$((32 * bps / 10))bit"
	sleep 4
	assert check_eq "no alert at 30%" "$(lf alert)" false

	assert ip -n "$R" link set bond0-m2 down
	assert busywait 10000 field_is degraded true
	assert check_eq "active capacity: half" "$(lf active_capacity_bps)" \
		$((16 * bps / 10))
	assert busywait 10000 monitor_has degraded
	assert busywait 15000 monitor_has overload
	assert check_le "utilisation of the capacity stays below the threshold" \
		"$(lf utilization_pct | cut -d. -f1)" 39
	assert overload_over_threshold
	pc "$R" lag show bond0 | sed 's/^/# /'
	assert check_eq "no alert" "$(lf alert)" false
	assert check_eq "no crossing recorded" "$(lf alert_since)" null
	refute monitor_has alert

	assert ip -n "$R" link set bond0-m2 up
	assert busywait 20000 field_is degraded false
	assert busywait 5000 monitor_has restored
	flood_stop
	assert check_eq "no crossing after the outage" \
		"$(jget "$R" "deadline bond0" 0 alert_since)" null
	assert dmesg_has "bond0: overload: .* no crossing is recorded"
}

# overload_over_threshold: the overload event was at or above 40% of the
# active capacity, and carried both capacities.
overload_over_threshold()
{
	python3 - "$MON" <<-'PY'
	import json, sys
	ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	o = [e for e in ev if e["event"] == "overload" and e["lag"] == "bond0"]
	assert o and o[0]["utilization_pct"] >= 40, ev
	assert abs(o[0]["active_capacity_bps"] * 2 - o[0]["capacity_bps"]) <= 1, o
	PY
}

# if_rx NS: bond0's interface byte counter as psmon read it at its last
# sample (the members' counters, summed once a second).
if_rx()
{
	jget "$R" "-s lag show" dev=bond0 if_rx_bytes
}

# sampled: wait until psmon takes a new sample (its interface total moves:
# LACP frames arrive every second), then print the members' counters as
# ip -s link shows them right then.
sampled()
{
	local v

	v=$(if_rx)
	busywait 5000 changed_from "$v" > /dev/null || return 1
	if_bytes "$R" bond0 rx
}

changed_from()
{
	[ "$(if_rx)" != "$1" ]
}

# Frames dropped by tc at ingress, before psmon's hook, still load the link.
test_dropped_before_hooks()
{
	local m measured rate hook k0 k1 s0 s1

	setup_ns R P || exit 1
	assert psmon_topo "$R" "$P"
	for m in bond0-m1 bond0-m2; do
		assert tc -n "$R" qdisc add dev "$m" clsact
		assert tc -n "$R" filter add dev "$m" ingress protocol ip \
			flower ip_proto icmp action drop
	done
	assert pc "$R" lag add bond0 window 10
	s0=$(sampled)
	k0=$(if_rx)
	flood_start "$P" 198.51.100.10 20000 1mbit
	sleep 12
	measured=$(measured_bps "$R" bond0 rx 10)
	rate=$(lf rx_bps | cut -d. -f1)
	hook=$(lf hook_rx_bps | cut -d. -f1)
	flood_stop
	sleep 1
	s1=$(sampled)
	k1=$(if_rx)
	echo "# ip -s link: $measured bit/s; psmon rx_bps $rate, hooks $hook"
	echo "# received between two samples: ip -s link $((s1 - s0)) bytes, psmon $((k1 - k0))"
	# The same interval, to the sample: what the rate is computed from.
	assert within 1 "$((k1 - k0))" "$((s1 - s0))"
	# The rate over the window, against the counters over about the same
	# seconds.
	assert within 3 "$rate" "$measured"
	assert check_le "the hooks saw a tenth of it at most" \
		"$((hook * 10))" "$measured"
}

# A 100,000-prefix load holds psmon's lock for seconds: no sample may
# count that wait as traffic.
test_slow_control()
{
	local bps rate gen post

	setup_ns R P || exit 1
	assert psmon_topo "$R" "$P"
	assert pc "$R" lag add bond0 window 2
	monitor_start
	flood_start "$P" 198.51.100.10 40000
	sleep 3
	bps=$(measured_bps "$R" bond0 rx 3)
	echo "# offered load: $bps bit/s"
	# About 20%: the alert needs twice the load.
	assert pc "$R" lag set bond0 capacity "$((5 * bps))bit"
	gen=$STATE/100k.batch
	python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        if i < 65536:
            f.write("prefix add 198.18.%d.%d/32 allow-reserved\n" % (i >> 8, i & 255))
        else:
            f.write("prefix add 2001:db8:%x:%x::/64 allow-reserved\n" % (i >> 16, i & 0xffff))' "$gen"
	# Not through the JSON helper: it serves one caller at a time.
	( while kill -0 "$FLOOD_PID" 2>/dev/null; do
		"$PSCTL" -n "$R" -j lag show bond0; echo; sleep 0.5
	  done ) > "$STATE/rates.json" 2>/dev/null &
	local watch=$!
	local t0 t1
	t0=$(now_ms)
	assert pc "$R" -b "$gen"
	t1=$(now_ms)
	echo "# 100,000 prefixes loaded in $((t1 - t0)) ms"
	# Steady again: the interface counters over the window, then psmon.
	sleep 2
	post=$(measured_bps "$R" bond0 rx 2)
	rate=$(lf rx_bps | cut -d. -f1)
	flood_stop
	kill "$watch" 2>/dev/null
	wait "$watch" 2>/dev/null
	echo "# rx_bps after the load: $rate; ip -s link over the window: $post; before the load: $bps"
	assert within 5 "$rate" "$post"
	local peak
	peak=$(python3 -c '
import json, sys
rates = [json.loads(l)[0] for l in open(sys.argv[1]) if l.strip()]
assert not any(r["alert"] for r in rates), "alert raised"
print(" ".join(str(int(r["rx_bps"] or 0)) for r in rates), file=sys.stderr)
print(int(max((r["rx_bps"] or 0) for r in rates)))' "$STATE/rates.json")
	assert [ -n "$peak" ]
	echo "# highest rx_bps sampled during the load: $peak"
	# A sample whose clock was read before waiting for the lock would
	# count the wait as traffic: with a 2 s window, a wait of 0.1 s
	# inflates it by 5%. The shaped load itself stays within 1%.
	assert check_le "no sample inflated by the wait" "$peak" \
		$(( (bps > post ? bps : post) * 105 / 100 ))
	refute monitor_has alert
	assert check_eq "no crossing" "$(lf alert_since)" null
}

test_threshold_alone()
{
	setup_ns R || exit 1
	assert ip -n "$R" link add d0 type dummy
	assert pc "$R" lag add d0
	assert pc "$R" lag set d0 threshold 30 > "$STATE/out"
	sed 's/^/# /' "$STATE/out"
	assert grep -q "clear level moved from 35% to 25%" "$STATE/out"
	assert check_eq "threshold" "$(lf threshold_pct d0)" 30
	assert check_eq "clear follows" "$(lf clear_pct d0)" 25
	assert pc "$R" lag set d0 threshold 3
	assert check_eq "clear at least 0" "$(lf clear_pct d0)" 0
	assert pc "$R" lag set d0 threshold 50
	assert check_eq "a clear below a raised threshold stays" \
		"$(lf clear_pct d0)" 0
	assert pc "$R" lag set d0 clear 45
	assert check_eq "clear set" "$(lf clear_pct d0)" 45
	assert pc "$R" lag set d0 threshold 20
	assert check_eq "clear moved with threshold 20" "$(lf clear_pct d0)" 15
	# Both given: the user's clear is checked, never moved.
	assert check_exit "clear above threshold" 1 pc "$R" lag set d0 threshold 10 clear 12
	assert check_exit "clear above the stored threshold" 2 pc "$R" lag set d0 clear 25
	assert check_eq "clear unchanged" "$(lf clear_pct d0)" 15
}

psmon_require
require_cmd tc
trap cleanup EXIT

tap_plan 8
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "active-backup: one link's capacity; failover keeps it" test_active_backup
run_test "802.3ad, one port not aggregated: degraded, restored" test_8023ad_partial
run_test "member outage at 25%: degraded, overload, no crossing" test_outage
run_test "traffic dropped before the hooks counts in the rate" test_dropped_before_hooks
run_test "100,000-prefix load under traffic: no inflated rate" test_slow_control
run_test "threshold set alone keeps a valid clear" test_threshold_alone

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
