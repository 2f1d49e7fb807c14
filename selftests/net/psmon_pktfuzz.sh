#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed frames through the members of a counted LAG, both directions
# (psmon_pktfuzz: truncated Ethernet, VLAN and IP headers, stacked tags,
# bogus IHL and lengths, IPv6 extension headers, GSO frames with crafted
# virtio-net headers): no oops, no warning, and psmon counts no more than
# was really sent.
#
#   ROUTER (R), psmon: lag add bond0                 PEER (P)
#   bond0 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0
#           +-- bond0-m2 <-veth-> bond0-p2 --+
#   tx: psmon_pktfuzz on bond0-m1 (R);  rx: psmon_pktfuzz on bond0-p1 (P)
#
#   user namespace (nobody, unshare -Urn):  va <-veth-> vb, lag add va
#   tx: psmon_pktfuzz on va;  rx: psmon_pktfuzz on vb
#
# Bounds, per direction, on the LAG's counters over the run:
#   frames and bytes <= what the fuzzer's frames can be on the wire (GSO
#   frames segmented: psmon_pktfuzz's "at most" line) + LACP allowance
#   gso: no counted frame longer than MTU + 14 + 4: bytes <= frames * 1518
#   prefixes covering every address: their counters add up to no more
#   than the LAG's
#
# PSMON_PKTFUZZ_FRAMES (default 3000) frames a direction and run,
# PSMON_PKTFUZZ_SEED (default: the time).

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

FUZZ=${PSMON_PKTFUZZ:-$NET_DIR/psmon_pktfuzz}
FRAMES=${PSMON_PKTFUZZ_FRAMES:-3000}
SEED=${PSMON_PKTFUZZ_SEED:-$(date +%s)}
MAXFRAME=$((1500 + 14 + 4))
# LACPDUs (fast rate: one a second a member, under 200 bytes).
LACP_BYTES_PER_S=400
LACP_PACKETS_PER_S=2

# lag_counts NS|- DEV: "rx_packets rx_bytes tx_packets tx_bytes" of DEV.
lag_counts()
{
	local args=()

	[ "$1" != - ] && args=(-n "$1")
	# shellcheck disable=SC2046
	echo $("$PSCTL" "${args[@]}" -j -s lag show |
	       python3 "$PSMON_JSON" get "dev=$2" rx_packets,rx_bytes,tx_packets,tx_bytes)
}

# pktfuzz NAME NS|- DEV SEED: send FRAMES frames out of DEV; prints the
# fuzzer's report as comments and sets WIRE_FRAMES, WIRE_BYTES (bounds).
pktfuzz()
{
	local name=$1 ns=$2 dev=$3 seed=$4 out rc=0 run=()

	[ "$ns" != - ] && run=(ip netns exec "$ns")
	out=$("${run[@]}" "$FUZZ" -i "$dev" -s "$seed" -n "$FRAMES" 2>&1) || rc=$?
	echo "$out" | sed "s/^/# $name: /"
	[ "$rc" -eq 0 ] || return 1
	read -r WIRE_FRAMES WIRE_BYTES < <(echo "$out" |
		sed -n 's/^at most \([0-9]*\) frames \([0-9]*\) bytes.*/\1 \2/p')
	[ -n "$WIRE_FRAMES" ]
}

# check_bounds NAME BEFORE AFTER TXF TXB RXF RXB SECS: the bounds above
# on the LAG counters BEFORE and AFTER (lag_counts); TX* and RX* are the
# fuzzer's bounds for each direction, SECS how long it took.  Returns 1
# when a count bound fails, 2 when only the GSO bound fails.
check_bounds()
{
	local name=$1 txf=$4 txb=$5 rxf=$6 rxb=$7 secs=$8
	local rp0 rb0 tp0 tb0 rp1 rb1 tp1 tb1 rp rb tp tb rc=0
	local lp=$((LACP_PACKETS_PER_S * (secs + 2))) lb=$((LACP_BYTES_PER_S * (secs + 2)))

	read -r rp0 rb0 tp0 tb0 <<<"$2"
	read -r rp1 rb1 tp1 tb1 <<<"$3"
	rp=$((rp1 - rp0)) rb=$((rb1 - rb0)) tp=$((tp1 - tp0)) tb=$((tb1 - tb0))
	echo "# $name: counted rx $rp frames $rb bytes, tx $tp frames $tb bytes"
	echo "# $name: bounds rx $rxf frames $rxb bytes, tx $txf frames $txb bytes (+ $lp frames $lb bytes of LACP)"
	check_le "$name: tx frames counted" "$tp" $((txf + lp)) || rc=1
	check_le "$name: tx bytes counted" "$tb" $((txb + lb)) || rc=1
	check_le "$name: rx frames counted" "$rp" $((rxf + lp)) || rc=1
	check_le "$name: rx bytes counted" "$rb" $((rxb + lb)) || rc=1
	[ "$rc" -eq 0 ] || return 1
	check_le "$name: tx bytes per counted frame (GSO)" "$tb" $((tp * MAXFRAME)) || rc=2
	check_le "$name: rx bytes per counted frame (GSO)" "$rb" $((rp * MAXFRAME)) || rc=2
	return "$rc"
}

# Prefixes that cover every IPv4 address (psctl takes /8 to /32) and some
# IPv6 ones, so that lookups and prefix counters run on fuzzed addresses.
COVER6="::/16 2000::/16 2001::/16 8000::/16 fe80::/16 ff02::/16"

# add_cover NS|-: register them (one psctl batch).
add_cover()
{
	local args=() i p

	[ "$1" != - ] && args=(-n "$1")
	{
		for i in $(seq 0 255); do
			echo "prefix add $i.0.0.0/8 allow-reserved"
		done
		for p in $COVER6; do
			echo "prefix add $p allow-reserved"
		done
	} | "$PSCTL" "${args[@]}" -b -
}

# check_prefixes NAME NS|- DEV: the prefixes' counters add up to no more
# than DEV's (what DEV counted that matched no prefix included).
check_prefixes()
{
	local name=$1 args=() k got lag rc=0 i=0

	[ "$2" != - ] && args=(-n "$2")
	# shellcheck disable=SC2207
	lag=($(lag_counts "$2" "$3"))
	for k in rx_packets rx_bytes tx_packets tx_bytes; do
		got=$("$PSCTL" "${args[@]}" -j -s prefix show |
		      python3 "$PSMON_JSON" sum '*' "$k") || return 1
		echo "# $name: $k: prefixes $got, LAG ${lag[$i]}"
		check_le "$name: $k of the prefixes" "$got" "${lag[$i]}" || rc=1
		i=$((i + 1))
	done
	return "$rc"
}

# ------------------------------------------------------------ user namespace

# Run as root of a fresh user and network namespace (see the top).
if [ "${1:-}" = --userns ]; then
	sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null || exit 1
	ip link set lo up &&
	ip link add va type veth peer name vb &&
	ip link set va up && ip link set vb up || exit 1
	"$PSCTL" lag add va || exit 1
	add_cover - || exit 1
	t0=$SECONDS
	before=$(lag_counts - va)
	pktfuzz "userns tx" - va "$2" || exit 1
	txf=$WIRE_FRAMES txb=$WIRE_BYTES
	echo "# userns: after tx: $(lag_counts - va) (rx_packets rx_bytes tx_packets tx_bytes)"
	pktfuzz "userns rx" - vb $(($2 + 1)) || exit 1
	after=$(lag_counts - va)
	rc=0
	check_bounds userns "$before" "$after" "$txf" "$txb" "$WIRE_FRAMES" \
		"$WIRE_BYTES" $((SECONDS - t0)) || rc=$?
	check_prefixes userns - va || rc=1
	exit "$rc"
fi

# ------------------------------------------------------------ root

psmon_require
require_cmd setpriv unshare
if [ ! -x "$FUZZ" ]; then
	echo "# SKIP: $FUZZ not built (make)"
	exit "$ksft_skip"
fi
trap cleanup_all_ns EXIT

# result NAME RC: the TAP line; a failing GSO bound alone is reported as
# such (the kernel's GSO accounting is known to be wrong on some versions).
result()
{
	case "$2" in
	2) tap_fail "$1" "GSO frames counted as single frames longer than $MAXFRAME bytes" ;;
	*) tap_result "$1" "$2" ;;
	esac
}

run_root()
{
	local before after t0 txf txb rc=0

	dmesg_mark
	t0=$SECONDS
	before=$(lag_counts "$R" bond0)
	pktfuzz "root tx" "$R" bond0-m1 "$SEED" || return 1
	txf=$WIRE_FRAMES txb=$WIRE_BYTES
	echo "# root: after tx: $(lag_counts "$R" bond0) (rx_packets rx_bytes tx_packets tx_bytes)"
	pktfuzz "root rx" "$P" bond0-p1 $((SEED + 1)) || return 1
	after=$(lag_counts "$R" bond0)
	check_bounds root "$before" "$after" "$txf" "$txb" "$WIRE_FRAMES" \
		"$WIRE_BYTES" $((SECONDS - t0)) || rc=$?
	check_prefixes root "$R" bond0 || rc=1
	dmesg_check "root run" || rc=1
	return "$rc"
}

run_userns()
{
	local nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	local rc=0

	if ! "${nobody[@]}" unshare -Urn true 2>/dev/null; then
		echo "# SKIP: no user namespaces for nobody here"
		return "$ksft_skip"
	fi
	dmesg_mark
	"${nobody[@]}" unshare -Urn "$0" --userns $((SEED + 2)) || rc=$?
	dmesg_check "user namespace run" || rc=1
	return "$rc"
}

setup_ns R P || exit 1
psmon_load || exit 1
if ! psmon_topo "$R" "$P"; then
	echo "# cannot build the topology"
	exit 1
fi
pc "$R" lag add bond0 || exit 1
add_cover "$R" || exit 1

tap_plan 2
tap_diag "seed $SEED, $FRAMES frames a direction and run"
rc=0
run_root || rc=$?
result "root: both directions" "$rc"
rc=0
run_userns || rc=$?
if [ "$rc" -eq "$ksft_skip" ]; then
	tap_skip "user namespace (unshare -Urn)" "no user namespaces"
else
	result "user namespace (unshare -Urn)" "$rc"
fi
tap_done
exit $?
