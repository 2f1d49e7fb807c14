# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# Shell helpers for the network selftests, in the style of the kernel's
# tools/testing/selftests/net/lib.sh.  Source it from bash:
#
#	source "$(dirname "$0")/../lib.sh"
#
# Conventions: helpers return 0 for success and non-zero otherwise, never
# exit (except require_*, which exit with $ksft_skip as kselftest does);
# diagnostics go to standard output as TAP comments ("# ...").  Nothing
# here sleeps to synchronise: wait for a condition with busywait.

# kselftest exit codes.
ksft_pass=0
ksft_fail=1
ksft_xfail=2
ksft_skip=4

# Namespaces made by setup_ns, deleted by cleanup_all_ns.
NS_LIST=()

# TAP state (tap_* functions).
TAP_PLANNED=
TAP_NUM=0
TAP_PASS=0
TAP_FAIL=0
TAP_SKIP=0

# Default wait for LACP negotiation and links, in milliseconds.
LAG_TIMEOUT_MS=${LAG_TIMEOUT_MS:-20000}
# Bond options added by make_lag (a layer3+4 hash spreads flows over the
# members; override for other policies).
LAG_OPTS=${LAG_OPTS:-"miimon 100 xmit_hash_policy layer3+4"}

# ---------------------------------------------------------------- TAP

# tap_plan [N]: start a TAP stream ("TAP version 13") and, when N is
# given, announce N tests ("1..N").  Without N, tap_done prints the plan at
# the end, which suits tests that count as they go.
tap_plan()
{
	echo "TAP version 13"
	if [ -n "${1:-}" ]; then
		TAP_PLANNED=$1
		echo "1..$1"
	fi
}

# tap_diag MSG...: print a TAP comment line "# MSG".
tap_diag()
{
	echo "# $*"
}

# tap_ok NAME: report test NAME as passed ("ok N - NAME").
tap_ok()
{
	TAP_NUM=$((TAP_NUM + 1))
	TAP_PASS=$((TAP_PASS + 1))
	echo "ok $TAP_NUM - $1"
}

# tap_fail NAME [REASON]: report test NAME as failed ("not ok N - NAME"),
# with REASON as a comment line when given.
tap_fail()
{
	TAP_NUM=$((TAP_NUM + 1))
	TAP_FAIL=$((TAP_FAIL + 1))
	[ -n "${2:-}" ] && echo "# $1: $2"
	echo "not ok $TAP_NUM - $1"
}

# tap_skip NAME REASON: report test NAME as skipped
# ("ok N - NAME # SKIP REASON").
tap_skip()
{
	TAP_NUM=$((TAP_NUM + 1))
	TAP_SKIP=$((TAP_SKIP + 1))
	echo "ok $TAP_NUM - $1 # SKIP ${2:-}"
}

# tap_result NAME RC [REASON]: report by exit code, kselftest style:
# 0 passes, $ksft_skip skips (REASON), anything else fails.
tap_result()
{
	case "$2" in
	0) tap_ok "$1" ;;
	"$ksft_skip") tap_skip "$1" "${3:-}" ;;
	*) tap_fail "$1" "${3:-exit status $2}" ;;
	esac
}

# tap_check NAME CMD [ARGS...]: run CMD and report NAME by its exit code
# (see tap_result).  Returns CMD's exit code.
tap_check()
{
	local name=$1 rc=0

	shift
	"$@" || rc=$?
	tap_result "$name" "$rc"
	return "$rc"
}

# tap_done: finish the stream.  Prints the plan if tap_plan had none, a
# kselftest "# Totals:" line and returns the exit code for the script:
# $ksft_fail when a test failed or the plan was not met, $ksft_skip when
# every test skipped, $ksft_pass otherwise.  Typical last line:
#	tap_done; exit $?
tap_done()
{
	local rc=$ksft_pass

	if [ -z "$TAP_PLANNED" ]; then
		echo "1..$TAP_NUM"
	elif [ "$TAP_NUM" -ne "$TAP_PLANNED" ]; then
		echo "# planned $TAP_PLANNED tests but ran $TAP_NUM"
		rc=$ksft_fail
	fi
	echo "# Totals: pass:$TAP_PASS fail:$TAP_FAIL xfail:0 xpass:0 skip:$TAP_SKIP error:0"
	if [ "$TAP_FAIL" -gt 0 ]; then
		rc=$ksft_fail
	elif [ "$rc" -eq "$ksft_pass" ] && [ "$TAP_NUM" -gt 0 ] &&
	     [ "$TAP_SKIP" -eq "$TAP_NUM" ]; then
		rc=$ksft_skip
	fi
	return "$rc"
}

# ----------------------------------------------------------- requirements

# require_root: exit with $ksft_skip unless running as root.
require_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		echo "# SKIP: must run as root"
		exit "$ksft_skip"
	fi
}

# require_cmd CMD...: exit with $ksft_skip when a command is missing.
require_cmd()
{
	local cmd

	for cmd in "$@"; do
		if ! command -v "$cmd" >/dev/null 2>&1; then
			echo "# SKIP: $cmd not found"
			exit "$ksft_skip"
		fi
	done
}

# require_module MOD...: load kernel modules; exit with $ksft_skip when one
# cannot be loaded.
require_module()
{
	local mod

	for mod in "$@"; do
		if ! modprobe -q "$mod" 2>/dev/null; then
			echo "# SKIP: cannot load module $mod"
			exit "$ksft_skip"
		fi
	done
}

# ------------------------------------------------------------- namespaces

# setup_ns VAR...: for each VAR, create a network namespace with a unique
# name ("VAR-" and six hex digits), bring its lo up, store the name in the variable VAR
# and register it for cleanup_all_ns.  Example:
#	setup_ns NS_A NS_B && ip -n "$NS_A" link show
# Returns non-zero (after removing what it made) if one cannot be created.
setup_ns()
{
	local var name

	for var in "$@"; do
		printf -v name '%s-%04x%02x' "$var" $RANDOM $((RANDOM % 256))
		if ! ip netns add "$name"; then
			echo "# cannot create namespace $name"
			return 1
		fi
		NS_LIST+=("$name")
		ip -n "$name" link set lo up || return 1
		printf -v "$var" '%s' "$name"
	done
}

# quiet_ns NS...: no IPv6 autoconfiguration, DAD, router
# solicitations or link-local addresses on interfaces made from now on.
quiet_ns()
{
	local ns

	for ns in "$@"; do
		ip netns exec "$ns" sysctl -q -w \
			net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.accept_ra=0 \
			net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.addr_gen_mode=1 \
			net.ipv6.conf.default.addr_gen_mode=1 \
			net.ipv6.conf.all.forwarding=0 >/dev/null || return 1
	done
}

# cleanup_ns NS...: kill the processes left in the namespaces and delete
# them (their interfaces go with them).  Errors are ignored.
cleanup_ns()
{
	local ns pids

	for ns in "$@"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# cleanup_all_ns: delete every namespace made by setup_ns.  Meant for
#	trap cleanup_all_ns EXIT
# (or for a test's own cleanup function).
cleanup_all_ns()
{
	[ "${#NS_LIST[@]}" -gt 0 ] && cleanup_ns "${NS_LIST[@]}"
	NS_LIST=()
	return 0
}

# in_ns NS CMD [ARGS...]: run CMD inside namespace NS.
in_ns()
{
	local ns=$1

	shift
	ip netns exec "$ns" "$@"
}

# ---------------------------------------------------------------- waiting

# now_ms: print the time in milliseconds (monotonic enough for timeouts).
now_ms()
{
	local t=${EPOCHREALTIME/[.,]/}

	echo $((t / 1000))
}

# busywait TIMEOUT_MS CMD [ARGS...]: run CMD every 50 ms until it succeeds
# or TIMEOUT_MS milliseconds have passed.  Prints the output of the last
# run of CMD and returns its exit status (0 if it succeeded in time).
busywait()
{
	local timeout=$1 start out rc now

	shift
	start=${EPOCHREALTIME/[.,]/}
	while :; do
		rc=0
		out=$("$@") || rc=$?
		now=${EPOCHREALTIME/[.,]/}
		if [ "$rc" -eq 0 ] || [ $(( (now - start) / 1000 )) -ge "$timeout" ]; then
			[ -n "$out" ] && echo "$out"
			return "$rc"
		fi
		sleep 0.05
	done
}

# link_up_in NS DEV: succeed when DEV in NS has carrier (operationally up).
link_up_in()
{
	[ "$(ip netns exec "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null)" = 1 ]
}

# ---------------------------------------------------------------- LAGs

# lacp_ready NS BOND [MEMBERS]: succeed when the 802.3ad bond BOND in NS has
# negotiated: its active aggregator has MEMBERS ports (default: all its
# members), a partner, and every port is in sync, collecting and
# distributing on both ends (actor and partner port state bits 0x3c).
lacp_ready()
{
	local ns=$1 bond=$2 want=${3:-}

	ip netns exec "$ns" cat "/proc/net/bonding/$bond" 2>/dev/null |
	awk -v want="$want" '
		/^Active Aggregator Info:/ { inactive = 1; next }
		inactive && /Aggregator ID:/ { agg = $3; next }
		inactive && /Number of ports:/ { nports = $4; next }
		inactive && /Partner Mac Address:/ { pmac = $4; inactive = 0; next }
		/^Slave Interface:/ { slaves++; next }
		/^Aggregator ID:/ { if ($3 != agg) bad++; next }
		/port state:/ {
			s = $3 + 0
			# AGGREGATION 0x04, SYNC 0x08, COLLECTING 0x10, DISTRIBUTING 0x20
			if (int(s / 4) % 2 == 0 || int(s / 8) % 2 == 0 ||
			    int(s / 16) % 2 == 0 || int(s / 32) % 2 == 0)
				bad++
			states++
			next
		}
		END {
			if (want == "")
				want = slaves
			ok = agg != "" && nports == want && slaves >= want &&
			     pmac != "" && pmac != "00:00:00:00:00:00" &&
			     bad == 0 && states >= 2 * slaves
			exit ok ? 0 : 1
		}'
}

# wait_lacp NS BOND [TIMEOUT_MS] [MEMBERS]: wait until lacp_ready NS BOND
# MEMBERS holds (default timeout $LAG_TIMEOUT_MS).  On timeout prints the
# bond's /proc/net/bonding state as comments and returns 1.
wait_lacp()
{
	local ns=$1 bond=$2 timeout=${3:-$LAG_TIMEOUT_MS} members=${4:-}

	if busywait "$timeout" lacp_ready "$ns" "$bond" "$members"; then
		return 0
	fi
	echo "# $bond in $ns: LACP not negotiated after $timeout ms"
	ip netns exec "$ns" cat "/proc/net/bonding/$bond" 2>&1 | sed 's/^/# /'
	return 1
}

# make_lag NS_A NS_B NAME [MEMBERS=2] [MODE=802.3ad]: build a LAG between
# two namespaces: a bond NAME in each, with MEMBERS veth pairs, member K
# being NAME-mK in NS_A and its peer NAME-pK in NS_B.  Bonds get
# "mode MODE $LAG_OPTS" (plus "lacp_rate fast" for 802.3ad); everything is
# brought up, then it waits ($LAG_TIMEOUT_MS) for LACP on both ends
# (802.3ad) or for carrier on both bonds (other modes).  NAME must be at
# most 12 characters.  Addresses are the caller's:
#	make_lag "$NS_A" "$NS_B" bond0 2 || exit 1
#	ip -n "$NS_A" addr add 192.0.2.1/24 dev bond0
#
#   NS_A                               NS_B
#   NAME --+-- NAME-m1 <--veth--> NAME-p1 --+-- NAME
#          +-- NAME-m2 <--veth--> NAME-p2 --+
make_lag()
{
	local ns_a=$1 ns_b=$2 name=$3 members=${4:-2} mode=${5:-802.3ad}
	local opts k

	if [ "${#name}" -gt 12 ]; then
		echo "# make_lag: name '$name' too long"
		return 1
	fi
	# shellcheck disable=SC2206
	opts=(mode "$mode" $LAG_OPTS)
	[ "$mode" = 802.3ad ] && opts+=(lacp_rate fast)

	# Few ip processes (each is slow under emulation); both bonds come up
	# last and together so that neither end times out the other.
	ip -n "$ns_b" link add "$name" type bond "${opts[@]}" || return 1
	{
		echo "link add $name type bond ${opts[*]}"
		for k in $(seq 1 "$members"); do
			echo "link add $name-m$k type veth peer name $name-p$k netns $ns_b"
			echo "link set $name-m$k master $name"
			echo "link set $name-m$k up"
		done
	} | ip -n "$ns_a" -batch - || return 1
	{
		for k in $(seq 1 "$members"); do
			echo "link set $name-p$k master $name"
			echo "link set $name-p$k up"
		done
	} | ip -n "$ns_b" -batch - || return 1
	ip -n "$ns_a" link set "$name" up || return 1
	ip -n "$ns_b" link set "$name" up || return 1

	if [ "$mode" = 802.3ad ]; then
		wait_lacp "$ns_a" "$name" "$LAG_TIMEOUT_MS" "$members" &&
		wait_lacp "$ns_b" "$name" "$LAG_TIMEOUT_MS" "$members"
	else
		busywait "$LAG_TIMEOUT_MS" link_up_in "$ns_a" "$name" &&
		busywait "$LAG_TIMEOUT_MS" link_up_in "$ns_b" "$name"
	fi
}

# ---------------------------------------------------------------- counters

# link_stat NS DEV COUNTER: print an interface counter of DEV in NS, one of
# the files in /sys/class/net/DEV/statistics (rx_packets, tx_bytes, ...);
# the same numbers as `ip -s link`.
link_stat()
{
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# ----------------------------------------------------------------- dmesg

# dmesg_mark: remember the end of the kernel log; dmesg_check looks only
# at what came after.  Call before the code under test runs.
dmesg_mark()
{
	DMESG_MARK=$(dmesg | wc -l)
}

# Reports of the kernel's own code that are not psmon's and are known to be
# false alarms, by the location the report names: PROVE_RCU_LIST flags list
# walks in Debian's 6.1 netfilter that run under nft_net->commit_mutex
# but lack the lockdep condition that says so (the nft commands of the
# tests trigger them). A report naming one of these fails neither
# dmesg_check nor selftests/vm/debug_check.sh (which keeps it apart in
# known-reports.txt). Stock kernels never print them.
KNOWN_RE='net/netfilter/nf_tables_api[.]c:4122 RCU-list traversed in non-reader section|'\
'net/netfilter/nft_set_bitmap[.]c:96 RCU-list traversed in non-reader section'

# known_filter KNOWN: copy a kernel log, moving each "suspicious RCU usage"
# report (to the end of its stack trace) that names a KNOWN_RE location
# into the file KNOWN.
known_filter()
{
	awk -v known="$KNOWN_RE" -v kfile="$1" '
	function flush(drop,   i) {
		for (i = 1; i <= n; i++)
			if (drop) print buf[i] > kfile; else print buf[i]
		n = 0; inrep = 0; hit = 0
	}
	/suspicious RCU usage/ { if (inrep) flush(hit); inrep = 1 }
	inrep {
		buf[++n] = $0
		if ($0 ~ known) hit = 1
		if ($0 ~ /<\/TASK>|end trace/ || n > 200) flush(hit)
		next
	}
	{ print }
	END { if (inrep) flush(hit) }'
}

# What counts as a kernel report in a log, on any kernel: dmesg_check,
# scripts/check.sh's kernel-log step (which reads it from here) and, with
# the debug kernels' own reports added, selftests/vm/debug_check.sh.
KERNEL_REPORT_RE='WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|suspected memory leak|'\
'general protection fault|soft lockup|rcu.*stall|blocked for more than'

# dmesg_check [NAME]: fail (return 1, printing the lines as comments) when
# the kernel log gained a report (KERNEL_REPORT_RE) since dmesg_mark (since
# boot without a mark); the known false alarms above (debug kernels only)
# do not count.
dmesg_check()
{
	local name=${1:-dmesg} new

	new=$(dmesg | tail -n +$(( ${DMESG_MARK:-0} + 1 )) | known_filter /dev/null |
	      grep -E "$KERNEL_REPORT_RE")
	if [ -n "$new" ]; then
		echo "# $name: kernel reported problems:"
		dmesg | tail -n +$(( ${DMESG_MARK:-0} + 1 )) | sed 's/^/# /' | tail -n 60
		return 1
	fi
	return 0
}

# ------------------------------------------------------------- assertions

# check_eq NAME GOT WANT: succeed if GOT equals WANT (as strings); on
# failure print "# NAME: got 'GOT', want 'WANT'".
check_eq()
{
	if [ "$2" = "$3" ]; then
		return 0
	fi
	echo "# $1: got '$2', want '$3'"
	return 1
}

# check_ge NAME GOT MIN: succeed if the integer GOT >= MIN.
check_ge()
{
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ]; then
		return 0
	fi
	echo "# $1: got '$2', want >= $3"
	return 1
}

# check_le NAME GOT MAX: succeed if the integer GOT <= MAX.
check_le()
{
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -le "$3" ]; then
		return 0
	fi
	echo "# $1: got '$2', want <= $3"
	return 1
}

# check_range NAME GOT MIN MAX: succeed if MIN <= GOT <= MAX (integers).
check_range()
{
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		return 0
	fi
	echo "# $1: got '$2', want $3..$4"
	return 1
}
