#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon at scale: 100,000 prefixes restored with psctl -b, listed back
# exactly, and counting still exact with all of them registered.
#
#   ROUTER (psmon: lag add bond0, 100,000 prefixes)        PEER
#   lo: 198.51.100.10, 2001:db8:1::1 ...
#   bond0 192.0.2.1/28 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/28
#   2001:db8:ff::1/64    +-- bond0-m2 <-veth-> bond0-p2 --+   2001:db8:ff::2/64
#
# The prefixes: 50,000 IPv6 /48s 2001:db8:0::/48 .. 2001:db8:c34f::/48,
# 49,999 IPv4 /32s from 198.18.0.0 up (the benchmarking range), and
# 198.51.100.0/24.  Traffic goes only to documentation addresses
# (198.51.100.10 and 2001:db8:1::1, whose /48 is one of the 50,000).
# Timings are reported as "# info" lines; they are not assertions.

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

N=$PING_COUNT
TOTAL=100000
WORK=

cleanup()
{
	cleanup_all_ns
	[ -n "$WORK" ] && rm -rf "$WORK"
}

# gen_batch FILE: the batch file of the 100,000 prefixes, and FILE.list
# with the prefixes in the order psmon lists them (family, address,
# length).
gen_batch()
{
	python3 - "$1" <<-'EOF'
	import sys
	# Listed order: IPv4 by address, then IPv6 by address.
	v4 = ["198.18.%d.%d/32" % (i >> 8, i & 255) for i in range(49999)]
	v4.append("198.51.100.0/24")
	v6 = ["2001:db8:%x::/48" % i for i in range(50000)]
	v6[0] = "2001:db8::/48"
	order = v4 + v6
	# Shuffled deterministically, so that the kernel does the sorting.
	lines = ["prefix add %s name s%d allow-reserved" % (p, i)
	         for i, p in enumerate(order)]
	lines = lines[1::2] + lines[::2]
	with open(sys.argv[1], "w") as f:
	    f.write("# %d prefixes\n" % len(lines))
	    f.write("\n".join(lines) + "\n")
	with open(sys.argv[1] + ".list", "w") as f:
	    f.write("\n".join(order) + "\n")
	EOF
}

# check_list JSON LIST [IGNORE]: the JSON of prefix show lists exactly
# the prefixes of LIST, in that order, each once (prints what differs).
# Prefixes starting with IGNORE are left out of the comparison.
check_list()
{
	python3 - "$1" "$2" "${3:-}" <<-'EOF'
	import json, sys
	got = [p["prefix"] for p in json.load(open(sys.argv[1]))]
	if sys.argv[3]:
	    got = [p for p in got if not p.startswith(sys.argv[3])]
	want = open(sys.argv[2]).read().split()
	if got == want:
	    sys.exit(0)
	print("# %d listed, %d distinct, %d expected" % (len(got), len(set(got)), len(want)))
	for i, (g, w) in enumerate(zip(got, want)):
	    if g != w:
	        print("# first difference at %d: %s, expected %s" % (i, g, w))
	        break
	sys.exit(1)
	EOF
}

# churn NS STOPFILE: add and delete prefixes of 203.0.113.0/24 until
# STOPFILE exists; print the number of changes.
churn()
{
	local ns=$1 stop=$2 i=0

	while [ ! -e "$stop" ]; do
		pc "$ns" prefix add "203.0.113.$((i % 256))/32" allow-reserved || break
		pc "$ns" prefix del "203.0.113.$((i % 256))/32" || break
		i=$((i + 1))
	done
	echo "$((2 * i))"
}

test_scale()
{
	local t0 t1 f i

	assert setup_ns R P
	assert psmon_topo "$R" "$P"
	assert pc "$R" lag add bond0
	f=$WORK/prefixes.batch
	t0=$(now_ms)
	assert gen_batch "$f"
	tap_diag "info: generating $TOTAL prefixes took $(( $(now_ms) - t0 )) ms"

	t0=$(now_ms)
	assert pc "$R" -b "$f"
	t1=$(now_ms)
	tap_diag "info: psctl -b restored $TOTAL prefixes in $((t1 - t0)) ms"

	t0=$(now_ms)
	assert pc "$R" -j prefix show >"$WORK/show.json"
	t1=$(now_ms)
	tap_diag "info: psctl -j prefix show of $TOTAL prefixes took $((t1 - t0)) ms"
	assert check_list "$WORK/show.json" "$f.list"

	t0=$(now_ms)
	assert pc "$R" -j -s prefix show >"$WORK/show-s.json"
	t1=$(now_ms)
	tap_diag "info: psctl -j -s prefix show of $TOTAL prefixes took $((t1 - t0)) ms"
	assert check_list "$WORK/show-s.json" "$f.list"

	# Counting with all of them registered.
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert psmon_ping "$P" "$N" 2001:db8:1::1
	assert check_prefix "$R" 198.51.100.0/24 "$N" $((N * F4)) "$N" $((N * F4))
	assert check_prefix "$R" 2001:db8:1::/48 "$N" $((N * F6)) "$N" $((N * F6))
	assert check_eq "name of 2001:db8:1::/48" \
		"$(jget "$R" "prefix show 2001:db8:1::/48" 0 name)" s50001
	assert check_unmatched "$R" bond0 0 0 0 0
	# Every other prefix is at zero.
	assert check_eq "prefixes with traffic" "$(pc "$R" -j -s prefix show | python3 -c '
import json, sys
print(" ".join(p["prefix"] for p in json.load(sys.stdin) if p["rx_packets"] or p["tx_packets"]))
')" "198.51.100.0/24 2001:db8:1::/48"

	# One more, one fewer, and the limit of the namespace.
	t0=$(now_ms)
	assert pc "$R" prefix del 198.18.100.0/32
	t1=$(now_ms)
	tap_diag "info: prefix del with $TOTAL prefixes took $((t1 - t0)) ms"
	t0=$(now_ms)
	assert pc "$R" prefix add 198.18.100.0/32 allow-reserved
	t1=$(now_ms)
	tap_diag "info: prefix add with $TOTAL prefixes took $((t1 - t0)) ms"
	assert check_eq "prefixes" "$(jget "$R" "prefix show" '#')" "$TOTAL"

	# Counting still exact after the changes.
	assert psmon_ping "$P" "$N" 198.51.100.10
	assert check_prefix "$R" 198.51.100.0/24 $((2 * N)) $((2 * N * F4)) $((2 * N)) $((2 * N * F4))

	# Dumps while prefixes come and go: every prefix that stays is
	# listed once, in order (a dump resumes after the last prefix it
	# sent).
	churn "$R" "$WORK/stop" >"$WORK/churn" &
	for i in 1 2; do
		assert pc "$R" -j prefix show >"$WORK/show-$i.json"
		assert check_list "$WORK/show-$i.json" "$f.list" 203.0.113.
	done
	touch "$WORK/stop"
	wait
	tap_diag "info: $(cat "$WORK/churn") prefix changes during two dumps"
	assert check_ge "prefix changes during the dumps" "$(cat "$WORK/churn")" 2
	assert check_eq "prefixes" "$(jget "$R" "prefix show" '#')" "$TOTAL"
}

psmon_require
trap cleanup EXIT
WORK=$(mktemp -d)

tap_plan 3
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "$TOTAL prefixes: restore, list in order, count exactly" test_scale

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
