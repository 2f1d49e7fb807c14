#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psmon and psctl refusals: every bad request exits 1 (bad usage or input,
# nothing sent) or 2 (the kernel refused) and leaves the state unchanged.
#
#   R:  bond0 (active-backup) -- m1, m2 (dummy)
#       d0 (dummy, a plain interface), d0.5 (VLAN), br0 (bridge)
#   psmon: lag add bond0; prefix add 198.51.100.0/24 name existing
#
# No traffic flows (no IPv4 address, IPv6 disabled): the state compared
# before and after each refusal is the JSON of "lag show" and
# "prefix show", counters included.

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

cleanup()
{
	cleanup_all_ns
}

setup()
{
	setup_ns R || return 1
	# Nothing may send a frame (counters are part of the state).
	ip netns exec "$R" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
	ip -n "$R" -batch - <<-EOF || return 1
	link add bond0 type bond mode active-backup miimon 100
	link add m1 type dummy
	link add m2 type dummy
	link set m1 master bond0
	link set m2 master bond0
	link add d0 type dummy
	link set bond0 up
	link set d0 up
	EOF
	pc "$R" lag add bond0 &&
	pc "$R" prefix add 198.51.100.0/24 name existing allow-reserved
}

# state: the configuration and counters of R.
state()
{
	{ pc "$R" -j -s lag show && pc "$R" -j -s prefix show; } | stable
}

# refused WANT ARGS...: psctl ARGS in R exits WANT and changes nothing.
# The state is read again only after a change (see accepted).
STATE=
refused()
{
	local want=$1 after

	shift
	[ -n "$STATE" ] || STATE=$(state)
	check_exit "psctl $*" "$want" pc "$R" "$@" || return 1
	after=$(state)
	check_eq "state after psctl $*" "$after" "$STATE"
}

# refused_msg WANT TEXT ARGS...: like refused, and the message on standard
# error contains TEXT.
refused_msg()
{
	local want=$1 text=$2 out rc=0

	shift 2
	refused "$want" "$@" || return 1
	out=$(pc "$R" "$@" 2>&1 >/dev/null) || rc=$?
	if ! grep -qF -- "$text" <<<"$out"; then
		echo "# psctl $*: message '$out' lacks '$text'"
		return 1
	fi
}

# accepted ARGS...: psctl ARGS succeeds.
accepted()
{
	STATE=
	check_exit "psctl $*" 0 pc "$R" "$@"
}

test_malformed()
{
	local p

	assert setup
	for p in 198.51.100.0 198.51.100.0/ /24 198.51.100/24 198.51.100.256/24 \
		 198.51.100.0/24x 198.51.100.0/2.4 198.51.100.0/-24 198.51.100.0/+24 \
		 198.51.100.0/024 " 198.51.100.0/24" 198.51.100.0.0/24 1.2.3/32 \
		 0x0a.0.0.0/8 abc "" 2001:db8::/ 2001:db8::g/32 2001:db8:::/48 \
		 2001:db8::/32/32 "2001:db8:: /32" 198.51.100.0/24/24 ::ffff:/96x; do
		assert refused 1 prefix add "$p" allow-reserved
	done
	assert refused 1 prefix del 198.51.100.0
	assert refused 1 prefix show 198.51.100.0/33
}

test_host_bits()
{
	assert setup
	assert refused_msg 1 "host bits" prefix add 198.51.100.1/24 allow-reserved
	assert refused 1 prefix add 198.51.100.128/24 allow-reserved
	assert refused 1 prefix add 203.0.113.1/31 allow-reserved
	assert refused 1 prefix add 2001:db8::1/32 allow-reserved
	assert refused 1 prefix add 2001:db8:1:8000::/48 allow-reserved
	assert refused 1 prefix add 2a00::1/64
	assert refused 1 prefix del 198.51.100.1/24
}

test_lengths()
{
	assert setup
	assert refused 1 prefix add 198.0.0.0/7 allow-reserved
	assert refused 1 prefix add 0.0.0.0/0 allow-reserved
	assert refused 1 prefix add 198.51.100.0/33 allow-reserved
	assert refused 1 prefix add 2000::/15 allow-reserved
	assert refused 1 prefix add ::/0 allow-reserved
	assert refused 1 prefix add 2001:db8::/129 allow-reserved
	# The bounds themselves are accepted.
	assert accepted prefix add 8.0.0.0/8
	assert accepted prefix add 8.8.8.8/32
	assert accepted prefix add 2a00::/16
	assert accepted prefix add 2a00::1/128
	assert check_eq "prefixes" "$(jget "$R" "prefix show" '*' prefix | tr '\n' ' ')" \
		"8.0.0.0/8 8.8.8.8/32 198.51.100.0/24 2a00::/16 2a00::1/128 "
}

# Without allow-reserved only public space; the message names the range.
test_reserved()
{
	local p r

	assert setup
	for p in 0.0.0.0/8=0.0.0.0/8 10.0.0.0/8=10.0.0.0/8 10.1.2.0/24=10.0.0.0/8 \
		 100.64.0.0/10=100.64.0.0/10 127.0.0.0/8=127.0.0.0/8 \
		 169.254.0.0/16=169.254.0.0/16 172.16.0.0/12=172.16.0.0/12 \
		 192.0.0.0/24=192.0.0.0/24 192.0.2.0/24=192.0.2.0/24 \
		 192.168.1.0/24=192.168.0.0/16 198.18.0.0/15=198.18.0.0/15 \
		 198.51.100.0/25=198.51.100.0/24 203.0.113.0/24=203.0.113.0/24 \
		 224.0.0.0/8=224.0.0.0/4 239.1.0.0/16=224.0.0.0/4 \
		 240.0.0.0/8=240.0.0.0/4 255.255.255.255/32=240.0.0.0/4 \
		 ::1/128=::1/128 fc00::/16=fc00::/7 fd12:3456::/32=fc00::/7 \
		 fe80::/16=fe80::/10 ff02::/16=ff00::/8 2001:db8::/32=2001:db8::/32 \
		 2001:db8:1::/48=2001:db8::/32 ::ffff:0:0/96=::ffff:0:0/96; do
		r=${p#*=}
		p=${p%%=*}
		assert refused_msg 1 "$r" prefix add "$p"
		assert accepted prefix add "$p" allow-reserved
		assert accepted prefix del "$p"
	done
	# A public prefix needs no flag.
	assert accepted prefix add 8.8.8.0/24 name public
	assert accepted prefix add 2a00:1450::/32
}

test_exists()
{
	assert setup
	assert refused 2 prefix add 198.51.100.0/24 allow-reserved
	assert refused 2 prefix add 198.51.100.0/24 name other allow-reserved
	assert refused 2 prefix del 203.0.113.0/24
	assert refused 2 prefix del 2001:db8::/32
	assert refused 2 prefix show 203.0.113.0/24
	assert accepted prefix add 198.51.100.0/25 allow-reserved
	assert accepted prefix del 198.51.100.0/25
	assert refused 2 prefix del 198.51.100.0/25
}

test_lag_devices()
{
	assert setup
	assert refused 2 lag add nosuchdev
	assert refused 2 lag add m1
	assert refused 2 lag add bond0
	assert refused 2 lag del d0
	assert refused 2 lag set d0 threshold 50
	assert refused 2 lag show d0
	assert refused 2 lag del nosuchdev
	assert refused 1 lag add "bad/name"
	assert refused 1 lag add "a-device-name-too-long"
	assert refused 1 lag add ""
	assert refused 1 lag add
	assert refused 1 lag del
	# Not LAGs: a VLAN, the loopback, a bridge.
	assert ip -n "$R" link add link d0 name d0.5 type vlan id 5
	assert ip -n "$R" link add br0 type bridge
	assert refused 2 lag add d0.5
	assert refused 2 lag add lo
	assert refused 2 lag add br0
	# A plain interface can be attached once.
	assert accepted lag add d0
	assert refused 2 lag add d0
	assert accepted lag del d0
	assert refused 2 lag del d0
}

test_lag_values()
{
	local v

	assert setup
	for v in 0 101 -1 abc 40.5 "" 1000000000000; do
		assert refused 1 lag add d0 threshold "$v"
		assert refused 1 lag set bond0 threshold "$v"
	done
	for v in 0 101 x; do
		assert refused 1 lag set bond0 clear "$v"
	done
	assert refused 1 lag add d0 threshold 50 clear 50
	assert refused 1 lag add d0 threshold 50 clear 60
	assert refused 1 lag set bond0 threshold 40 clear 40
	for v in 0 3601 -5 1h 60s ""; do
		assert refused 1 lag add d0 window "$v"
		assert refused 1 lag set bond0 window "$v"
	done
	for v in 0 0bit 0gbit garbage 10xbit "10 gbit" -1gbit 1.5bit gbit "" 1e9; do
		assert refused 1 lag add d0 capacity "$v"
		assert refused 1 lag set bond0 capacity "$v"
	done
	assert refused 1 lag add d0 speed 10gbit
	assert refused 1 lag add d0 threshold
	assert refused 1 lag add d0 threshold 50 threshold 60
	assert refused 1 lag set bond0
	# Against the current settings (threshold 40, clear 35): the
	# kernel refuses a clear level at or above the threshold; a
	# threshold given alone moves the clear level along instead.
	assert refused 2 lag set bond0 clear 40
	assert refused 2 lag add d0 clear 40
	# Accepted bounds.
	assert accepted lag set bond0 threshold 100 clear 99
	assert accepted lag set bond0 threshold 2 clear 1
	assert accepted lag set bond0 window 1
	assert accepted lag set bond0 window 3600
	assert accepted lag set bond0 capacity 1
	assert check_eq "settings" \
		"$(jget "$R" "lag show" dev=bond0 capacity_bps,capacity_auto,threshold_pct,clear_pct,window_s)" \
		"1 false 2 1 3600"
	assert accepted lag add d0 capacity 100tbit threshold 100 clear 1 window 3600
	assert check_eq "settings" \
		"$(jget "$R" "lag show" dev=d0 capacity_bps,capacity_auto,threshold_pct,clear_pct,window_s)" \
		"100000000000000 false 100 1 3600"
}

test_names()
{
	local n63 n64

	assert setup
	n63=$(printf 'n%.0s' $(seq 63))
	n64=${n63}x
	assert refused 1 prefix add 203.0.113.0/24 name "$n64" allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 name "a b" allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 name 'a"b' allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 name "a'b" allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 name 'a\b' allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 name "" allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 name "$(printf 'a\tb')" allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 name "$(printf 'caf\xc3\xa9')" allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 name a name b allow-reserved
	assert accepted prefix add 203.0.113.0/24 name "$n63" allow-reserved
	assert check_eq "63-character name" \
		"$(jget "$R" "prefix show" prefix=203.0.113.0/24 name)" "$n63"
}

test_keywords()
{
	assert setup
	assert refused 1 prefix add 203.0.113.0/24 allow-reserved bogus
	assert refused 1 prefix add 203.0.113.0/24 allow-reserved allow-reserved
	assert refused 1 prefix add 203.0.113.0/24 Allow-Reserved
	assert refused 1 prefix add
	assert refused 1 prefix del
	assert refused 1 prefix del 198.51.100.0/24 name existing
	assert refused 1 prefix frob
	assert refused 1 lag frob bond0
	assert refused 1 frob show
	assert refused 1 -x lag show
	assert refused 1 lag show bond0 extra
	assert refused 1 -b
}

# Batch mode: the first bad line stops the batch and is reported as
# FILE:LINE; the lines before it stay applied.
test_batch()
{
	local f out rc

	assert setup
	f=$(mktemp)
	cat >"$f" <<-EOF
	# comment
	prefix add 203.0.113.0/25 name b1 allow-reserved

	prefix add 2001:db8:1::/48 name b2 allow-reserved
	prefix add 203.0.113.256/25 allow-reserved
	prefix add 203.0.113.128/25 name never allow-reserved
	EOF
	rc=0; out=$(pc "$R" -b "$f" 2>&1) || rc=$?
	assert check_eq "exit status, bad input on line 5" "$rc" 1
	assert grep -qF "$f:5:" <<<"$out"
	assert check_eq "prefixes" "$(jget "$R" "prefix show" '*' prefix | tr '\n' ' ')" \
		"198.51.100.0/24 203.0.113.0/25 2001:db8:1::/48 "

	# A kernel refusal (the prefix exists) in the middle of a group of
	# adds: the adds before it stay, exit 2.
	cat >"$f" <<-EOF
	prefix add 192.0.2.0/25 allow-reserved
	prefix add 192.0.2.128/25 allow-reserved
	prefix add 203.0.113.0/25 allow-reserved
	prefix add 2001:db8:2::/48 allow-reserved
	EOF
	rc=0; out=$(pc "$R" -b "$f" 2>&1) || rc=$?
	assert check_eq "exit status, kernel refusal on line 3" "$rc" 2
	assert grep -qF "$f:3:" <<<"$out"
	assert check_eq "prefixes" "$(jget "$R" "prefix show" '*' prefix | tr '\n' ' ')" \
		"192.0.2.0/25 192.0.2.128/25 198.51.100.0/24 203.0.113.0/25 2001:db8:1::/48 "

	# Other commands, and standard input.
	rc=0; out=$(printf 'lag add d0 window 60\nlag set d0 threshold 50\nlag del nosuchdev\nprefix del 192.0.2.0/25\n' |
		    pc "$R" -b - 2>&1) || rc=$?
	assert check_eq "exit status, kernel refusal on line 3 of stdin" "$rc" 2
	assert grep -qE '(^|[^0-9]):3:' <<<"$out"
	assert check_eq "d0 settings" "$(jget "$R" "lag show" dev=d0 window_s,threshold_pct)" "60 50"
	assert jget "$R" "prefix show" prefix=192.0.2.0/25 prefix >/dev/null

	assert check_exit "missing batch file" 1 pc "$R" -b /nonexistent/psmon-batch
	rm -f "$f"
}

# Changes need CAP_NET_ADMIN; reading does not.
test_unprivileged()
{
	local nobody out rc before

	assert setup
	nobody=(ip netns exec "$R" setpriv --reuid=65534 --regid=65534 --clear-groups
		--inh-caps=-all --bounding-set=-all "$PSCTL")
	before=$(state)
	for args in "prefix add 203.0.113.0/24 allow-reserved" \
		    "prefix del 198.51.100.0/24" "lag add d0" "lag del bond0" \
		    "lag set bond0 threshold 50"; do
		rc=0
		# shellcheck disable=SC2086
		out=$("${nobody[@]}" $args 2>&1) || rc=$?
		assert check_eq "unprivileged $args: exit status" "$rc" 2
		assert grep -qi "not permitted\|CAP_NET_ADMIN" <<<"$out"
	done
	assert check_eq "state" "$(state)" "$before"
	assert check_eq "unprivileged lag show" \
		"$("${nobody[@]}" -j -s lag show | stable)" \
		"$(pc "$R" -j -s lag show | stable)"
	assert check_eq "unprivileged prefix show" "$("${nobody[@]}" -j -s prefix show)" \
		"$(pc "$R" -j -s prefix show)"
}

psmon_require
require_cmd setpriv
require_module dummy
trap cleanup EXIT

tap_plan 13
dmesg_mark
tap_check "load psmon.ko" psmon_load
psmon_json_start

run_test "malformed prefixes: exit 1" test_malformed
run_test "host bits set: exit 1" test_host_bits
run_test "prefix lengths /8-/32 and /16-/128 only" test_lengths
run_test "reserved ranges need allow-reserved, message names the range" test_reserved
run_test "duplicate add, missing del: exit 2" test_exists
run_test "unknown, enslaved and attached devices: exit 2" test_lag_devices
run_test "threshold, clear, window, capacity values" test_lag_values
run_test "prefix names" test_names
run_test "unknown keywords, objects, options" test_keywords
run_test "batch: FILE:LINE, earlier lines applied" test_batch
run_test "unprivileged: changes refused (exit 2), show allowed" test_unprivileged

dmesg_check "kernel log"
tap_result "no kernel warnings" $?

tap_done
exit $?
