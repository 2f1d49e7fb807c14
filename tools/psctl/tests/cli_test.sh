#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psctl end to end, against tests/fakenl.so: a preloaded stand-in for the
# psmon generic netlink family (extended acks, all-or-nothing PREFIX_NEW,
# multi-datagram dumps). Run from tools/psctl: tests/cli_test.sh [PSCTL]
# TAP output.

set -u

PSCTL=${1:-./psctl}
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is needed to check the JSON output"
	exit 0
fi
FAKE=$(realpath tests/fakenl.so)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

n=0
failed=0
echo "TAP version 13"

ok() {			# ok CONDITION-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		sed 's/^/#   /' "$TMP/err" "$TMP/out" 2>/dev/null | head -20
	fi
}

# run EXPECTED-STATUS ARGS...: psctl with the fake module loaded.
run() {
	local want=$1
	shift
	LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state \
		FAKE_PSMON_LOG=$TMP/log "$PSCTL" "$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	[ "$got" -eq "$want" ] || { echo "exit $got, expected $want" >>"$TMP/err"; return 1; }
}

err_has() { grep -qF -- "$1" "$TMP/err"; }
out_is() { [ "$(cat "$TMP/out")" = "$1" ]; }
requests() { grep -c "$1" "$TMP/log" 2>/dev/null || true; }
reset() { rm -f "$TMP/state" "$TMP/log"; }

json() {		# json FILTER: evaluate a jq-like path with python3
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$TMP/out" "$1"
}

# ---- without the module ----------------------------------------------------
"$PSCTL" lag show >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && out_is "" &&
	[ "$(cat "$TMP/err")" = "Error: psmon kernel module is not loaded (modprobe psmon)" ]
ok $? "no module: lag show exits 2 with the not-loaded message"

"$PSCTL" prefix add 10.0.0.0/8 >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] && err_has "10.0.0.0/8 lies in reserved range 10.0.0.0/8: private"
ok $? "input errors come before the module check (exit 1)"

# ---- options, help, abbreviations -----------------------------------------
reset
run 0 -V && grep -qE '^psctl .+' "$TMP/out"
ok $? "-V prints the version"
run 0 help && grep -q "psctl prefix add PREFIX \[name NAME\] \[allow-reserved\]" "$TMP/out" &&
	! grep -qE "monitor|deadline|export|save|lag ack" "$TMP/out"
ok $? "help lists the commands, and only those that exist"
run 0 lag help && grep -q "psctl lag set DEV" "$TMP/out" && ! grep -q prefix "$TMP/out"
ok $? "lag help"
run 1 lag s && err_has 'ambiguous command "s"'
ok $? "lag s is ambiguous"
run 1 frob && err_has 'unknown object "frob"'
ok $? "unknown object"
run 1 -x lag show && err_has 'unknown option "-x"'
ok $? "unknown option"
run 1 -n nosuchns lag show && err_has 'cannot open network namespace "nosuchns"'
ok $? "-n with a missing namespace"
[ ! -s "$TMP/log" ]
ok $? "nothing was sent so far"

# ---- lag ------------------------------------------------------------------
run 0 lag add bond0
ok $? "lag add"
run 2 lag add bond0 && err_has "Error: psmon already counts on this LAG"
ok $? "lag add twice: the kernel's message, exit 2"
run 2 l set bond0 clear 40 && err_has "Error: clear must be below threshold"
ok $? "lag set clear 40 against the stored threshold: refused by the kernel"
run 1 lag set bond0 threshold 40 clear 40 && err_has "clear (40) must be below threshold (40)"
ok $? "clear >= threshold on the command line: exit 1"
run 0 l se bond0 capacity 2.5gbit threshold 50 clear 45 window 60
ok $? "lag set (abbreviated)"
run 0 -j lag show &&
	[ "$(json 'sorted(d[0].keys())')" = "['capacity_auto', 'capacity_bps', 'clear_pct', 'dev', 'kind', 'members', 'threshold_pct', 'unmatched_rx_bytes', 'unmatched_rx_packets', 'unmatched_tx_bytes', 'unmatched_tx_packets', 'window_s']" ] &&
	[ "$(json '(d[0]["capacity_bps"], d[0]["capacity_auto"], d[0]["threshold_pct"], d[0]["clear_pct"], d[0]["window_s"])')" = "(2500000000, False, 50, 45, 60)" ] &&
	[ "$(json 'd[0]["members"]')" = "[{'dev': 'm1', 'speed_mbps': 10000, 'up': True}, {'dev': 'm2', 'speed_mbps': None, 'up': False}]" ]
ok $? "-j lag show: the contract's keys and values"
run 0 -j -s lag sh bond0 &&
	[ "$(json '(d[0]["rx_packets"], d[0]["tx_bytes"], d[0]["members"][0]["rx_bytes"])')" = "(1000, 12897485, 710000)" ]
ok $? "-j -s lag show DEV adds counters"
run 0 -p lag show && [ "$(head -c 2 "$TMP/out")" = "[" ] && json 'len(d)' >/dev/null
ok $? "-p is indented JSON"
run 0 -s lag show && grep -q "capacity 2.5 Gbit/s, threshold 50%, clear 45%, window 60 s" "$TMP/out" &&
	grep -qE "all members +1000 +1420000 \(1.4 MiB\)" "$TMP/out"
ok $? "human lag show with units"
run 0 lag set bond0 capacity auto && run 0 -j lag show && [ "$(json 'd[0]["capacity_auto"]')" = True ]
ok $? "capacity auto"
run 2 lag del team7 && err_has "Error: psmon does not count on this device"
ok $? "lag del of an unknown LAG"

# ---- prefix ---------------------------------------------------------------
run 0 prefix add 8.8.8.0/24 name google && run 0 p a 2a00:1450::/32 &&
	run 0 prefix add 198.51.100.0/24 name A allow-reserved
ok $? "prefix add, abbreviated too, allow-reserved"
run 2 prefix add 8.8.8.0/24 && err_has "Error: prefix already registered"
ok $? "prefix add twice: exit 2"
run 1 prefix add 198.51.100.1/24 && err_has "did you mean 198.51.100.0/24?"
ok $? "host bits: exit 1 with the network"
run 1 prefix add 198.51.100.0/24 && err_has "TEST-NET-2"
ok $? "documentation range refused without allow-reserved"
run 0 -j -s prefix show &&
	[ "$(json '[p["prefix"] for p in d]')" = "['8.8.8.0/24', '198.51.100.0/24', '2a00:1450::/32']" ] &&
	[ "$(json 'd[2]["name"]')" = None ] &&
	[ "$(json 'sorted(d[1].keys())')" = "['lags', 'name', 'prefix', 'rx_bytes', 'rx_packets', 'tx_bytes', 'tx_packets']" ] &&
	[ "$(json 'd[1]["lags"]')" = "[{'dev': 'bond0', 'rx_packets': 10, 'rx_bytes': 1420, 'tx_packets': 5, 'tx_bytes': 3000000}]" ]
ok $? "-j -s prefix show: keys, order, null name"
run 0 -j prefix show 198.51.100.0/24 &&
	[ "$(json 'd')" = "[{'prefix': '198.51.100.0/24', 'name': 'A'}]" ]
ok $? "-j prefix show PREFIX without -s has no counters"
run 0 prefix del 8.8.8.0/24 && run 2 prefix del 8.8.8.0/24 && err_has "Error: prefix not registered"
ok $? "prefix del, twice"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_EPERM=1 "$PSCTL" prefix show >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && err_has "CAP_NET_ADMIN"
ok $? "EPERM mentions CAP_NET_ADMIN"

# ---- batch ----------------------------------------------------------------
reset
{
	for i in 1 2 3 4 5; do echo "prefix add 11.0.$i.0/24"; done
	echo "prefix add 11.0.2.0/24   # a duplicate"
	for i in 7 8 9 10; do echo "prefix add 11.0.$i.0/24"; done
} >"$TMP/dup.txt"
run 2 -b "$TMP/dup.txt" && err_has "$TMP/dup.txt:6: Error: prefix already registered" &&
	[ "$(requests 'cmd=5 .*prefixes=10')" = 1 ] && [ "$(requests 'cmd=5 .*prefixes=5')" = 1 ]
ok $? "batch: a refused group is resent up to the refused line, which is reported"
run 0 prefix show && [ "$(wc -l <"$TMP/out")" = 5 ]
ok $? "batch: the lines before the failing one stay applied"

reset
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_LOG=$TMP/log \
	FAKE_PSMON_NOOFFS=1 "$PSCTL" -b "$TMP/dup.txt" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && err_has "dup.txt:6: Error" && run 0 prefix show && [ "$(wc -l <"$TMP/out")" = 5 ]
ok $? "batch: without an offset the group is sent line by line"

reset
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_LOG=$TMP/log \
	FAKE_PSMON_NOCAP=1 "$PSCTL" -b "$TMP/dup.txt" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && err_has "dup.txt:6: Error: prefix already registered"
ok $? "batch: uncapped acks (the request echoed) are parsed too"

reset
printf '# comment\n\nprefix add 12.0.0.0/24\n  p a 12.0.1.0/24 # c\nprefix add 12.0.2.1/24\nprefix add 12.0.3.0/24\n' >"$TMP/perr.txt"
run 1 -b "$TMP/perr.txt" && err_has "perr.txt:5: Error: invalid prefix \"12.0.2.1/24\"" &&
	run 0 prefix show && [ "$(wc -l <"$TMP/out")" = 2 ]
ok $? "batch: a bad line is reported after the lines before it are applied"

reset
printf 'prefix add 13.0.0.0/24\nlag add bond0\nprefix add 13.0.1.0/24\nlag show\nlag bogus\n' >"$TMP/mix.txt"
run 1 -b "$TMP/mix.txt" && err_has "mix.txt:5: Error: unknown command \"bogus\"" &&
	grep -q "^bond0: bond" "$TMP/out" && [ "$(requests 'cmd=5')" = 2 ]
ok $? "batch: other commands end a group, output, FILE:LINE"

reset
printf 'prefix add 14.0.0.0/24\n' | LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state \
	"$PSCTL" -b - >"$TMP/out" 2>"$TMP/err" && run 0 prefix show && out_is "14.0.0.0/24"
ok $? "batch from standard input"

reset
python3 - "$TMP/big.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        if i % 2:
            f.write(f"prefix add {20 + i // 65536}.{i // 256 % 256}.{i % 256}.0/24 name n{i}\n")
        else:
            f.write(f"prefix add 2a01:{i >> 16:x}:{i & 0xffff:x}::/48\n")
PY
start=$(date +%s%N)
run 0 -b "$TMP/big.txt"
st=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $st -eq 0 ] && [ "$(requests 'cmd=5')" = 391 ] && [ "$(requests 'prefixes=256')" = 390 ]
ok $? "batch: 100000 prefix add lines in 391 messages (${ms} ms)"
run 0 prefix show && [ "$(wc -l <"$TMP/out")" = 100000 ] && [ "$(head -1 "$TMP/out")" = "20.0.1.0/24        name n1" ] && [ "$(tail -1 "$TMP/out")" = "2a01:1:869e::/48" ]
ok $? "prefix show streams a 100000-prefix dump in order"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_DGRAM=60000 \
	"$PSCTL" -j -s prefix show >"$TMP/out" 2>"$TMP/err" && [ "$(json 'len(d)')" = 100000 ]
ok $? "-j -s prefix show of 100000 prefixes in large datagrams is valid JSON"

echo "1..$n"
[ $failed -eq 0 ] || echo "# $failed of $n tests failed"
[ $failed -eq 0 ]
