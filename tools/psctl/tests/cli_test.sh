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
# shellcheck source-path=SCRIPTDIR source=lib.sh
source tests/lib.sh

# run_unloaded EXPECTED-STATUS ARGS...: the same without the module.
run_unloaded() {
	local want=$1
	shift
	LD_PRELOAD=$FAKE FAKE_PSMON_STATE=$TMP/state "$PSCTL" "$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	[ "$got" -eq "$want" ] || { echo "exit $got, expected $want" >>"$TMP/err"; return 1; }
}

# traffic DEV RX_BPS TX_BPS [ALERT_SINCE [PEAK_PPM]]: what the fake module
# measures on DEV (its crossing and peak too: 0 forgets them, as a reload).
traffic() {
	awk -v dev="$1" -v rx="$2" -v tx="$3" -v since="${4:-keep}" -v peak="${5:-keep}" '
		$1 == "lag" && $2 == dev {
			$8 = rx; $9 = tx
			if (since != "keep") $10 = since
			if (peak != "keep") $11 = peak
		}
		{ print }' "$TMP/state" >"$TMP/state.new" && mv "$TMP/state.new" "$TMP/state"
}

err_has() { grep -qF -- "$1" "$TMP/err"; }
out_is() { [ "$(cat "$TMP/out")" = "$1" ]; }
requests() { grep -c "$1" "$TMP/log" 2>/dev/null || true; }
reset() { rm -rf "$TMP/state" "$TMP/log" "$PSMON_STATE_DIR"; }
now() { date +%s; }

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
	grep -q "psctl lag ack DEV" "$TMP/out" && grep -q "psctl monitor" "$TMP/out" &&
	grep -q "psctl deadline \[DEV\]" "$TMP/out" &&
	grep -q "psctl export prometheus \[FILE\]" "$TMP/out" && grep -q "psctl save" "$TMP/out" &&
	grep -q -- "--state-dir DIR" "$TMP/out"
ok $? "help lists every command and -S"
run 0 deadline help && grep -q "psctl deadline \[DEV\]" "$TMP/out"
ok $? "deadline help"
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
	[ "$(json 'list(d[0].keys())[:16]')" = "['dev', 'kind', 'members', 'capacity_bps', 'capacity_auto', 'threshold_pct', 'clear_pct', 'window_s', 'rx_bps', 'tx_bps', 'utilization_pct', 'alert', 'alert_since', 'unmatched_rx_packets', 'unmatched_rx_bytes', 'unmatched_tx_packets']" ] &&
	[ "$(json 'sorted(d[0].keys())')" = "['active_capacity_bps', 'active_members', 'active_utilization_pct', 'alert', 'alert_since', 'capacity_auto', 'capacity_bps', 'clear_pct', 'degraded', 'dev', 'hook_rx_bps', 'hook_tx_bps', 'kind', 'members', 'mode', 'n1_capacity_bps', 'n1_utilization_pct', 'overload', 'peak_utilization_pct', 'rate_seconds', 'rx_bps', 'rx_utilization_pct', 'threshold_pct', 'tx_bps', 'tx_utilization_pct', 'unmatched_rx_bytes', 'unmatched_rx_packets', 'unmatched_tx_bytes', 'unmatched_tx_packets', 'utilization_pct', 'window_s']" ] &&
	[ "$(json '(d[0]["capacity_bps"], d[0]["capacity_auto"], d[0]["threshold_pct"], d[0]["clear_pct"], d[0]["window_s"])')" = "(2500000000, False, 50, 45, 60)" ] &&
	[ "$(json '[(m["dev"], m["speed_mbps"], m["up"]) for m in d[0]["members"]]')" = "[('m1', 10000, True), ('m2', None, False), ('m3', 10000, True)]" ] &&
	[ "$(json 'list(d[0]["members"][0].keys())')" = "['dev', 'speed_mbps', 'up', 'rx_bps', 'tx_bps', 'utilization_pct', 'rx_utilization_pct', 'tx_utilization_pct', 'active', 'inactive_reason', 'hook_rx_bps', 'hook_tx_bps']" ] &&
	[ "$(json '(d[0]["rx_bps"], d[0]["utilization_pct"], d[0]["alert"], d[0]["alert_since"])')" = "(0.0, 0.0, False, None)" ]
ok $? "-j lag show: the contract's keys in its order, then the extra ones"
run 0 -j -s lag sh bond0 &&
	[ "$(json '(d[0]["rx_packets"], d[0]["tx_bytes"], d[0]["members"][0]["rx_bytes"])')" = "(1000, 12897485, 710000)" ]
ok $? "-j -s lag show DEV adds counters"
run 0 -p lag show && [ "$(head -c 2 "$TMP/out")" = "[" ] && json 'len(d)' >/dev/null
ok $? "-p is indented JSON"
run 0 -s lag show && grep -qE "capacity 2.5 Gbit/s, active [0-9.]+ Gbit/s \([0-9] of 3 members\), threshold 50%, clear 45%, window 60 s" "$TMP/out" &&
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

rm -f "$TMP/log"
grep -m 1000 "name" "$TMP/big.txt" | sed 's/^prefix add \([^ ]*\) .*/prefix del \1/' >"$TMP/del.txt"
run 0 -b "$TMP/del.txt" && [ "$(requests 'cmd=6 .*prefixes=256')" = 3 ] &&
	[ "$(requests 'cmd=6 .*prefixes=232')" = 1 ] && [ "$(requests 'cmd=6')" = 4 ] &&
	run 0 prefix show && [ "$(wc -l <"$TMP/out")" = 99000 ]
ok $? "batch: 1000 prefix del lines in 4 messages"
printf 'prefix del 20.0.1.0/24\nprefix del 20.0.3.0/24\n' >"$TMP/del2.txt"
rm -f "$TMP/log"
run 2 -b "$TMP/del2.txt" && err_has "del2.txt:1: Error: prefix not registered" &&
	[ "$(requests 'cmd=6')" = 1 ]
ok $? "batch: a refused prefix del group reports the refused line"
rm -f "$TMP/log"
run 0 prefix flush && [ "$(requests 'cmd=10 .*prefixes=99000')" = 1 ] &&
	run 0 prefix show && [ ! -s "$TMP/out" ]
ok $? "prefix flush removes every prefix in one request"
run 1 prefix flush now && err_has "unexpected argument"
ok $? "prefix flush takes no arguments"

reset
printf 'prefix add 15.0.%d.0/24\n' 1 2 3 >"$TMP/intr.txt"
run 0 -b "$TMP/intr.txt" && run 0 prefix show && cp "$TMP/out" "$TMP/intr.want"
rm -f "$TMP/log"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_LOG=$TMP/log \
	FAKE_PSMON_INTR=2 "$PSCTL" prefix show >"$TMP/out" 2>"$TMP/err" &&
	cmp -s "$TMP/out" "$TMP/intr.want" && [ ! -s "$TMP/err" ] &&
	[ "$(requests 'cmd=7 flags=0x301')" = 3 ]
ok $? "an interrupted dump is read again"
rm -f "$TMP/log"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_LOG=$TMP/log \
	FAKE_PSMON_INTR=100 "$PSCTL" -j prefix show >"$TMP/out" 2>"$TMP/err" &&
	[ "$(json 'len(d)')" = 3 ] && err_has "changed while it was read" &&
	[ "$(requests 'cmd=7 flags=0x301')" = 4 ]
ok $? "a dump still interrupted after three retries is kept, with a warning"

# ---- bad input: exit 1, nothing sent -------------------------------------
reset
run 0 lag add bond0
rm -f "$TMP/log"
bad=0
for args in "threshold 0" "threshold 101" "threshold 40 clear 40" "threshold 40 clear 45" \
	"window 0" "window 3601" "capacity 0" "capacity abc" "capacity 10gbps" "capacity -1" \
	"capacity 1.5bit" "capacity" "threshold 4x"; do
	# shellcheck disable=SC2086
	run 1 lag set bond0 $args && grep -q "^Error: " "$TMP/err" || { bad=1; echo "# lag set bond0 $args"; }
done
[ $bad -eq 0 ] && [ ! -s "$TMP/log" ]
ok $? "bad threshold, clear, window and capacity: exit 1 with a message, nothing sent"
run 2 lag set team9 threshold 50 && err_has "Error: psmon does not count on this device"
ok $? "an unknown LAG: the kernel's message, exit 2"
run 1 -S "" deadline && err_has "empty state directory"
ok $? "-S with an empty directory"

# ---- rates, utilisation and the alert in lag show -------------------------
reset
run 0 lag add bond0 && run 0 lag add bond1 capacity 2.5gbit
traffic bond0 8240000000 1000000000
before=$(now)
run 0 -j lag show bond0 &&
	[ "$(json '(d[0]["rx_bps"], d[0]["tx_bps"], d[0]["utilization_pct"], d[0]["alert"])')" = "(8240000000.0, 1000000000.0, 41.2, True)" ] &&
	[ "$(json '(d[0]["rx_utilization_pct"], d[0]["tx_utilization_pct"], d[0]["n1_capacity_bps"], d[0]["n1_utilization_pct"], d[0]["peak_utilization_pct"], d[0]["rate_seconds"])')" = "(41.2, 5.0, 10000000000, 82.4, 41.2, 300)" ] &&
	since=$(json 'd[0]["alert_since"]') && [ "$since" -ge "$before" ] && [ "$since" -le "$(now)" ] &&
	[ "$(json '[(m["rx_bps"], m["tx_bps"], m["utilization_pct"]) for m in d[0]["members"]]')" = "[(4120000000.0, 500000000.0, 41.2), (0.0, 0.0, None), (4120000000.0, 500000000.0, 41.2)]" ]
ok $? "-j lag show: rates, utilisation per LAG, member and N-1, alert and since when"
run 0 lag show bond0 &&
	grep -qF "    rx 8.24 Gbit/s (41.2%), tx 1 Gbit/s (5.0%) over 300 s; N-1 82.4%; peak 41.2%" "$TMP/out" &&
	grep -qE "^    alert: raised, first crossing [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z; augmentation due [0-9-]{10} to [0-9-]{10}$" "$TMP/out" &&
	grep -qE "^    m1 +active +10 Gbit/s +rx 4.12 Gbit/s \(41.2%\) +tx 500 Mbit/s \(5.0%\)$" "$TMP/out" &&
	grep -qE "^    m2 +down +speed unknown +rx 0 bit/s +tx 0 bit/s$" "$TMP/out"
ok $? "lag show: a rates line, the alert with its UTC date, member columns"
run 0 -j lag show bond1 && [ "$(json '(d[0]["alert"], d[0]["alert_since"], d[0]["n1_capacity_bps"])')" = "(False, None, 1250000000)" ] &&
	run 0 lag show bond1 && grep -qx "    alert: none" "$TMP/out"
ok $? "a LAG below the threshold: no alert"

# ---- deadline -----------------------------------------------------------
reset
run 0 lag add bond0 && run 0 lag add bond1
since=$(( $(now) - 10 * 86400 + 3600 ))
traffic bond0 8240000000 0 "$since"
run 0 -j deadline &&
	[ "$(json 'list(d[0].keys())[:6]')" = "['dev', 'alert', 'alert_since', 'deadline_earliest', 'deadline_latest', 'days_left']" ] &&
	[ "$(json '[(e["dev"], e["alert"], e["alert_since"], e["deadline_earliest"], e["deadline_latest"], e["days_left"]) for e in d]')" = "[('bond0', True, $since, $((since + 3888000)), $((since + 5184000)), 50), ('bond1', False, None, None, None, None)]" ] &&
	[ "$(json '(d[1]["peak_utilization_pct"], d[1]["projected_crossing"], d[1]["trend"], d[1]["attached"])')" = "(0.0, None, 'no trend', True)" ]
ok $? "-j deadline: the crossing, +45 and +60 days, whole days left"
run 0 deadline bond0 && grep -qE "^bond0: crossed the threshold on .*Z \(alert raised\); augmentation must begin between [0-9-]{10} and [0-9-]{10}: 50 days left$" "$TMP/out"
ok $? "deadline DEV in words"
[ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(l["dev"], l["crossing"]) for l in d["lags"]])' "$PSMON_STATE_DIR/state.json")" = "[('bond0', $since), ('bond1', None)]" ] &&
	[ "$(stat -c %a "$PSMON_STATE_DIR/state.json")" = 644 ]
ok $? "the crossing is recorded in the state file"

# A module reload: the kernel forgets the crossing, the state file does not.
traffic bond0 1000000000 0 0 0
run 0 -j deadline bond0 && [ "$(json '(d[0]["alert"], d[0]["alert_since"], d[0]["days_left"], d[0]["peak_utilization_pct"])')" = "(False, $since, 50, 41.2)" ] &&
	run 0 -j lag show bond0 && [ "$(json '(d[0]["alert"], d[0]["alert_since"])')" = "(False, $since)" ]
ok $? "after a module reload the recorded crossing and peak still count"
traffic bond0 1000000000 0 $((since + 86400))
run 0 -j deadline bond0 && [ "$(json 'd[0]["alert_since"]')" = "$since" ]
ok $? "a later crossing in the kernel does not move the recorded one"
run_unloaded 0 -j deadline && err_has "Warning: psmon kernel module is not loaded" &&
	[ "$(json '[(e["dev"], e["alert_since"], e["attached"]) for e in d]')" = "[('bond0', $since, False)]" ]
ok $? "without the module: the recorded crossings, with a warning"

# ---- lag ack ----------------------------------------------------------------
rm -f "$TMP/log"
run 0 lag ack bond0 && [ "$(requests 'cmd=8 ')" = 1 ] &&
	run 0 -j deadline bond0 && [ "$(json '(d[0]["alert_since"], d[0]["deadline_latest"], d[0]["days_left"])')" = "(None, None, None)" ] &&
	grep -q '"dev": "bond0", "crossing": null' "$PSMON_STATE_DIR/state.json"
ok $? "lag ack forgets the crossing in the kernel and in the state file"
run 2 lag ack team9 && err_has "Error: psmon does not count on this device"
ok $? "lag ack of a LAG neither attached nor recorded: exit 2"
traffic bond1 9000000000 0
run 0 deadline && run 0 lag del bond1 && run 0 -j deadline &&
	[ "$(json '[(e["dev"], e["attached"]) for e in d]')" = "[('bond0', True), ('bond1', False)]" ]
ok $? "a detached LAG keeps its recorded crossing"
run 0 lag ack bond1 && err_has "bond1 is not attached; forgot its recorded crossing" &&
	run 0 -j deadline && [ "$(json '[e["dev"] for e in d]')" = "['bond0']" ]
ok $? "lag ack of a detached LAG forgets the recorded crossing and says so"
run 0 lag add bond1 && run 0 deadline && run_unloaded 0 lag ack bond1 && err_has "bond1 is not attached (psmon module not loaded)" &&
	run_unloaded 2 lag ack bond1 && err_has "no crossing of bond1 is recorded"
ok $? "lag ack without the module: the state entry only"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_EPERM=1 "$PSCTL" lag ack bond0 >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && err_has "CAP_NET_ADMIN" && grep -q '"dev": "bond0"' "$PSMON_STATE_DIR/state.json"
ok $? "lag ack refused by the kernel: exit 2, the state is kept"

# ---- the state file -------------------------------------------------------
reset
run 0 lag add bond0
traffic bond0 9000000000 0
mkdir -p "$PSMON_STATE_DIR"
printf '{"version": 1, "lags": [{"dev": "bond0", "crossing": 17' >"$PSMON_STATE_DIR/state.json"
cp "$PSMON_STATE_DIR/state.json" "$TMP/kept"
run 3 -j deadline && err_has "Warning: cannot read the state file $PSMON_STATE_DIR/state.json (line 1, column 56: expected ',' or '}'); leaving it as it is and going on without saving the state" &&
	cmp -s "$PSMON_STATE_DIR/state.json" "$TMP/kept" && [ "$(ls "$PSMON_STATE_DIR")" = state.json ] &&
	[ "$(json 'd[0]["alert"]')" = True ]
ok $? "a truncated state file is kept as it is, with a warning; the command does its work and exits 3"
for garbage in '' 'garbage' '{"version": 2, "lags": [{"dev": "bond0", "days": [[172800,1],[86400,1]]}]}' \
	'{"version": 3, "lags": [{"dev": "bond0", "crossing": 1764000000, "new": 1}]}' \
	"$(head -c 3000 /dev/urandom | tr -d '\0')"; do
	printf '%s' "$garbage" >"$PSMON_STATE_DIR/state.json"
	cp "$PSMON_STATE_DIR/state.json" "$TMP/kept"
	run 3 deadline || break
	err_has "cannot read the state file" || break
	run 3 lag show || break
	cmp -s "$PSMON_STATE_DIR/state.json" "$TMP/kept" || break
	[ "$(ls "$PSMON_STATE_DIR")" = state.json ] || break
done
ok $? "empty, garbage, disordered, newer-version and random state files: kept byte for byte, reported, exit 3"
printf '{"version": 3, "lags": []}' >"$PSMON_STATE_DIR/state.json"
run 3 deadline && err_has "(version 3, this psctl reads versions 1 to 2)"
ok $? "a newer version is named in the warning"
rm -rf "$PSMON_STATE_DIR"
touch "$TMP/notadir"
PSMON_STATE_DIR=$TMP/notadir/psmon run 3 -j deadline &&
	err_has "Warning: cannot update the state in $TMP/notadir/psmon: Not a directory; going on without saving it" &&
	[ "$(json 'd[0]["alert"]')" = True ]
ok $? "a state directory that cannot be created: reported, exit 3, the output still there"
rm -f "$TMP/notadir"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$TMP/rodir" && chmod 0755 "$TMP/rodir" "$TMP" && chmod 0666 "$TMP/state" &&
		touch "$TMP/log" && chmod 0666 "$TMP/log"
	# A reader (deadline, lag show) only reads, quietly.
	PSMON_STATE_DIR=$TMP/rodir setpriv --reuid=65534 --regid=65534 --clear-groups \
		env LD_PRELOAD="$FAKE" FAKE_PSMON=1 FAKE_PSMON_STATE="$TMP/state" "$PSCTL" deadline >"$TMP/out" 2>"$TMP/err"
	[ $? -eq 0 ] && [ ! -s "$TMP/err" ] && [ -z "$(ls -A "$TMP/rodir")" ]
	ok $? "a state directory a reader cannot write: read quietly, exit 0"
	# The export keeps the state: for it that is trouble.
	PSMON_STATE_DIR=$TMP/rodir setpriv --reuid=65534 --regid=65534 --clear-groups \
		env LD_PRELOAD="$FAKE" FAKE_PSMON=1 FAKE_PSMON_STATE="$TMP/state" "$PSCTL" export prometheus >"$TMP/out" 2>"$TMP/err"
	[ $? -eq 3 ] && err_has "cannot update the state in $TMP/rodir: Permission denied" &&
		grep -qx "psmon_state_healthy 0" "$TMP/out" && [ -z "$(ls -A "$TMP/rodir")" ]
	ok $? "a state directory the export cannot write: reported, exit 3, psmon_state_healthy 0"
	chmod 0700 "$TMP"
else
	n=$((n + 1))
	echo "ok $n - a state directory a reader cannot write # SKIP needs root and setpriv"
	n=$((n + 1))
	echo "ok $n - a state directory the export cannot write # SKIP needs root and setpriv"
fi

# A day dated in the future (a clock wrong at boot) does not freeze the days.
rm -rf "$PSMON_STATE_DIR" && mkdir -p "$PSMON_STATE_DIR"
today=$(( $(now) / 86400 * 86400 ))
printf '{"version": 2, "lags": [{"dev": "bond0", "crossing": null, "peak_ppm": 0, "days": [[%s,100000],[%s,990000]]}]}' \
	$((today - 2 * 86400)) $((today + 300 * 86400)) >"$PSMON_STATE_DIR/state.json"
run 0 deadline &&
	[ "$(python3 -c 'import json,sys; print([d for d, p in json.load(open(sys.argv[1]))["lags"][0]["days"]])' "$PSMON_STATE_DIR/state.json")" = "[$((today - 2 * 86400)), $today, $((today + 300 * 86400))]" ]
ok $? "a day dated 300 days ahead: today's peak is still recorded"
rm -rf "$TMP/sdir" "$TMP/edir"
NS=psctl-test-$$
if ip netns add "$NS-a" 2>/dev/null && ip netns add "$NS-b" 2>/dev/null; then
	rm -rf "$PSMON_STATE_DIR"
	run 0 -n "$NS-a" deadline && [ -f "$PSMON_STATE_DIR/netns-$NS-a.json" ] && [ ! -e "$PSMON_STATE_DIR/state.json" ]
	ok $? "-n NETNS keeps its own state file, netns-NETNS.json"
	# Each namespace its own (fake) kernel: bond0 crossed in a only.
	setlag() {	# setlag FILE RX_BPS ALERT_SINCE
		awk -v rx="$2" -v since="$3" '$1 == "lag" && $2 == "bond0" { $8 = rx; $9 = 0; $10 = since; $11 = 0 }
			{ print }' "$1" >"$1.new" && mv "$1.new" "$1"
	}
	nsrun() {	# nsrun a|b ARGS...: a command with that namespace's fake kernel
		local ns=$1
		shift
		LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state-$ns "$@" >"$TMP/out" 2>"$TMP/err"
	}
	cp "$TMP/state" "$TMP/state-a" && cp "$TMP/state" "$TMP/state-b" &&
		setlag "$TMP/state-a" 9000000000 1764000000 && setlag "$TMP/state-b" 1000000000 0 &&
		nsrun a "$PSCTL" -n "$NS-a" deadline && nsrun b "$PSCTL" -n "$NS-b" deadline &&
		setlag "$TMP/state-a" 1000000000 0 &&	# a reload: the kernel of a forgets
		nsrun a "$PSCTL" -j -n "$NS-a" deadline bond0 && [ "$(json 'd[0]["alert_since"]')" = 1764000000 ] &&
		nsrun b "$PSCTL" -j -n "$NS-b" deadline bond0 && [ "$(json 'd[0]["alert_since"]')" = None ] &&
		nsrun b ip netns exec "$NS-b" "$PSCTL" -j deadline bond0 && [ "$(json 'd[0]["alert_since"]')" = None ] &&
		nsrun a ip netns exec "$NS-a" "$PSCTL" -j deadline bond0 && [ "$(json 'd[0]["alert_since"]')" = 1764000000 ] &&
		[ ! -e "$PSMON_STATE_DIR/state.json" ] && [ -f "$PSMON_STATE_DIR/netns-$NS-b.json" ]
	ok $? "two namespaces, each with a bond0: separate crossings, with -n and with ip netns exec"
	nsrun a "$PSCTL" -n "$NS-a" export prometheus &&
		grep -qx "psmon_lag_alert_since_timestamp_seconds{lag=\"bond0\",netns=\"$NS-a\"} 1764000000" "$TMP/out" &&
		grep -qx "psmon_state_healthy{netns=\"$NS-a\"} 1" "$TMP/out" &&
		! grep -v '^#' "$TMP/out" | grep -v "netns=\"$NS-a\"}"
	ok $? "the export from a namespace: a netns label on every sample"
	if command -v unshare >/dev/null && [ -r /proc/1/ns/net ]; then
		nsrun a unshare -n "$PSCTL" deadline
		[ $? -eq 3 ] && err_has "this network namespace has no name in /run/netns (use ip netns, or psctl -n): its state is not kept"
		ok $? "a namespace without a name: its state is not kept, and psctl says so (exit 3)"
	else
		n=$((n + 1))
		echo "ok $n - a namespace without a name # SKIP no unshare, or process 1's namespace cannot be seen"
	fi
	cp "$TMP/state-a" "$TMP/state"
else
	for t in "-n NETNS keeps its own state file" "two namespaces" "a netns label" "a namespace without a name"; do
		n=$((n + 1))
		echo "ok $n - $t # SKIP cannot create a network namespace"
	done
fi
ip netns del "$NS-a" 2>/dev/null
ip netns del "$NS-b" 2>/dev/null

# Daily peaks rising half a point a day, 40% ten days from now; bond1 has
# too few days for a trend.
python3 - "$PSMON_STATE_DIR" "$(now)" <<'PY'
import json, os, sys
d, now = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
today = now // 86400 * 86400
days = [[today + 86400 * k, 400000 + 5000 * k - 47500] for k in range(-28, 0)]
json.dump({"version": 2, "lags": [
    {"dev": "bond0", "crossing": None, "peak_ppm": 390000, "days": days},
    {"dev": "bond1", "crossing": None, "peak_ppm": 100000,
     "days": [[today - 86400 * k, 100000] for k in range(5, 0, -1)]},
    {"dev": "bond2", "crossing": None, "peak_ppm": 300000, "threshold_pct": 40,
     "days": [[today + 86400 * k, 250000 + 20000 * (k % 3)] for k in range(-40, 0)]},
    {"dev": "bond3", "crossing": None, "peak_ppm": 300000, "threshold_pct": 40,
     "days": [[today + 86400 * k, 100000 + 40 * k] for k in range(-40, 0)]},
    {"dev": "bond4", "crossing": None, "peak_ppm": 300000, "threshold_pct": 40,
     "days": [[today + 86400 * k, 200000 - 2000 * k] for k in range(-40, 0)]}]},
    open(os.path.join(d, "state.json"), "w"))
PY
today=$(( $(now) / 86400 * 86400 ))
traffic bond0 7000000000 0 0 0	# 35%
run 0 lag add bond1
run 0 -j deadline &&
	[ "$(json '(d[0]["trend"], d[0]["trend_days"], d[0]["trend_pct_per_day"], d[0]["peak_utilization_pct"], d[0]["alert_since"])')" = "('rising', 28, 0.5, 39.0, None)" ] &&
	[ "$(json '(d[0]["projected_crossing"], d[0]["projected_deadline_earliest"], d[0]["projected_deadline_latest"])')" = "($((today + 10 * 86400)), $((today + 55 * 86400)), $((today + 70 * 86400)))" ] &&
	[ "$(json '(d[1]["trend"], d[1]["trend_days"], d[1]["projected_crossing"], d[1]["projected_deadline_latest"])')" = "('no trend', 5, None, None)" ]
ok $? "deadline without a crossing: the trend of the daily peaks, projected crossing and window; 5 days: no trend"
run 0 deadline &&
	grep -qE "^bond0: no crossing recorded; peak 39.0%; daily peaks rising 0.50%/day over 28 days: projected to reach 40% on $(date -u -d @$((today + 10 * 86400)) +%F), augmentation to begin between $(date -u -d @$((today + 55 * 86400)) +%F) and $(date -u -d @$((today + 70 * 86400)) +%F)$" "$TMP/out" &&
	grep -qx "bond1: no crossing recorded; peak 10.0%; no trend (5 days of daily peaks)" "$TMP/out"
ok $? "deadline: the projection in words, and no trend"
run 0 deadline bond2 && out_is "bond2: no crossing recorded; peak 30.0%; no trend (daily peaks flat over 40 days)" &&
	run 0 deadline bond3 && out_is "bond3: no crossing recorded; peak 30.0%; no trend (daily peaks rising 0.004%/day over 40 days: 40% more than 5 years away)" &&
	run 0 deadline bond4 && out_is "bond4: no crossing recorded; peak 30.0%; no trend (daily peaks falling over 40 days)" &&
	run 0 -j deadline bond4 && [ "$(json '(d[0]["trend"], d[0]["projected_crossing"], d[0]["trend_pct_per_day"])')" = "('falling', None, -0.2)" ]
ok $? "deadline: flat, rising too slowly and falling daily peaks are no trend"

# ---- save and restore -------------------------------------------------------
reset
run 0 lag add bond0 && run 0 lag add bond1 capacity 2.5gbit threshold 60 clear 50 window 60 &&
	run 0 lag add team0 capacity 1234567bit && run 0 prefix add 8.8.8.0/24 name google &&
	run 0 prefix add 198.51.100.0/24 name doc allow-reserved && run 0 prefix add 2a00:1450::/32 &&
	run 0 prefix add fd00::/16 allow-reserved
run 0 save && cp "$TMP/out" "$TMP/save1" &&
	[ "$(grep -v '^#' "$TMP/save1")" = "prefix add 8.8.8.0/24 name google
prefix add 198.51.100.0/24 name doc allow-reserved
prefix add 2a00:1450::/32
prefix add fd00::/16 allow-reserved
lag add bond0 threshold 40 clear 35 window 300
lag add bond1 capacity 2500mbit threshold 60 clear 50 window 60
lag add team0 capacity 1234567bit threshold 40 clear 35 window 300" ]
ok $? "save: prefixes, then LAGs with every setting, capacity only when fixed"
rm -f "$TMP/state"
run 0 -b "$TMP/save1" && run 0 save && diff -u "$TMP/save1" "$TMP/out" >"$TMP/err"
ok $? "save, flush, psctl -b, save: the same file"

# ---- errors name the object -------------------------------------------------
reset
run 2 lag add nosuch9 && err_has 'Error: no such device "nosuch9"'
ok $? "a kernel message without the device's name gets it appended"
run 2 lag set bond0 window 10 && err_has 'Error: psmon does not count on this device "bond0"'
ok $? "lag set of a LAG not attached names it"
run 0 prefix add 8.8.8.0/24 && run 2 prefix add 8.8.8.0/24 &&
	err_has 'Error: prefix already registered "8.8.8.0/24"'
ok $? "prefix add twice names the prefix"

# ---- save FILE ----------------------------------------------------------------
reset
run 0 lag add bond0 capacity 4mbit && run 0 prefix add 8.8.8.0/24 name google &&
	run 0 save "$TMP/saved.conf" && [ ! -s "$TMP/out" ] &&
	[ "$(grep -v '^#' "$TMP/saved.conf")" = "prefix add 8.8.8.0/24 name google
lag add bond0 capacity 4mbit threshold 40 clear 35 window 300" ] &&
	[ "$(stat -c %a "$TMP/saved.conf")" = 644 ]
ok $? "save FILE: the configuration in FILE, nothing on standard output, mode 0644"
cp "$TMP/saved.conf" "$TMP/saved.before"
run_unloaded 2 save "$TMP/saved.conf" && err_has "psmon kernel module is not loaded" &&
	cmp -s "$TMP/saved.conf" "$TMP/saved.before" &&
	[ -z "$(find "$TMP" -maxdepth 1 -name '.saved.conf.*')" ]
ok $? "save FILE without the module: exit 2, FILE untouched, no temporary file"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_EPERM=1 \
	"$PSCTL" save "$TMP/saved.conf" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && cmp -s "$TMP/saved.conf" "$TMP/saved.before"
ok $? "save FILE refused by the kernel: exit 2, FILE untouched"
run 1 save "$TMP/nodir/x.conf" && err_has "cannot write \"$TMP/nodir/x.conf\""
ok $? "save into a missing directory: exit 1"
run 1 save "$TMP/a" "$TMP/b" && err_has "unexpected argument"
ok $? "save takes one FILE"

# ---- apply ----------------------------------------------------------------------
reset
cat >"$TMP/apply.conf" <<'CONF'
# the router's configuration
prefix add 8.8.8.0/24 name google
prefix add 198.51.100.0/24 name doc allow-reserved
prefix add 2a00:1450::/32
lag add bond0
lag add bond1 capacity 2.5gbit threshold 60 clear 50 window 60
CONF
applied="lag add bond0 threshold 40 clear 35 window 300
lag add bond1 capacity 2500mbit threshold 60 clear 50 window 60
prefix add 8.8.8.0/24 name google
prefix add 198.51.100.0/24 name doc allow-reserved
prefix add 2a00:1450::/32"
run 0 apply "$TMP/apply.conf" dry-run && out_is "$applied" &&
	[ "$(requests 'cmd=[12356] ')" = 0 ] && [ ! -e "$TMP/state" ]
ok $? "apply dry-run: prints the changes, sends none"
rm -f "$TMP/log"
run 0 apply "$TMP/apply.conf" && out_is "$applied" &&
	[ "$(requests 'cmd=1 ')" = 2 ] && [ "$(requests 'cmd=5 .*prefixes=3$')" = 1 ] &&
	[ "$(wc -l <"$TMP/log")" = 5 ]
ok $? "apply: two dumps, one LAG_NEW per LAG, the prefixes in one PREFIX_NEW"
run 0 save && grep -v '^#' "$TMP/out" >"$TMP/save.now" &&
	[ "$(cat "$TMP/save.now")" = "prefix add 8.8.8.0/24 name google
prefix add 198.51.100.0/24 name doc allow-reserved
prefix add 2a00:1450::/32
lag add bond0 threshold 40 clear 35 window 300
lag add bond1 capacity 2500mbit threshold 60 clear 50 window 60" ]
ok $? "apply: save then shows what the file says"
rm -f "$TMP/log"
run 0 apply "$TMP/apply.conf" && out_is "" && [ "$(wc -l <"$TMP/log")" = 2 ] &&
	[ "$(requests 'cmd=[12356] ')" = 0 ]
ok $? "apply twice: the second run changes nothing and prints nothing"
run 0 -j apply "$TMP/apply.conf" && out_is "[]"
ok $? "apply -j with nothing to change: []"

# A changed capacity, a removed prefix, a renamed one, a LAG gone, a LAG new.
cat >"$TMP/apply2.conf" <<'CONF'
prefix add 8.8.8.0/24 name google-dns
prefix add 2a00:1450::/32
prefix add 9.9.9.0/24 name quad9
lag add bond1 capacity 4mbit threshold 60 clear 50 window 60
lag add team0 threshold 50
CONF
rm -f "$TMP/log"
run 0 apply "$TMP/apply2.conf" && out_is "prefix del 8.8.8.0/24
prefix del 198.51.100.0/24
lag del bond0
lag set bond1 capacity 4mbit
lag add team0 threshold 50 clear 45 window 300
prefix add 8.8.8.0/24 name google-dns
prefix add 9.9.9.0/24 name quad9" &&
	[ "$(requests 'cmd=2 ')" = 1 ] && [ "$(requests 'cmd=3 ')" = 1 ] &&
	[ "$(requests 'cmd=6 ')" = 1 ] && [ "$(requests 'cmd=1 ')" = 1 ] &&
	[ "$(requests 'cmd=5 .*prefixes=2$')" = 1 ] && [ "$(wc -l <"$TMP/log")" = 7 ]
ok $? "apply a changed file: removals in one request, a rename is del and add, a LAG is changed in place"
run 0 -j lag show && [ "$(json '[(l["dev"], l["capacity_bps"], l["capacity_auto"]) for l in d]')" = "[('bond1', 4000000, False), ('team0', 20000000000, True)]" ]
ok $? "apply: the kernel has the new capacity, the old LAG is gone"
run 0 apply "$TMP/apply2.conf" && out_is ""
ok $? "apply the changed file again: no changes"
printf 'prefix add 8.8.8.0/24 name google-dns\nprefix add 2a00:1450::/32\nprefix add 9.9.9.0/24 name quad9\nlag add bond1 capacity auto threshold 70 window 120\nlag add team0 threshold 50\n' >"$TMP/apply3.conf"
run 0 -j apply "$TMP/apply3.conf" &&
	[ "$(json 'd')" = "[{'object': 'lag', 'action': 'set', 'dev': 'bond1', 'capacity_auto': True, 'capacity_bps': None, 'threshold_pct': 70, 'clear_pct': 65, 'window_s': 120}]" ]
ok $? "apply -j: one object per change, only the settings that change"

# Bulk: 600 prefixes in three messages, 599 removed in three.
for i in $(seq 0 599); do echo "prefix add 20.$((i / 256)).$((i % 256)).0/24"; done >"$TMP/many.conf"
rm -f "$TMP/log"
run 0 apply "$TMP/many.conf" && [ "$(wc -l <"$TMP/out")" = 605 ] &&
	[ "$(requests 'cmd=5 ')" = 3 ] && [ "$(requests 'cmd=6 ')" = 1 ] && [ "$(requests 'cmd=3 ')" = 2 ] &&
	[ "$(requests 'cmd=5 .*more=1 prefixes=256$')" = 2 ] && [ "$(requests 'cmd=5 .*more=0 prefixes=88$')" = 1 ]
ok $? "apply 600 new prefixes: 3 PREFIX_NEW messages, all but the last with more; the 3 old prefixes and 2 LAGs removed"
echo "prefix add 20.0.0.0/24" >"$TMP/one.conf"
rm -f "$TMP/log"
run 0 apply "$TMP/one.conf" && [ "$(wc -l <"$TMP/out")" = 599 ] && [ "$(requests 'cmd=6 ')" = 3 ] &&
	[ "$(requests 'cmd=6 .*more=1 ')" = 2 ] && [ "$(requests 'cmd=6 .*more=0 ')" = 1 ] &&
	run 0 prefix show && out_is "20.0.0.0/24"
ok $? "apply removes what the file no longer has"

# A batch: a full message followed by more lines of its kind says more.
reset
for i in $(seq 0 599); do echo "prefix add 21.$((i / 256)).$((i % 256)).0/24"; done >"$TMP/many.batch"
for i in $(seq 0 599); do echo "prefix del 21.$((i / 256)).$((i % 256)).0/24"; done >>"$TMP/many.batch"
echo "prefix add 21.9.0.0/24" >>"$TMP/many.batch"
rm -f "$TMP/log"
run 0 -b "$TMP/many.batch" &&
	[ "$(requests 'cmd=5 .*more=1 prefixes=256$')" = 2 ] && [ "$(requests 'cmd=5 .*more=0 prefixes=88$')" = 1 ] &&
	[ "$(requests 'cmd=6 .*more=1 prefixes=256$')" = 2 ] && [ "$(requests 'cmd=6 .*more=0 prefixes=88$')" = 1 ] &&
	[ "$(requests 'cmd=5 .*more=0 prefixes=1$')" = 1 ] && [ "$(wc -l <"$TMP/log")" = 7 ] &&
	run 0 prefix show && out_is "21.9.0.0/24"
ok $? "batch: 600 adds and 600 dels in 3 messages each, the last of each run without more"

# Input errors: exit 1, nothing sent.
reset
printf 'prefix add 8.8.8.0/24\nlag add bond0\nlag del bond0\n' >"$TMP/bad.conf"
run 1 apply "$TMP/bad.conf" && err_has "bad.conf:3: Error: \"lag del\": a configuration file has only \"lag add\" and \"prefix add\" lines" &&
	[ ! -e "$TMP/log" ]
ok $? "apply: a line other than lag add or prefix add, exit 1, nothing sent"
printf 'prefix add 8.8.8.0/24\nprefix add 8.8.8.0/24 name x\n' >"$TMP/bad.conf"
run 1 apply "$TMP/bad.conf" && err_has "bad.conf:2: Error: prefix 8.8.8.0/24 is already added on line 1" && [ ! -e "$TMP/log" ]
ok $? "apply: a prefix twice, exit 1"
printf 'lag add bond0\nlag add bond0 window 10\n' >"$TMP/bad.conf"
run 1 apply "$TMP/bad.conf" && err_has "bad.conf:2: Error: LAG \"bond0\" is already added on line 1"
ok $? "apply: a LAG twice, exit 1"
printf 'lag add bond0 clear 45\n' >"$TMP/bad.conf"
run 1 apply "$TMP/bad.conf" && err_has "bad.conf:1: Error: clear (45) must be below threshold (40)"
ok $? "apply: clear above the default threshold, exit 1"
printf 'prefix add 10.0.0.0/8\n' >"$TMP/bad.conf"
run 1 apply "$TMP/bad.conf" && err_has "bad.conf:1: Error: prefix 10.0.0.0/8" && [ ! -e "$TMP/log" ]
ok $? "apply: a reserved prefix without allow-reserved, exit 1"
run 1 apply "$TMP/apply.conf" now && err_has 'unexpected argument "now" (expected dry-run)' &&
	run 1 apply && err_has "missing FILE" && run 1 apply "$TMP/nosuch.conf" && err_has "cannot open"
ok $? "apply: usage errors"
run_unloaded 2 apply "$TMP/apply.conf" && err_has "psmon kernel module is not loaded"
ok $? "apply without the module: exit 2"

# A device that does not exist: the rest is applied, exit 2.
printf 'prefix add 8.8.8.0/24\nlag add nosuch0\nlag add bond0\n' >"$TMP/dev.conf"
run 2 apply "$TMP/dev.conf" && err_has 'dev.conf:2: Error: no such device "nosuch0"' &&
	out_is "lag add bond0 threshold 40 clear 35 window 300
prefix add 8.8.8.0/24" && run 0 save && [ "$(grep -vc '^#' "$TMP/out")" = 2 ]
ok $? "apply: a missing device is reported by name and skipped; the rest is applied, exit 2"
printf 'prefix add 8.8.8.0/24\nprefix add 9.9.9.0/24\nprefix add 1.1.1.0/24\n' >"$TMP/max.conf"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_MAX=2 \
	"$PSCTL" apply "$TMP/max.conf" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && err_has "max.conf:" && [ "$(wc -l <"$TMP/out")" = 2 ]
ok $? "apply: a refused prefix is reported with its line; the changes done are printed"

# ---- -f: batch mode goes on ---------------------------------------------------
reset
printf 'prefix add 15.0.0.0/24\nprefix add 15.0.0.0/24\nlag add bond0 window 0\nprefix add 15.0.1.0/24\nlag add bond0\n' >"$TMP/force.txt"
run 1 -f -b "$TMP/force.txt" && err_has "force.txt:2: Error: prefix already registered" &&
	err_has "force.txt:3: Error: invalid window" &&
	run 0 prefix show && [ "$(wc -l <"$TMP/out")" = 2 ] && run 0 -j lag show && [ "$(json 'len(d)')" = 1 ]
ok $? "-f -b: every line runs; the status is the last failure's"

# ---- monitor ----------------------------------------------------------------
reset
run 0 lag add bond0
cat >"$TMP/events" <<'EV'
alert bond0 rx 412000 1764000000 1763990000
imbalance bond0 tx 450000 1764000060 m1
unload
alert bond0 rx 500000 1764000100
load
clear bond0 rx 301000 1764000300
imbalance-clear bond0 tx 200000 1764000360 m1
EV

# monitor SIGNAL LINES [ARGS]: run psctl monitor until LINES lines are out,
# then send SIGNAL; its exit status goes to $TMP/status.
monitor() {
	local sig=$1 lines=$2 i pid
	shift 2
	LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_EVENTS=$TMP/events \
		"$PSCTL" "$@" monitor >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l <"$TMP/out")" -ge "$lines" ] && break
		sleep 0.1
	done
	kill -"$sig" $pid
	wait $pid
	echo $? >"$TMP/status"
}

monitor TERM 4 -j
[ "$(cat "$TMP/status")" = 0 ] && [ "$(cat "$TMP/out")" = '{"event":"alert","lag":"bond0","direction":"rx","utilization_pct":41.2,"time":1764000000}
{"event":"imbalance","lag":"bond0","direction":"tx","utilization_pct":45.0,"time":1764000060,"member":"m1"}
{"event":"clear","lag":"bond0","direction":"rx","utilization_pct":30.1,"time":1764000300}
{"event":"imbalance-clear","lag":"bond0","direction":"tx","utilization_pct":20.0,"time":1764000360,"member":"m1"}' ]
ok $? "monitor -j: one JSON object a line; SIGTERM exits 0"
grep -qx "psmon module unloaded; waiting for it to come back" "$TMP/err" &&
	grep -qx "psmon module loaded; listening again" "$TMP/err" &&
	grep -q "fakenl: event not delivered (nobody listens): alert bond0 rx 500000" "$TMP/err"
ok $? "monitor survives a module reload with a message, and listens to the new family"
run 0 -j deadline bond0 && [ "$(json 'd[0]["alert_since"]')" = 1763990000 ]
ok $? "monitor records the crossing of an alert"
monitor INT 4
[ "$(cat "$TMP/status")" = 0 ] &&
	[ "$(head -1 "$TMP/out")" = "2025-11-24T16:00:00Z bond0 alert: rx utilisation 41.2% reached the 40% threshold; augmentation due 2026-01-08 to 2026-01-23" ] &&
	[ "$(sed -n 2p "$TMP/out")" = "2025-11-24T16:01:00Z bond0 imbalance: member m1 tx utilisation 45.0% reached the 40% threshold" ] &&
	[ "$(sed -n 3p "$TMP/out")" = "2025-11-24T16:05:00Z bond0 clear: utilisation 30.1% (rx) fell below 35%" ]
ok $? "monitor in words; SIGINT exits 0"
run_unloaded 2 monitor && err_has "psmon kernel module is not loaded"
ok $? "monitor without the module: exit 2"
run 1 monitor extra && err_has 'unexpected argument "extra"'
ok $? "monitor takes no arguments"

# ---- top ------------------------------------------------------------------
reset
run 0 -j top interval 1 && out_is "[]"
ok $? "top without LAGs or prefixes: an empty list"

tap_end
