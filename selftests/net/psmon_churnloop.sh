#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon under churn while traffic flows: hundreds of cycles of members
# enslaved and released, links down and up, bonds deleted and recreated,
# devices moved between namespaces, namespaces holding LAGs deleted, LAGs
# detached and attached, and the module unloaded and loaded again, with
# psctl monitor and dumps running throughout.  Asserted: a stable LAG's
# prefixes keep exact counts, the monitor and the dumps never crash, the
# kernel logs no warning and no unregister_netdevice wait, and memory
# returns to where it started.
#
#   R (psmon)                                     P (floods, pings)
#   lo: 198.51.100.10 .200 203.0.113.1 2001:db8:1::1 2001:db8:1:8000::1
#   bond0 (802.3ad, stable) ==bond0-m1/m2 <-veth-> bond0-p1/p2== bond0
#   bond1 (balance-xor, churned) ==bond1-m1/m2 <-veth-> ...-p1/p2== bond1
#         192.0.2.33/28, capacity 1mbit (alerts, degraded)         .34
#   sg0 (veth, a one-member LAG, churned) <--------------------> sg0
#         192.0.2.49/28                                            .50
#   Q: where members and sg0 go and come back from
#   D: a namespace made and deleted each cycle, with a bond attached,
#      a prefix registered and a ping flood through it when it goes
#
# Traffic, all the time: ping floods from P to bond1, to sg0 and to
# 198.51.100.200 and 2001:db8:1:8000::1 over bond0 (prefixes /25 and /49).
# In each epoch (between two reloads of the module, which reset the
# counters) P sends PSMON_CHURN_PINGS echo requests of 100 bytes to
# 198.51.100.10 and 2001:db8:1::1 and a flood of PSMON_CHURN_FLOOD to
# 203.0.113.1 over bond0, while the churn cycles run: 198.51.100.0/24 and
# 2001:db8:1::/48 must count exactly those packets, 203.0.113.0/24 exactly
# what nftables counters on bond0's members saw, and bond0 nothing
# unmatched.
#
# Cycle kinds, one call of each a round: enslave (each member of bond1
# released and enslaved again), flap (each member's link down and up, and
# both together), attach (psctl lag del and lag add of bond1 and sg0),
# recreate (bond1 deleted, made again, attached), move (a member of bond1
# and the attached sg0 moved to Q and back, sg0 attached in Q on the way;
# bond1 itself cannot move, bonds are netns-local: the refusal must leave
# it attached), nsdel (a namespace holding an attached bond, a registered
# prefix and a flood deleted) and, after each epoch, reload (rmmod and
# insmod, the configuration registered again).  A call of the three cheap
# kinds is one process making CHEAP (8) cycles.  PSMON_CHURN_CYCLES
# (default 240) is the total wanted over all kinds (rounded to whole
# rounds), PSMON_CHURN_EPOCHS (default 3) the number of reloads among them.
#
# Readers throughout the psmon phase: psctl -j monitor in R (the
# sanitizer build, tools/psctl/tests/psctl-san, when it was built) must
# outlive every reload and exit 0 on SIGTERM; a loop of prefix show, lag
# show, top, check, export, deadline, save and prefix get in R and Q (a
# fourth of them by the sanitizer build) may fail (module gone, device
# going) but never die of a signal or report a sanitizer error.
#
# Memory: Slab, SUnreclaim, Percpu and VmallocUsed of /proc/meminfo, the
# kmalloc caches of /proc/slabinfo and this script's memory cgroup (slab,
# percpu, vmalloc and the other kernel pages: psmon allocates with
# GFP_KERNEL_ACCOUNT, so all it keeps is charged there) are read after
# each phase has settled (module unloaded, caches dropped, grace periods
# passed, readings steady).  A warm-up round with psmon first fills what
# stays allocated once used (slab pages, populated per-CPU chunks); then a
# noise phase runs the same device churn without psmon; then the psmon
# phase.  Each figure may grow in the psmon phase by its slack
# (MEM_SLACK) plus twice what it moved in the noise phase.  Measured here
# (246 cycles, four runs): the cgroup's slab, pages and percpu moved by
# 0-18 KiB in either phase; the global Slab and SUnreclaim by 140-260 KiB
# in the noise phase and 400-710 KiB in the psmon phase (the rest of the
# kernel: namespaces, devices, the readers' processes); Percpu by 0.  A
# leak is larger: psmon allocates per member and per LAG a 512-byte
# object and a ring of 12 KiB (a large kmalloc: 16 KiB of pages, counted
# as slab), per LAG a 2 KiB block table and 16 KiB of per-CPU counters
# per CPU for each 512 prefix slots in use.  One member left behind per
# call of one kind (9 or more calls) leaves over 140 KiB of slab, one LAG
# over 280 KiB of per-CPU memory; a module that leaks every member's ring
# grows the cgroup's slab by 1.9 MiB in 110 cycles.  The slacks: 64 KiB
# for the cgroup's slab, percpu and vmalloc, 128 KiB for its other pages,
# 1 MiB for the global Slab and SUnreclaim (about twice their noise) and
# 256 KiB for Percpu.  psmon's size in /proc/modules must be the same at
# every load, and VmallocUsed (module memory) must come back after the
# last unload.
#
# The default cycle count took 125 to 290 s in the VM (2 vCPUs under TCG,
# on a 2-CPU host from idle to busy).
# psmon-test-timeout: 900

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

CYCLES=${PSMON_CHURN_CYCLES:-240}
EPOCHS=${PSMON_CHURN_EPOCHS:-3}
NOISE=${PSMON_CHURN_NOISE:-2}
PINGS=${PSMON_CHURN_PINGS:-60}
FLOOD=${PSMON_CHURN_FLOOD:-300}
# One round: one call of each kind; a call of a cheap kind (one process)
# makes CHEAP cycles.
ROUND="enslave flap attach recreate move nsdel"
CHEAP=8
declare -A WEIGHT=([enslave]=$CHEAP [flap]=$CHEAP [attach]=$CHEAP
		   [recreate]=1 [move]=1 [nsdel]=1)
PER_ROUND=$(( 3 * CHEAP + 3 ))

# Ethernet frame of a 1000-byte ping (IPv4): 1000 + 8 + 20 + 14.
F4_FLOOD=1042
BOND1_MAC=02:00:00:00:01:01
BOND_OPTS="mode balance-xor miimon 100 xmit_hash_policy layer3+4"

WORK=
CG=
PREFIXES=
FLOODS=()
MON_PID=
MON_ERR=
DUMP_PID=
DUMP_STOP=
PSCTL_SAN=$PSCTL
declare -A RAN MS MEM0 MEM1 MEM2 SLAB0 SLAB1 SLAB2

cleanup()
{
	local pid

	[ -n "$DUMP_STOP" ] && touch "$DUMP_STOP"
	for pid in "${FLOODS[@]}" $MON_PID $DUMP_PID; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	cleanup_all_ns
	[ -n "$WORK" ] && rm -rf "$WORK"
	if [ -n "$CG" ]; then
		echo $$ > /sys/fs/cgroup/cgroup.procs 2>/dev/null
		rmdir "$CG" 2>/dev/null
	fi
}

# ------------------------------------------------------------ topology

# bond1_batch: ip -batch lines that make R's bond1 (again) from its
# members and address it.
bond1_batch()
{
	cat <<-EOF
	link add bond1 address $BOND1_MAC type bond $BOND_OPTS
	link set bond1-m1 master bond1
	link set bond1-m2 master bond1
	link set bond1 up
	link set bond1-m1 up
	link set bond1-m2 up
	addr add 192.0.2.33/28 dev bond1
	neigh replace 192.0.2.34 lladdr $P_BOND1_MAC dev bond1 nud permanent
	EOF
}

# sg0_batch: ip -batch lines that bring R's sg0 back after a move.
sg0_batch()
{
	cat <<-EOF
	link set sg0 up
	addr add 192.0.2.49/28 dev sg0
	neigh replace 192.0.2.50 lladdr $P_SG0_MAC dev sg0 nud permanent
	EOF
}

setup()
{
	setup_ns R P Q || return 1
	quiet_ns "$Q" || return 1
	psmon_topo "$R" "$P" || return 1
	LAG_OPTS="miimon 100 xmit_hash_policy layer3+4" \
		make_lag "$R" "$P" bond1 2 balance-xor || return 1
	ip -n "$R" link set bond1 address "$BOND1_MAC" || return 1
	psmon_link "$R" bond1 192.0.2.33 - "$P" bond1 192.0.2.34 - || return 1
	P_BOND1_MAC=$(dev_mac "$P" bond1) || return 1
	ip link add sg0 netns "$R" type veth peer name sg0 netns "$P" || return 1
	ip -n "$R" link set sg0 up && ip -n "$P" link set sg0 up || return 1
	psmon_link "$R" sg0 192.0.2.49 - "$P" sg0 192.0.2.50 - || return 1
	P_SG0_MAC=$(dev_mac "$P" sg0) || return 1
	psmon_ref_counters "$R" 198.51.100.10 2001:db8:1::1 203.0.113.1
}

# flood NS DST [PING ARGS]: a ping flood until the script ends.
flood()
{
	local ns=$1 dst=$2

	shift 2
	ip netns exec "$ns" ping -q -n -i 0.01 -s 1000 "$@" "$dst" \
		>"$WORK/flood.$dst" 2>&1 &
	FLOODS+=($!)
}

floods_alive()
{
	local pid

	for pid in "${FLOODS[@]}"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "# flood $pid is gone"
			return 1
		fi
	done
}

# ------------------------------------------------------------ psmon

# register: the configuration of R, as after each load.  The prefixes
# come first: the floods on bond0 are then never unmatched.
register()
{
	pc "$R" -b - <<-EOF
	prefix add 198.51.100.0/24 name exact4 allow-reserved
	prefix add 198.51.100.128/25 name flood4 allow-reserved
	prefix add 203.0.113.0/24 name ref4 allow-reserved
	prefix add 2001:db8:1::/48 name exact6 allow-reserved
	prefix add 2001:db8:1:8000::/49 name flood6 allow-reserved
	prefix add 192.0.2.32/28 name churn allow-reserved
	prefix add 192.0.2.48/28 name single allow-reserved
	lag add bond0
	lag add bond1 capacity 1mbit
	lag add sg0
	EOF
}

# unload: rmmod psmon; a dump in progress holds the module for a moment.
unload()
{
	local i

	for i in $(seq 1 50); do
		psmon_loaded || return 0
		rmmod psmon 2>/dev/null && return 0
		sleep 0.1
	done
	rmmod psmon
}

# monitor_start: psctl -j monitor in R, in the background.
monitor_start()
{
	MON_ERR=$WORK/monitor.err
	"$PSCTL_SAN" -n "$R" -S "$WORK/state" -j monitor >>"$WORK/monitor.out" 2>>"$MON_ERR" &
	MON_PID=$!
}

# sanitized FILE: FILE holds a sanitizer's report.
sanitized()
{
	grep -qE 'Sanitizer|runtime error:' "$1" 2>/dev/null
}

# dump_loop: psctl readers in R and Q until $DUMP_STOP exists; each run's
# exit status goes to $WORK/dump.status ("NAME STATUS").  Failing
# requests are expected (module unloaded, devices going); a signal or a
# sanitizer's report is not.
dump_loop()
{
	local rc err=$WORK/dump.err name ns n=0 bin c
	local -a cmds=(
		"prefix-show -j -s prefix show"
		"lag-show -j -s lag show"
		"top -j top count 5 interval 1"
		"check -j check"
		"export export prometheus"
		"deadline -j deadline"
		"save save"
		"prefix-get prefix get 198.51.100.10"
	)

	while [ ! -e "$DUMP_STOP" ]; do
		for c in "${cmds[@]}"; do
			name=${c%% *}
			for ns in "$R" "$Q"; do
				rc=0
				n=$((n + 1))
				bin=$PSCTL
				[ $((n % 4)) = 0 ] && bin=$PSCTL_SAN
				# shellcheck disable=SC2086
				"$bin" -n "$ns" -S "$WORK/state" ${c#* } \
					>/dev/null 2>"$err" || rc=$?
				echo "$name $rc" >>"$WORK/dump.status"
				if [ "$rc" -ge 128 ] || sanitized "$err"; then
					{
						echo "$name in $ns: exit status $rc"
						head -n 20 "$err"
					} >>"$WORK/dump.crash"
				fi
				sleep 0.3
			done
		done
	done
}

dump_start()
{
	DUMP_STOP=$WORK/dump.stop
	rm -f "$DUMP_STOP"
	dump_loop &
	DUMP_PID=$!
}

dump_stop()
{
	touch "$DUMP_STOP"
	wait "$DUMP_PID"
	DUMP_PID=
}

# readers_ok: the monitor runs (or ended cleanly, then it is started
# again) and no reader crashed so far.
readers_ok()
{
	local rc=0

	if ! kill -0 "$MON_PID" 2>/dev/null; then
		wait "$MON_PID" || rc=$?
		echo "# psctl monitor ended with exit status $rc"
		tail -n 5 "$MON_ERR" | sed 's/^/#   /'
		[ "$rc" -ge 128 ] && return 1
		sanitized "$MON_ERR" && return 1
		monitor_start
	fi
	if [ -s "$WORK/dump.crash" ]; then
		echo "# a psctl reader crashed:"
		sed 's/^/#   /' "$WORK/dump.crash" | head -n 30
		return 1
	fi
}

# ------------------------------------------------------------ the cycles
#
# Each cycle_KIND PSMON: one cycle; PSMON is 1 when the module is loaded
# (then psctl attaches what the cycle made), 0 in the noise phase.

# Each member of bond1 released and enslaved again, in turn.
cycle_enslave()
{
	local i m

	for i in $(seq 1 $((CHEAP / 2))); do
		for m in m1 m2; do
			echo "link set bond1-$m nomaster"
			echo "link set bond1-$m master bond1"
			echo "link set bond1-$m up"
		done
	done | ip -n "$R" -batch -
}

# Each member's link down and up, in turn and (every other time) both
# together, when bond1 has no capacity left for a moment.
cycle_flap()
{
	local i

	for i in $(seq 1 $((CHEAP / 4))); do
		cat <<-EOF
		link set bond1-m1 down
		link set bond1-m1 up
		link set bond1-m2 down
		link set bond1-m2 up
		link set bond1-m1 down
		link set bond1-m2 down
		link set bond1-m1 up
		link set bond1-m2 up
		EOF
	done | ip -n "$R" -batch -
}

cycle_recreate()
{
	{ echo "link del bond1"; bond1_batch; } | ip -n "$R" -batch - || return 1
	[ "$1" = 0 ] || pc "$R" lag add bond1 capacity 1mbit
}

cycle_move()
{
	ip -n "$R" -batch - <<-EOF || return 1
	link set bond1-m2 netns $Q
	link set sg0 netns $Q
	EOF
	if [ "$1" = 1 ]; then
		pc "$Q" lag add sg0 || return 1
	fi
	ip -n "$Q" -batch - <<-EOF || return 1
	link set bond1-m2 netns $R
	link set sg0 netns $R
	EOF
	{
		echo "link set bond1-m2 master bond1"
		echo "link set bond1-m2 up"
		sg0_batch
	} | ip -n "$R" -batch - || return 1
	if [ "$1" = 1 ]; then
		pc "$R" lag add sg0 || return 1
	fi
	if ip -n "$R" link set bond1 netns "$Q" 2>/dev/null; then
		echo "# bond1 moved to another namespace"
		return 1
	fi
}

# A namespace with a bond of two veth pairs (peers in the namespace too),
# attached, a prefix registered, a flood going out through the bond when
# the namespace is deleted.
NSDEL_N=0
cycle_nsdel()
{
	local d pid

	NSDEL_N=$((NSDEL_N + 1))
	d=churnd-$$-$NSDEL_N
	ip netns add "$d" || return 1
	ip -n "$d" -batch - <<-EOF || { ip netns del "$d"; return 1; }
	link set lo up
	link add d0 type bond $BOND_OPTS
	link add dv1 type veth peer name dw1
	link add dv2 type veth peer name dw2
	link set dv1 master d0
	link set dv2 master d0
	link set dw1 up
	link set dw2 up
	link set d0 up
	addr add 192.0.2.65/28 dev d0
	neigh replace 192.0.2.66 lladdr 02:00:00:00:02:02 dev d0 nud permanent
	EOF
	if [ "$1" = 1 ]; then
		pc "$d" -b - <<-EOF || { ip netns del "$d"; return 1; }
		lag add d0
		prefix add 192.0.2.64/28 allow-reserved
		EOF
	fi
	nsenter --net="/run/netns/$d" ping -q -n -i 0.002 -s 500 192.0.2.66 \
		>/dev/null 2>&1 &
	pid=$!
	sleep 0.1
	ip netns del "$d" || return 1
	# The namespace goes when its last process does.
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# bond1 and sg0 detached and attached again, in turn.
cycle_attach()
{
	local i

	[ "$1" = 0 ] && return 0
	for i in $(seq 1 $((CHEAP / 2))); do
		echo "lag del bond1"
		echo "lag add bond1 capacity 1mbit"
		echo "lag del sg0"
		echo "lag add sg0"
	done | pc "$R" -b -
}

# cycles N PSMON: N rounds of every kind; stops at the first failure.
cycles()
{
	local n=$1 on=$2 i k t

	for i in $(seq 1 "$n"); do
		for k in $ROUND; do
			t=$(now_ms)
			if ! "cycle_$k" "$on"; then
				echo "# cycle $k failed (round $i)"
				return 1
			fi
			RAN[$k]=$(( ${RAN[$k]:-0} + WEIGHT[$k] ))
			MS[$k]=$(( ${MS[$k]:-0} + $(now_ms) - t ))
		done
	done
}

# ------------------------------------------------------------ memory

# mem_read ARRAY: the figures, in KiB, into the associative array ARRAY.
mem_read()
{
	local -n a=$1
	local k v _

	while read -r k v _; do
		case "$k" in
		Slab:|SUnreclaim:|Percpu:|VmallocUsed:) a[${k%:}]=$v ;;
		esac
	done </proc/meminfo
	# Accounted allocations (GFP_KERNEL_ACCOUNT, all of psmon's) come
	# from the kmalloc-cg-* caches.
	a["kmalloc_cg"]=$(awk '$1 ~ /^kmalloc-cg-/ { n += $3 * $4 }
			     END { print int(n / 1024) }' /proc/slabinfo)
	if [ -n "$CG" ]; then
		while read -r k v; do
			case "$k" in
			kernel|kernel_stack|pagetables|slab|percpu|vmalloc|sock)
				a["cg_$k"]=$((v / 1024)) ;;
			esac
		done <"$CG/memory.stat"
		# Kernel memory in pages of its own: large kmalloc, rings.
		a["cg_pages"]=$(( a["cg_kernel"] - a["cg_kernel_stack"] -
				  a["cg_pagetables"] - a["cg_slab"] -
				  a["cg_percpu"] - ${a["cg_vmalloc"]:-0} ))
	fi
}

# slab_read ARRAY: the allocated size (KiB) of every kmalloc cache.
slab_read()
{
	local -n s=$1
	local name size

	while read -r name size; do
		s["$name"]=$size
	done < <(awk '$1 ~ /^kmalloc-/ { print $1, int($3 * $4 / 1024) }' /proc/slabinfo)
}

# mem_settle ARRAY SLABARRAY: let freed memory go back (caches dropped,
# RCU callbacks run, readings steady), then read.
mem_settle()
{
	local i last=0 now

	for i in $(seq 1 10); do
		sync
		echo 3 >/proc/sys/vm/drop_caches
		# Reading slabinfo flushes no RCU, the sleep lets grace
		# periods and the namespace cleanup work pass.
		cat /proc/slabinfo >/dev/null
		sleep 1
		now=$(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)
		[ "$i" -gt 1 ] && [ $((now - last)) -le 16 ] &&
			[ $((last - now)) -le 16 ] && break
		last=$now
	done
	mem_read "$1"
	slab_read "$2"
	SETTLED=$i
}

# mem_check: the psmon phase's growth against the noise phase's: each
# figure of MEM_SLACK (KiB) may grow by its slack plus twice what the
# noise phase moved it; the others are printed only.
declare -A MEM_SLACK=(
	[cg_slab]=64 [cg_percpu]=64 [cg_pages]=128 [cg_vmalloc]=64
	[Slab]=1024 [SUnreclaim]=1024 [Percpu]=256 [VmallocUsed]=256
)
# A debug kernel (make check-debug: KASAN, kmemleak) keeps freed objects
# in KASAN's quarantine and its own metadata in the global slab, which
# grew by 3 MiB there in the psmon phase while the cgroup's slab grew by
# 33 KiB: on such a kernel the global Slab and SUnreclaim are printed
# only, the cgroup's figures keep their limits and kmemleak judges leaks.
if [ -e /sys/kernel/debug/kmemleak ] || grep -qsw kasan_multi_shot /proc/cmdline; then
	unset 'MEM_SLACK[Slab]' 'MEM_SLACK[SUnreclaim]'
fi
mem_check()
{
	local k noise grow tol rc=0 name

	for k in cg_slab cg_percpu cg_pages cg_vmalloc Slab SUnreclaim Percpu \
		 VmallocUsed kmalloc_cg cg_kernel cg_kernel_stack cg_pagetables \
		 cg_sock; do
		[ -n "${MEM0[$k]:-}" ] || continue
		noise=$(( MEM1[$k] - MEM0[$k] ))
		grow=$(( MEM2[$k] - MEM1[$k] ))
		tol=
		if [ -n "${MEM_SLACK[$k]:-}" ]; then
			tol=$(( MEM_SLACK[$k] + 2 * (noise < 0 ? -noise : noise) ))
		fi
		tap_diag "memory $k (KiB): ${MEM0[$k]}, noise phase" \
			"$noise, psmon phase $grow" \
			"${tol:+(tolerance $tol)}"
		if [ -n "$tol" ] && [ "$grow" -gt "$tol" ]; then
			echo "# memory $k grew by $grow KiB in the psmon phase (tolerance $tol KiB)"
			rc=1
		fi
	done
	for name in "${!SLAB2[@]}"; do
		grow=$(( SLAB2[$name] - ${SLAB1[$name]:-0} ))
		noise=$(( ${SLAB1[$name]:-0} - ${SLAB0[$name]:-0} ))
		[ "$grow" -ne 0 ] || [ "$noise" -ne 0 ] || continue
		tap_diag "  $name (KiB): noise phase $noise, psmon phase $grow"
	done | LC_ALL=C sort -V
	return "$rc"
}

# ------------------------------------------------------------ the phases

warm_up()
{
	# shellcheck disable=SC2119
	psmon_load && register && cycles 1 1 && unload
}

# The device churn without psmon: how much memory moves by itself.
noise_phase()
{
	cycles "$NOISE" 0
}

# exact_check V4 V6 REF_BEFORE: the counters of bond0's prefixes against
# the pings and the nftables reference.
exact_check()
{
	local out4=$1 out6=$2 r0=$3 r1 i4 o4 i6 o6 fin fout rc=0
	local a4 b4 a6 b6 af bf s

	r1=$(psmon_ref_get "$R" in1 out1 in2 out2 in3 out3)
	read -r a4 b4 a6 b6 af bf <<<"$r0"
	read -r i4 o4 i6 o6 fin fout <<<"$r1"
	i4=$((i4 - a4)); o4=$((o4 - b4)); i6=$((i6 - a6)); o6=$((o6 - b6))
	fin=$((fin - af)); fout=$((fout - bf))
	tap_diag "  reference: 198.51.100.10 in $i4 out $o4, 2001:db8:1::1" \
		"in $i6 out $o6, 203.0.113.1 in $fin out $fout"
	s=$(ping_stats "$(cat "$out4")")
	check_eq "IPv4 pings sent and answered" "$s" "$PINGS $PINGS" || rc=1
	s=$(ping_stats "$(cat "$out6")")
	check_eq "IPv6 pings sent and answered" "$s" "$PINGS $PINGS" || rc=1
	check_eq "reference IPv4" "$i4 $o4" "$PINGS $PINGS" || rc=1
	check_eq "reference IPv6" "$i6 $o6" "$PINGS $PINGS" || rc=1
	check_ge "flood frames counted by nft" "$fin" "$FLOOD" || rc=1
	# One dump: "PREFIX RXP RXB TXP TXB" a line, the totals.
	s=$(jget "$R" "-s prefix show" '*' \
		prefix,rx_packets,rx_bytes,tx_packets,tx_bytes)
	PREFIXES=$s
	check_eq "198.51.100.0/24" "$(grep '^198.51.100.0/24 ' <<<"$s")" \
		"198.51.100.0/24 $PINGS $((PINGS * F4)) $PINGS $((PINGS * F4))" || rc=1
	check_prefix "$R" 198.51.100.0/24 "$PINGS" $((PINGS * F4)) \
		"$PINGS" $((PINGS * F4)) bond0 || rc=1
	check_eq "2001:db8:1::/48" "$(grep '^2001:db8:1::/48 ' <<<"$s")" \
		"2001:db8:1::/48 $PINGS $((PINGS * F6)) $PINGS $((PINGS * F6))" || rc=1
	check_eq "203.0.113.0/24" "$(grep '^203.0.113.0/24 ' <<<"$s")" \
		"203.0.113.0/24 $fin $((fin * F4_FLOOD)) $fout $((fout * F4_FLOOD))" || rc=1
	check_unmatched "$R" bond0 0 0 0 0 || rc=1
	return "$rc"
}

# prefix_rx PREFIX: the packets PREFIX received, from the last
# exact_check's dump.
prefix_rx()
{
	awk -v p="$1" '$1 == p { print $2 }' <<<"$PREFIXES"
}

# One epoch: load, register, churn while the exact traffic runs, check,
# unload.
epoch()
{
	local e=$1 r0 p4 p6 pf out4 out6 v t

	t=$(now_ms)
	# shellcheck disable=SC2119
	psmon_load || { echo "# insmod failed"; return 1; }
	[ -n "$MON_PID" ] || monitor_start
	[ -n "$DUMP_PID" ] || dump_start
	v=$(awk '$1 == "psmon" { print $2 }' /proc/modules)
	if [ -z "$MODSIZE" ]; then
		MODSIZE=$v
	elif [ "$v" != "$MODSIZE" ]; then
		echo "# psmon's size changed between loads: $MODSIZE, then $v"
		return 1
	fi
	register || { echo "# registering the configuration failed"; return 1; }
	MS[reload]=$(( ${MS[reload]:-0} + $(now_ms) - t ))
	r0=$(psmon_ref_get "$R" in1 out1 in2 out2 in3 out3)
	out4=$WORK/ping4.$e; out6=$WORK/ping6.$e
	ip netns exec "$P" ping -q -n -c "$PINGS" -i 0.05 -s 100 -W 5 \
		198.51.100.10 >"$out4" 2>&1 &
	p4=$!
	ip netns exec "$P" ping -q -n -c "$PINGS" -i 0.05 -s 100 -W 5 \
		2001:db8:1::1 >"$out6" 2>&1 &
	p6=$!
	ip netns exec "$P" ping -q -n -c "$FLOOD" -i 0.01 -s 1000 -W 5 \
		203.0.113.1 >/dev/null 2>&1 &
	pf=$!

	if ! cycles "$PER_EPOCH" 1; then
		wait "$p4" "$p6" "$pf"
		return 1
	fi
	wait "$p4" "$p6" "$pf"

	tap_diag "epoch $e: $(( PER_ROUND * PER_EPOCH )) cycles done" \
		"($(( ($(now_ms) - t) / 1000 ))s), checking"
	exact_check "$out4" "$out6" "$r0" || return 1
	# The churned LAGs are back, counting their floods.
	# shellcheck disable=SC2016
	v=$(jget "$R" "lag show" '?" ".join(sorted(l["dev"] + ":" + ",".join(sorted(m["dev"] for m in l["members"])) for l in v))')
	check_eq "LAGs and members" "$v" \
		"bond0:bond0-m1,bond0-m2 bond1:bond1-m1,bond1-m2 sg0:sg0" || return 1
	check_ge "packets on bond1's prefix" "$(prefix_rx 192.0.2.32/28)" 1 ||
		return 1
	check_ge "packets on sg0's prefix" "$(prefix_rx 192.0.2.48/28)" 1 ||
		return 1
	floods_alive || return 1
	readers_ok || return 1

	t=$(now_ms)
	unload || { echo "# rmmod failed"; return 1; }
	RAN[reload]=$(( ${RAN[reload]:-0} + 1 ))
	MS[reload]=$(( ${MS[reload]:-0} + $(now_ms) - t ))
	floods_alive || return 1
	readers_ok
}

psmon_phase()
{
	local e

	for e in $(seq 1 "$EPOCHS"); do
		epoch "$e" || return 1
	done
}

# The readers end: the monitor on SIGTERM with status 0, no crash
# anywhere.
readers_end()
{
	local ok=0 rc=0 n bad

	dump_stop
	readers_ok || ok=1
	kill -TERM "$MON_PID"
	wait "$MON_PID" || rc=$?
	MON_PID=
	[ "$ok" = 0 ] || return 1
	n=$(grep -c 'listening again' "$MON_ERR")
	tap_diag "psctl monitor: $(wc -l <"$WORK/monitor.out") events," \
		"saw the module come back $n times"
	tap_diag "psctl readers: $(awk '{ n[$1]++; if ($2 == 0) ok[$1]++ }
		END { for (c in n) printf "%s %d/%d ", c, ok[c], n[c] }' \
		"$WORK/dump.status")(succeeded/runs)"
	check_eq "psctl monitor's exit status on SIGTERM" "$rc" 0 || return 1
	sanitized "$MON_ERR" && { echo "# monitor: sanitizer report"; return 1; }
	bad=$(awk '$2 >= 128' "$WORK/dump.status" | head -n 3)
	check_eq "readers killed by a signal" "$bad" "" || return 1
	check_ge "psctl monitor saw the reloads" "$n" $((EPOCHS - 1)) || return 1
	if [ -s "$WORK/monitor.out" ]; then
		python3 -c '
import json, sys
for line in open(sys.argv[1]):
	json.loads(line)' "$WORK/monitor.out" || { echo "# monitor: not JSON"; return 1; }
	fi
}

dmesg_hang_check()
{
	local new

	new=$(dmesg | tail -n +$(( ${DMESG_MARK:-0} + 1 )) |
	      grep -E 'unregister_netdevice: waiting|hung_task|blocked for more than')
	[ -z "$new" ] && return 0
	echo "$new" | sed 's/^/# /' | head -n 20
	return 1
}

# ------------------------------------------------------------ main

psmon_require
require_cmd nft awk nsenter
# Rounds per epoch, the nearest to CYCLES in all.
PER_EPOCH=$(( (2 * (CYCLES - EPOCHS) + PER_ROUND * EPOCHS) / (2 * PER_ROUND * EPOCHS) ))
[ "$PER_EPOCH" -ge 1 ] || PER_EPOCH=1
MODSIZE=
trap cleanup EXIT
WORK=$(mktemp -d)
mkdir -p "$WORK/state"
: >"$WORK/dump.status"

# This script's memory cgroup: what psmon allocates for us is charged
# there.
if [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
   grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	CG=/sys/fs/cgroup/psmon-churnloop-$$
	if ! { mkdir "$CG" && echo $$ >"$CG/cgroup.procs"; } 2>/dev/null ||
	   [ ! -r "$CG/memory.stat" ]; then
		rmdir "$CG" 2>/dev/null
		CG=
	fi
fi
if [ -x "$PSMON_TOP/tools/psctl/tests/psctl-san" ]; then
	PSCTL_SAN=$PSMON_TOP/tools/psctl/tests/psctl-san
	export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
fi

tap_plan 10
tap_diag "$(( EPOCHS * (PER_EPOCH * PER_ROUND + 1) )) cycles: $EPOCHS epochs" \
	"of $PER_EPOCH rounds of $(for k in $ROUND; do printf '%s %s, ' "$k" "${WEIGHT[$k]}"; done)a reload" \
	"after each; noise phase $NOISE rounds"
tap_diag "monitor and a fourth of the readers: $PSCTL_SAN${CG:+; memory cgroup $CG}"
dmesg_mark
t0=$(now_ms)

psmon_unload
if ! setup; then
	tap_fail "setup"
	tap_done
	exit $?
fi
tap_ok "setup"
psmon_json_start
flood "$P" 192.0.2.33
flood "$P" 192.0.2.49
flood "$P" 198.51.100.200
flood "$P" 2001:db8:1:8000::1

# A round with psmon to warm up what keeps memory once used (slab pages,
# populated per-CPU chunks), so that only what stays per cycle is
# measured; then the noise phase.
warm_up
tap_result "warm-up round with psmon" $?
mem_settle MEM0 SLAB0
tap_diag "settled after $SETTLED s; setup and warm-up: $(( ($(now_ms) - t0) / 1000 ))s"
t=$(now_ms)
noise_phase
tap_result "noise phase: the same device churn without psmon" $?
tap_diag "noise phase: $(( ($(now_ms) - t) / 1000 ))s"
mem_settle MEM1 SLAB1
RAN=()
MS=()

t=$(now_ms)
psmon_phase
tap_result "churn cycles with exact counts on the stable LAG" $?
tap_diag "psmon phase: $(( ($(now_ms) - t) / 1000 ))s"
s=
for k in $ROUND reload; do
	s+="$k ${RAN[$k]:-0} ($(( ${MS[$k]:-0} / 1000 ))s), "
done
tap_diag "cycles survived: ${s%, }"
rc=0
for k in $ROUND; do
	check_eq "$k cycles" "${RAN[$k]:-0}" $((WEIGHT[$k] * EPOCHS * PER_EPOCH)) || rc=1
done
check_eq "reload cycles" "${RAN[reload]:-0}" "$EPOCHS" || rc=1
tap_result "every kind of cycle ran to the end" $rc

floods_alive
tap_result "floods ran throughout" $?
readers_end
tap_result "psctl monitor and readers survived, exited cleanly" $?

psmon_unload
mem_settle MEM2 SLAB2
mem_check
tap_result "memory returns to where it started" $?

dmesg_check "kernel log"
tap_result "no kernel warnings" $?
dmesg_hang_check
tap_result "no unregister_netdevice wait, no hung task" $?

tap_diag "total: $(( ($(now_ms) - t0) / 1000 ))s"
tap_done
exit $?
