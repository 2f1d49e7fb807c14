#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Peering Service workflow: psctl check per requirement (passing and
# failing), top under a shaped flood, prefix get on nested prefixes, and
# the export at scale (100,000 prefixes on 4 LAGs, 1,000 with traffic:
# size, node_exporter scrape time, only pairs with traffic), written
# safely into a directory another user owns, and cleaned up on SIGTERM.
#
#   ROUTER (psmon)                                            PEER
#   bond0 192.0.2.1/28 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/28
#                        +-- bond0-m2 <-veth-> bond0-p2 --+
#   d1 d2 d3 (dummy: one-member LAGs)     <== ping flood, UDP to 1,000 /24s ==
#
# psctl check reads bonding's sysfs, so it runs under "ip netns exec",
# which mounts the namespace's /sys.

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

STATE=$(mktemp -d)
export PSMON_STATE_DIR=$STATE
FLOOD_PID=
NODE_PID=

cleanup()
{
	[ -n "$FLOOD_PID" ] && kill "$FLOOD_PID" 2>/dev/null
	[ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null
	cleanup_all_ns
	rm -rf "$STATE"
}

# chk [DEV]: psctl -j check in the router's namespace, into $STATE/check;
# its exit status.
chk()
{
	ip netns exec "$R" "$PSCTL" -j check "$@" > "$STATE/check" 2> "$STATE/check.err"
}

# verdict CHECK: pass, fail or unknown, from the last chk.
verdict()
{
	python3 -c 'import json, sys
c = {x["check"]: x for x in json.load(open(sys.argv[1]))[0]["checks"]}
print(c[sys.argv[2]]["result"])' "$STATE/check" "$1"
}

reason()
{
	python3 -c 'import json, sys
c = {x["check"]: x for x in json.load(open(sys.argv[1]))[0]["checks"]}
print(c[sys.argv[2]]["reason"])' "$STATE/check" "$1"
}

# expect CHECK RESULT EXIT: the last chk said RESULT for CHECK, exit EXIT.
expect()
{
	local got

	got=$(verdict "$1")
	[ "$got" = "$2" ] && [ "$CHK_RC" -eq "$3" ] && return 0
	echo "# $1: $got (exit $CHK_RC), expected $2 (exit $3): $(reason "$1")"
	return 1
}

run_chk()
{
	chk "$@"
	CHK_RC=$?
}

test_check()
{
	setup_ns R P || exit 1
	assert psmon_topo "$R" "$P"
	assert pc "$R" lag add bond0
	assert pc "$R" prefix add 8.8.8.0/24 name public

	run_chk bond0
	ip netns exec "$R" "$PSCTL" check bond0 | sed 's/^/# /'
	for c in lacp redundancy speed headroom rate-limit firewall prefixes; do
		assert expect "$c" pass 0
	done

	# Rate limiting: a tbf qdisc on a member, a policer on the master.
	assert tc -n "$R" qdisc add dev bond0-m1 root tbf rate 5gbit burst 1mb latency 10ms
	run_chk bond0
	assert expect rate-limit fail 1
	assert check_eq "reason" "$(reason rate-limit)" "bond0-m1: tbf qdisc"
	assert tc -n "$R" qdisc del dev bond0-m1 root
	assert tc -n "$R" qdisc add dev bond0 clsact
	assert tc -n "$R" filter add dev bond0 ingress matchall action police rate 1gbit burst 100k
	run_chk bond0
	assert expect rate-limit fail 1
	assert tc -n "$R" qdisc del dev bond0 clsact
	run_chk bond0
	assert expect rate-limit pass 0

	# A stateful firewall: an nftables ct rule.
	assert ip netns exec "$R" nft -f - <<-EOF2
	table inet fw {
		chain in {
			type filter hook input priority 0;
			ct state established,related accept
		}
	}
	EOF2
	run_chk bond0
	assert expect firewall fail 1
	assert ip netns exec "$R" nft delete table inet fw
	run_chk bond0
	assert expect firewall pass 0

	# Prefixes: a reserved one fails, a /25 is noted (cannot tell).
	assert pc "$R" prefix add 198.51.100.0/24 allow-reserved
	run_chk bond0
	assert expect prefixes fail 1
	reason prefixes | grep -q "198.51.100.0/24 (documentation" || exit 1
	assert pc "$R" prefix del 198.51.100.0/24
	assert pc "$R" prefix add 8.8.4.0/25
	run_chk bond0
	assert expect prefixes unknown 0
	reason prefixes | grep -q "8.8.4.0/25.*" || exit 1
	reason prefixes | grep -q "AS path must be shorter than four" || exit 1

	# A member down: redundancy, LACP and headroom fail.
	assert ip -n "$R" link set bond0-m2 down
	assert busywait 10000 member_inactive
	run_chk bond0
	ip netns exec "$R" "$PSCTL" check bond0 | sed 's/^/# /'
	assert expect redundancy fail 1
	assert check_eq "reason" "$(reason redundancy)" "inactive: bond0-m2 (down)"
	assert expect lacp fail 1
	assert expect headroom fail 1
	assert expect speed pass 1
}

member_inactive()
{
	[ "$(jget "$R" "lag show" dev=bond0 members dev=bond0-m2 active)" = false ]
}

test_check_active_backup()
{
	setup_ns R P || exit 1
	assert quiet_ns "$R" "$P"
	assert make_lag "$R" "$P" bond0 2 active-backup
	assert pc "$R" lag add bond0
	run_chk bond0
	ip netns exec "$R" "$PSCTL" check bond0 | sed 's/^/# /'
	assert expect lacp fail 1
	assert check_eq "reason" "$(reason lacp)" "bond mode active-backup, not 802.3ad (LACP)"
	assert expect redundancy fail 1
	reason redundancy | grep -q "(backup)" || exit 1
	assert expect speed pass 1
}

test_top_get()
{
	local out

	setup_ns R P || exit 1
	assert psmon_topo "$R" "$P"
	assert pc "$R" lag add bond0
	assert pc "$R" prefix add 198.51.100.0/24 name wide allow-reserved
	assert pc "$R" prefix add 198.51.100.128/25 name busy allow-reserved
	assert pc "$R" prefix add 203.0.113.0/24 name slow allow-reserved

	# prefix get on nested prefixes.
	assert check_eq "get /25" "$(pc "$R" prefix get 198.51.100.130)" \
		"198.51.100.130 via 198.51.100.128/25 name busy"
	assert check_eq "get /24" "$(pc "$R" -j prefix get 198.51.100.10)" \
		'[{"address":"198.51.100.10","prefix":"198.51.100.0/24","name":"wide"}]'
	assert check_exit "get: no match" 2 pc "$R" prefix get 192.0.2.99

	# 2 Mbit/s to the /25, a trickle to 203.0.113.1.
	assert flood_start "$P" 198.51.100.130 100000 2mbit
	ip netns exec "$P" ping -q -n -i 0.2 -s 100 203.0.113.1 >/dev/null 2>&1 &
	local slow=$!
	sleep 2
	out=$(pc "$R" -j top bond0 interval 3 count 5)
	pc "$R" top bond0 interval 3 | sed 's/^/# /'
	kill $slow
	flood_stop
	echo "$out" | python3 -c '
import json, sys
t = json.load(sys.stdin)
p = t[0]["prefixes"]
print("# top: %s" % [(x["prefix"], x["rx_bps"]) for x in p])
assert p[0]["prefix"] == "198.51.100.128/25" and p[0]["name"] == "busy", p
# The flood is shaped to 2 Mbit/s at the peer (IP bytes); frames are a bit more.
assert 1.4e6 <= p[0]["rx_bps"] <= 2.6e6, p[0]
assert p[0]["rx_capacity_pct"] < 0.02
assert p[1]["prefix"] == "203.0.113.0/24" and p[1]["rx_bps"] < 2e5, p
assert all(x["prefix"] != "198.51.100.0/24" for x in p), p
' || exit 1
}

# gen_prefixes FILE: a batch of 100,000 /24s from 20.0.0.0 on, named.
gen_prefixes()
{
	python3 - > "$1" <<-'PY'
	for i in range(100000):
	    print("prefix add %d.%d.%d.0/24 name customer-%06d" % (20 + i // 65536, (i // 256) % 256, i % 256, i))
	PY
}

test_export()
{
	local f=$STATE/prefixes.batch dir=$STATE/textfile size t0 t1 st

	setup_ns R P || exit 1
	assert psmon_topo "$R" "$P"
	for d in d1 d2 d3; do
		assert ip -n "$R" link add "$d" type dummy
		assert ip -n "$R" link set "$d" up
	done
	for d in bond0 d1 d2 d3; do assert pc "$R" lag add "$d"; done
	assert gen_prefixes "$f"
	t0=$(now_ms)
	assert pc "$R" -b "$f"
	t1=$(now_ms)
	tap_diag "info: 100,000 prefixes registered in $((t1 - t0)) ms"

	# One UDP datagram to an address in each of the first 1,000 prefixes.
	assert ip -n "$P" route add 20.0.0.0/8 via 192.0.2.1
	ip netns exec "$P" python3 - <<-'PY' || exit 1
	import socket
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	for i in range(1000):
	    s.sendto(b"psmon", ("%d.%d.%d.1" % (20 + i // 65536, (i // 256) % 256, i % 256), 9))
	PY
	sleep 1

	# The export directory belongs to another user (as Debian's
	# /var/lib/prometheus/node-exporter belongs to prometheus), who
	# planted a symlink as the export's name.
	chmod 711 "$STATE" && mkdir -p "$dir" && chown nobody "$dir" || exit 1
	echo secret > "$STATE/victim"
	assert setpriv --reuid=nobody --regid=nogroup --clear-groups \
		ln -s "$STATE/victim" "$dir/psmon.prom"
	t0=$(now_ms)
	assert pc "$R" export prometheus "$dir/psmon.prom"
	t1=$(now_ms)
	assert check_eq "victim untouched" "$(cat "$STATE/victim")" secret
	[ -f "$dir/psmon.prom" ] && [ ! -L "$dir/psmon.prom" ] || { echo "# not a regular file"; exit 1; }
	assert check_eq "owner" "$(stat -c %U "$dir/psmon.prom")" root
	size=$(stat -c %s "$dir/psmon.prom")
	tap_diag "info: export of 100,000 prefixes x 4 LAGs, 1,000 with traffic: $size bytes, $(wc -l < "$dir/psmon.prom") lines, $((t1 - t0)) ms"
	assert check_le "export size" "$size" 2000000
	assert check_eq "info series" "$(grep -c '^psmon_prefix_info{' "$dir/psmon.prom")" 1000
	assert check_eq "rx bytes series: bond0 only" \
		"$(grep -c '^psmon_prefix_receive_bytes_total{.*lag="bond0"[,}]' "$dir/psmon.prom")" 1000
	assert check_eq "no series on the LAGs without traffic" \
		"$(grep -c '^psmon_prefix_.*lag="d[123]"' "$dir/psmon.prom")" 0
	grep -q '^psmon_prefixes_registered{netns="[^"]*"} 100000$' "$dir/psmon.prom" ||
		{ echo "# psmon_prefixes_registered: $(grep '^psmon_prefixes_registered' "$dir/psmon.prom")"; exit 1; }
	# (A netns label follows: the export is from the router's namespace.)
	grep -q '^psmon_prefix_receive_packets_total{prefix="20.3.231.0/24",name="customer-000999",lag="bond0"[,}].* 1$' \
		"$dir/psmon.prom" || { echo "# no counter for customer-000999"; exit 1; }
	grep -q 'customer-001000"' "$dir/psmon.prom" && { echo "# a prefix without traffic exported"; exit 1; }

	# node_exporter serves it.
	local port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	ip link set lo up
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$dir" > "$STATE/node.log" 2>&1 &
	NODE_PID=$!
	python3 - "$port" > "$STATE/scrape" <<-'PY' || { cat "$STATE/scrape" "$STATE/node.log" | sed 's/^/# /'; exit 1; }
	import sys, time, urllib.request
	url = "http://127.0.0.1:%s/metrics" % sys.argv[1]
	for _ in range(300):
	    try:
	        urllib.request.urlopen(url, timeout=10).read()
	        break
	    except OSError:
	        time.sleep(0.1)
	else:
	    sys.exit("node_exporter did not answer")
	best = None
	for _ in range(3):
	    t = time.monotonic()
	    body = urllib.request.urlopen(url, timeout=30).read().decode()
	    t = time.monotonic() - t
	    best = t if best is None else min(best, t)
	lines = body.splitlines()
	n = sum(l.startswith("psmon_prefix_receive_bytes_total{") for l in lines)
	print("%.3f %d %s" % (best, n, "node_textfile_scrape_error 0" in lines))
	PY
	kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null; NODE_PID=
	tap_diag "info: node_exporter scrape (best of 3, TCG): $(cut -d' ' -f1 "$STATE/scrape") s"
	read -r secs n clean < "$STATE/scrape"
	assert check_eq "series served" "$n" 1000
	assert check_eq "scrape error" "$clean" True
	python3 -c "import sys; sys.exit(0 if $secs < 1 else 1)" ||
		{ echo "# scrape took $secs s"; exit 1; }

	# SIGTERM while the temporary file has a name: it goes, the old stays.
	cp "$dir/psmon.prom" "$STATE/before"
	PSCTL_NO_TMPFILE=1 "$PSCTL" -n "$R" export prometheus "$dir/psmon.prom" &
	local pid=$! seen=0
	for _ in $(seq 500); do
		[ -n "$(find "$dir" -name '.psmon.prom.*')" ] && seen=1 && break
		sleep 0.01
	done
	kill -TERM $pid; wait $pid; st=$?
	assert check_eq "a temporary file was there" "$seen" 1
	assert check_eq "killed by SIGTERM" "$st" 143
	assert check_eq "no temporary file left" "$(find "$dir" -name '.psmon.prom.*' | wc -l)" 0
	cmp -s "$STATE/before" "$dir/psmon.prom" || { echo "# the old export changed"; exit 1; }
	# And the unnamed way, under timeout(1).
	timeout -s TERM 0.3 "$PSCTL" -n "$R" export prometheus "$dir/psmon.prom"
	assert check_eq "no temporary file after timeout" "$(find "$dir" -name '.psmon.prom.*' | wc -l)" 0
}

psmon_require
require_cmd tc
require_cmd nft
require_cmd prometheus-node-exporter
require_cmd setpriv
trap cleanup EXIT

tap_plan 6
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "check: 802.3ad passes; tbf, police, nft ct, reserved, /25, member down" test_check
run_test "check: active-backup fails LACP and redundancy" test_check_active_backup
run_test "top under a shaped flood, prefix get on nested prefixes" test_top_get
run_test "export: 100,000 prefixes x 4 LAGs, 1,000 busy; symlink; SIGTERM" test_export

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
