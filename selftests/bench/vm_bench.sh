#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-packet cost of psmon and of the alternatives, in guest instructions.
# Runs in the test VM booted with qemu's instruction counting (make bench:
# selftests/vm/run.sh --cpus 1 --icount), where the guest clock advances
# 4 ns per executed guest instruction: a pktgen rate is then fixed by the
# instructions each packet costs, whatever the host does, and
#
#	instructions per packet = 1e9 / (pps * 4)
#
# Prints figures and writes them to a TSV file; fails only when a
# measurement cannot be made (or when pktgen's packets did not all cross
# the member: the figure would not be the cost of the path).
#
#   ROUTER (initial namespace: psmon, nft, tc)            PEER
#   bond0 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0      pktgen (ingress)
#           +-- bond0-m2 <-veth-> bond0-p2 --+
#   bond1, bond2, bond3: the same (LAGs psmon counts on in the 2 and 4
#   LAG configurations); 802.3ad, lacp_rate fast
#
# ingress: pktgen on bond0-p1 sends to bond0-m1, whose ingress hooks run;
#   destinations random over the prefix space.
# egress: pktgen on bond0-m1 itself with xmit_mode queue_xmit, so that
#   the member's egress hooks run; sources random over the prefix space
#   (IPv4; pktgen randomises only IPv6 destinations, so IPv6 egress packets
#   all carry one source address, inside one prefix).
# The frames carry another host's MAC address: the receiving end drops
# them in ip_rcv() after its bond (blackhole routes would drop them too).
#
# Frames: 60 bytes without FCS for IPv4 (64 on the wire); 78 for IPv6, the
# least pktgen sends (its 16-byte header after UDP).
#
# Prefix space: 198.18.0.0/15 and 2001:db8:8000::/33.  A table of N
# prefixes tiles the whole space (prefixes of two adjacent lengths), so
# every packet matches a prefix: N=500 is 12 /23 and 488 /24 in IPv4.
# Every table holds N IPv4 and N IPv6 prefixes.
#
# Configurations (hooks on bond0-m1, both directions unless stated):
#   no hook          nothing on the member
#   accept           psmon_nfaccept.ko: netdev hooks returning NF_ACCEPT,
#                    where psmon hooks (ingress INT_MIN, egress INT_MAX)
#   nft empty        nftables netdev table, empty ingress and egress chains
#   nft set 500      interval sets of the 500 IPv4 and 500 IPv6 prefixes
#                    with per-element counters, one lookup rule per family
#   tc bpf 500       clsact, a BPF classifier per direction: LPM-trie
#                    lookup and per-CPU array counters (packets, bytes)
#   psmon N          psmon.ko, lag add bond0, N prefixes per family
#   psmon 500 xL     the same with L LAGs registered (one prefix table per
#                    namespace in psmon: each LAG counts every prefix)
#   accept @ psmon N the accept-only hook again, measured just before
#                    "psmon N" (psmon's LAGs detached meanwhile, its table
#                    kept): the floor for that row ("own" in the report)
#   no hook, after   and accept, after: the floor again at the end, which
#                    shows how far one boot's figures drift over the run
#
# Environment:
#   PSMON_BENCH_COUNT   packets per pktgen run (default 100000)
#   PSMON_BENCH_OUT     the TSV file (default
#                       selftests/bench/results/vm-YYYYmmdd-HHMMSS.tsv)
#   PSMON_BENCH_SIZES   psmon table sizes (default "10 500 10000 100000")
#   PSMON_BENCH_REPEAT  runs of the repeated configurations (default 3)
#   PSMON_BENCH_DATE    the date in the file's name and header (make
#                       bench-vm passes the host's)
#   PSMON_BENCH_REV     the source revision for the header (likewise)
#
# Usage (in the VM): selftests/bench/vm_bench.sh
#        selftests/bench/vm_bench.sh --report FILE   (the table of a TSV file)

set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH_DIR/../.." && pwd)
# shellcheck source=../lib.sh
source "$BENCH_DIR/../lib.sh"

PSCTL=${PSCTL:-$TOP/tools/psctl/psctl}
PSMON_KO=${PSMON_KO:-$TOP/kmod/psmon.ko}
NFACCEPT_KO=$BENCH_DIR/nfaccept/psmon_nfaccept.ko
BPF_RX=$BENCH_DIR/bpf/lpm_tc_rx.o
BPF_TX=$BENCH_DIR/bpf/lpm_tc_tx.o
BPF_PIN=/sys/fs/bpf/tc/globals

COUNT=${PSMON_BENCH_COUNT:-100000}
SIZES=${PSMON_BENCH_SIZES:-"10 500 10000 100000"}
REPEAT=${PSMON_BENCH_REPEAT:-3}
# The guest's clock runs ahead of the host's (it jumps while the guest
# waits for the host): the host gives the date.
DATE=${PSMON_BENCH_DATE:-$(date -u +%Y%m%d-%H%M%S)}
OUT=${PSMON_BENCH_OUT:-$BENCH_DIR/results/vm-$DATE.tsv}

# The router is the initial namespace (bpffs, nft, tc and psctl without
# ip netns exec), named R for the helpers of lib.sh; the peer is P.
R=bench-r
P=
DEV=bond0-m1
PEER_DEV=bond0-p1
LAGS="bond0 bond1 bond2 bond3"

# Addresses: the link (pktgen's fixed ends) and what the peer drops.
SRC4=192.0.2.2
SRC6=2001:db8:ff::2
DST4_OUT=198.51.100.10
DST6_OUT=2001:db8:1::1
SPACE4=198.18.0.0/15
SPACE6=2001:db8:8000::/33
SPACE4_MIN=198.18.0.0
SPACE4_MAX=198.19.255.255
SPACE6_MIN=2001:db8:8000::
SPACE6_MAX=2001:db8:ffff:ffff:ffff:ffff:ffff:ffff
# IPv6 egress: pktgen's one source address, inside the space.
SRC6_OUT=2001:db8:a5a5:5a5a::1
# The frames are for another host: the receiving stack drops them in
# ip_rcv() (PACKET_OTHERHOST), after the member's hooks and the bond,
# before any route lookup.
DST_MAC=02:00:00:00:00:01

WORK=
FAILED=0

log()
{
	echo "# $*"
}

die()
{
	echo "# FATAL: $*"
	exit 1
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
	pg_reset "" 2>/dev/null
	[ -n "$P" ] && pg_reset "$P" 2>/dev/null
	cleanup_all_ns
	ip netns del "$R" 2>/dev/null
	[ -n "$WORK" ] && rm -rf "$WORK"
}

# ------------------------------------------------------------ prefixes

# gen_prefixes N: WORK/pfx-N.4 and .6, the N prefixes that tile each
# space; WORK/pfx-N.batch, their psctl batch.
gen_prefixes()
{
	python3 - "$WORK" "$1" "$SPACE4" "$SPACE6" <<-'EOF'
	import ipaddress, sys
	work, n = sys.argv[1], int(sys.argv[2])
	k = max(n - 1, 0).bit_length()		# 2^(k-1) < n <= 2^k
	out = {}
	for fam, space in (("4", sys.argv[3]), ("6", sys.argv[4])):
	    net = ipaddress.ip_network(space)
	    bits = net.max_prefixlen
	    plen = net.prefixlen + k
	    short = (1 << k) - n		# of length plen - 1, the rest plen
	    addr, res = int(net.network_address), []
	    for i in range(n):
	        l = plen - 1 if i < short else plen
	        res.append("%s/%d" % (ipaddress.ip_address(addr) if fam == "4"
	                              else ipaddress.IPv6Address(addr), l))
	        addr += 1 << (bits - l)
	    assert addr == int(net.broadcast_address) + 1
	    out[fam] = res
	    with open("%s/pfx-%d.%s" % (work, n, fam), "w") as f:
	        f.write("\n".join(res) + "\n")
	with open("%s/pfx-%d.batch" % (work, n), "w") as f:
	    for p in out["4"] + out["6"]:
	        f.write("prefix add %s allow-reserved\n" % p)
	EOF
}

# bpf_batch N: WORK/pfx-N.bpftool, the bpftool batch that fills the tries
# (slot i for the i-th IPv4 prefix, N + i for the i-th IPv6 prefix).
bpf_batch()
{
	python3 - "$WORK" "$1" "$BPF_PIN" <<-'EOF'
	import ipaddress, sys
	work, n, pin = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	def hx(b):
	    return " ".join("%02x" % x for x in b)
	with open("%s/pfx-%d.bpftool" % (work, n), "w") as f:
	    slot = 0
	    for fam in ("4", "6"):
	        for line in open("%s/pfx-%d.%s" % (work, n, fam)):
	            net = ipaddress.ip_network(line.strip())
	            key = net.prefixlen.to_bytes(4, "little") + net.network_address.packed
	            f.write("map update pinned %s/psb_lpm%s key hex %s value hex %s\n"
	                    % (pin, fam, hx(key), hx(slot.to_bytes(4, "little"))))
	            slot += 1
	EOF
}

# ------------------------------------------------------------ pktgen

# pg NS FILE CMD: write CMD to /proc/net/pktgen/FILE in namespace NS
# (the initial one when NS is empty); fails when pktgen refuses it.
pg()
{
	local ns=$1 file=/proc/net/pktgen/$2 cmd=$3

	if [ -n "$ns" ]; then
		# shellcheck disable=SC2016 # expanded by sh -c
		ip netns exec "$ns" sh -c 'echo "$1" > "$2"' sh "$cmd" "$file"
	else
		echo "$cmd" > "$file"
	fi || { echo "# pktgen refused '$cmd' ($file)"; return 1; }
}

pg_reset()
{
	pg "$1" kpktgend_0 rem_device_all
}

# pg_setup NS DEV DIR FAMILY: one pktgen device for a run.
pg_setup()
{
	local ns=$1 dev=$2 dir=$3 fam=$4 c

	pg_reset "$ns" || return 1
	pg "$ns" kpktgend_0 "add_device $dev" || return 1
	for c in "count $COUNT" "clone_skb 0" "burst 1" "delay 0" \
		 "dst_mac $DST_MAC" "udp_src_min 9" "udp_src_max 9" \
		 "udp_dst_min 9" "udp_dst_max 9"; do
		pg "$ns" "$dev" "$c" || return 1
	done
	if [ "$dir" = out ]; then
		pg "$ns" "$dev" "xmit_mode queue_xmit" || return 1
	fi
	case "$dir-$fam" in
	in-4)
		for c in "pkt_size 60" "src_min $SRC4" "src_max $SRC4" \
			 "dst_min $SPACE4_MIN" "dst_max $SPACE4_MAX" "flag IPDST_RND"; do
			pg "$ns" "$dev" "$c" || return 1
		done
		;;
	in-6)
		for c in "pkt_size 78" "src6 $SRC6" \
			 "dst6_min $SPACE6_MIN" "dst6_max $SPACE6_MAX"; do
			pg "$ns" "$dev" "$c" || return 1
		done
		;;
	out-4)
		for c in "pkt_size 60" "src_min $SPACE4_MIN" "src_max $SPACE4_MAX" \
			 "flag IPSRC_RND" "dst_min $DST4_OUT" "dst_max $DST4_OUT"; do
			pg "$ns" "$dev" "$c" || return 1
		done
		;;
	out-6)
		for c in "pkt_size 78" "src6 $SRC6_OUT" "dst6 $DST6_OUT"; do
			pg "$ns" "$dev" "$c" || return 1
		done
		;;
	esac
}

member_stat()
{
	cat "/sys/class/net/$DEV/statistics/$1"
}

# Packets the backlog of the (only) CPU dropped: second column, hex.
softnet_dropped()
{
	echo $((16#$(awk 'NR == 1 { print $2 }' /proc/net/softnet_stat)))
}

# member_drops: packets the member or the backlog dropped so far (a veth
# counts the drops of its pair's transmissions as its own rx_dropped).
member_drops()
{
	echo $(( $(member_stat rx_dropped) + $(member_stat tx_dropped) +
		 $(softnet_dropped) ))
}

# measure CONFIG DIR FAMILY [REP]: one pktgen run of COUNT packets through
# bond0-m1; appends "CONFIG DIR FAMILY REP pps instr/packet" to the TSV.
measure()
{
	local cfg=$1 dir=$2 fam=$3 rep=${4:-1} ns dev stat before after drops
	local res usec sent ipp pps

	if [ "$dir" = in ]; then
		ns=$P dev=$PEER_DEV stat=rx_packets
	else
		ns='' dev=$DEV stat=tx_packets
	fi
	pg_setup "$ns" "$dev" "$dir" "$fam" || return 1
	before=$(member_stat "$stat")
	drops=$(member_drops)
	pg "$ns" pgctrl start || return 1
	after=$(member_stat "$stat")
	drops=$(( $(member_drops) - drops ))
	if [ -n "$ns" ]; then
		res=$(ip netns exec "$ns" cat "/proc/net/pktgen/$dev")
	else
		res=$(cat "/proc/net/pktgen/$dev")
	fi
	# Result: OK: 2118013(c2117942+d71) usec, 100000 (60byte,0frags)
	read -r usec sent < <(echo "$res" |
		sed -n 's/^Result: OK: \([0-9]*\)(.*) usec, \([0-9]*\) (.*/\1 \2/p')
	if [ -z "${usec:-}" ] || [ "$sent" != "$COUNT" ]; then
		echo "# $cfg $dir IPv$fam: pktgen did not finish:"
		printf '#   %s\n' "${res//$'\n'/$'\n'#   }"
		return 1
	fi
	# Every packet crossed the member. LACPDUs cross too: while the shell
	# waits for the files it reads from the host, the guest clock jumps
	# to the next timer.
	if [ $((after - before)) -lt "$COUNT" ] || [ "$drops" -ne 0 ]; then
		echo "# $cfg $dir IPv$fam: $((after - before)) packets crossed $DEV" \
		     "($stat), $drops dropped"
		return 1
	fi
	ipp=$(awk -v u="$usec" -v n="$sent" 'BEGIN { printf "%.2f", u * 250 / n }')
	pps=$(awk -v u="$usec" -v n="$sent" 'BEGIN { printf "%.0f", n * 1e6 / u }')
	printf '%s\t%s\tIPv%s\t%s\t%s\t%s\n' "$cfg" "$dir" "$fam" "$rep" "$pps" "$ipp" >> "$OUT"
	printf '# %-16s %-3s IPv%s run %s: %8s pps %9s instr/packet\n' \
		"$cfg" "$dir" "$fam" "$rep" "$pps" "$ipp"
}

# measure_all CONFIG [COMBINATIONS]: measure CONFIG for each of
# COMBINATIONS (default: ingress and egress, IPv4 and IPv6).
measure_all()
{
	local cfg=$1 combos=${2:-"in-4 in-6 out-4 out-6"} c

	for c in $combos; do
		if ! measure "$cfg" "${c%-*}" "${c#*-}"; then
			FAILED=1
		fi
	done
}

# floor_next_to CONFIG: measure the accept-only hook as "accept @ CONFIG",
# just before CONFIG: the LAGs in ATTACHED are detached meanwhile (no
# psmon hook on the member), the module and its table stay.
floor_next_to()
{
	local lag

	for lag in $ATTACHED; do
		pc lag del "$lag" || return 1
	done
	insmod "$NFACCEPT_KO" dev="$DEV" ingress=1 egress=1 || return 1
	measure_all "accept @ $1"
	rmmod psmon_nfaccept || return 1
	for lag in $ATTACHED; do
		pc lag add "$lag" || return 1
	done
}

# ------------------------------------------------------------ configurations

topology()
{
	local lag

	setup_ns P || return 1
	ip netns attach "$R" 1 || return 1
	quiet_ns "$R" "$P" || return 1
	for lag in $LAGS; do
		make_lag "$R" "$P" "$lag" 2 || return 1
	done
	ip addr add 192.0.2.1/28 dev bond0 &&
	ip addr add 2001:db8:ff::1/64 dev bond0 nodad &&
	ip route add blackhole "$SPACE4" &&
	ip -6 route add blackhole "$SPACE6" || return 1
	ip -n "$P" -batch - <<-EOF
	addr add $SRC4/28 dev bond0
	addr add $SRC6/64 dev bond0 nodad
	route add blackhole ${DST4_OUT%.*}.0/24
	route add blackhole ${DST6_OUT%::*}::/48
	EOF
}

nft_empty()
{
	nft -f - <<-EOF
	table netdev bench {
		chain in {
			type filter hook ingress device "$DEV" priority 0;
		}
		chain out {
			type filter hook egress device "$DEV" priority 0;
		}
	}
	EOF
}

nft_set()
{
	{
		echo "table netdev bench {"
		echo "	set p4 { type ipv4_addr; flags interval; counter; elements = {"
		sed 's/$/,/' "$WORK/pfx-500.4"
		echo "	} }"
		echo "	set p6 { type ipv6_addr; flags interval; counter; elements = {"
		sed 's/$/,/' "$WORK/pfx-500.6"
		echo "	} }"
		echo "	chain in {"
		echo "		type filter hook ingress device \"$DEV\" priority 0;"
		echo "		ip daddr @p4"
		echo "		ip6 daddr @p6"
		echo "	}"
		echo "	chain out {"
		echo "		type filter hook egress device \"$DEV\" priority 0;"
		echo "		ip saddr @p4"
		echo "		ip6 saddr @p6"
		echo "	}"
		echo "}"
	} > "$WORK/nft-set.conf"
	nft -f "$WORK/nft-set.conf"
}

# nft_set_packets: the packets the elements of both sets counted.
nft_set_packets()
{
	nft list table netdev bench |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) }
		     END { print s + 0 }'
}

bpf_load()
{
	tc qdisc add dev "$DEV" clsact &&
	tc filter add dev "$DEV" ingress bpf da obj "$BPF_RX" sec tc &&
	tc filter add dev "$DEV" egress bpf da obj "$BPF_TX" sec tc &&
	bpf_batch 500 &&
	bpftool batch file "$WORK/pfx-500.bpftool" >/dev/null
}

bpf_unload()
{
	tc qdisc del dev "$DEV" clsact
	rm -f "$BPF_PIN"/psb_lpm4 "$BPF_PIN"/psb_lpm6 "$BPF_PIN"/psb_ctr
}

# bpf_unmatched: the packets the classifiers found in no prefix (the
# last slot of psb_ctr, summed over the CPUs).
bpf_unmatched()
{
	bpftool -j map lookup pinned "$BPF_PIN/psb_ctr" key 0 0 2 0 |
		python3 -c '
import json, sys
v = json.load(sys.stdin)
print(sum(c["value"]["packets"] for c in v["formatted"]["values"]))'
}

pc()
{
	"$PSCTL" "$@"
}

# psmon_table N: replace psmon's prefixes by the table of N per family.
psmon_table()
{
	local t0

	[ -f "$WORK/pfx-$1.batch" ] || gen_prefixes "$1" || return 1
	t0=$(now_ms)
	pc prefix flush >/dev/null && pc -b "$WORK/pfx-$1.batch" >/dev/null || return 1
	log "psmon: $(( 2 * $1 )) prefixes loaded in $(( $(now_ms) - t0 )) ms (guest time)"
}

# psmon_check_unmatched: psmon found every packet in a prefix.
psmon_check_unmatched()
{
	local u

	u=$(pc -j lag show bond0 | python3 -c '
import json, sys
l = json.load(sys.stdin)[0]
print(l["unmatched_rx_packets"], l["unmatched_tx_packets"])') || return 1
	if [ "$u" != "0 0" ]; then
		echo "# psmon: unmatched rx, tx packets on bond0: $u"
		return 1
	fi
}

# ------------------------------------------------------------ report

report()
{
	awk -F'\t' '
	/^#/ || $1 == "config" { next }
	{
		key = $1 SUBSEP $2 SUBSEP $3
		if (!(key in n)) {
			order[++keys] = key
			lo[key] = hi[key] = $6
		}
		n[key]++; sum[key] += $6; runs[key] = runs[key] " " $6
		if ($6 < lo[key]) lo[key] = $6
		if ($6 > hi[key]) hi[key] = $6
	}
	function ipp(cfg, d, f,   k) {
		k = cfg SUBSEP d SUBSEP f
		return k in n ? sum[k] / n[k] : ""
	}
	function diff(a, b) { return b == "" ? "-" : sprintf("%+.0f", a - b) }
	function ratio(a, b) { return b == "" ? "-" : sprintf("%.3f", b / a) }
	END {
		printf "%-22s %-4s %-5s %7s %9s %8s %8s %8s %8s %8s %8s %8s\n", "config", \
			"dir", "fam", "pps", "instr/pk", "+nohook", "+accept", "own", \
			"+acc.end", "/nohook", "/nftset", "/bpf"
		for (i = 1; i <= keys; i++) {
			split(order[i], k, SUBSEP)
			a = sum[order[i]] / n[order[i]]
			printf "%-22s %-4s %-5s %7.0f %9.1f %8s %8s %8s %8s %8s %8s %8s\n", \
				k[1], k[2], k[3], 1e9 / (4 * a), a, \
				diff(a, ipp("no hook", k[2], k[3])), \
				diff(a, ipp("accept", k[2], k[3])), \
				diff(a, ipp("accept @ " k[1], k[2], k[3])), \
				diff(a, ipp("accept, after", k[2], k[3])), \
				ratio(a, ipp("no hook", k[2], k[3])), \
				ratio(a, ipp("nft set 500", k[2], k[3])), \
				ratio(a, ipp("tc bpf 500", k[2], k[3]))
		}
		print ""
		print "instr/pk: guest instructions per packet (the mean of the runs);"
		print "+nohook, +accept: more than with no hook, than with the accept-only hook;"
		print "own: more than the accept-only hook measured just before this row (accept @ ...);"
		print "+acc.end: more than with the accept-only hook measured again at the end;"
		print "/nohook, /nftset, /bpf: packet rate relative to that configuration'"'"'s."
		for (i = 1; i <= keys; i++) {
			if (n[order[i]] < 2)
				continue
			split(order[i], k, SUBSEP)
			printf "repeatability, %s %s %s: %d runs,%s instr/packet; spread %.1f (%.3f%%)\n", \
				k[1], k[2], k[3], n[order[i]], runs[order[i]], \
				hi[order[i]] - lo[order[i]], \
				100 * (hi[order[i]] - lo[order[i]]) * n[order[i]] / sum[order[i]]
		}
	}' "$OUT"
}

# ------------------------------------------------------------ main

if [ "${1:-}" = --report ]; then
	OUT=${2:?usage: $0 --report FILE}
	report
	exit
fi

require_root
require_cmd ip tc nft bpftool python3 awk
require_module bonding veth pktgen
for f in "$PSCTL" "$PSMON_KO" "$NFACCEPT_KO" "$BPF_RX" "$BPF_TX"; do
	[ -r "$f" ] || die "$f is missing (make bench builds it)"
done
[ -d /sys/module/psmon ] && die "psmon is loaded already"
if ! grep -q -w icount /proc/cmdline && [ "$(nproc)" != 1 ]; then
	log "warning: $(nproc) CPUs; the figures assume one CPU under -icount"
fi

trap cleanup EXIT
WORK=$(mktemp -d)
mkdir -p "$(dirname "$OUT")" || die "cannot create $(dirname "$OUT")"
{
	echo "# psmon per-packet cost (selftests/bench/vm_bench.sh), $DATE UTC"
	echo "# kernel $(uname -r), harness source" \
	     "${PSMON_BENCH_REV:-$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)}"
	echo "# module $PSMON_KO: psmon $(modinfo -F version "$PSMON_KO" 2>/dev/null)," \
	     "srcversion $(modinfo -F srcversion "$PSMON_KO" 2>/dev/null)"
	echo "# $COUNT packets a run; instr_per_packet = 1e9 / (pps * 4) under qemu -icount shift=2"
	printf 'config\tdir\tfamily\trun\tpps\tinstr_per_packet\n'
} > "$OUT"

t_start=$(now_ms)
topology || die "cannot build the topology"
log "topology up after $(( $(now_ms) - t_start )) ms"
gen_prefixes 500 || die "cannot generate the prefixes"

# Warm-up (first allocations, neighbour state), not reported.
measure warmup in 4 >/dev/null || die "pktgen does not run"
sed -i '/^warmup\t/d' "$OUT"

for rep in $(seq 1 "$REPEAT"); do
	measure "no hook" in 4 "$rep" || FAILED=1
done
measure_all "no hook" "in-6 out-4 out-6"

insmod "$NFACCEPT_KO" dev="$DEV" ingress=1 egress=1 || die "cannot load psmon_nfaccept.ko"
measure_all accept
rmmod psmon_nfaccept || die "cannot unload psmon_nfaccept"

nft_empty || die "nft: cannot add the empty chains"
measure_all "nft empty"
nft delete table netdev bench

nft_set || die "nft: cannot add the sets"
measure_all "nft set 500"
n=$(nft_set_packets)
[ "$n" -ge $((4 * COUNT)) ] || { log "nft sets counted $n packets, want $((4 * COUNT))"; FAILED=1; }
nft delete table netdev bench

bpf_load || die "cannot load the BPF classifiers"
measure_all "tc bpf 500"
n=$(bpf_unmatched) || n='?'
[ "$n" = 0 ] || { log "tc bpf: $n packets matched no prefix"; FAILED=1; }
bpf_unload

insmod "$PSMON_KO" max_prefixes=262144 || die "cannot load psmon.ko"
pc lag add bond0 || die "psctl lag add bond0 failed"
ATTACHED=bond0
for n in $SIZES; do
	psmon_table "$n" || die "cannot load $n prefixes"
	floor_next_to "psmon $n" || die "cannot measure the floor next to psmon $n"
	measure_all "psmon $n"
	if [ "$n" = 500 ]; then
		for rep in $(seq 2 "$REPEAT"); do
			measure "psmon 500" in 4 "$rep" || FAILED=1
		done
	fi
	psmon_check_unmatched || FAILED=1
done
psmon_table 500 || die "cannot load 500 prefixes"
pc lag add bond1 || die "psctl lag add bond1 failed"
ATTACHED="bond0 bond1"
floor_next_to "psmon 500 x2" || die "cannot measure the floor next to psmon 500 x2"
measure_all "psmon 500 x2"
for lag in bond2 bond3; do
	pc lag add "$lag" || die "psctl lag add $lag failed"
done
ATTACHED=$LAGS
floor_next_to "psmon 500 x4" || die "cannot measure the floor next to psmon 500 x4"
measure_all "psmon 500 x4"
psmon_check_unmatched || FAILED=1
for lag in $LAGS; do
	pc lag del "$lag"
done
rmmod psmon || die "cannot unload psmon"

# The floor once more at the end: how far the figures of one boot drift
# between its first and last measurements (psmon's rows lie in between).
measure "no hook, after" in 4 || FAILED=1
insmod "$NFACCEPT_KO" dev="$DEV" ingress=1 egress=1 || die "cannot load psmon_nfaccept.ko"
measure_all "accept, after"
rmmod psmon_nfaccept || die "cannot unload psmon_nfaccept"

log "all measurements took $(( $(now_ms) - t_start )) ms of guest time"
echo
report | tee "$OUT.txt"
log "results: $OUT (table: $OUT.txt)"
dmesg_check "kernel log" || FAILED=1
exit "$FAILED"
