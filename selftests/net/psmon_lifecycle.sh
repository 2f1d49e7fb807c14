#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon module lifecycle: unloading under traffic with LAGs and prefixes in
# several namespaces, loading again, per-namespace state and limits, and
# psctl -n.
#
#   R1 (lag bond0, prefixes)  ==bond0 (2 x veth, 802.3ad)==  P1 (ping flood)
#   R2 (lag bond0, prefixes)  ==bond0 (2 x veth, 802.3ad)==  P2 (ping flood)
#   R3 (lag veth0)            ------------veth------------   P3 (ping flood)
#
#   each router: lo 198.51.100.10, 2001:db8:1::1 ... (see psmon_lib.sh)

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

N=$PING_COUNT
FLOODS=()

cleanup()
{
	local pid

	for pid in "${FLOODS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	cleanup_all_ns
	# Leave the module loaded with its default parameters.
	if psmon_loaded && [ "$(cat /sys/module/psmon/parameters/max_lags 2>/dev/null)" != 64 ]; then
		# shellcheck disable=SC2119
		{ psmon_unload && psmon_load; } >/dev/null 2>&1
	fi
}

# flood NS DST: a ping flood from NS to DST until the test ends.
flood()
{
	ip netns exec "$1" ping -q -n -i 0.005 -s 100 "$2" >/dev/null 2>&1 &
	FLOODS+=($!)
}

floods_alive()
{
	local pid

	for pid in "${FLOODS[@]}"; do
		kill -0 "$pid" 2>/dev/null || return 1
	done
}

psctl_fails()
{
	local rc=0

	"$PSCTL" -n "$1" lag show >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 2 ]
}

setup_single()
{
	local r=$1 p=$2

	quiet_ns "$r" "$p" &&
	ip link add veth0 netns "$r" type veth peer name veth0 netns "$p" &&
	ip -n "$r" link set veth0 up &&
	ip -n "$p" link set veth0 up &&
	psmon_link "$r" veth0 192.0.2.33 - "$p" veth0 192.0.2.34 - &&
	psmon_targets "$r" &&
	ip -n "$p" route add 198.51.100.0/24 via 192.0.2.33
}

# rmmod while floods run through attached LAGs in three namespaces, then
# insmod: the state is gone, the floods never stopped, and counting works
# again.
test_rmmod_traffic()
{
	local ns round

	assert setup_ns R1 P1 R2 P2 R3 P3
	assert psmon_topo "$R1" "$P1"
	assert psmon_topo "$R2" "$P2"
	assert setup_single "$R3" "$P3"
	for round in 1 2; do
		for ns in "$R1" "$R2"; do
			assert pc "$ns" lag add bond0
			assert pc "$ns" prefix add 198.51.100.0/24 allow-reserved
			assert pc "$ns" prefix add 198.51.100.128/25 allow-reserved
			assert pc "$ns" prefix add 2001:db8:1::/48 allow-reserved
		done
		assert pc "$R3" lag add veth0
		assert pc "$R3" prefix add 198.51.100.0/24 allow-reserved
		if [ "$round" = 1 ]; then
			flood "$P1" 198.51.100.10
			flood "$P1" 2001:db8:1::1
			flood "$P2" 198.51.100.130
			flood "$P3" 198.51.100.10
		fi
		assert busywait 10000 prefix_rx_positive "$R1" 198.51.100.0/24
		assert busywait 10000 prefix_rx_positive "$R1" 2001:db8:1::/48
		assert busywait 10000 prefix_rx_positive "$R2" 198.51.100.128/25
		assert busywait 10000 prefix_rx_positive "$R3" 198.51.100.0/24

		assert psmon_unload
		assert check_eq "module gone" "$(psmon_loaded && echo loaded)" ""
		assert psctl_fails "$R1"
		assert floods_alive
		assert psmon_load
		for ns in "$R1" "$R2" "$R3"; do
			assert check_eq "LAGs in $ns after reload" "$(jget "$ns" "lag show" '#')" 0
			assert check_eq "prefixes in $ns after reload" "$(jget "$ns" "prefix show" '#')" 0
		done
		assert floods_alive
	done

	# Counting is exact after the reload (the flood keeps going on P1's
	# 198.51.100.10; a fresh prefix for another address sees only ours).
	assert pc "$R1" lag add bond0
	assert pc "$R1" prefix add 198.51.100.200/32 allow-reserved
	assert psmon_ping "$P1" "$N" 198.51.100.200
	assert check_prefix "$R1" 198.51.100.200/32 "$N" $((N * F4)) "$N" $((N * F4))
}

# psctl -n NETNS acts on that namespace only, like ip netns exec.
test_netns_option()
{
	assert setup_ns R P
	assert psmon_topo "$R" "$P"
	assert ip netns exec "$R" "$PSCTL" lag add bond0
	assert "$PSCTL" -n "$R" prefix add 198.51.100.0/24 name via-n allow-reserved
	assert check_eq "lag show: psctl -n vs ip netns exec" \
		"$("$PSCTL" -n "$R" -j lag show | stable)" \
		"$(ip netns exec "$R" "$PSCTL" -j lag show | stable)"
	assert check_eq "prefix show: psctl -n vs ip netns exec" \
		"$("$PSCTL" -n "$R" -j prefix show)" "$(ip netns exec "$R" "$PSCTL" -j prefix show)"
	assert check_eq "name" "$(jget "$R" "prefix show" 0 name)" via-n
	# Another namespace sees none of it.
	assert check_eq "LAGs seen from the peer" "$(jget "$P" "lag show" '#')" 0
	assert check_eq "prefixes seen from the peer" "$(jget "$P" "prefix show" '#')" 0
	assert check_exit "lag del bond0 in the peer" 2 "$PSCTL" -n "$P" lag del bond0
	assert "$PSCTL" -n "$P" prefix add 198.51.100.0/24 name peer allow-reserved
	assert check_eq "name in R" "$(jget "$R" "prefix show" 0 name)" via-n
	assert check_eq "name in P" "$(jget "$P" "prefix show" 0 name)" peer
	assert check_exit "psctl -n with a missing namespace" 1 \
		"$PSCTL" -n "psmon-no-such-ns-$$" lag show
}

# max_prefixes and max_lags bound each namespace separately; max_lags
# has a maximum.
test_limits()
{
	local f

	assert setup_ns A B
	assert quiet_ns "$A" "$B"
	for ns in "$A" "$B"; do
		assert ip -n "$ns" link add d1 type dummy
		assert ip -n "$ns" link add d2 type dummy
	done
	# max_lags is bounded by what a prefix's reply can hold.
	assert check_exit "max_lags=501" 1 psmon_reload max_lags=501
	assert check_eq "module after max_lags=501" "$(psmon_loaded && echo loaded)" ""
	assert dmesg | grep -q "psmon: max_prefixes must be 1-16777216 and max_lags 1-500"
	assert psmon_reload max_prefixes=3 max_lags=1
	assert check_eq "max_prefixes" "$(cat /sys/module/psmon/parameters/max_prefixes)" 3
	assert check_eq "max_lags" "$(cat /sys/module/psmon/parameters/max_lags)" 1
	for ns in "$A" "$B"; do
		assert pc "$ns" prefix add 198.51.100.0/24 allow-reserved
		assert pc "$ns" prefix add 203.0.113.0/24 allow-reserved
		assert pc "$ns" prefix add 2001:db8::/32 allow-reserved
		assert check_exit "a 4th prefix" 2 pc "$ns" prefix add 192.0.2.0/24 allow-reserved
		assert pc "$ns" lag add d1
		assert check_exit "a 2nd LAG" 2 pc "$ns" lag add d2
	done
	# A bulk add over the limit adds nothing.
	assert pc "$A" prefix del 203.0.113.0/24
	assert pc "$A" prefix del 2001:db8::/32
	f=$(mktemp)
	printf 'prefix add 192.0.2.%d/32 allow-reserved\n' 1 2 3 >"$f"
	# The lines before the refused one stay applied.
	assert check_exit "a batch over the limit" 2 pc "$A" -b "$f"
	rm -f "$f"
	assert check_eq "prefixes after the refused batch" \
		"$(jget "$A" "prefix show" '*' prefix | tr '\n' ' ')" \
		"192.0.2.1/32 192.0.2.2/32 198.51.100.0/24 "
	assert check_eq "lags in A" "$(jget "$A" "lag show" '*' dev)" d1
	assert psmon_reload
	assert pc "$A" lag add d1
	assert pc "$A" lag add d2
}

psmon_require
require_module dummy
trap cleanup EXIT

tap_plan 5
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "rmmod under traffic in three namespaces, insmod again" test_rmmod_traffic
run_test "psctl -n NETNS acts on that namespace only" test_netns_option
run_test "max_prefixes and max_lags per namespace" test_limits

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
