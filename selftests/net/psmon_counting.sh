#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon counting rules: every packet counts once, to the most specific
# registered prefix, by destination on receive and by source on transmit;
# bytes are Ethernet frames without FCS, 802.1Q tags included.
#
#   ROUTER (psmon: lag add bond0)                       PEER
#   lo: 198.51.100.10 .130 .200  203.0.113.1
#       2001:db8:1::1  2001:db8:1:8000::1
#   bond0 192.0.2.1/28 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/28
#   2001:db8:ff::1/64    +-- bond0-m2 <-veth-> bond0-p2 --+   2001:db8:ff::2/64
#   bond0.100 192.0.2.17/28, 2001:db8:ff:100::1/64 <-> bond0.100 .18, ::2
#                     (802.3ad, lacp_rate fast)
#
#   single-member LAG (the GSO/GRO test):
#   ROUTER veth0 192.0.2.33/28 <-------veth-------> PEER veth0 192.0.2.34/28
#   lo: 198.51.100.10                                  (tso off: real frames)
#
# The peer pings the router's loopback addresses: requests are received by
# the router's members (destination in the prefix), replies sent by them
# (source in the prefix).  A ping with -s 100 is a 142-byte IPv4 frame,
# 162 bytes for IPv6, 4 more with an 802.1Q tag.

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

N=$PING_COUNT

cleanup()
{
	cleanup_all_ns
}

# A fresh reference topology with psmon counting on the router's bond0.
setup()
{
	setup_ns R P || return 1
	psmon_topo "$R" "$P" || return 1
	pc "$R" lag add bond0
}

test_ipv4()
{
	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 name v4 allow-reserved
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4)) bond0
	assert check_eq "LAGs of the prefix" "$(jget "$R" "-s prefix show" 0 lags '#')" 1
	assert check_eq "name" "$(jget "$R" "prefix show" 0 name)" v4
	assert check_unmatched "$R" bond0 0 0 0 0
}

test_ipv6()
{
	assert setup
	assert pc "$R" prefix add 2001:db8:1::/48 name v6 allow-reserved
	assert psmon_ping "$P" "$N" 2001:db8:1::1
	assert check_prefix "$R" 2001:db8:1::/48 "$N" $((N * F6)) "$N" $((N * F6))
	assert check_prefix "$R" 2001:db8:1::/48 "$N" $((N * F6)) "$N" $((N * F6)) bond0
	assert check_unmatched "$R" bond0 0 0 0 0
}

# Without -s, prefix show has no counters; lag show always has the
# unmatched ones.
test_stats_flag()
{
	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert check_eq "counter keys without -s" \
		"$(jget "$R" "prefix show" 0 '?sorted(k for k in v if "packets" in k or "bytes" in k or k == "lags")')" "[]"
	assert check_eq "counter keys with -s" \
		"$(jget "$R" "-s prefix show" 0 '?sorted(k for k in v if "packets" in k or "bytes" in k or k == "lags")')" \
		"['lags', 'rx_bytes', 'rx_packets', 'tx_bytes', 'tx_packets']"
}

# Longest prefix wins; each packet counts once.
test_nested()
{
	local n2=$((N / 2))

	assert setup
	# IPv4: the covering prefix first; IPv6: the more specific first.
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert pc "$R" prefix add 198.51.100.128/25 allow-reserved
	assert pc "$R" prefix add 2001:db8:1:8000::/49 allow-reserved
	assert pc "$R" prefix add 2001:db8:1::/48 allow-reserved

	assert psmon_ping "$P" "$N" 198.51.100.130
	assert check_prefix "$R" 198.51.100.128/25 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_prefix "$R" 198.51.100.0/24 0 0 0 0
	assert psmon_ping "$P" "$n2" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$n2" $((n2 * F4)) "$n2" $((n2 * F4))
	assert check_prefix "$R" 198.51.100.128/25 "$N" $((N * F4)) "$N" $((N * F4))

	assert psmon_ping "$P" "$N" 2001:db8:1:8000::1
	assert check_prefix "$R" 2001:db8:1:8000::/49 "$N" $((N * F6)) "$N" $((N * F6))
	assert check_prefix "$R" 2001:db8:1::/48 0 0 0 0
	assert psmon_ping "$P" "$n2" 2001:db8:1::1
	assert check_prefix "$R" 2001:db8:1::/48 "$n2" $((n2 * F6)) "$n2" $((n2 * F6))
	assert check_prefix "$R" 2001:db8:1:8000::/49 "$N" $((N * F6)) "$N" $((N * F6))
	assert check_unmatched "$R" bond0 0 0 0 0
}

# IP traffic that matches no prefix counts as unmatched on its LAG.
test_unmatched()
{
	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert pc "$R" prefix add 2001:db8:1::/48 allow-reserved
	# 203.0.113.1 (a loopback address) and 2001:db8:ff::1 (the bond's
	# own address) are in no registered prefix.
	assert psmon_ping "$P" "$N" 203.0.113.1
	assert check_unmatched "$R" bond0 "$N" $((N * F4)) "$N" $((N * F4))
	assert psmon_ping "$P" "$N" 2001:db8:ff::1
	assert check_unmatched "$R" bond0 $((2 * N)) $((N * (F4 + F6))) \
		$((2 * N)) $((N * (F4 + F6)))
	assert check_prefix "$R" 198.51.100.0/24 0 0 0 0
	assert check_prefix "$R" 2001:db8:1::/48 0 0 0 0
	# Registering the prefix moves the next packets out of unmatched.
	assert pc "$R" prefix add 203.0.113.0/24 allow-reserved
	assert psmon_ping "$P" "$N" 203.0.113.1
	assert check_prefix "$R" 203.0.113.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_unmatched "$R" bond0 $((2 * N)) $((N * (F4 + F6))) \
		$((2 * N)) $((N * (F4 + F6)))
}

# Member totals count every frame (LACPDUs too): at least the IP counts,
# and the LAG totals are the sum over the members.  One dump, so one
# consistent snapshot.
lag_totals='?" ".join(str(x) for x in [v[k] for k in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes")] + [sum(m[k] for m in v["members"]) for k in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes")])'

test_member_totals()
{
	local t

	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	# Several flows, so that both members carry some.
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert psmon_ping "$P" "$N" 198.51.100.130
	assert psmon_ping "$P" "$N" 198.51.100.200
	assert psmon_ping "$P" "$N" 203.0.113.1

	t=($(jget "$R" "-s lag show" dev=bond0 "$lag_totals"))
	assert check_eq "members of bond0" \
		"$(jget "$R" "-s lag show" dev=bond0 members '*' dev | sort | tr '\n' ' ')" \
		"bond0-m1 bond0-m2 "
	assert check_eq "lag rx_packets rx_bytes tx_packets tx_bytes = sum over members" \
		"${t[*]:0:4}" "${t[*]:4:4}"
	assert check_ge "lag rx_packets" "${t[0]}" $((4 * N))
	assert check_ge "lag rx_bytes" "${t[1]}" $((4 * N * F4))
	assert check_ge "lag tx_packets" "${t[2]}" $((4 * N))
	assert check_ge "lag tx_bytes" "${t[3]}" $((4 * N * F4))
	assert check_prefix "$R" 198.51.100.0/24 $((3 * N)) $((3 * N * F4)) \
		$((3 * N)) $((3 * N * F4))
	assert check_unmatched "$R" bond0 "$N" $((N * F4)) "$N" $((N * F4))
}

# 802.1Q: a VLAN device on the bond; the bond hands the tag to the
# members as metadata (hardware-accelerated tagging).  4 bytes more.
test_vlan()
{
	assert setup
	assert psmon_vlan "$R" "$P"
	assert pc "$R" prefix add 192.0.2.16/28 allow-reserved
	assert pc "$R" prefix add 2001:db8:ff:100::/64 allow-reserved
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert psmon_ping "$P" "$N" 192.0.2.17
	assert psmon_ping "$P" "$N" 2001:db8:ff:100::1
	assert check_prefix "$R" 192.0.2.16/28 "$N" $((N * F4_VLAN)) "$N" $((N * F4_VLAN))
	assert check_prefix "$R" 2001:db8:ff:100::/64 "$N" $((N * F6_VLAN)) "$N" $((N * F6_VLAN))
	# Untagged traffic on the same LAG keeps its size.
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_unmatched "$R" bond0 0 0 0 0
}

# 802.1Q with the tag inside the frame: echo requests sent through a
# packet socket on a member leave with an inline tag; the peer's replies
# come back through its VLAN device.
test_vlan_inline()
{
	local mac

	assert setup
	assert psmon_vlan "$R" "$P"
	assert pc "$R" prefix add 192.0.2.16/28 allow-reserved
	assert pc "$R" prefix add 2001:db8:ff:100::/64 allow-reserved
	mac=$(dev_mac "$P" bond0)
	assert ip netns exec "$R" python3 "$NET_DIR/psmon_rawsend.py" bond0-m1 \
		"$mac" 100 192.0.2.17 192.0.2.18 "$N"
	assert ip netns exec "$R" python3 "$NET_DIR/psmon_rawsend.py" bond0-m1 \
		"$mac" 100 2001:db8:ff:100::1 2001:db8:ff:100::2 "$N"
	# The replies arrive asynchronously.
	assert busywait 5000 check_prefix "$R" 2001:db8:ff:100::/64 \
		"$N" $((N * F6_VLAN)) "$N" $((N * F6_VLAN))
	assert busywait 5000 check_prefix "$R" 192.0.2.16/28 \
		"$N" $((N * F4_VLAN)) "$N" $((N * F4_VLAN))
	assert check_unmatched "$R" bond0 0 0 0 0
}

# tcp_send SERVER_NS ADDR PORT CLIENT_NS BYTES: BYTES bytes over one TCP
# connection from CLIENT_NS to ADDR:PORT, a listener in SERVER_NS that
# checks it got them all.
tcp_send()
{
	local sns=$1 addr=$2 port=$3 cns=$4 bytes=$5 pid rc=0

	ip netns exec "$sns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(60)
c, _ = s.accept()
n = 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    n += len(b)
c.close()
sys.exit(0 if n == int(sys.argv[3]) else "received %d bytes" % n)
' "$addr" "$port" "$bytes" &
	pid=$!
	busywait 10000 ip netns exec "$sns" \
		grep -q -i "$(printf ':%04X 00000000:0000 0A' "$port")" /proc/net/tcp ||
		{ kill "$pid"; return 1; }
	ip netns exec "$cns" timeout 60 bash -c \
		'exec 3<>"/dev/tcp/$0/$1" && head -c "$2" /dev/zero >&3 && exec 3>&-' \
		"$addr" "$port" "$bytes" || rc=$?
	wait "$pid" || rc=$?
	return "$rc"
}

# The counters of the prefix and the member veth0 equal the interface's
# (since BEFORE, "rx_packets rx_bytes tx_packets tx_bytes" at the start).
gso_settled()
{
	local ns=$1 before=($2) now want i p m

	now=($(member_sysfs "$ns" veth0))
	for i in 0 1 2 3; do
		want+="${want:+ }$((now[i] - before[i]))"
	done
	p=$(prefix_counters "$ns" 198.51.100.0/24)
	m=$(jget "$ns" "-s lag show" dev=veth0 members 0 rx_packets,rx_bytes,tx_packets,tx_bytes)
	echo "interface: $want, prefix: $p, member: $m"
	[ "$p" = "$want" ] && [ "$m" = "$want" ]
}

# GSO and GRO: a TCP transfer over a plain veth (a one-member LAG).  The
# router's veth0 has TSO off but GSO on, so its egress hook sees GSO
# super-packets that are cut into frames after it; with GRO on, its
# ingress hook sees GRO super-packets of the frames the peer (TSO off)
# sent.  The interface counters count the frames on the wire: psmon must
# agree with them.  All IP traffic is the transfers between 198.51.100.10
# and 192.0.2.34, so the prefix counts every frame.
test_gso_gro()
{
	local before out big

	assert setup_ns R P
	assert psmon_quiet_ns "$R" "$P"
	assert ip link add veth0 netns "$R" type veth peer name veth0 netns "$P"
	assert ip netns exec "$R" ethtool -K veth0 tso off gso on gro on
	assert ip netns exec "$P" ethtool -K veth0 tso off gso on gro off
	assert ip -n "$R" link set veth0 up
	assert ip -n "$P" link set veth0 up
	assert psmon_link "$R" veth0 192.0.2.33 - "$P" veth0 192.0.2.34 -
	assert ip -n "$R" addr add 198.51.100.10/32 dev lo
	assert ip -n "$R" route add 192.0.2.34/32 dev veth0 src 198.51.100.10
	assert ip -n "$P" route add 198.51.100.0/24 via 192.0.2.33
	assert pc "$R" lag add veth0
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	# Count super-packets at the router's hooks, to know that the test
	# exercised them.
	assert ip netns exec "$R" nft -f - <<-EOF
	table netdev big {
		chain in { type filter hook ingress device veth0 priority 0; meta length > 1500 counter; }
		chain out { type filter hook egress device veth0 priority 0; meta length > 1500 counter; }
	}
	EOF

	before=$(member_sysfs "$R" veth0)
	assert check_prefix "$R" 198.51.100.0/24 0 0 0 0
	# Router -> peer (GSO at the router's egress), then peer -> router
	# (GRO at the router's ingress), 4 MB each way.
	assert tcp_send "$P" 192.0.2.34 5001 "$R" 4000000
	assert tcp_send "$R" 198.51.100.10 5002 "$P" 4000000

	big=$(ip netns exec "$R" nft list table netdev big | grep -o 'packets [0-9]*' |
	      awk '{print $2}' | tr '\n' ' ')
	tap_diag "super-packets at the router's ingress, egress hooks: $big"
	# The last ACKs may still be in flight.
	out=$(busywait 5000 gso_settled "$R" "$before")
	tap_diag "$out"
	assert gso_settled "$R" "$before" >/dev/null
}

psmon_require
require_cmd ethtool
trap cleanup EXIT

tap_plan 11
dmesg_mark
run_test "load psmon.ko" psmon_load
psmon_json_start

run_test "IPv4: rx by destination, tx by source, 142-byte frames" test_ipv4
run_test "IPv6: rx by destination, tx by source, 162-byte frames" test_ipv6
run_test "prefix show: counters only with -s" test_stats_flag
run_test "nested prefixes: the longest match counts, once" test_nested
run_test "unmatched IPv4 and IPv6 traffic counts on the LAG" test_unmatched
run_test "member totals cover the IP counts and sum to the LAG totals" test_member_totals
run_test "802.1Q (tag as metadata): 146/166-byte frames" test_vlan
run_test "802.1Q (tag inline): 146/166-byte frames" test_vlan_inline
run_test "GSO/GRO super-packets count as the frames they stand for" test_gso_gro

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
