#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon prefix churn: prefixes added and removed while traffic flows never
# change the counters of the other prefixes; a prefix added again starts
# from zero.
#
#   ROUTER (psmon: lag add bond0)                       PEER
#   lo: 198.51.100.10 .130 .200  203.0.113.1           ping floods
#       2001:db8:1::1  2001:db8:1:8000::1              -> 198.51.100.10
#   bond0 192.0.2.1/28 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/28
#   2001:db8:ff::1/64    +-- bond0-m2 <-veth-> bond0-p2 --+   2001:db8:ff::2/64
#   nft counters on bond0-m1/m2 (netdev ingress/egress): the reference
#
# The reference for the flood is an nftables netdev chain on each member,
# at the same hooks psmon uses: it counts the frames that crossed them,
# whatever ping saw.

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

N=$PING_COUNT
FLOOD=${PSMON_FLOOD:-1500}

cleanup()
{
	cleanup_all_ns
}

setup()
{
	setup_ns R P || return 1
	psmon_topo "$R" "$P" || return 1
	pc "$R" lag add bond0
}

# floods: $FLOOD frames to each flooded address from P, in the background
# (f4, f6; their summaries appended to out4, out6; waves counts them).
floods()
{
	ip netns exec "$P" ping -q -n -c "$FLOOD" -i 0.004 -s 100 -W 5 \
		198.51.100.10 >>"$out4" 2>&1 &
	f4=$!
	ip netns exec "$P" ping -q -n -c "$FLOOD" -i 0.004 -s 100 -W 5 \
		2001:db8:1::1 >>"$out6" 2>&1 &
	f6=$!
	waves=$((waves + 1))
}

# Add and remove other prefixes, among them ones nested in the flooded
# prefix and ones next to it, while two floods run; the flooded prefixes'
# counters are exactly the reference, the idle one stays at zero.
test_churn()
{
	local f4 f6 out4 out6 rounds=0 waves=0 in4 in6 o4 o6 extra

	assert setup
	assert psmon_ref_counters "$R" 198.51.100.10 2001:db8:1::1
	assert pc "$R" prefix add 198.51.100.0/24 name A allow-reserved
	assert pc "$R" prefix add 2001:db8:1::/48 name A6 allow-reserved
	assert pc "$R" prefix add 203.0.113.0/24 name B allow-reserved

	out4=$(mktemp); out6=$(mktemp)
	floods
	# Changes that rebuild the lookup tables around the flooded
	# prefixes: nested in them (but not covering the flooded address),
	# adjacent, covering the idle one, in batches and one at a time.
	extra=$(mktemp)
	cat >"$extra" <<-EOF
	prefix add 198.51.100.128/25 name C1 allow-reserved
	prefix add 198.51.101.0/24 name C2 allow-reserved
	prefix add 2001:db8:1:8000::/49 name C3 allow-reserved
	prefix add 2001:db8:2::/48 name C4 allow-reserved
	prefix add 203.0.113.128/25 name C5 allow-reserved
	EOF
	# At least three rounds: on a slow kernel (a debug one) a round can
	# outlast the floods, which then start again.
	while :; do
		if ! kill -0 "$f4" 2>/dev/null && ! kill -0 "$f6" 2>/dev/null; then
			[ "$rounds" -ge 3 ] && break
			wait "$f4"; wait "$f6"
			floods
		fi
		pc "$R" -b "$extra" || { echo "# batch add failed"; break; }
		pc "$R" prefix del 198.51.100.128/25 || break
		pc "$R" prefix del 2001:db8:1:8000::/49 || break
		pc "$R" prefix add 198.51.100.64/26 name C6 allow-reserved || break
		pc "$R" prefix del 198.51.100.64/26 || break
		pc "$R" prefix del 198.51.101.0/24 || break
		pc "$R" prefix del 2001:db8:2::/48 || break
		pc "$R" prefix del 203.0.113.128/25 || break
		rounds=$((rounds + 1))
	done
	wait "$f4"; wait "$f6"
	rm -f "$extra"
	tap_diag "$rounds rounds of changes during $waves pairs of floods"
	tap_diag "ping IPv4: $(grep transmitted "$out4" | tr '\n' ' ')"
	tap_diag "ping IPv6: $(grep transmitted "$out6" | tr '\n' ' ')"
	rm -f "$out4" "$out6"
	assert check_ge "rounds of changes during the floods" "$rounds" 3
	assert check_eq "prefixes left" "$(jget "$R" "prefix show" "*" prefix | LC_ALL=C sort | tr "\n" " ")" \
		"198.51.100.0/24 2001:db8:1::/48 203.0.113.0/24 "

	read -r in4 o4 in6 o6 <<<"$(psmon_ref_get "$R" in1 out1 in2 out2)"
	tap_diag "reference: IPv4 in $in4 out $o4, IPv6 in $in6 out $o6"
	assert check_ge "flood frames counted by nft" "$in4" "$FLOOD"
	assert check_ge "flood frames counted by nft" "$in6" "$FLOOD"
	assert check_prefix "$R" 198.51.100.0/24 "$in4" $((in4 * F4)) "$o4" $((o4 * F4))
	assert check_prefix "$R" 2001:db8:1::/48 "$in6" $((in6 * F6)) "$o6" $((o6 * F6))
	assert check_prefix "$R" 203.0.113.0/24 0 0 0 0
	assert check_unmatched "$R" bond0 0 0 0 0
}

# Removing a prefix leaves the others' counters exactly as they were; the
# traffic it had moves to the next most specific prefix.
test_remove_keeps_others()
{
	local a b

	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert pc "$R" prefix add 198.51.100.128/25 allow-reserved
	assert pc "$R" prefix add 2001:db8:1::/48 allow-reserved
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert psmon_ping "$P" "$N" 198.51.100.130
	assert psmon_ping "$P" "$N" 2001:db8:1::1
	a=$(prefix_counters "$R" 198.51.100.0/24)
	b=$(prefix_counters "$R" 2001:db8:1::/48)
	assert check_eq "/24 before" "$a" "$N $((N * F4)) $N $((N * F4))"
	assert pc "$R" prefix del 198.51.100.128/25
	assert check_eq "/24 after removing the /25" "$(prefix_counters "$R" 198.51.100.0/24)" "$a"
	assert check_eq "IPv6 after removing the /25" "$(prefix_counters "$R" 2001:db8:1::/48)" "$b"
	assert psmon_ping "$P" "$N" 198.51.100.130
	assert check_prefix "$R" 198.51.100.0/24 $((2 * N)) $((2 * N * F4)) $((2 * N)) $((2 * N * F4))
	assert pc "$R" prefix del 198.51.100.0/24
	assert check_eq "IPv6 after removing the /24" "$(prefix_counters "$R" 2001:db8:1::/48)" "$b"
	assert check_unmatched "$R" bond0 0 0 0 0
}

# A prefix removed and added again starts from zero; while it is gone
# its traffic is unmatched.
test_readd_zero()
{
	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 name first allow-reserved
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert pc "$R" prefix del 198.51.100.0/24
	assert check_eq "prefixes after del" "$(jget "$R" "prefix show" '#')" 0
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_unmatched "$R" bond0 "$N" $((N * F4)) "$N" $((N * F4))
	assert pc "$R" prefix add 198.51.100.0/24 name second allow-reserved
	assert check_prefix "$R" 198.51.100.0/24 0 0 0 0
	assert check_eq "name" "$(jget "$R" "prefix show" 0 name)" second
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_unmatched "$R" bond0 "$N" $((N * F4)) "$N" $((N * F4))
}

psmon_require
trap cleanup EXIT

tap_plan 5
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "prefix churn during floods leaves other counters exact" test_churn
run_test "removing a prefix leaves the others' counters unchanged" test_remove_keeps_others
run_test "a prefix added again starts from zero" test_readd_zero

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
