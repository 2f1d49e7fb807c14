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
#   second LAG (two-LAG test), to a second peer P2:
#   ROUTER bond1 192.0.2.65/28 ==bond1-m1, bond1-m2== P2 bond1 192.0.2.66/28
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
ETH_HLEN=14

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
		'["lags","rx_bytes","rx_packets","tx_bytes","tx_packets"]'
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

	# Host prefixes (/32, /128) inside the others.
	assert pc "$R" prefix add 198.51.100.200/32 allow-reserved
	assert pc "$R" prefix add 2001:db8:1:8000::2/128 allow-reserved
	assert psmon_ping "$P" "$n2" 198.51.100.200
	assert psmon_ping "$P" "$n2" 2001:db8:1:8000::2
	assert check_prefix "$R" 198.51.100.200/32 "$n2" $((n2 * F4)) "$n2" $((n2 * F4))
	assert check_prefix "$R" 2001:db8:1:8000::2/128 "$n2" $((n2 * F6)) "$n2" $((n2 * F6))
	assert check_prefix "$R" 198.51.100.128/25 "$N" $((N * F4)) "$N" $((N * F4))
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

	read -r -a t <<<"$(jget "$R" "-s lag show" dev=bond0 "$lag_totals")"
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

# Frames with two 802.1Q tags are not among the forms counted as IP: only
# the member totals see them.  Both directions with both tags inline
# (packet sockets on the members; on receive the kernel moves the outer
# tag to metadata before the hook), then stacked VLAN devices
# (bond0.100.200 on both ends) carrying echo requests and replies.
test_qinq()
{
	local m m2 before

	assert setup
	assert psmon_vlan "$R" "$P"
	assert pc "$R" prefix add 192.0.2.16/28 allow-reserved
	assert pc "$R" prefix add 2001:db8:ff:100::/64 allow-reserved
	assert pc "$R" prefix add 192.0.2.48/28 allow-reserved
	assert pc "$R" prefix add 2001:db8:ff:200::/64 allow-reserved

	read -r -a m <<<"$(jget "$R" "-s lag show" dev=bond0 members dev=bond0-m1 rx_packets,tx_packets)"
	assert ip netns exec "$R" python3 "$NET_DIR/psmon_rawsend.py" bond0-m1 \
		"$(dev_mac "$P" bond0)" 100.200 192.0.2.17 192.0.2.18 "$N"
	assert ip netns exec "$P" python3 "$NET_DIR/psmon_rawsend.py" bond0-p1 \
		"$(dev_mac "$R" bond0)" 100.200 192.0.2.18 192.0.2.17 "$N"
	read -r -a m2 <<<"$(jget "$R" "-s lag show" dev=bond0 members dev=bond0-m1 rx_packets,tx_packets)"
	assert check_ge "bond0-m1 rx_packets after double-tagged frames" "${m2[0]}" $((m[0] + N))
	assert check_ge "bond0-m1 tx_packets after double-tagged frames" "${m2[1]}" $((m[1] + N))
	assert check_prefix "$R" 192.0.2.16/28 0 0 0 0
	assert check_unmatched "$R" bond0 0 0 0 0

	for ns in "$R" "$P"; do
		assert ip -n "$ns" link add link bond0.100 name bond0.100.200 type vlan id 200
		# Its MLD reports reach bond0 with a tag inside: filter
		# them above it.
		assert psmon_quiet_filter "$ns" bond0.100.200
		assert ip -n "$ns" link set bond0.100.200 up
	done
	assert psmon_link "$R" bond0.100.200 192.0.2.49 2001:db8:ff:200::1 \
			  "$P" bond0.100.200 192.0.2.50 2001:db8:ff:200::2
	before=$(jget "$R" "-s lag show" dev=bond0 rx_packets)
	assert psmon_ping "$P" "$N" 192.0.2.49
	assert psmon_ping "$P" "$N" 2001:db8:ff:200::1
	assert check_ge "bond0 rx_packets after stacked VLAN pings" \
		"$(jget "$R" "-s lag show" dev=bond0 rx_packets)" $((before + 2 * N))
	assert check_prefix "$R" 192.0.2.48/28 0 0 0 0
	assert check_prefix "$R" 2001:db8:ff:200::/64 0 0 0 0
	assert check_prefix "$R" 192.0.2.16/28 0 0 0 0
	assert check_prefix "$R" 2001:db8:ff:100::/64 0 0 0 0
	assert check_unmatched "$R" bond0 0 0 0 0
}

# IP fragments count frame by frame, each by its own addresses.  An echo
# request with 3000 bytes of data is 3008 bytes of ICMP: IPv4 cuts it into
# 1480 + 1480 + 48 bytes of payload (frames of 1514, 1514 and 82 bytes),
# IPv6 into 1448 + 1448 + 112 behind a fragment header (1510, 1510, 174).
FRAG4=$((1514 + 1514 + 82))
FRAG6=$((1510 + 1510 + 174))

test_fragments()
{
	local n=$((N / 2))

	assert setup
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert pc "$R" prefix add 2001:db8:1::/48 allow-reserved
	assert psmon_ping "$P" "$n" 198.51.100.10 -s 3000
	assert psmon_ping "$P" "$n" 2001:db8:1::1 -s 3000
	assert check_prefix "$R" 198.51.100.0/24 $((3 * n)) $((n * FRAG4)) $((3 * n)) $((n * FRAG4))
	assert check_prefix "$R" 2001:db8:1::/48 $((3 * n)) $((n * FRAG6)) $((3 * n)) $((n * FRAG6))
	assert check_unmatched "$R" bond0 0 0 0 0
}

# Two LAGs to two peers: each prefix has a breakdown per LAG, and its
# total is their sum.
#
#   P  ==bond0==  R  ==bond1==  P2
#                 bond1 192.0.2.65/28, 2001:db8:ff:1::1/64
test_two_lags()
{
	assert setup
	assert setup_ns P2
	assert quiet_ns "$P2"
	assert make_lag "$R" "$P2" bond1 2
	assert psmon_quiet_filter "$R" bond1
	assert psmon_quiet_filter "$P2" bond1
	assert psmon_link "$R" bond1 192.0.2.65 2001:db8:ff:1::1 \
			  "$P2" bond1 192.0.2.66 2001:db8:ff:1::2
	assert psmon_peer_routes "$P2" 192.0.2.65 2001:db8:ff:1::1
	assert pc "$R" lag add bond1
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert pc "$R" prefix add 2001:db8:1::/48 allow-reserved

	assert psmon_ping "$P" "$N" 198.51.100.10
	assert psmon_ping "$P2" $((2 * N)) 198.51.100.10
	assert psmon_ping "$P2" "$N" 2001:db8:1::1
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4)) bond0
	assert check_prefix "$R" 198.51.100.0/24 $((2 * N)) $((2 * N * F4)) \
		$((2 * N)) $((2 * N * F4)) bond1
	assert check_prefix "$R" 198.51.100.0/24 $((3 * N)) $((3 * N * F4)) \
		$((3 * N)) $((3 * N * F4))
	assert check_prefix "$R" 2001:db8:1::/48 0 0 0 0 bond0
	assert check_prefix "$R" 2001:db8:1::/48 "$N" $((N * F6)) "$N" $((N * F6)) bond1
	assert check_prefix "$R" 2001:db8:1::/48 "$N" $((N * F6)) "$N" $((N * F6))
	assert check_eq "LAGs of 198.51.100.0/24" \
		"$(jget "$R" "-s prefix show 198.51.100.0/24" 0 lags '*' dev | LC_ALL=C sort | tr '\n' ' ')" \
		"bond0 bond1 "
	assert check_unmatched "$R" bond0 0 0 0 0
	assert check_unmatched "$R" bond1 0 0 0 0
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
	# shellcheck disable=SC2016
	ip netns exec "$cns" timeout 60 bash -c \
		'exec 3<>"/dev/tcp/$0/$1" && head -c "$2" /dev/zero >&3 && exec 3>&-' \
		"$addr" "$port" "$bytes" || rc=$?
	wait "$pid" || rc=$?
	return "$rc"
}

# gso_settled NS "BEFORE": the counters of the prefix and of the member
# veth0 are the frames that crossed veth0 since BEFORE (its interface
# counters "rx_packets rx_bytes tx_packets tx_bytes" at the start).  The
# interface counts every segment, after the egress hook and before GRO.
# With GRO on, though, veth counts received bytes without the Ethernet
# header (the frame has been through eth_type_trans() then): add it.
gso_settled()
{
	local ns=$1 before now want p m

	read -r -a before <<<"$2"
	read -r -a now <<<"$(member_sysfs "$ns" veth0)"
	want="$((now[0] - before[0])) $((now[1] - before[1] + ETH_HLEN * (now[0] - before[0])))"
	want+=" $((now[2] - before[2])) $((now[3] - before[3]))"
	p=$(prefix_counters "$ns" 198.51.100.0/24)
	m=$(jget "$ns" "-s lag show" dev=veth0 members 0 rx_packets,rx_bytes,tx_packets,tx_bytes)
	echo "frames: $want, prefix: $p, member: $m"
	[ "$p" = "$want" ] && [ "$m" = "$want" ]
}

# GSO and GRO: a TCP transfer over a plain veth (a one-member LAG).  The
# router's veth0 has TSO off but GSO on, so its egress hook sees GSO
# super-packets that are cut into frames after it; with GRO on, its
# ingress hook sees GRO super-packets of the frames the peer (no TSO)
# sent.  All IP traffic is the transfers between 198.51.100.10 and
# 192.0.2.34, so the prefix counts every frame.
test_gso_gro()
{
	local before out big

	assert setup_ns R P
	assert quiet_ns "$R" "$P"
	assert ip link add veth0 netns "$R" type veth peer name veth0 netns "$P"
	assert ip netns exec "$R" ethtool -K veth0 tso off gso on gro on
	assert ip netns exec "$P" ethtool -K veth0 tso off gso off gro off
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
	# shellcheck disable=SC2206
	big=($big)
	assert check_ge "GRO super-packets seen" "${big[0]}" 1
	assert check_ge "GSO super-packets seen" "${big[1]}" 1
	# The last ACKs may still be in flight.
	out=$(busywait 5000 gso_settled "$R" "$before")
	tap_diag "$out"
	assert gso_settled "$R" "$before" >/dev/null
}

psmon_require
require_cmd ethtool
trap cleanup EXIT

tap_plan 14
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "IPv4: rx by destination, tx by source, 142-byte frames" test_ipv4
run_test "IPv6: rx by destination, tx by source, 162-byte frames" test_ipv6
run_test "prefix show: counters only with -s" test_stats_flag
run_test "nested prefixes: the longest match counts, once" test_nested
run_test "unmatched IPv4 and IPv6 traffic counts on the LAG" test_unmatched
run_test "member totals cover the IP counts and sum to the LAG totals" test_member_totals
run_test "802.1Q (tag as metadata): 146/166-byte frames" test_vlan
run_test "802.1Q (tag inline): 146/166-byte frames" test_vlan_inline
run_test "two 802.1Q tags: member totals only" test_qinq
run_test "GSO/GRO super-packets count as the frames they stand for" test_gso_gro
run_test "IPv4 and IPv6 fragments count frame by frame" test_fragments
run_test "two LAGs: per-LAG breakdown, totals are the sum" test_two_lags

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
