#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The psmon generic netlink family under psmon_nlfuzz (random, truncated,
# oversized, wrongly nested requests mixed with valid ones): every request
# is answered, nothing oopses or warns, and whoever may not change a
# namespace's LAGs and prefixes changes nothing there.
#
#   init namespace: fzinit0 (dummy, attached), prefix 10.253.0.0/16 "init"
#
#   ROUTER (R)                                   PEER (P)
#   bond0 (802.3ad) --+-- bond0-m1 <-veth-> bond0-p1 --+-- bond0
#                     +-- bond0-m2 <-veth-> bond0-p2 --+
#   (psmon_topo in psmon_lib.sh; P pings R's loopback addresses throughout
#   the root run)
#
# Runs:
#   root      in R, with bond0, its members and lo as devices, under traffic
#   nobody    setpriv to nobody, in R and in the init namespace: every
#             write refused, R's and the init namespace's state unchanged
#   userns    nobody in "unshare -Urn" (root of a new user namespace, its own
#             network namespace with a dummy it attaches): writes work
#             there, the init namespace and R are unchanged
#
# PSMON_FUZZ_REQUESTS (default 100000) requests per run (the user
# namespace run: PSMON_FUZZ_USERNS_REQUESTS, the same by default),
# PSMON_FUZZ_SEED
# (default: the time) for the first run, the next runs seed+1, seed+2...;
# the seed is printed to repeat a run.

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

FUZZ=${PSMON_NLFUZZ:-$NET_DIR/psmon_nlfuzz}
REQUESTS=${PSMON_FUZZ_REQUESTS:-100000}
USERNS_REQUESTS=${PSMON_FUZZ_USERNS_REQUESTS:-$REQUESTS}
SEED=${PSMON_FUZZ_SEED:-$(date +%s)}
INIT_DEV=fzinit0

psmon_require
require_cmd setpriv unshare
if [ ! -x "$FUZZ" ]; then
	echo "# SKIP: $FUZZ not built (make)"
	exit "$ksft_skip"
fi

cleanup()
{
	[ -n "${PING_PID:-}" ] && kill "$PING_PID" 2>/dev/null
	ip link del "$INIT_DEV" 2>/dev/null
	cleanup_all_ns
}
trap cleanup EXIT

# state [NS]: LAGs and prefixes of NS (the init namespace without NS),
# without what traffic or time moves.
state()
{
	local args=()

	[ -n "${1:-}" ] && args=(-n "$1")
	{ "$PSCTL" "${args[@]}" -j -s lag show && "$PSCTL" "${args[@]}" -j -s prefix show; } |
	python3 -c '
import json, re, sys
moving = re.compile(r"(packets|bytes|bps|util|rate_seconds|^if_|peak|alert|since|degraded|overload|event)")
def strip(v):
	if isinstance(v, dict):
		return {k: strip(x) for k, x in v.items() if not moving.search(k)}
	if isinstance(v, list):
		return [strip(x) for x in v]
	return v
for line in sys.stdin:
	print(json.dumps(strip(json.loads(line)), sort_keys=True))
'
}

# fuzz NAME SEED COUNT [RUNNER...] -- FUZZ ARGS: run the fuzzer (COUNT
# requests), its report as TAP diagnostics; fails when it does.
fuzz()
{
	local name=$1 seed=$2 count=$3 out rc=0 runner=()

	shift 3
	while [ "$1" != -- ]; do
		runner+=("$1")
		shift
	done
	shift
	out=$("${runner[@]}" "$FUZZ" -s "$seed" -n "$count" "$@" 2>&1) || rc=$?
	echo "$out" | tail -n 20 | sed "s/^/# $name: /"
	return "$rc"
}

run_root()
{
	dmesg_mark
	# Traffic over the bond while the root run attaches, changes and
	# detaches it.
	ip netns exec "$P" ping -q -i 0.01 -s 100 198.51.100.10 >/dev/null 2>&1 &
	PING_PID=$!
	fuzz root "$SEED" "$REQUESTS" ip netns exec "$R" -- -d bond0,bond0-m1,bond0-m2,lo || return 1
	kill "$PING_PID" 2>/dev/null
	wait "$PING_PID" 2>/dev/null
	PING_PID=
	dmesg_check "root run"
}

# unchanged NAME: R's and the init namespace's state are what they were
# (STATE_R, STATE_INIT).
unchanged()
{
	check_eq "$1: state of R" "$(state "$R")" "$STATE_R" &&
	check_eq "$1: state of the init namespace" "$(state)" "$STATE_INIT"
}

run_nobody()
{
	local nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)

	dmesg_mark
	STATE_R=$(state "$R") && STATE_INIT=$(state) || return 1
	fuzz "nobody in R" $((SEED + 1)) "$REQUESTS" ip netns exec "$R" "${nobody[@]}" -- \
		-u -d bond0,bond0-m1,lo || return 1
	fuzz "nobody in init" $((SEED + 2)) "$REQUESTS" "${nobody[@]}" -- \
		-u -d "$INIT_DEV",lo || return 1
	unchanged nobody && dmesg_check "unprivileged runs"
}

run_userns()
{
	local nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)

	if ! "${nobody[@]}" unshare -Urn true 2>/dev/null; then
		echo "# SKIP: no user namespaces for nobody here"
		return "$ksft_skip"
	fi
	dmesg_mark
	STATE_R=$(state "$R") && STATE_INIT=$(state) || return 1
	# shellcheck disable=SC2016
	fuzz userns $((SEED + 3)) "$USERNS_REQUESTS" "${nobody[@]}" unshare -Urn sh -c \
		'ip link set lo up && ip link add fz0 type dummy &&
		 ip link set fz0 up && exec "$0" "$@"' -- \
		-d fz0,lo || return 1
	unchanged userns && dmesg_check "user namespace run"
}

setup_ns R P || exit 1
psmon_load || exit 1
if ! psmon_topo "$R" "$P"; then
	echo "# cannot build the topology"
	exit 1
fi
ip link add "$INIT_DEV" type dummy && ip link set "$INIT_DEV" up || exit 1
"$PSCTL" lag add "$INIT_DEV" threshold 70 || exit 1
"$PSCTL" prefix add 10.253.0.0/16 name init allow-reserved || exit 1

tap_plan 3
tap_diag "seed $SEED, $REQUESTS requests a run ($USERNS_REQUESTS in the user namespace)"
rc=0
run_root || rc=$?
tap_result "root under traffic" "$rc"
rc=0
run_nobody || rc=$?
tap_result "unprivileged (nobody)" "$rc"
rc=0
run_userns || rc=$?
if [ "$rc" -eq "$ksft_skip" ]; then
	tap_skip "user namespace root (unshare -Urn)" "no user namespaces"
else
	tap_result "user namespace root (unshare -Urn)" "$rc"
fi
tap_done
exit $?
