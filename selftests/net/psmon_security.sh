#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The claims of Documentation/security.rst that no other script proves.
# Each test name starts with the claim's id (S1, S2, ...); the claims
# missing here (S7, S14 to S16, S18, S19) have their tests in the scripts
# the document names.
#
# Actors: root in a namespace of the host (R, owned by the initial user
# namespace); "nobody" without capabilities in R (setpriv); nobody as root
# of a user and network namespace of its own (unshare -Urn: container
# root). Requests go through psmon_genl.py batch, which also scans every
# reply for kernel addresses and for devices (ifindex and name) that are
# not the caller's namespace's.
#
#   R:  bond0 (active-backup) -- m1, m2 (dummy); d0, d1 (dummy)
#       psmon: bond0 attached, 198.51.100.0/24 "customer" registered
#
# No IP traffic flows unless a test sends it (no address, IPv6 off), so
# the state compared before and after a refused request is exact.
#
# 228 s in the VM measured with the host at a load average of 9:
# psmon-test-timeout: 900

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

GENL="$NET_DIR/psmon_genl.py"
PARAMS=/sys/module/psmon/parameters
WORK=

cleanup()
{
	cleanup_all_ns
	[ -n "$WORK" ] && rm -rf "$WORK"
}

# Prefix a command with it to run it as nobody, without capabilities.
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups
	--inh-caps=-all --bounding-set=-all)

# setup: psmon with its default parameters, and R.
setup()
{
	psmon_reload || return 1
	setup_ns R || return 1
	ip netns exec "$R" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
	ip -n "$R" -batch - <<-EOF || return 1
	link add bond0 type bond mode active-backup miimon 100
	link add m1 type dummy
	link add m2 type dummy
	link set m1 master bond0
	link set m2 master bond0
	link add d0 type dummy
	link add d1 type dummy
	link set bond0 up
	EOF
	pc "$R" lag add bond0 &&
	pc "$R" prefix add 198.51.100.0/24 name customer allow-reserved
}

# state NS: configuration and counters of NS, as psctl shows them.
state()
{
	{ pc "$1" -j -s lag show && pc "$1" -j -s prefix show; } | stable
}

# genl [CMD...]: psmon_genl.py batch, requests on standard input, run by
# CMD (e.g. ip netns exec NS "${NOBODY[@]}"). Output to standard output;
# a reply with a kernel address or a foreign device makes it fail.
genl()
{
	"$@" python3 "$GENL" batch
}

# reply OUT REQUEST ERRNO [MSG [OBJECTS]]: the first result line of
# REQUEST in OUT has that errno name (0: success), an extack message
# containing MSG and OBJECTS psmon messages.
reply()
{
	local out=$1 req=$2 want_err=$3 want_msg=${4:-} want_n=${5:-} line
	local got_err got_msg got_n

	line=$(awk -F'\t' -v r="$req" '$1 == r { print; exit }' <<<"$out")
	if [ -z "$line" ]; then
		echo "# no reply to '$req'"
		return 1
	fi
	got_err=$(cut -f2 <<<"$line")
	got_msg=$(cut -f3 <<<"$line")
	got_n=$(cut -f4 <<<"$line")
	check_eq "$req: errno" "$got_err" "$want_err" || return 1
	if [ -n "$want_msg" ] && [ "$got_msg" != "$want_msg" ]; then
		echo "# $req: extack '$got_msg', want '$want_msg'"
		return 1
	fi
	[ -z "$want_n" ] || check_eq "$req: objects" "$got_n" "$want_n"
}

# S1: every change needs CAP_NET_ADMIN over the namespace; the same
# requests succeed for root, so the refusal is the permission.
test_s1_changes()
{
	local out before req
	local changes=("lag-new d0" "lag-set bond0 60" "lag-del bond0"
		       "lag-ack bond0" "prefix-new 203.0.113.0/24"
		       "prefix-del 198.51.100.0/24" "flush")

	assert setup
	before=$(state "$R")
	out=$(printf '%s\n' "${changes[@]}" | genl ip netns exec "$R" "${NOBODY[@]}") ||
		assert false
	for req in "${changes[@]}"; do
		assert reply "$out" "$req" EPERM
	done
	assert check_eq "state after the refusals" "$(state "$R")" "$before"
	out=$(printf '%s\n' "lag-set bond0 60" "lag-ack bond0" \
		"prefix-new 203.0.113.0/24" "prefix-del 203.0.113.0/24" \
		"lag-new d0" "lag-del d0" "flush" | genl ip netns exec "$R") ||
		assert false
	for req in "lag-set bond0 60" "lag-ack bond0" "prefix-new 203.0.113.0/24" \
		   "prefix-del 203.0.113.0/24" "lag-new d0" "lag-del d0" flush; do
		assert reply "$out" "$req" 0
	done
}

# S2: reads and the events group are open to any local user.
test_s2_reads()
{
	local out

	assert setup
	out=$(printf '%s\n' lag-dump prefix-dump "lag-get bond0" \
		"prefix-get 198.51.100.0/24" join |
		genl ip netns exec "$R" "${NOBODY[@]}") || assert false
	echo "$out" | sed 's/^/# /'
	assert reply "$out" lag-dump 0 "" 1
	assert reply "$out" prefix-dump 0 "" 1
	assert reply "$out" "lag-get bond0" 0 "" 1
	assert reply "$out" "prefix-get 198.51.100.0/24" 0 "" 1
	assert reply "$out" join 0
}

# S3: both the opener of the socket and the sender need the capability.
test_s3_socket()
{
	assert setup
	assert ip netns exec "$R" python3 "$GENL" fdpass
}

# container: run as root of a user and network namespace of its own;
# $1 is the ifindex of a LAG of the namespace it came from.
container()
{
	local idx=$1 out

	out=$(printf '%s\n' lag-dump prefix-dump "lag-get $idx" "lag-new $idx" \
		"lag-del $idx" "lag-get bond0" "prefix-get 198.51.100.0/24" \
		"prefix-del 198.51.100.0/24" | genl) || return 1
	echo "$out"
	ip link add d0 type dummy && ip link add m9 type dummy &&
	ip link add bond0 type bond && ip link set m9 master bond0 || return 1
	printf '%s\n' "lag-new d0" "lag-new bond0" "prefix-new 198.51.100.0/24" \
		"prefix-new 2001:db8::/32" lag-dump prefix-dump "lag-set d0 3600" \
		flush | genl
}

# S4: container root manages its own namespace and reaches nothing of
# the namespace it was started from: not by ifindex, not by name.
test_s4_container()
{
	local out before idx

	assert setup
	before=$(state "$R")
	idx=$(ip -n "$R" -o link show bond0 | cut -d: -f1)
	assert check_ge "ifindex of bond0 in R" "$idx" 2
	out=$(ip netns exec "$R" "${NOBODY[@]}" unshare -Urn "$0" container "$idx") ||
		assert false
	echo "$out" | sed 's/^/# /'
	assert reply "$out" lag-dump 0 "" 0
	assert reply "$out" prefix-dump 0 "" 0
	assert reply "$out" "lag-get $idx" ENODEV "no such device"
	assert reply "$out" "lag-new $idx" ENODEV "no such device"
	assert reply "$out" "lag-del $idx" ENODEV "no such device"
	assert reply "$out" "lag-get bond0" ENODEV "no such device"
	assert reply "$out" "prefix-get 198.51.100.0/24" ENOENT "prefix is not registered"
	assert reply "$out" "prefix-del 198.51.100.0/24" ENOENT "prefix is not registered"
	assert reply "$out" "lag-new d0" 0
	assert reply "$out" "lag-new bond0" 0
	assert reply "$out" "prefix-new 198.51.100.0/24" 0
	assert reply "$out" "prefix-new 2001:db8::/32" 0
	assert reply "$out" "lag-set d0 3600" 0
	assert reply "$out" flush 0
	# Its own objects only: 2 LAGs and 2 prefixes, not R's.
	assert check_eq "container's dumps" \
		"$(awk -F'\t' '$1 ~ /dump$/ { print $4 }' <<<"$out" | tr '\n' ' ')" "0 0 2 2 "
	assert check_eq "R after the container" "$(state "$R")" "$before"
}

# S5: a socket of R kept across unshare(user, net) has no rights in R.
test_s5_oldsock()
{
	assert setup
	assert ip netns exec "$R" "${NOBODY[@]}" python3 "$GENL" oldsock
}

# S6: events go to the listeners of the LAG's namespace only.
test_s6_events()
{
	local a b

	assert setup
	assert setup_ns B
	a=$WORK/events-r
	b=$WORK/events-b
	ip netns exec "$R" "${NOBODY[@]}" python3 "$GENL" listen 12 >"$a" 2>&1 &
	ip netns exec "$B" python3 "$GENL" listen 12 >"$b" 2>&1 &
	assert busywait 10000 grep -q listening "$a"
	assert busywait 10000 grep -q listening "$b"
	# d0 as a LAG of its own, then enslaved into bond0: "absorbed".
	assert pc "$R" lag add d0
	assert ip -n "$R" link set d0 master bond0
	wait
	cat "$a" "$b" | sed 's/^/# /'
	assert grep -q "^events [1-9]" "$a"
	assert grep -q "^events 0$" "$b"
}

# S8: no kernel address in any reply; every device named is the
# caller's; with traffic counted, IPv4 and IPv6 prefixes, members.
test_s8_no_addresses()
{
	local out

	assert setup
	assert pc "$R" lag add d0
	assert ip -n "$R" link set d0 up
	assert pc "$R" prefix add 2001:db8:ffff::/48 name "v6-$(printf 'x%.0s' {1..60})" allow-reserved
	ip netns exec "$R" python3 "$NET_DIR/psmon_rawsend.py" d0 \
		ff:ff:ff:ff:ff:ff 100 198.51.100.1 192.0.2.2 50 1000
	out=$(printf '%s\n' lag-dump prefix-dump "lag-get bond0" "lag-get d0" \
		"prefix-get 198.51.100.0/24" "prefix-get 2001:db8:ffff::/48" \
		"lag-new 4242" "prefix-new 10.0.0.0/8 10.0.0.0/8" |
		genl ip netns exec "$R" "${NOBODY[@]}") || assert false
	echo "$out" | sed 's/^/# /'
	assert reply "$out" lag-dump 0 "" 2
	assert reply "$out" prefix-dump 0 "" 2
	assert check_eq "tx packets of 198.51.100.0/24" \
		"$(jget "$R" "-s prefix show 198.51.100.0/24" 0 tx_packets)" 50
	# The same as container root.
	out=$(ip netns exec "$R" "${NOBODY[@]}" unshare -Urn "$0" container 2) ||
		assert false
}

# S9: the per-namespace limits: errno and message, nothing changed.
test_s9_limits()
{
	local out before

	assert psmon_reload max_prefixes=4 max_lags=1
	assert setup_ns R B
	for ns in "$R" "$B"; do
		assert ip -n "$ns" link add d0 type dummy
		assert ip -n "$ns" link add d1 type dummy
	done
	out=$(printf '%s\n' "lag-new d0" "prefix-new-range 198.51.100.0 3" |
		genl ip netns exec "$R") || assert false
	assert reply "$out" "lag-new d0" 0
	assert reply "$out" "prefix-new-range 198.51.100.0 3" 0
	before=$(state "$R")
	out=$(printf '%s\n' "lag-new d1" "prefix-new 203.0.113.0/24 203.0.113.128/25" \
		"prefix-new-range 192.0.2.0 5" "prefix-del-range 198.51.100.0 5" \
		"prefix-del 198.51.100.0/32 203.0.113.0/24" |
		genl ip netns exec "$R") || assert false
	echo "$out" | sed 's/^/# /'
	assert reply "$out" "lag-new d1" ENOSPC "LAG limit reached (module parameter max_lags)"
	assert reply "$out" "prefix-new 203.0.113.0/24 203.0.113.128/25" ENOSPC \
		"prefix limit reached (module parameter max_prefixes)"
	assert reply "$out" "prefix-new-range 192.0.2.0 5" ENOSPC \
		"prefix limit reached (module parameter max_prefixes)"
	assert reply "$out" "prefix-del-range 198.51.100.0 5" E2BIG \
		"more prefixes than can exist"
	assert reply "$out" "prefix-del 198.51.100.0/32 203.0.113.0/24" ENOENT \
		"prefix is not registered"
	assert check_eq "R after the refusals" "$(state "$R")" "$before"
	# Another namespace has limits of its own.
	out=$(printf '%s\n' "lag-new d0" "prefix-new-range 198.51.100.0 4" \
		"lag-new d1" | genl ip netns exec "$B") || assert false
	assert reply "$out" "lag-new d0" 0
	assert reply "$out" "prefix-new-range 198.51.100.0 4" 0
	assert reply "$out" "lag-new d1" ENOSPC "LAG limit reached (module parameter max_lags)"
	assert psmon_reload
}

BUDGET_MSG="psmon memory budget reached (module parameter max_memory_mb)"

# S10: the memory budget, module-wide: refusals with errno and message,
# state intact, shared by namespaces, changed at run time by root.
test_s10_budget()
{
	local out chunks ok n

	assert psmon_reload max_memory_mb=0
	assert setup_ns R B
	for ns in "$R" "$B"; do
		assert ip -n "$ns" link add d0 type dummy
	done
	out=$(printf '%s\n' "lag-new d0" "prefix-new 198.51.100.0/24" lag-dump prefix-dump |
		genl ip netns exec "$R") || assert false
	assert reply "$out" "lag-new d0" ENOSPC "$BUDGET_MSG"
	assert reply "$out" "prefix-new 198.51.100.0/24" ENOSPC "$BUDGET_MSG"
	assert reply "$out" lag-dump 0 "" 0
	assert reply "$out" prefix-dump 0 "" 0

	# LAGs and members are charged with their rate rings: 9 rings of a
	# bond of 8 members take 9 x 144,040 bytes at a window of 3,600 s,
	# more than 1 MiB and less than 2. A detached LAG gives it all back.
	{
		echo "link add bond1 type bond"
		for k in 1 2 3 4 5 6 7 8; do
			echo "link add e$k type dummy"
			echo "link set e$k master bond1"
		done
	} | ip -n "$R" -batch - || assert false
	assert sh -c "echo 1 >$PARAMS/max_memory_mb"
	out=$(printf '%s\n' "lag-new bond1" "lag-set bond1 3600" |
		genl ip netns exec "$R") || assert false
	assert reply "$out" "lag-new bond1" 0
	assert reply "$out" "lag-set bond1 3600" ENOSPC "$BUDGET_MSG"
	assert check_eq "window after the refusal" \
		"$(jget "$R" "lag show" dev=bond1 window_s)" 300
	assert sh -c "echo 2 >$PARAMS/max_memory_mb"
	for _ in 1 2; do
		out=$(printf '%s\n' "lag-set bond1 3600" "lag-del bond1" "lag-new bond1" |
			genl ip netns exec "$R") || assert false
		assert reply "$out" "lag-set bond1 3600" 0
		assert reply "$out" "lag-del bond1" 0
		assert reply "$out" "lag-new bond1" 0
	done
	out=$(echo "lag-del bond1" | genl ip netns exec "$R") || assert false
	assert reply "$out" "lag-del bond1" 0

	# Shared: with both LAGs attached, R adds chunks of 5,000 prefixes
	# until the budget refuses one; then B, adding the same chunks, gets
	# at most one of them (the next costs the same again), all or nothing
	# per request. Once R's prefixes are gone (a grace period), B gets
	# every chunk R had: the same allocations, in the same order.
	assert sh -c "echo 8 >$PARAMS/max_memory_mb"
	out=$(printf '%s\n' "lag-new d0" | genl ip netns exec "$B") || assert false
	assert reply "$out" "lag-new d0" 0
	chunks=$(for k in $(seq 0 11); do
		printf 'prefix-new-range 198.18.%d.%d 5000\n' $(( k * 5000 / 256 )) $(( k * 5000 % 256 ))
	done)
	out=$(printf '%s\n' "lag-new d0" "$chunks" prefix-dump | genl ip netns exec "$R") ||
		assert false
	assert reply "$out" "lag-new d0" 0
	ok=$(awk -F'\t' '$1 ~ /range/ && $2 == "0"' <<<"$out" | wc -l)
	tap_diag "an 8 MiB budget: R registered $ok chunks of 5,000 prefixes"
	assert check_range "R: chunks accepted" "$ok" 2 11
	assert grep -qF "	ENOSPC	$BUDGET_MSG	" <<<"$out"
	assert check_eq "R: prefixes (all or nothing per request)" \
		"$(awk -F'\t' '$1 == "prefix-dump" { print $4 }' <<<"$out")" $(( ok * 5000 ))
	chunks=$(head -n "$ok" <<<"$chunks")
	out=$(printf '%s\n' "$chunks" prefix-dump | genl ip netns exec "$B") || assert false
	echo "$out" | sed 's/^/# B: /'
	n=$(awk -F'\t' '$1 ~ /range/ && $2 == "0"' <<<"$out" | wc -l)
	assert check_le "B: chunks accepted while R holds the budget" "$n" 1
	assert grep -qF "	ENOSPC	$BUDGET_MSG	" <<<"$out"
	assert check_eq "B: prefixes (all or nothing per request)" \
		"$(awk -F'\t' '$1 == "prefix-dump" { print $4 }' <<<"$out")" $(( n * 5000 ))
	out=$(echo flush | genl ip netns exec "$R") || assert false
	assert reply "$out" flush 0
	for _ in 1 2 3; do
		sleep 1
		out=$(printf '%s\n' flush "$chunks" prefix-dump | genl ip netns exec "$B") ||
			assert false
		reply "$out" prefix-dump 0 "" $(( ok * 5000 )) >/dev/null && break
	done
	assert reply "$out" prefix-dump 0 "" $(( ok * 5000 ))
	assert psmon_reload
}

# S10, members: a bond whose members do not all fit the budget is
# refused with the budget's message before any of its members' own
# one-member LAGs gives way, and the refusal gives back everything it
# charged: at twice the budget, the same bond is attached and detached
# again and again (121 rate rings of 12 KB take about 1.5 MB).
test_s10_members()
{
	local k out

	assert psmon_reload max_memory_mb=1
	assert setup_ns R
	{
		echo "link add bond1 type bond mode active-backup"
		for k in $(seq 1 120); do
			echo "link add e$k type dummy"
		done
	} | ip -n "$R" -batch - || assert false
	assert pc "$R" lag add e1
	for k in $(seq 1 120); do
		echo "link set e$k master bond1"
	done | ip -n "$R" -batch - || assert false
	for _ in 1 2 3; do
		out=$(echo "lag-new bond1" | genl ip netns exec "$R") || assert false
		assert reply "$out" "lag-new bond1" ENOSPC "$BUDGET_MSG"
		assert check_eq "LAGs after the refusal" \
			"$(jget "$R" "lag show" '*' dev | tr '\n' ' ')" "e1 "
	done
	assert sh -c "echo 2 >$PARAMS/max_memory_mb"
	for _ in 1 2 3; do
		out=$(printf '%s\n' "lag-new bond1" "lag-del bond1" |
			genl ip netns exec "$R") || assert false
		assert reply "$out" "lag-new bond1" 0
		assert reply "$out" "lag-del bond1" 0
	done
	assert pc "$R" lag add bond1
	assert check_eq "LAGs" "$(jget "$R" "lag show" '*' dev | tr '\n' ' ')" "bond1 "
	assert check_eq "members of bond1" "$(jget "$R" "lag show bond1" 0 members '#')" 120
	assert psmon_reload
}

# S11: module parameters: who may set them, and their bounds.
test_s11_params()
{
	local p

	assert psmon_reload
	assert check_eq "modes and owners" \
		"$(stat -c '%n %a %U' "$PARAMS/max_prefixes" "$PARAMS/max_lags" "$PARAMS/max_memory_mb" | sed 's|.*/||')" \
		"max_prefixes 444 root
max_lags 444 root
max_memory_mb 644 root"
	assert check_eq "max_memory_mb" "$(cat "$PARAMS/max_memory_mb")" 1024
	if "${NOBODY[@]}" sh -c "echo 1 >$PARAMS/max_memory_mb" 2>/dev/null; then
		assert false
	fi
	if "${NOBODY[@]}" unshare -Urn sh -c "echo 1 >$PARAMS/max_memory_mb" 2>/dev/null; then
		assert false
	fi
	for p in max_prefixes max_lags; do
		if sh -c "echo 7 >$PARAMS/$p" 2>/dev/null; then
			assert false
		fi
	done
	assert check_eq "max_memory_mb after the attempts" "$(cat "$PARAMS/max_memory_mb")" 1024
	assert check_eq "max_prefixes after the attempt" "$(cat "$PARAMS/max_prefixes")" 131072
	assert check_eq "max_lags after the attempt" "$(cat "$PARAMS/max_lags")" 64
	assert sh -c "echo 512 >$PARAMS/max_memory_mb"
	assert check_eq "max_memory_mb set by root" "$(cat "$PARAMS/max_memory_mb")" 512
	assert psmon_unload
	for p in max_prefixes=0 max_prefixes=16777217 max_lags=0 max_lags=501; do
		if insmod "$PSMON_KO" "$p" 2>/dev/null; then
			echo "# insmod psmon.ko $p was accepted"
			assert false
		fi
	done
	assert insmod "$PSMON_KO" max_prefixes=16777216 max_lags=500
	assert psmon_reload
}

# events_in_psmon EVENT...: the tracepoints of EVENT (kmem/kmalloc, ...)
# that exist, filtered on a call site in psmon.ko, enabled.
TRACE=/sys/kernel/tracing
trace_psmon_allocs()
{
	local base size filter ev n=0

	read -r base size < <(awk '$1 == "psmon" { print $6, $2 }' /proc/modules)
	[ -n "$base" ] && [ "$base" != 0x0000000000000000 ] || return 1
	filter="call_site >= $base && call_site < $(printf '0x%x' $(( base + size )))"
	for ev in kmem/kmalloc kmem/kmalloc_node kmem/kmem_cache_alloc \
		  kmem/kmem_cache_alloc_node percpu/percpu_alloc_percpu; do
		[ -d "$TRACE/events/$ev" ] || continue
		grep -q call_site "$TRACE/events/$ev/format" || continue
		echo "$filter" >"$TRACE/events/$ev/filter" || return 1
		echo 1 >"$TRACE/events/$ev/enable" || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

trace_stop()
{
	echo 0 >"$TRACE/events/enable"
	for f in "$TRACE"/events/kmem/*/filter "$TRACE"/events/percpu/*/filter; do
		echo 0 >"$f" 2>/dev/null
	done
	echo >"$TRACE/trace"
}

trace_count()
{
	grep -vc '^#' "$TRACE/trace"
}

# S13: the packet path allocates nothing: 2,000 frames through the hooks,
# counted, and no allocation from psmon.ko meanwhile; a prefix add, in
# the same trace, shows the tracing sees psmon's allocations.
test_s13_no_alloc()
{
	local n

	[ -w "$TRACE/trace" ] || mount -t tracefs nodev "$TRACE" 2>/dev/null
	assert setup
	assert pc "$R" lag add d0
	assert ip -n "$R" link set d0 up
	assert trace_psmon_allocs
	echo >"$TRACE/trace"
	assert ip netns exec "$R" python3 "$NET_DIR/psmon_rawsend.py" d0 \
		ff:ff:ff:ff:ff:ff 100 198.51.100.1 192.0.2.2 2000 64
	n=$(trace_count)
	assert check_eq "tx packets of 198.51.100.0/24" \
		"$(jget "$R" "-s prefix show 198.51.100.0/24" 0 tx_packets)" 2000
	assert pc "$R" prefix add 203.0.113.0/24 allow-reserved
	assert check_ge "allocations traced for a prefix add" "$(trace_count)" 1
	trace_stop
	assert check_eq "allocations from psmon.ko while 2,000 frames were counted" "$n" 0
}

# S12: what requests make psmon allocate is charged to the caller's
# memory cgroup: per-CPU counter blocks show in its memory.stat.
test_s12_memcg()
{
	local cg=/sys/fs/cgroup/psmon-sec-$$ before after cpus want out

	assert setup
	grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	assert grep -qw memory /sys/fs/cgroup/cgroup.subtree_control
	assert mkdir "$cg"
	before=$(awk '$1 == "percpu" { print $2 }' "$cg/memory.stat")
	out=$(printf '%s\n' "lag-new d0" "lag-new d1" "prefix-new-range 198.18.0.0 5000" |
		bash -c 'echo $$ >'"$cg"'/cgroup.procs && exec "$@"' - \
		ip netns exec "$R" python3 "$GENL" batch) || assert false
	assert reply "$out" "prefix-new-range 198.18.0.0 5000" 0
	after=$(awk '$1 == "percpu" { print $2 }' "$cg/memory.stat")
	cpus=$(awk -F'[-,]' '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
	# 5,001 prefixes (bond0's and these) use 10 blocks on each of 3 LAGs;
	# bond0's first block was allocated before, outside the cgroup.
	want=$(( (3 * 10 - 1) * 16384 * cpus ))
	tap_diag "percpu charged to the cgroup: $before -> $after bytes (blocks: $want)"
	assert check_ge "percpu bytes charged" $(( after - before )) "$want"
	assert pc "$R" prefix flush
	rmdir "$cg" 2>/dev/null
	true
}

# S17: a symlink planted as the state file is replaced, not followed.
test_s17_state_symlink()
{
	local dir=$WORK/state victim=$WORK/victim

	assert setup
	assert mkdir -p "$dir"
	printf '{"version": 1, "lags": [{"dev": "bond0", "crossing": 1764000000}]}' >"$victim"
	assert cp "$victim" "$WORK/victim.orig"
	assert ln -s "$victim" "$dir/netns-$R.json"
	assert env PSMON_STATE_DIR="$dir" "$PSCTL" -n "$R" lag ack bond0
	assert cmp -s "$victim" "$WORK/victim.orig"
	assert test ! -L "$dir/netns-$R.json"
	assert test -f "$dir/netns-$R.json"
	assert check_eq "mode" "$(stat -c %a "$dir/netns-$R.json")" 644
	if grep -q crossing "$dir/netns-$R.json"; then
		assert false
	fi
}

case "${1:-}" in
container) container "$2"; exit $? ;;
esac

psmon_require
require_cmd setpriv unshare
require_module dummy
trap cleanup EXIT
WORK=$(mktemp -d)
chmod 755 "$WORK"

tap_plan 17
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "S1: without CAP_NET_ADMIN every change is refused (EPERM), nothing changes" test_s1_changes
run_test "S2: any local user reads LAGs and prefixes and joins the events group" test_s2_reads
run_test "S3: CAP_NET_ADMIN is checked on the socket's opener and on the sender" test_s3_socket
run_test "S4: container root manages its namespace, reaches no device or prefix of another" test_s4_container
run_test "S5: a socket kept across unshare -Urn has no rights in its namespace" test_s5_oldsock
run_test "S6: events reach the listeners of the LAG's namespace only" test_s6_events
run_test "S8: no reply holds a kernel address or another namespace's device" test_s8_no_addresses
run_test "S9: max_lags and max_prefixes: ENOSPC or E2BIG with a message, state intact" test_s9_limits
run_test "S10: max_memory_mb: ENOSPC with a message, shared by namespaces, set at run time" test_s10_budget
run_test "S10: a bond refused at its members by the budget: one-member LAGs kept, charge given back" test_s10_members
run_test "S11: module parameters: only root sets max_memory_mb, the others only at load" test_s11_params
run_test "S12: allocations are charged to the caller's memory cgroup" test_s12_memcg
run_test "S13: the packet path allocates nothing" test_s13_no_alloc
run_test "S17: a symlink planted as the state file is replaced, not followed" test_s17_state_symlink
tap_check "unload psmon.ko" psmon_unload

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
