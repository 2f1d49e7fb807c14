#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon demo (run by `make demo` inside the test VM): a peering router with
# an 802.3ad LAG to a peer, three customer prefixes, traffic in both
# directions, and psctl showing the counters move.
#
#   ns router                                         ns msft (the peer)
#   lo: 198.51.100.10 203.0.113.10 2001:db8:100::10
#   bond0 192.0.2.1/30 --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0 192.0.2.2/30
#   2001:db8:ffff::1/64  +-- bond0-m2 <-veth-> bond0-p2 --+   2001:db8:ffff::2/64
#                      (802.3ad, lacp_rate fast)
#
# Usage: selftests/vm/run.sh -- selftests/vm/demo.sh   (as root, in a VM)

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck source=../lib.sh
source "$TOP/selftests/lib.sh"

PSCTL=$TOP/tools/psctl/psctl
PSMON_KO=$TOP/kmod/psmon.ko
R=router
P=msft
PIDS=()

say()
{
	echo
	echo "==> $*"
}

# run CMD...: show a command as typed at a prompt, then run it.
run()
{
	echo "$R# $*"
	"$@"
}

# rrun CMD...: a command in the router namespace, shown as typed there.
rrun()
{
	echo "$R# $*"
	ip netns exec "$R" "$@"
}

# psctl ARGS...: psctl in the router namespace, shown as typed there.
psctl()
{
	echo "$R# psctl $*"
	ip netns exec "$R" "$PSCTL" "$@"
}

cleanup()
{
	local pid

	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$R" 2>/dev/null
	ip netns del "$P" 2>/dev/null
	[ -n "${LOADED:-}" ] && rmmod psmon 2>/dev/null
	return 0
}

die()
{
	echo "demo: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run me as root (in the VM: selftests/vm/run.sh -- $0)"
[ -x "$PSCTL" ] || die "$PSCTL is missing: run make"
trap cleanup EXIT

say "Load the psmon kernel module"
if [ -d /sys/module/psmon ]; then
	echo "(already loaded)"
else
	[ -r "$PSMON_KO" ] || die "$PSMON_KO is missing: run make"
	run insmod "$PSMON_KO" || die "insmod failed"
	LOADED=1
fi
{ modprobe -q bonding && modprobe -q veth; } || die "bonding and veth are needed"

say "Build a peering LAG: namespace '$R' (us) and '$P' (the peer), an 802.3ad bond of two 10G veth links"
ip netns del "$R" 2>/dev/null
ip netns del "$P" 2>/dev/null
{ ip netns add "$R" && ip netns add "$P"; } || die "cannot create the namespaces"
for ns in "$R" "$P"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null
done
make_lag "$R" "$P" bond0 2 >/dev/null || die "LACP did not come up"
ip -n "$R" -br link show master bond0
ip -n "$R" -batch - <<-EOF || die "addresses"
	addr add 192.0.2.1/30 dev bond0
	addr add 2001:db8:ffff::1/64 dev bond0 nodad
	addr add 198.51.100.10/32 dev lo
	addr add 203.0.113.10/32 dev lo
	addr add 2001:db8:100::10/128 dev lo
	route add 192.0.2.128/25 via 192.0.2.2
EOF
ip -n "$P" -batch - <<-EOF || die "addresses"
	addr add 192.0.2.2/30 dev bond0
	addr add 2001:db8:ffff::2/64 dev bond0 nodad
	addr add 192.0.2.130/32 dev lo
	route add 198.51.100.0/24 via 192.0.2.1
	route add 203.0.113.0/24 via 192.0.2.1
	route add 2001:db8:100::/48 via 2001:db8:ffff::1
EOF
echo "LACP negotiated; the peer routes our customers' prefixes over bond0."

say "Attach psmon to the LAG (capacity: auto, the provisioned capacity: the sum of the member speeds)"
psctl lag add bond0 || die "lag add failed"

say "Register the customer prefixes we want to watch (documentation ranges, hence allow-reserved)"
psctl prefix add 198.51.100.0/24 name customer-a allow-reserved || die "prefix add"
psctl prefix add 203.0.113.0/24 name customer-b allow-reserved || die "prefix add"
psctl prefix add 2001:db8:100::/48 name customer-v6 allow-reserved || die "prefix add"
psctl prefix show

say "Start traffic: the peer pings customer-a (1000 bytes) and customer-v6 (300 bytes); customer-b pings the peer (500 bytes)"
ip netns exec "$P" ping -q -i 0.01 -s 1000 198.51.100.10 >/dev/null 2>&1 &
PIDS+=($!)
ip netns exec "$P" ping -q -6 -i 0.02 -s 300 2001:db8:100::10 >/dev/null 2>&1 &
PIDS+=($!)
ip netns exec "$R" ping -q -i 0.02 -s 500 -I 203.0.113.10 192.0.2.130 >/dev/null 2>&1 &
PIDS+=($!)
# Something no prefix covers: it shows as unmatched on the LAG.
ip netns exec "$P" ping -q -i 0.05 -s 64 192.0.2.1 >/dev/null 2>&1 &
PIDS+=($!)

for round in 1 2 3; do
	sleep 2
	say "Round $round of 3: the LAG and the per-prefix counters"
	psctl lag show
	echo
	psctl -s prefix show
done

export PSMON_STATE_DIR
PSMON_STATE_DIR=$(mktemp -d)
ip netns exec "$R" "$PSCTL" -j monitor > "$PSMON_STATE_DIR/events" 2>&1 &
PIDS+=($!)
echo
echo "(psctl -j monitor is listening for events)"

# field NAME: a field of bond0 in psctl -j lag show.
field()
{
	ip netns exec "$R" "$PSCTL" -j lag show bond0 |
		python3 -c "import json, sys; print(json.dumps(json.load(sys.stdin)[0][sys.argv[1]]))" "$1"
}

say "A member link fails: the capacity stays what the LAG is provisioned for; the LAG is degraded, an outage, not growth"
rrun ip link set bond0-m2 down
for _ in $(seq 20); do
	[ "$(field degraded)" = true ] && break
	sleep 0.5
done
psctl lag show bond0
rrun ip link set bond0-m2 up
for _ in $(seq 60); do
	[ "$(field degraded)" = false ] && break
	sleep 0.5
done
echo "(LACP aggregated the link again: active capacity restored)"

say "The 40% rule: pretend bond0 is a 4 Mbit/s LAG, so that this lab traffic is a large share of it"
psctl lag set bond0 capacity 4mbit window 5 || die "lag set failed"
ip netns exec "$P" ping -q -i 0.005 -s 1400 198.51.100.10 >/dev/null 2>&1 &
PIDS+=($!)
alert=
for _ in $(seq 60); do
	sleep 1
	if ip netns exec "$R" "$PSCTL" -j lag show bond0 | grep -q '"alert":true'; then
		alert=1
		break
	fi
done
[ -n "$alert" ] || die "the alert was not raised"
psctl lag show bond0

say "The events, as psctl -j monitor printed them: the outage, then the alert"
cat "$PSMON_STATE_DIR/events"

say "The augmentation deadline: 45 to 60 days from the crossing"
psctl deadline

say "What Prometheus scrapes (psctl export prometheus, run from cron)"
echo "$R# psctl export prometheus | grep -E '^psmon_lag_(alert|utilization|augmentation)'"
ip netns exec "$R" "$PSCTL" export prometheus |
	grep -E '^psmon_lag_(alert|utilization|augmentation)'

say "The same LAG as JSON, for scripts and monitoring"
psctl -j -p lag show

say "Once the LAG has been augmented: forget the crossing"
psctl lag ack bond0
psctl deadline
rm -rf "$PSMON_STATE_DIR"

say "Stop the traffic and clean up"
cleanup
PIDS=()
LOADED=
trap - EXIT
echo "Done."
