#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon on a shared router: what any user can send or ask cannot fault the
# kernel, inflate the counts or exhaust memory; a device is counted in one
# LAG only; malformed requests are refused; large replies fit.
#
#   GSO:     R: d0 (dummy, a one-member LAG), 198.51.100.0/24 registered;
#            psmon_gsosend.py sends DODGY TCP super-packets out of d0,
#            as root and as nobody in a user and network namespace of its
#            own (unshare -Urn)
#   budget:  a user namespace with max_memory_mb reached
#   absorb:  R: r1 <-veth-> P: p1, bond0 (active-backup) attached in R;
#            r1 is a one-member LAG, then joins bond0 (and the reverse)
#   replies: a bond of 120 dummies (and a 121st); 499 one-member LAGs
#
# Counter bounds of one DODGY skb of LEN bytes with GSO_SIZE segments:
# its real headers are H = 14 + 20 + 20 bytes, so real segmentation puts
# at most ceil((LEN - H) / min(GSO_SIZE, MTU - 40)) frames on the wire,
# each with a copy of H, and no frame is larger than MTU + 14 (+ 4 with a
# tag).

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

GSOSEND="$NET_DIR/psmon_gsosend.py"
GENL="$NET_DIR/psmon_genl.py"
N=$PING_COUNT
WORK=

cleanup()
{
	cleanup_all_ns
	[ -n "$WORK" ] && rm -rf "$WORK"
}

# prefix_tx JSON_FILE PREFIX: "tx_packets tx_bytes" of PREFIX.
prefix_tx()
{
	python3 - "$1" "$2" <<-'EOF'
	import json, sys
	for p in json.load(open(sys.argv[1])):
	    if p["prefix"] == sys.argv[2]:
	        print(p["tx_packets"], p["tx_bytes"])
	EOF
}

# check_gso_bounds WHAT COUNT LEN GSO_SIZE MTU "PACKETS BYTES"
check_gso_bounds()
{
	local what=$1 count=$2 len=$3 gso=$4 mtu=$5 pkts bytes mss segs

	read -r pkts bytes <<<"$6"
	mss=$(( gso < mtu - 40 ? gso : mtu - 40 ))
	segs=$(( (len - 54 + mss - 1) / mss ))
	echo "# $what: $count sends of $len bytes, gso_size $gso: counted $pkts frames, $bytes bytes"
	check_range "$what: frames" "$pkts" 1 $(( count * segs )) &&
	check_le "$what: bytes" "$bytes" $(( count * (len + (segs - 1) * 54) )) &&
	check_le "$what: bytes per frame" $(( bytes / pkts )) $(( mtu + 14 + 4 ))
}

# gso_run: in the current namespace (root or a user namespace), attach d0
# and send crafted frames; print the prefix's tx counters for each case.
# Used as "psmon_safety.sh gso-run" too (inside unshare).
gso_run()
{
	local state count=20

	state=$(mktemp -d) || return 1
	export PSMON_STATE_DIR=$state
	ip link add d0 type dummy && ip link set d0 mtu 1500 up &&
	ip addr add 192.0.2.1/28 dev d0 &&
	"$PSCTL" lag add d0 &&
	"$PSCTL" prefix add 198.51.100.0/24 allow-reserved || return 1
	# The attack from the report: a tiny gso_size, the checksum start
	# half way in (taken for the transport header).
	python3 "$GSOSEND" d0 198.51.100.1 192.0.2.2 $count 60000 8 30000 >/dev/null
	"$PSCTL" -j -s prefix show >"$state/a.json" || return 1
	echo "A $(prefix_tx "$state/a.json" 198.51.100.0/24)"
	"$PSCTL" prefix del 198.51.100.0/24 &&
	"$PSCTL" prefix add 198.51.100.0/24 allow-reserved || return 1
	# A gso_size larger than the MTU allows.
	python3 "$GSOSEND" d0 198.51.100.1 192.0.2.2 $count 60000 9000 >/dev/null
	"$PSCTL" -j -s prefix show >"$state/b.json" || return 1
	echo "B $(prefix_tx "$state/b.json" 198.51.100.0/24)"
	rm -rf "$state"
}

gso_check()
{
	local out=$1 who=$2

	assert check_gso_bounds "$who, gso_size 8, checksum start 30000" 20 60000 8 1500 \
		"$(sed -n 's/^A //p' <<<"$out")"
	assert check_gso_bounds "$who, gso_size 9000" 20 60000 9000 1500 \
		"$(sed -n 's/^B //p' <<<"$out")"
}

test_gso_root()
{
	local out

	assert setup_ns R
	out=$(ip netns exec "$R" "$0" gso-run) || assert false
	gso_check "$out" root
}

nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$@"
}

test_gso_userns()
{
	local out

	out=$(nobody unshare -Urn "$0" gso-run) || assert false
	gso_check "$out" "nobody in unshare -Urn"
}

# util_saturated NS DEV: DEV's LAG shows a utilisation of 100% or more.
util_saturated()
{
	local util

	util=$(jget "$1" "lag show" dev="$2" utilization_pct) || return 1
	echo "$util"
	python3 -c "import sys; sys.exit(0 if float('$util') >= 100 else 1)"
}

# A LAG of capacity 1 bit/s fed the largest rate a sender can make: the
# utilisation saturates, nothing faults.
test_capacity_one()
{
	local util sender rc=0

	assert setup_ns R
	assert ip -n "$R" link add d0 type dummy
	assert ip -n "$R" link set d0 up
	assert pc "$R" lag add d0 capacity 1bit window 2
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	# Rates come from the interface counters: the crafted GSO sends
	# exercise the hook, plain frames (which the dummy device counts)
	# make the rate. They go on until the utilisation is read, so that
	# the 2 s window holds some however slow the kernel (a debug one).
	(
		for _ in $(seq 60); do
			ip netns exec "$R" python3 "$GSOSEND" d0 198.51.100.1 192.0.2.2 200 65000 8 32000 >/dev/null
			ip netns exec "$R" python3 "$NET_DIR/psmon_rawsend.py" d0 \
				ff:ff:ff:ff:ff:ff 100 198.51.100.1 192.0.2.2 200 1000
		done
	) &
	sender=$!
	util=$(busywait 60000 util_saturated "$R" d0) || rc=1
	kill "$sender" 2>/dev/null
	wait "$sender" 2>/dev/null
	tap_diag "capacity 1 bit/s: utilisation ${util}%"
	assert [ "$rc" -eq 0 ]
	assert pc "$R" -j lag show >/dev/null
}

# budget_run: as nobody in a user namespace, attach 4 LAGs and add prefixes
# until the module-wide budget refuses.
budget_run()
{
	local state k f

	state=$(mktemp -d) || return 1
	export PSMON_STATE_DIR=$state
	for k in 0 1 2 3; do
		ip link add "d$k" type dummy && "$PSCTL" lag add "d$k" || return 1
	done
	f=$state/batch
	python3 -c '
for i in range(60000):
    print("prefix add 198.%d.%d.%d/32 allow-reserved" % (18 + (i >> 16), (i >> 8) & 255, i & 255))
' >"$f"
	"$PSCTL" -b "$f" 2>"$state/err"
	echo "status $?"
	echo "registered $("$PSCTL" prefix show | wc -l)"
	echo "message $(head -n 1 "$state/err")"
	# With the budget reached, a removal and an add of the same prefix at
	# once: the add waits for the removed prefix's memory and succeeds,
	# and its ack carries no message. (Another prefix could need a
	# larger table than the removal gave back, and be refused.)
	python3 "$GENL" del-add 198.18.0.0/32 198.18.0.0/32 && echo "del-add ok"
	# Everything removed gives the memory back.
	"$PSCTL" prefix flush || return 1
	sleep 1
	"$PSCTL" prefix add 203.0.113.0/24 allow-reserved && echo "after flush ok"
	rm -rf "$state"
}

test_budget_userns()
{
	local out n

	assert psmon_reload max_lags=500 max_memory_mb=8
	out=$(nobody unshare -Urn "$0" budget-run) || assert false
	echo "$out" | sed 's/^/# /'
	assert grep -q "^status 2$" <<<"$out"
	assert grep -q "memory budget reached (module parameter max_memory_mb)" <<<"$out"
	n=$(sed -n 's/^registered //p' <<<"$out")
	# 8 MiB: a prefix costs its entry and 4 x 32 B x CPUs of counters.
	assert check_range "prefixes registered under an 8 MiB budget" "$n" 1000 59999
	assert grep -q "^del-add ok$" <<<"$out"
	assert grep -q "^after flush ok$" <<<"$out"
	assert psmon_reload max_lags=500
}

# absorb_setup: R and P joined by r1 <-veth-> p1; bond0 in R.
absorb_setup()
{
	setup_ns R P || return 1
	ip netns exec "$R" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null &&
	ip netns exec "$P" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
	ip -n "$R" -batch - <<-EOF || return 1
	link add bond0 type bond mode active-backup miimon 100
	link add r1 type veth peer name p1 netns $P
	link set r1 up
	link set bond0 up
	EOF
	ip -n "$P" link set p1 up && ip -n "$R" addr add 198.51.100.10/32 dev lo
}

# absorb_traffic: address bond0 (r1 is its member), ping N times, check
# every count once.
absorb_traffic()
{
	psmon_link "$R" bond0 192.0.2.1 - "$P" p1 192.0.2.2 - || return 1
	ip -n "$P" route add 198.51.100.0/24 via 192.0.2.1 || return 1
	busywait 5000 link_up_in "$R" bond0 || return 1
	psmon_ping "$P" "$N" 198.51.100.10 || return 1
	check_eq "LAGs" "$(jget "$R" "lag show" '*' dev | tr '\n' ' ')" "bond0 " &&
	check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4)) bond0 &&
	check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
}

# r1 attached alone, then enslaved into the attached bond0.
test_absorb_enslave()
{
	local mon

	assert absorb_setup
	assert pc "$R" lag add bond0
	assert pc "$R" lag add r1
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	mon=$WORK/monitor
	ip netns exec "$R" timeout 20 "$PSCTL" -j monitor >"$mon" 2>&1 &
	sleep 1
	assert ip -n "$R" link set r1 down
	assert ip -n "$R" link set r1 master bond0
	assert ip -n "$R" link set r1 up
	assert busywait 5000 grep -q '"absorbed"' "$mon"
	assert grep -q '"lag": *"r1"' "$mon"
	assert absorb_traffic
	assert dmesg | grep -q "r1: psmon: joined bond0"
}

# r1 attached alone, enslaved into bond0, then bond0 attached.
test_absorb_attach()
{
	assert absorb_setup
	assert pc "$R" lag add r1
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	assert ip -n "$R" link set r1 down
	assert ip -n "$R" link set r1 master bond0
	assert ip -n "$R" link set r1 up
	assert check_eq "LAGs before" "$(jget "$R" "lag show" '*' dev | tr '\n' ' ')" "r1 "
	assert pc "$R" lag add bond0
	assert absorb_traffic
}

test_strict()
{
	assert setup_ns R
	assert ip -n "$R" link add d0 type dummy
	assert pc "$R" lag add d0
	assert ip netns exec "$R" python3 "$GENL" strict
	assert check_eq "prefixes" "$(jget "$R" "prefix show" '#')" 0
}

# A bond of 120 members (the most a LAG counts), and a prefix on 500 LAGs
# (the largest max_lags): each read back whole.  A bond of 121 cannot be
# attached, and a 121st member joining is not counted.
test_large_replies()
{
	local k members

	assert setup_ns R
	{
		echo "link add bond0 type bond mode active-backup"
		for k in $(seq 1 121); do
			echo "link add m$k type dummy"
			echo "link set m$k master bond0"
		done
		for k in $(seq 1 500); do
			echo "link add s$k type dummy"
		done
	} | ip -n "$R" -batch - || assert false
	assert check_exit "lag add of a bond of 121" 2 pc "$R" lag add bond0
	assert ip -n "$R" link set m121 nomaster
	assert pc "$R" lag add bond0
	assert ip -n "$R" link set m121 master bond0
	assert dmesg | grep -q "m121 joined bond0 but cannot be counted"
	for k in $(seq 1 499); do echo "lag add s$k"; done >"$WORK/lags"
	assert pc "$R" -b "$WORK/lags"
	assert check_exit "a LAG over max_lags" 2 pc "$R" lag add s500
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	members=$(jget "$R" "lag show bond0" 0 members '#') || assert false
	assert check_eq "members of bond0 (lag get)" "$members" 120
	members=$(jget "$R" "lag show" dev=bond0 members '#') || assert false
	assert check_eq "members of bond0 (dump)" "$members" 120
	assert check_eq "LAGs (dump)" "$(jget "$R" "lag show" '#')" 500
	assert check_eq "LAGs of the prefix (prefix get)" \
		"$(jget "$R" "-s prefix show 198.51.100.0/24" 0 lags '#')" 500
	assert check_eq "LAGs of the prefix (dump)" \
		"$(jget "$R" "-s prefix show" 0 lags '#')" 500
}

# LAGs attached between two chunks of a prefix dump, enough to make a
# prefix's message larger than the chunks sized at the dump's start: the
# rest of the dump carries every LAG, nothing is refused.
test_prefix_dump_grow()
{
	local k lags=()

	assert setup_ns R
	for k in $(seq 1 450); do
		lags+=("$(printf 'psmon-lag-%04d' "$k")")
	done
	{
		echo "link add d0 type dummy"
		for k in "${lags[@]}"; do echo "link add $k type dummy"; done
	} | ip -n "$R" -batch - || assert false
	assert pc "$R" lag add d0
	# Enough prefixes for two chunks, and some after them.
	python3 -c 'for i in range(1000): print("prefix add 198.18.%d.%d/32 allow-reserved" % (i >> 8, i & 255))' \
		>"$WORK/prefixes"
	assert pc "$R" -b "$WORK/prefixes"
	assert ip netns exec "$R" python3 "$GENL" dump-grow 1000 "${lags[@]}"
}

# A LAG removed between two chunks of a LAG dump: no other one skipped.
test_lag_dump_resume()
{
	local k victim

	assert setup_ns R
	for k in $(seq 1 200); do echo "link add s$k type dummy"; done |
		ip -n "$R" -batch - || assert false
	for k in $(seq 1 200); do echo "lag add s$k"; done >"$WORK/lags"
	assert pc "$R" -b "$WORK/lags"
	victim=$(ip -n "$R" -o link show s3 | cut -d: -f1)
	assert ip netns exec "$R" python3 "$GENL" lag-dump-resume "$victim"
}

case "${1:-}" in
gso-run) gso_run; exit $? ;;
budget-run) budget_run; exit $? ;;
esac

psmon_require
require_cmd setpriv unshare
require_module dummy
trap cleanup EXIT
WORK=$(mktemp -d)
chmod 755 "$WORK"

tap_plan 13
dmesg_mark
tap_check "load psmon.ko" psmon_load max_lags=500
psmon_json_start

run_test "DODGY GSO as root: counts bounded by real segmentation and the MTU" test_gso_root
run_test "DODGY GSO as nobody in unshare -Urn: the same bounds" test_gso_userns
run_test "capacity 1 bit/s fed a large rate: utilisation saturates, no fault" test_capacity_one
run_test "memory budget reached in a user namespace: clear error, memory given back" test_budget_userns
run_test "one-member LAG enslaved into an attached bond: absorbed, exact counts" test_absorb_enslave
run_test "bond attached with a one-member LAG as member: absorbed, exact counts" test_absorb_attach
run_test "strict validation: reserved field, flags, other commands' attributes" test_strict
run_test "120 members and 500 LAGs read back whole; no more" test_large_replies
run_test "LAG dump resumes by key when a LAG goes between chunks" test_lag_dump_resume
run_test "prefix dump with LAGs attached between chunks: nothing refused" test_prefix_dump_grow
tap_check "unload psmon.ko" psmon_unload

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
