#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon LAG membership: members are followed at run time (released,
# enslaved, down, deleted), the provisioned capacity stays through an
# outage while the active capacity follows the members that are active,
# and devices or namespaces that disappear under the module leave no
# trace.
#
#   ROUTER (psmon: lag add bond0)                       PEER
#   lo: 198.51.100.10 ...
#   bond0 192.0.2.1/28 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/28
#                        +-- bond0-m2 <-veth-> bond0-p2 --+
#                        +-- bond0-m3 <-veth-> bond0-p3 --+  (enslaved later)
#
#   released member:   bond0-m2 192.0.2.49/28 <-veth-> bond0-p2 192.0.2.50/28
#   one-member LAG:    veth0 192.0.2.33/28    <-veth-> veth0 192.0.2.34/28
#   team:              team0 -- team0-m1, team0-m2 (veth, peers in PEER)

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

GENL="$NET_DIR/psmon_genl.py"
N=$PING_COUNT
SPEED=10000
GBIT=1000000000

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

test_show()
{
	local out

	assert setup
	assert check_eq "kind" "$(lag_field "$R" bond0 kind)" bond
	assert check_eq "members" "$(lag_members "$R" bond0)" "bond0-m1 bond0-m2"
	assert check_eq "member speed_mbps, up" \
		"$(jget "$R" "lag show" dev=bond0 members '*' speed_mbps,up | tr '\n' ' ')" \
		"$SPEED true $SPEED true "
	assert check_eq "capacity_bps capacity_auto threshold_pct clear_pct window_s" \
		"$(lag_field "$R" bond0 capacity_bps,capacity_auto,threshold_pct,clear_pct,window_s)" \
		"$((2 * SPEED * 1000000)) true 40 35 300"
	assert check_eq "lag show bond0 = the dump's entry" \
		"$(jget "$R" "lag show bond0" 0 dev,capacity_bps)" "bond0 $((2 * SPEED * 1000000))"
	# The text output names the LAG and its members.
	out=$(pc "$R" lag show) || assert false
	assert grep -q bond0-m1 <<<"$out"
	assert grep -q bond0-m2 <<<"$out"
	# Settings given at attach time.
	assert pc "$R" lag del bond0
	assert check_eq "LAGs after del" "$(jget "$R" "lag show" '#')" 0
	assert pc "$R" lag add bond0 capacity 4gbit threshold 60 clear 50 window 10
	assert check_eq "capacity_bps capacity_auto threshold_pct clear_pct window_s" \
		"$(lag_field "$R" bond0 capacity_bps,capacity_auto,threshold_pct,clear_pct,window_s)" \
		"$((4 * GBIT)) false 60 50 10"
}

capacity_is()
{
	[ "$(lag_field "$1" bond0 capacity_bps)" = "$2" ]
}

member_up_is()
{
	[ "$(jget "$1" "lag show" dev=bond0 members "dev=$2" up)" = "$3" ]
}

active_capacity_is()
{
	[ "$(lag_field "$1" bond0 active_capacity_bps)" = "$2" ]
}

# The automatic capacity is the provisioned one, the sum of the members'
# speeds, kept through an outage; the active capacity follows the members
# that are active; a fixed capacity ignores both, and its active share
# scales with them.
test_capacity()
{
	assert setup
	assert capacity_is "$R" $((2 * SPEED * 1000000))
	assert busywait 5000 active_capacity_is "$R" $((2 * SPEED * 1000000))
	assert ip -n "$R" link set bond0-m2 down
	assert busywait 5000 active_capacity_is "$R" $((SPEED * 1000000))
	assert capacity_is "$R" $((2 * SPEED * 1000000))
	assert check_eq "degraded" "$(lag_field "$R" bond0 degraded)" true
	assert member_up_is "$R" bond0-m2 false
	assert member_up_is "$R" bond0-m1 true
	assert check_eq "members while one is down" "$(lag_members "$R" bond0)" "bond0-m1 bond0-m2"
	assert ip -n "$R" link set bond0-m2 up
	assert busywait 20000 active_capacity_is "$R" $((2 * SPEED * 1000000))
	assert check_eq "restored" "$(lag_field "$R" bond0 degraded)" false
	assert member_up_is "$R" bond0-m2 true
	# A fixed capacity, then back to auto.
	assert pc "$R" lag set bond0 capacity 1.5gbit
	assert check_eq "fixed capacity" "$(lag_field "$R" bond0 capacity_bps,capacity_auto)" \
		"1500000000 false"
	assert ip -n "$R" link set bond0-m1 down
	assert busywait 5000 member_up_is "$R" bond0-m1 false
	assert capacity_is "$R" 1500000000
	assert busywait 5000 active_capacity_is "$R" 750000000
	assert pc "$R" lag set bond0 capacity auto
	assert check_eq "auto capacity" "$(lag_field "$R" bond0 capacity_bps,capacity_auto,active_capacity_bps)" \
		"$((2 * SPEED * 1000000)) true $((SPEED * 1000000))"
	assert ip -n "$R" link set bond0-m1 up
	assert busywait 20000 active_capacity_is "$R" $((2 * SPEED * 1000000))
}

members_are()
{
	[ "$(lag_members "$1" "$2")" = "$3" ]
}

# A member released from the bond is no longer counted, even though
# traffic for a registered prefix still arrives on it.
test_release()
{
	local before after

	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert ip -n "$R" link set bond0-m2 nomaster
	assert busywait 5000 members_are "$R" bond0 bond0-m1
	assert ip -n "$P" link set bond0-p2 nomaster
	assert wait_lacp "$R" bond0 "$LAG_TIMEOUT_MS" 1
	assert wait_lacp "$P" bond0 "$LAG_TIMEOUT_MS" 1

	# bond0-m2 and bond0-p2 become a plain link, and the peer sends
	# 198.51.100.10's traffic over it.
	assert ip -n "$R" link set bond0-m2 up
	assert ip -n "$P" link set bond0-p2 up
	assert psmon_link "$R" bond0-m2 192.0.2.49 - "$P" bond0-p2 192.0.2.50 -
	assert ip -n "$P" route add 198.51.100.10/32 via 192.0.2.49
	before=$(member_sysfs "$R" bond0-m2)
	assert psmon_ping "$P" "$N" 198.51.100.10
	after=$(member_sysfs "$R" bond0-m2)
	tap_diag "bond0-m2 interface counters: $before -> $after"
	assert check_ge "frames received by bond0-m2" \
		$(( ${after%% *} - ${before%% *} )) "$N"
	assert check_prefix "$R" 198.51.100.0/24 0 0 0 0
	assert check_unmatched "$R" bond0 0 0 0 0

	# Back over the bond (bond0-m1 alone): counted.
	assert ip -n "$P" route del 198.51.100.10/32
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_ge "bond0-m1 rx_packets" \
		"$(jget "$R" "-s lag show" dev=bond0 members dev=bond0-m1 rx_packets)" "$N"
	assert capacity_is "$R" $((SPEED * 1000000))
}

# A member enslaved after the LAG was attached is counted.
test_enslave_later()
{
	local m3

	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert ip link add bond0-m3 netns "$R" type veth peer name bond0-p3 netns "$P"
	assert ip -n "$R" link set bond0-m3 master bond0
	assert ip -n "$P" link set bond0-p3 master bond0
	assert ip -n "$R" link set bond0-m3 up
	assert ip -n "$P" link set bond0-p3 up
	assert busywait 5000 members_are "$R" bond0 "bond0-m1 bond0-m2 bond0-m3"
	assert wait_lacp "$R" bond0 "$LAG_TIMEOUT_MS" 3
	assert wait_lacp "$P" bond0 "$LAG_TIMEOUT_MS" 3
	assert busywait 5000 capacity_is "$R" $((3 * SPEED * 1000000))

	# Only bond0-m3 left to carry the traffic.
	assert ip -n "$R" link set bond0-m1 nomaster
	assert ip -n "$R" link set bond0-m2 nomaster
	assert ip -n "$P" link set bond0-p1 nomaster
	assert ip -n "$P" link set bond0-p2 nomaster
	assert busywait 5000 members_are "$R" bond0 bond0-m3
	assert wait_lacp "$R" bond0 "$LAG_TIMEOUT_MS" 1
	assert wait_lacp "$P" bond0 "$LAG_TIMEOUT_MS" 1
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	m3=$(jget "$R" "-s lag show" dev=bond0 members dev=bond0-m3 rx_packets,rx_bytes,tx_packets,tx_bytes)
	# shellcheck disable=SC2206
	m3=($m3)
	assert check_ge "bond0-m3 rx_packets" "${m3[0]}" "$N"
	assert check_ge "bond0-m3 rx_bytes" "${m3[1]}" $((N * F4))
	assert check_ge "bond0-m3 tx_packets" "${m3[2]}" "$N"
	assert check_ge "bond0-m3 tx_bytes" "${m3[3]}" $((N * F4))
	assert capacity_is "$R" $((SPEED * 1000000))
}

lag_count_is()
{
	[ "$(jget "$1" "lag show" '#')" = "$2" ]
}

# Devices deleted under the module: a member, then the bond itself.
test_devices_deleted()
{
	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert ip -n "$R" link del bond0-m2
	assert busywait 5000 members_are "$R" bond0 bond0-m1
	assert ip -n "$R" link del bond0
	assert busywait 5000 lag_count_is "$R" 0
	# The prefix and its counters stay.
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_exit "lag del of the deleted bond" 2 pc "$R" lag del bond0
	# A new bond of the same name is a new device: not attached.
	assert ip -n "$R" link add bond0 type bond mode 802.3ad
	assert lag_count_is "$R" 0
	assert pc "$R" lag add bond0
	assert members_are "$R" bond0 ""
	assert ip -n "$R" link set bond0-m1 master bond0
	assert busywait 5000 members_are "$R" bond0 bond0-m1
	assert dmesg_check "devices deleted"
}

# A bond enslaved in a bond, both attached: unloading psmon (which replays
# NETDEV_UNREGISTER without the bonds releasing anything) and deleting
# the inner bond leave no member behind.
test_nested_bond_deleted()
{
	assert setup_ns R
	ip -n "$R" -batch - <<-EOF || assert false
	link add outer type bond mode active-backup
	link add inner type bond mode active-backup
	link add n1 type dummy
	link add n2 type dummy
	link set n1 master inner
	link set n2 master inner
	link set inner master outer
	EOF
	assert pc "$R" lag add outer
	assert pc "$R" lag add inner
	assert check_eq "members of outer" "$(lag_members "$R" outer)" inner
	assert check_eq "members of inner" "$(lag_members "$R" inner)" "n1 n2"
	assert psmon_unload
	assert psmon_load
	assert pc "$R" lag add outer
	assert pc "$R" lag add inner
	assert ip -n "$R" link del inner
	assert busywait 5000 members_are "$R" outer ""
	assert check_eq "LAGs" "$(jget "$R" "lag show" '*' dev)" outer
	assert pc "$R" lag del outer
	assert dmesg_check "nested bond deleted"
}

# An attached plain interface moved to another namespace leaves its LAG
# (the move unregisters it from the old namespace); the new namespace has
# no LAG, and the interface can be attached there.
test_device_moved()
{
	assert setup_ns R P Q
	assert quiet_ns "$R" "$P" "$Q"
	assert ip link add veth0 netns "$R" type veth peer name veth0 netns "$P"
	assert ip -n "$R" link set veth0 up
	assert pc "$R" lag add veth0
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert ip -n "$R" link set veth0 netns "$Q"
	assert busywait 5000 lag_count_is "$R" 0
	assert lag_count_is "$Q" 0
	assert check_eq "LAGs of the prefix" "$(jget "$R" "-s prefix show" 0 lags '#')" 0
	assert ip -n "$Q" link set veth0 up
	assert pc "$Q" lag add veth0
	assert check_eq "members in the new namespace" "$(lag_members "$Q" veth0)" veth0
	assert check_exit "lag del veth0 in the old namespace" 2 pc "$R" lag del veth0
	assert dmesg_check "device moved"
}

# A namespace deleted with LAGs and prefixes registered and traffic
# flowing; afterwards the module unloads (no reference left behind) and
# loads again.
test_netns_deleted()
{
	local flood

	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert pc "$R" prefix add 2001:db8:1::/48 allow-reserved
	assert ip link add veth0 netns "$R" type veth peer name veth0 netns "$P"
	assert ip -n "$R" link set veth0 up
	assert pc "$R" lag add veth0
	ip netns exec "$P" ping -q -n -i 0.005 -s 100 198.51.100.10 >/dev/null 2>&1 &
	flood=$!
	assert busywait 5000 prefix_rx_positive "$R" 198.51.100.0/24
	assert ip netns del "$R"
	kill "$flood" 2>/dev/null
	wait "$flood" 2>/dev/null
	assert psmon_unload
	assert psmon_load
	assert dmesg_check "namespace deleted"
}

# Detaching a LAG keeps what it counted in the prefixes' totals (counters
# are monotonic); attached again, the LAG starts from zero.
test_lag_del_keeps_totals()
{
	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert pc "$R" lag del bond0
	assert check_eq "LAGs" "$(jget "$R" "lag show" '#')" 0
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_eq "LAGs of the prefix" "$(jget "$R" "-s prefix show" 0 lags '#')" 0
	# Not counted while detached.
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert pc "$R" lag add bond0
	assert check_prefix "$R" 198.51.100.0/24 0 0 0 0 bond0
	assert check_unmatched "$R" bond0 0 0 0 0
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4)) bond0
	assert check_prefix "$R" 198.51.100.0/24 $((2 * N)) $((2 * N * F4)) \
		$((2 * N)) $((2 * N * F4))
	# The same after the bond is deleted under the module.
	assert ip -n "$R" link del bond0
	assert busywait 5000 lag_count_is "$R" 0
	assert check_prefix "$R" 198.51.100.0/24 $((2 * N)) $((2 * N * F4)) \
		$((2 * N)) $((2 * N * F4))
}

# Names follow renames, of a member and of the bond, in lag show (dump
# and single LAG) and in a prefix's per-LAG totals; the renamed LAG is
# found by its new name, not by the old one.
test_rename()
{
	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert ip -n "$R" link set bond0-m1 down
	assert ip -n "$R" link set bond0-m1 name bond0-x1
	assert ip -n "$R" link set bond0 down
	assert ip -n "$R" link set bond0 name lag7
	assert check_eq "LAGs" "$(jget "$R" "lag show" '*' dev)" lag7
	assert check_eq "members" "$(lag_members "$R" lag7)" "bond0-m2 bond0-x1"
	assert check_eq "members (lag show lag7)" \
		"$(jget "$R" "lag show lag7" 0 members '*' dev | LC_ALL=C sort | tr '\n' ' ')" \
		"bond0-m2 bond0-x1 "
	assert check_eq "LAGs of the prefix (dump)" \
		"$(jget "$R" "-s prefix show" 0 lags '*' dev)" lag7
	assert check_eq "LAGs of the prefix (prefix get)" \
		"$(jget "$R" "-s prefix show 198.51.100.0/24" 0 lags '*' dev)" lag7
	assert check_exit "lag show of the old name" 2 pc "$R" lag show bond0
	assert pc "$R" lag set lag7 threshold 50
	assert check_eq "threshold" "$(lag_field "$R" lag7 threshold_pct)" 50
}

# A plain interface is a one-member LAG that counts like a bond.  Without
# LACP, and with permanent neighbours, the member totals are the IP
# counts; frames outside IP (ARP) only show in the member totals, which
# match the interface counters.
test_single()
{
	local before want now i

	assert setup_ns R P
	assert quiet_ns "$R" "$P"
	assert ip link add veth0 netns "$R" type veth peer name veth0 netns "$P"
	assert ip -n "$R" link set veth0 up
	assert ip -n "$P" link set veth0 up
	assert psmon_link "$R" veth0 192.0.2.33 - "$P" veth0 192.0.2.34 -
	assert ip -n "$R" addr add 198.51.100.10/32 dev lo
	assert ip -n "$P" route add 198.51.100.0/24 via 192.0.2.33
	before=$(member_sysfs "$R" veth0)
	assert pc "$R" lag add veth0
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert check_eq "kind" "$(lag_field "$R" veth0 kind)" single
	assert check_eq "members" "$(lag_members "$R" veth0)" veth0
	assert check_eq "capacity_bps capacity_auto" \
		"$(lag_field "$R" veth0 capacity_bps,capacity_auto)" "$((SPEED * 1000000)) true"

	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4)) veth0
	assert check_eq "member veth0 totals" \
		"$(jget "$R" "-s lag show" dev=veth0 members 0 rx_packets,rx_bytes,tx_packets,tx_bytes)" \
		"$N $((N * F4)) $N $((N * F4))"
	assert check_eq "LAG veth0 totals" \
		"$(lag_field "$R" veth0 rx_packets,rx_bytes,tx_packets,tx_bytes)" \
		"$N $((N * F4)) $N $((N * F4))"

	# Now with ARP: the peer forgets the router's address.
	assert ip -n "$P" neigh del 192.0.2.33 dev veth0
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 $((2 * N)) $((2 * N * F4)) $((2 * N)) $((2 * N * F4))
	assert check_unmatched "$R" veth0 0 0 0 0
	assert check_ge "member rx_packets with ARP" \
		"$(jget "$R" "-s lag show" dev=veth0 members 0 rx_packets)" $((2 * N + 1))
	# Member totals = interface counters since the attach (neighbour
	# probes may still come: compare a settled pair).
	# shellcheck disable=SC2206
	before=($before)
	single_settled()
	{
		local now want i

		# shellcheck disable=SC2207
		now=($(member_sysfs "$R" veth0))
		for i in 0 1 2 3; do
			want+="${want:+ }$((now[i] - before[i]))"
		done
		[ "$(jget "$R" "-s lag show" dev=veth0 members 0 \
		     rx_packets,rx_bytes,tx_packets,tx_bytes)" = "$want" ] ||
			{ echo "interface counters since the attach: $want"; return 1; }
	}
	assert busywait 5000 single_settled
}

# A team master is a LAG too.
team_port_active()
{
	[ "$(jget "$1" "lag show" dev=team0 members "dev=$2" active)" = true ]
}

test_team()
{
	assert setup_ns R P
	assert quiet_ns "$R" "$P"
	assert ip -n "$R" link add team0 type team
	assert ip link add team0-m1 netns "$R" type veth peer name team0-p1 netns "$P"
	assert ip link add team0-m2 netns "$R" type veth peer name team0-p2 netns "$P"
	assert ip -n "$R" link set team0-m1 master team0
	assert pc "$R" lag add team0
	assert check_eq "kind" "$(lag_field "$R" team0 kind)" team
	assert check_eq "members" "$(lag_members "$R" team0)" team0-m1
	assert ip -n "$R" link set team0-m2 master team0
	assert busywait 5000 members_are "$R" team0 "team0-m1 team0-m2"
	# Member state: a port that is down is not active; an enabled port
	# with its link up is.
	assert check_eq "team port down" \
		"$(jget "$R" "lag show" dev=team0 members dev=team0-m2 active,inactive_reason)" \
		"false down"
	assert ip -n "$P" link set team0-p2 up
	assert ip -n "$R" link set team0 up
	assert ip -n "$R" link set team0-m2 up
	assert busywait 5000 team_port_active "$R" team0-m2
	echo "# team0 mode: $(lag_field "$R" team0 mode)"
	assert check_exit "attach a team port" 2 pc "$R" lag add team0-m1
	assert ip -n "$R" link set team0-m1 nomaster
	assert busywait 5000 members_are "$R" team0 team0-m2
}

# A team's mode name lives in the mode's module, which the team lets go
# when it changes mode while it has no ports: psmon keeps its own copy,
# so reading the LAG after that module is unloaded is safe, and the mode
# shown follows the team at the next membership change.
test_team_mode_unloaded()
{
	local old=roundrobin new=activebackup

	# A kernel with the team modes built in (make check-debug's) has no
	# module to unload.
	if grep -qs "/team_mode_$old.ko" \
		"/lib/modules/$(uname -r)/modules.builtin"; then
		echo "# team_mode_$old is built into this kernel"
		return "$ksft_skip"
	fi
	assert setup_ns R
	assert ip -n "$R" link add team0 type team
	assert ip -n "$R" link add team0-m1 type dummy
	assert ip netns exec "$R" python3 "$GENL" team-mode team0 "$old"
	assert ip -n "$R" link set team0-m1 master team0
	assert pc "$R" lag add team0
	assert check_eq "mode" "$(lag_field "$R" team0 mode)" "$old"
	assert ip -n "$R" link set team0-m1 nomaster
	assert busywait 5000 members_are "$R" team0 ""
	assert ip netns exec "$R" python3 "$GENL" team-mode team0 "$new"
	assert rmmod "team_mode_$old"
	# Reads the LAG, and its mode, with the old mode's module gone.
	assert check_eq "mode after the module left" \
		"$(lag_field "$R" team0 mode)" "$old"
	assert pc "$R" lag show >/dev/null
	assert ip -n "$R" link set team0-m1 master team0
	assert busywait 5000 members_are "$R" team0 team0-m1
	assert check_eq "mode after a port joined" "$(lag_field "$R" team0 mode)" "$new"
	assert ip -n "$R" link set team0-m1 up
	assert pc "$R" lag show >/dev/null
}

psmon_require
trap cleanup EXIT

tap_plan 15
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "lag show: members, speeds, capacity and settings" test_show
run_test "capacity auto follows the members that are up" test_capacity
run_test "a released member is no longer counted" test_release
run_test "a member enslaved later is counted" test_enslave_later
run_test "member and bond deleted under the module" test_devices_deleted
run_test "bond enslaved in a bond, both attached, deleted" test_nested_bond_deleted
run_test "attached device moved to another namespace" test_device_moved
run_test "namespace deleted with LAGs, prefixes and traffic" test_netns_deleted
run_test "lag del keeps the prefixes' totals" test_lag_del_keeps_totals
run_test "names follow renames of a member and of the LAG" test_rename
run_test "a plain interface is a one-member LAG" test_single
if modprobe -q team 2>/dev/null; then
	run_test "a team master is a LAG" test_team
	run_test "a team's mode read after its module left" test_team_mode_unloaded
else
	tap_skip "a team master is a LAG" "no team module"
	tap_skip "a team's mode read after its module left" "no team module"
fi

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
