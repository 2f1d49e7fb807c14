# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the psmon network selftests.  Source after ../lib.sh:
#
#	source "$NET_DIR/../lib.sh"
#	source "$NET_DIR/psmon_lib.sh"
#
# The reference topology (psmon_topo) is an 802.3ad bond of veth pairs
# between a "router" namespace, where psmon counts, and a "peer":
#
#   ROUTER                                         PEER
#   lo: 198.51.100.10  198.51.100.130  203.0.113.1
#       198.51.100.200 2001:db8:1::1  2001:db8:1:8000::1 and ::2
#   bond0 192.0.2.1/28 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/28
#   2001:db8:ff::1/64    +-- bond0-m2 <-veth-> bond0-p2 --+   2001:db8:ff::2/64
#
#   optional (psmon_vlan), 802.1Q id 100 on both bonds:
#   bond0.100 192.0.2.17/28 2001:db8:ff:100::1/64  <->  .18  2001:db8:ff:100::2
#
# The peer routes 198.51.100.0/24, 203.0.113.0/24 and 2001:db8:1::/48 to
# the router, so a ping from the peer to one of the router's loopback
# addresses is received by the router's members (request: the destination
# is the loopback address) and sent back by them (reply: the source is the
# loopback address).
#
# Only the traffic a test sends may carry IP, so that IP counts are exact:
# neighbours are permanent (no ARP or neighbour discovery), IPv6 has no
# router solicitations, no DAD and no link-local addresses, and a netdev
# egress filter on each bond drops the MLD reports that joining the
# solicited-node groups of the IPv6 addresses sends.  Non-IP frames
# (LACPDUs) remain; they only show in member totals.

# shellcheck disable=SC2154 # ksft_* come from ../lib.sh
PSMON_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PSCTL=${PSCTL:-$PSMON_TOP/tools/psctl/psctl}
PSMON_KO=${PSMON_KO:-$PSMON_TOP/kmod/psmon.ko}
PSMON_JSON="$PSMON_TOP/selftests/net/psmon_json.py"

# Ethernet frame sizes (no FCS) of "ping -s 100": 100 bytes of payload,
# 8 of ICMP, 20 or 40 of IP, 14 of Ethernet; plus 4 with an 802.1Q tag.
F4=142
F6=162
F4_VLAN=146
F6_VLAN=166

# Default number of echo requests per measurement.
PING_COUNT=${PING_COUNT:-20}

# psmon_require: skip the whole script unless it can run here.
psmon_require()
{
	require_root
	require_cmd ip ping python3 nft
	require_module bonding veth 8021q
	if [ ! -x "$PSCTL" ]; then
		echo "# SKIP: $PSCTL not built (make)"
		exit "$ksft_skip"
	fi
	if [ ! -r "$PSMON_KO" ] && ! psmon_loaded; then
		echo "# SKIP: $PSMON_KO not built (make)"
		exit "$ksft_skip"
	fi
}

# ------------------------------------------------------------ the module

psmon_loaded()
{
	[ -d /sys/module/psmon ]
}

# psmon_load [PARAM=VALUE...]: load psmon.ko unless it is loaded.
psmon_load()
{
	psmon_loaded && return 0
	insmod "$PSMON_KO" "$@"
}

# psmon_unload: unload psmon if it is loaded.
psmon_unload()
{
	psmon_loaded || return 0
	rmmod psmon
}

# psmon_reload [PARAM=VALUE...]: load psmon afresh with these parameters.
psmon_reload()
{
	psmon_unload && insmod "$PSMON_KO" "$@"
}

# ------------------------------------------------------------ psctl

# pc NS ARGS...: run psctl in namespace NS (psctl -n NS ARGS).
pc()
{
	local ns=$1

	shift
	"$PSCTL" -n "$ns" "$@"
}

# psmon_json_start: start the JSON helper (psmon_json.py serve), which
# runs psctl and picks values out of its JSON output for jget and jsum.
# One python process serves the whole script: starting python takes a
# second or more under emulation.
psmon_json_start()
{
	coproc PSMON_JSON_CO { exec python3 "$PSMON_JSON" serve "$PSCTL"; }
	# Plain descriptors (coproc's are not inherited by subshells).
	exec {PSMON_JSON_W}>&"${PSMON_JSON_CO[1]}" {PSMON_JSON_R}<&"${PSMON_JSON_CO[0]}"
}

# json_req OP NS "PSCTL ARGS" STEP...: one request to the JSON helper.
json_req()
{
	local op=$1 ns=$2 args=$3 line n

	shift 3
	if [ -z "${PSMON_JSON_W:-}" ]; then
		echo "# psmon_json_start was not called" >&2
		return 1
	fi
	line="$op"$'\t'"-n $ns -j $args"
	for n in "$@"; do
		line+=$'\t'"$n"
	done
	printf '%s\n' "$line" >&"$PSMON_JSON_W"
	if ! read -r line <&"$PSMON_JSON_R"; then
		echo "# the JSON helper is gone" >&2
		return 1
	fi
	case "$line" in
	"OK "*)
		n=${line#OK }
		while [ "$n" -gt 0 ] && read -r line <&"$PSMON_JSON_R"; do
			echo "$line"
			n=$((n - 1))
		done
		;;
	*)
		echo "# ${line#ERR }" >&2
		return 1
		;;
	esac
}

# jget NS "PSCTL ARGS" STEP...: psctl -n NS -j PSCTL ARGS, then print the
# value(s) at STEP... (see psmon_json.py).  Example:
#	jget "$R" "-s prefix show" prefix=198.51.100.0/24 rx_packets,tx_packets
jget()
{
	json_req get "$@"
}

# jsum NS "PSCTL ARGS" STEP...: like jget, the sum of the values reached.
jsum()
{
	json_req sum "$@"
}

# prefix_counters NS PREFIX [LAG]: print "rx_packets rx_bytes tx_packets
# tx_bytes" of PREFIX (on LAG when given, the total otherwise).
prefix_counters()
{
	local ns=$1 prefix=$2 lag=${3:-}
	local c=rx_packets,rx_bytes,tx_packets,tx_bytes

	if [ -n "$lag" ]; then
		jget "$ns" "-s prefix show $prefix" 0 lags "dev=$lag" $c
	else
		jget "$ns" "-s prefix show $prefix" 0 $c
	fi
}

# prefix_rx_positive NS PREFIX: PREFIX has received something.
prefix_rx_positive()
{
	local v

	v=$(jget "$1" "-s prefix show $2" 0 rx_packets) && [ "$v" -gt 0 ]
}

# check_prefix NS PREFIX RXP RXB TXP TXB [LAG]: the counters of PREFIX (on
# LAG, or the total) are exactly these.
check_prefix()
{
	local ns=$1 prefix=$2 want="$3 $4 $5 $6" lag=${7:-}

	check_eq "$prefix${lag:+ on $lag} rx_packets rx_bytes tx_packets tx_bytes" \
		"$(prefix_counters "$ns" "$prefix" "$lag")" "$want"
}

# lag_unmatched NS LAG: print "rx_packets rx_bytes tx_packets tx_bytes" of
# LAG's unmatched counters.
lag_unmatched()
{
	jget "$1" "lag show" "dev=$2" \
		unmatched_rx_packets,unmatched_rx_bytes,unmatched_tx_packets,unmatched_tx_bytes
}

# check_unmatched NS LAG RXP RXB TXP TXB
check_unmatched()
{
	check_eq "$2 unmatched rx_packets rx_bytes tx_packets tx_bytes" \
		"$(lag_unmatched "$1" "$2")" "$3 $4 $5 $6"
}

# check_exit NAME WANT CMD [ARGS...]: run CMD, succeed when its exit status
# is WANT; otherwise print what it said.
check_exit()
{
	local name=$1 want=$2 out rc=0

	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq "$want" ]; then
		return 0
	fi
	echo "# $name: exit status $rc, want $want: $*"
	[ -n "$out" ] && echo "$out" | sed 's/^/#   /' | head -n 5
	return 1
}

# ------------------------------------------------------------ topology

# psmon_ref_counters NS ADDR...: a reference for psmon's counts, an
# nftables netdev table on each of bond0's members in NS counting the
# frames to (ingress, counter inK) and from (egress, counter outK) the Kth
# ADDR, IPv4 or IPv6.  psmon_ref_get reads them.
psmon_ref_counters()
{
	local ns=$1 m a k fam chain hook field

	shift
	for m in bond0-m1 bond0-m2; do
		echo "table netdev ref_${m//-/_} {"
		# The named counters come first: a rule may only name one
		# that exists.
		for ((k = 1; k <= $#; k++)); do
			echo "counter in$k { }"
			echo "counter out$k { }"
		done
		for chain in "in ingress daddr" "out egress saddr"; do
			read -r chain hook field <<<"$chain"
			echo "chain $chain { type filter hook $hook device \"$m\" priority 0;"
			k=0
			for a in "$@"; do
				k=$((k + 1)); fam=ip; [[ $a == *:* ]] && fam=ip6
				echo "$fam $field $a counter name $chain$k"
			done
			echo "}"
		done
		echo "}"
	done | ip netns exec "$ns" nft -f -
}

# psmon_ref_get NS NAME...: the packets of each named counter of
# psmon_ref_counters, summed over the members, on one line.
psmon_ref_get()
{
	local ns=$1

	shift
	ip netns exec "$ns" nft list counters |
	awk -v names="$*" '
		$1 == "counter" { cur = $2; next }
		$1 == "packets" { n[cur] += $2 }
		END {
			k = split(names, w, " ")
			for (i = 1; i <= k; i++)
				printf "%s%d", (i > 1 ? " " : ""), n[w[i]]
			print ""
		}'
}

# psmon_quiet_filter NS DEV: drop the MLD reports and router solicitations
# DEV sends (a netdev egress filter on DEV, so the frames never reach the
# members below it).
psmon_quiet_filter()
{
	local ns=$1 dev=$2 table

	table="quiet_${dev//[^a-zA-Z0-9]/_}"
	ip netns exec "$ns" nft -f - <<-EOF
	table netdev $table {
		chain out {
			type filter hook egress device "$dev" priority 0;
			icmpv6 type { mld-listener-report, mld2-listener-report, nd-router-solicit } drop
		}
	}
	EOF
}

dev_mac()
{
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}

# psmon_link NS_A DEV_A ADDR4_A ADDR6_A NS_B DEV_B ADDR4_B ADDR6_B:
# address both ends of a link (/28 and /64; an address may be "-") and
# make the neighbour entries permanent.
psmon_link()
{
	local ns_a=$1 dev_a=$2 v4_a=$3 v6_a=$4 ns_b=$5 dev_b=$6 v4_b=$7 v6_b=$8
	local mac_a mac_b

	mac_a=$(dev_mac "$ns_a" "$dev_a") || return 1
	mac_b=$(dev_mac "$ns_b" "$dev_b") || return 1
	{
		[ "$v4_a" != - ] && echo "addr add $v4_a/28 dev $dev_a"
		[ "$v6_a" != - ] && echo "addr add $v6_a/64 dev $dev_a nodad"
		[ "$v4_b" != - ] && echo "neigh replace $v4_b lladdr $mac_b dev $dev_a nud permanent"
		[ "$v6_b" != - ] && echo "neigh replace $v6_b lladdr $mac_b dev $dev_a nud permanent"
		true
	} | ip -n "$ns_a" -batch - || return 1
	{
		[ "$v4_b" != - ] && echo "addr add $v4_b/28 dev $dev_b"
		[ "$v6_b" != - ] && echo "addr add $v6_b/64 dev $dev_b nodad"
		[ "$v4_a" != - ] && echo "neigh replace $v4_a lladdr $mac_a dev $dev_b nud permanent"
		[ "$v6_a" != - ] && echo "neigh replace $v6_a lladdr $mac_a dev $dev_b nud permanent"
		true
	} | ip -n "$ns_b" -batch -
}

# psmon_targets NS: the router's loopback addresses that tests ping.
psmon_targets()
{
	ip -n "$1" -batch - <<-EOF
	addr add 198.51.100.10/32 dev lo
	addr add 198.51.100.130/32 dev lo
	addr add 198.51.100.200/32 dev lo
	addr add 203.0.113.1/32 dev lo
	addr add 2001:db8:1::1/128 dev lo
	addr add 2001:db8:1:8000::1/128 dev lo
	addr add 2001:db8:1:8000::2/128 dev lo
	EOF
}

# psmon_peer_routes NS GW4 GW6: route the router's test ranges via GW.
psmon_peer_routes()
{
	ip -n "$1" -batch - <<-EOF
	route add 198.51.100.0/24 via $2
	route add 203.0.113.0/24 via $2
	route add 2001:db8:1::/48 via $3
	EOF
}

# psmon_topo ROUTER PEER [MEMBERS=2]: the reference topology (see the top
# of this file) between two fresh namespaces.
psmon_topo()
{
	local r=$1 p=$2 members=${3:-2}

	quiet_ns "$r" "$p" || return 1
	make_lag "$r" "$p" bond0 "$members" || return 1
	psmon_quiet_filter "$r" bond0 || return 1
	psmon_quiet_filter "$p" bond0 || return 1
	psmon_link "$r" bond0 192.0.2.1 2001:db8:ff::1 \
		   "$p" bond0 192.0.2.2 2001:db8:ff::2 || return 1
	psmon_targets "$r" || return 1
	psmon_peer_routes "$p" 192.0.2.1 2001:db8:ff::1
}

# psmon_vlan ROUTER PEER: bond0.100 on both ends of psmon_topo.
psmon_vlan()
{
	local r=$1 p=$2 ns

	for ns in "$r" "$p"; do
		ip -n "$ns" link add link bond0 name bond0.100 type vlan id 100 || return 1
		ip -n "$ns" link set bond0.100 up || return 1
	done
	psmon_link "$r" bond0.100 192.0.2.17 2001:db8:ff:100::1 \
		   "$p" bond0.100 192.0.2.18 2001:db8:ff:100::2
}

# member_sysfs NS DEV: the interface counters of DEV (as ip -s link):
# "rx_packets rx_bytes tx_packets tx_bytes".
member_sysfs()
{
	# shellcheck disable=SC2016
	ip netns exec "$1" sh -c 'cd /sys/class/net/$0/statistics &&
		echo $(cat rx_packets rx_bytes tx_packets tx_bytes)' "$2"
}

# lag_members NS LAG: the members of LAG, sorted, on one line.
lag_members()
{
	jget "$1" "lag show" "dev=$2" members '*' dev | LC_ALL=C sort | tr '\n' ' ' |
		sed 's/ $//'
}

# lag_field NS LAG KEY[,KEY...]: fields of LAG in psctl -j -s lag show.
lag_field()
{
	jget "$1" "-s lag show" "dev=$2" "$3"
}

# stable: psctl JSON on stdin without the measurements that move by
# themselves (rates, utilisation, how much history they cover, and the
# interface counters, read once a second).
stable()
{
	python3 -c '
import json, re, sys
moving = re.compile(r"^((hook_)?(rx|tx)_bps|.*utilization_pct|rate_seconds|if_.*)$")
def strip(v):
	if isinstance(v, dict):
		return {k: strip(x) for k, x in v.items() if not moving.match(k)}
	if isinstance(v, list):
		return [strip(x) for x in v]
	return v
for line in sys.stdin:
	print(json.dumps(strip(json.loads(line)), sort_keys=True))
'
}

# ------------------------------------------------------------ traffic

# flood_start NS DST COUNT [RATE]: a ping flood of 1442-byte frames, 2 ms
# apart, in the background (its pid in FLOOD_PID), shaped to RATE (default
# 2mbit) by a token bucket on NS's bond0: a load that stays steady when the
# host is busy.
flood_start()
{
	tc -n "$1" qdisc replace dev bond0 root tbf rate "${4:-2mbit}" \
		burst 4500 latency 500ms || return 1
	ip netns exec "$1" ping -q -n -c "$3" -i 0.002 -s 1400 -W 2 "$2" \
		> /dev/null 2>&1 &
	FLOOD_PID=$!
}

# flood_stop: end the flood flood_start started, if any.
flood_stop()
{
	[ -n "${FLOOD_PID:-}" ] && kill "$FLOOD_PID" 2>/dev/null
	wait "$FLOOD_PID" 2>/dev/null
	FLOOD_PID=
}

# psmon_ping NS COUNT DST [PING ARGS...]: send COUNT echo requests of 100
# bytes of payload from NS to DST, 10 ms apart.  Succeeds when every reply
# came back; prints ping's summary as a comment otherwise.
psmon_ping()
{
	local ns=$1 count=$2 dst=$3 out rc=0

	shift 3
	out=$(ip netns exec "$ns" ping -q -n -c "$count" -i 0.01 -s 100 -W 5 \
	      "$@" "$dst" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] || [ "$(ping_stats "$out")" != "$count $count" ]; then
		echo "# ping $dst from $ns:"
		echo "$out" | sed 's/^/#   /'
		return 1
	fi
}

# ping_stats OUTPUT: print "transmitted received" from ping's summary.
ping_stats()
{
	echo "$1" | sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p'
}

# ------------------------------------------------------------ running tests

# run_test NAME FUNC [ARGS...]: run one test in fresh namespaces: FUNC
# (ARGS) runs in a subshell, which leaves no namespaces behind; its exit
# status makes the TAP line.  With PSMON_TESTS set (an extended regular
# expression), only the functions it matches run; the others skip.
run_test()
{
	local name=$1 rc=0 t0

	shift
	if [ -n "${PSMON_TESTS:-}" ] && ! [[ "$1" =~ $PSMON_TESTS ]]; then
		tap_skip "$name" "not in PSMON_TESTS"
		return 0
	fi
	t0=$(now_ms)
	( trap cleanup_all_ns EXIT; "$@" ) || rc=$?
	tap_diag "$1: $(( $(now_ms) - t0 )) ms"
	tap_result "$name" "$rc"
}

# assert CMD [ARGS...]: run CMD; on failure print where and fail the test
# (exits the subshell run_test made).
assert()
{
	"$@" && return 0
	echo "# assertion failed (line ${BASH_LINENO[0]}): $*"
	exit 1
}
