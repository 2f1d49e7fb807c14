#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psctl top, prefix get, check and the export at scale, against
# tests/fakenl.so: output formats, JSON, arguments, interrupted dumps, the
# export's size and node_exporter's scrape time with 100,000 prefixes on 4
# LAGs of which 1,000 carry traffic, symlinks planted in the export's
# directory, SIGTERM during an export.
# Run from tools/psctl: tests/workflow_test.sh [PSCTL]. TAP output.

set -u

PSCTL=${1:-./psctl}
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is needed to check the output"
	exit 0
fi
CHECK=$(realpath tests/promcheck.py)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source tests/lib.sh

count() { grep -c "$1" "$TMP/out"; }

# ---- prefix get -------------------------------------------------------------
run 0 lag add bond0 && run 0 prefix add 8.0.0.0/8 name wide &&
	run 0 prefix add 8.8.0.0/16 && run 0 prefix add 8.8.8.0/24 name narrow &&
	run 0 prefix add 2a00:1450::/32 name v6
ok $? "setup: one LAG, nested prefixes"

run 0 prefix get 8.8.8.8 && [ "$(cat "$TMP/out")" = "8.8.8.8 via 8.8.8.0/24 name narrow" ]
ok $? "prefix get: the longest of three nested prefixes"
run 0 prefix get 8.8.9.1 && [ "$(cat "$TMP/out")" = "8.8.9.1 via 8.8.0.0/16" ]
ok $? "prefix get: the /16 without a name"
run 0 -j prefix get 8.9.0.1 &&
	[ "$(cat "$TMP/out")" = '[{"address":"8.9.0.1","prefix":"8.0.0.0/8","name":"wide"}]' ]
ok $? "prefix get -j: the /8"
run 0 -j prefix get 2a00:1450:4001::5 &&
	[ "$(cat "$TMP/out")" = '[{"address":"2a00:1450:4001::5","prefix":"2a00:1450::/32","name":"v6"}]' ]
ok $? "prefix get -j: IPv6"
run 2 prefix get 9.9.9.9 &&
	err_is "Error: 9.9.9.9 matches no registered prefix (its traffic counts as unmatched)"
ok $? "prefix get: no match is exit 2 with a message"
run 1 prefix get 8.8.8.0/24 && run 1 prefix get 8.8.8 && run 1 prefix get && run 1 prefix get 8.8.8.8 x
ok $? "prefix get: a prefix, a bad address, none, two are usage errors"

# ---- top ----------------------------------------------------------------------
# Prefix i (dump order: 8.0.0.0/8, 8.8.0.0/16, 8.8.8.0/24, v6) carries (i+1) kB/s.
FAKE_PSMON_BUSY=3 run 0 -j top interval 1 count 2 &&
	python3 - "$TMP/out" >"$TMP/err" 2>&1 <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
assert len(t) == 1 and t[0]["dev"] == "bond0", t
p = t[0]["prefixes"]
assert [x["prefix"] for x in p] == ["8.8.8.0/24", "8.8.0.0/16"], p
# 3 kB/s = 24 kbit/s received, half sent, within 10%.
assert 21600 < p[0]["rx_bps"] < 26400 and 10800 < p[0]["tx_bps"] < 13200, p
assert 14400 < p[1]["rx_bps"] < 17600, p
assert p[0]["name"] == "narrow" and p[1]["name"] is None
assert 0.9 < t[0]["interval_s"] < 1.5
PY
ok $? "top -j: the busiest first, count 2, rates within 10% of the fake's"
FAKE_PSMON_BUSY=3 run 0 top bond0 interval 1 &&
	sed -n 2p "$TMP/out" | grep -q '^  PREFIX  *NAME  *RX  *TX  *RX%CAP  *TX%CAP$' &&
	sed -n 3p "$TMP/out" | grep -q '^  8.8.8.0/24  *narrow  *2[0-9].*kbit' &&
	[ "$(wc -l <"$TMP/out")" -eq 5 ]
ok $? "top: a table, printed once when stdout is not a terminal"
FAKE_PSMON_BUSY=0 run 0 top interval 1 && grep -q "no prefix carried traffic" "$TMP/out"
ok $? "top: no traffic says so"
run 1 top count 0 && run 1 top interval 3601 && run 1 top interval && run 1 top bond0 bond1
ok $? "top: bad count, interval, missing value, two devices are usage errors"

# ---- check (what the fake can tell) ------------------------------------------
run 0 prefix add 198.51.100.0/24 allow-reserved && run 0 prefix add 8.8.4.0/25
fake -j check bond0 >"$TMP/out" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] && python3 - "$TMP/out" >"$TMP/err" 2>&1 <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
assert len(t) == 1 and t[0]["dev"] == "bond0", t
c = {x["check"]: x for x in t[0]["checks"]}
assert list(c) == ["lacp", "redundancy", "speed", "headroom", "rate-limit", "firewall", "prefixes"], c
assert all(x["result"] in ("pass", "fail", "unknown") for x in c.values())
# The fake's m2 is down with an unknown speed.
assert c["redundancy"]["result"] == "fail" and "m2 (down)" in c["redundancy"]["reason"], c["redundancy"]
assert c["speed"]["result"] == "fail" and "m2: speed unknown" in c["speed"]["reason"], c["speed"]
p = c["prefixes"]
assert p["result"] == "fail" and "198.51.100.0/24 (documentation" in p["reason"], p
assert "8.8.4.0/25" in p["reason"] and "AS path" in p["reason"], p
PY
ok $? "check -j: seven requirements; a member down, an unknown speed, a reserved prefix fail; the /25 noted"
run 0 prefix del 198.51.100.0/24 && fake -j check >"$TMP/out" 2>"$TMP/err"
python3 - "$TMP/out" >"$TMP/err" 2>&1 <<'PY'
import json, sys
c = {x["check"]: x for x in json.load(open(sys.argv[1]))[0]["checks"]}
assert c["prefixes"]["result"] == "unknown" and "8.8.4.0/25" in c["prefixes"]["reason"], c
PY
ok $? "check: only a /25 left is \"cannot tell\" (the AS path is not visible)"
fake check bond0 >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] && [ "$(sed -n 1p "$TMP/out")" = bond0 ] &&
	grep -q '^  redundancy  fail  *inactive: m2 (down)$' "$TMP/out" && [ "$(wc -l <"$TMP/out")" -eq 8 ]
ok $? "check: a table, a line per requirement, exit 1"
run 2 check nosuch
ok $? "check: an unknown LAG is the kernel's refusal"

# Rate limiting and firewall from what tc, nft and iptables-save print:
# stand-ins in PATH.
mkdir -p "$TMP/bin"
tool() {		# tool NAME OUTPUT: a stand-in that prints OUTPUT
	printf '#!/bin/sh\ncat <<"EOT"\n%s\nEOT\n' "$2" >"$TMP/bin/$1" && chmod +x "$TMP/bin/$1"
}
fw() {			# fw: the firewall check's result and reason
	PATH=$TMP/bin:$PATH fake -j check bond0 2>"$TMP/err" | python3 -c '
import json, sys
c = {x["check"]: x for x in json.load(sys.stdin)[0]["checks"]}
print(c["firewall"]["result"], c["rate-limit"]["result"], "|", c["firewall"]["reason"], "|", c["rate-limit"]["reason"])'
}
tool nft '{"nftables": [{"table": {"family": "inet", "name": "fw", "handle": 1}}, {"chain": {"family": "inet", "table": "fw", "name": "state", "handle": 1}}, {"rule": {"family": "inet", "table": "fw", "chain": "state", "handle": 2, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "x"}}, {"accept": null}]}}]}'
tool tc '[{"kind":"noqueue","handle":"0:","root":true,"refcnt":2,"options":{}}]'
tool iptables-save '-A INPUT -p tcp -j ACCEPT'
r=$(fw)
echo "$r" >"$TMP/out"
[ "${r%% |*}" = "pass pass" ]
ok $? "check: a chain named state, no ct, noqueue: firewall and rate-limit pass"
tool nft '{"nftables": [{"rule": {"family": "inet", "table": "fw", "chain": "in", "handle": 2, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "established"}}, {"accept": null}]}}]}'
tool tc '[{"kind":"tbf","handle":"8001:","root":true,"refcnt":2,"options":{"rate":625000000}}]'
r=$(fw)
echo "$r" >"$TMP/out"
[ "$r" = "fail fail | nftables rules use connection tracking (ct): a stateful firewall | bond0: tbf qdisc; m1: tbf qdisc; m2: tbf qdisc; m3: tbf qdisc" ]
ok $? "check: an nft ct match and tbf qdiscs fail, with reasons"
tool nft '{"nftables": []}'
tool iptables-save '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT'
tool tc '[{"kind":"clsact","handle":"ffff:","parent":"ffff:fff1","options":{}}]
[{"protocol":"all","kind":"matchall","options":{"actions":[{"order":1,"kind":"police"}]}}]'
r=$(fw)
echo "$r" >"$TMP/out"
case $r in "fail fail | iptables rules use a state/conntrack match: a stateful firewall | bond0: police action (ingress)"*) true ;; *) false ;; esac
ok $? "check: an iptables conntrack match and a police action fail"
rm -f "$TMP/bin/nft" "$TMP/bin/iptables-save" "$TMP/bin/tc"
printf '#!/bin/sh\nexit 1\n' >"$TMP/bin/tc"; chmod +x "$TMP/bin/tc"
for t in nft iptables-save ip6tables-save; do ln -sf /bin/false "$TMP/bin/$t"; done
r=$(fw)
echo "$r" >"$TMP/out"
[ "${r%% |*}" = "unknown unknown" ]
ok $? "check: without working tc, nft and iptables-save: cannot tell"
rm -rf "$TMP/bin"

# ---- interrupted dumps ---------------------------------------------------------
FAKE_PSMON_INTR=2 run 0 export prometheus && grep -q '^psmon_prefixes_registered 5$' "$TMP/out"
ok $? "export: two interrupted dumps are retried"
# Still interrupted after the retries: the last listing has every prefix
# that existed throughout, once; it is written, with a warning.
FAKE_PSMON_INTR=9 run 0 export prometheus && grep -q '^psmon_prefixes_registered 5$' "$TMP/out" &&
	grep -q "the listing changed while it was read" "$TMP/err"
ok $? "export: a dump interrupted every time is kept with a warning"
FAKE_PSMON_INTR=1 run 0 prefix get 8.8.8.8
ok $? "prefix get: an interrupted dump is retried"

# ---- the export at scale ----------------------------------------------------------
rm -f "$TMP/state"
for l in bond0 bond1 bond2 bond3; do fake lag add $l || exit 1; done
python3 - >>"$TMP/state" <<'PY'
# 100,000 /24s in 20.0.0.0/8 and up, named like customer prefixes.
for i in range(100000):
    print("prefix %d.%d.%d.0 24 customer-%06d" % (20 + i // 65536, (i // 256) % 256, i % 256, i))
PY
export FAKE_PSMON_BUSY=1000
start=$(date +%s.%N)
run 0 export prometheus "$TMP/psmon.prom"
st=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
cp "$TMP/psmon.prom" "$TMP/out"
size=$(stat -c %s "$TMP/psmon.prom")
[ $st -eq 0 ] && [ "$size" -lt 2000000 ] &&
	[ "$(count '^psmon_prefix_info{')" -eq 1000 ] &&
	[ "$(count '^psmon_prefix_receive_bytes_total{')" -eq 4000 ] &&
	[ "$(count '^psmon_prefix_transmit_packets_total{')" -eq 4000 ] &&
	grep -q '^psmon_prefixes_registered 100000$' "$TMP/out" &&
	grep -q '^psmon_prefixes_active 1000$' "$TMP/out" &&
	! grep -q 'customer-001000"' "$TMP/out" &&
	python3 "$CHECK" "$TMP/psmon.prom" >"$TMP/err" 2>&1
ok $? "export: 100,000 prefixes, 4 LAGs, 1,000 with traffic: 1,000 info and 4 x 4,000 counter series, $size bytes (< 2 MB) in ${took}s"
echo "# export size: $size bytes, $(wc -l <"$TMP/psmon.prom") lines, written in ${took}s"

run 0 export prometheus prefixes top 10 &&
	[ "$(count '^psmon_prefix_info{')" -eq 10 ] &&
	[ "$(count '^psmon_prefix_receive_bytes_total{')" -eq 40 ] &&
	grep -q '^psmon_prefix_info{prefix="20.3.231.0/24",name="customer-000999"} 1$' "$TMP/out" &&
	grep -q 'name="customer-000990"' "$TMP/out" && ! grep -q 'name="customer-000989"' "$TMP/out"
ok $? "export prefixes top 10: the 10 busiest prefixes only ($(wc -c <"$TMP/out") bytes)"
run 0 export prometheus prefixes none &&
	[ "$(count '^psmon_prefix_')" -eq 0 ] && grep -q '^psmon_prefixes_active 1000$' "$TMP/out" &&
	grep -q '^# TYPE psmon_prefix_info gauge$' "$TMP/out"
ok $? "export prefixes none: no per-prefix series, the counts ($(wc -c <"$TMP/out") bytes)"
run 1 export prometheus prefixes top && run 1 export prometheus prefixes top 0 &&
	run 1 export prometheus prefixes some && run 1 export prometheus a b &&
	run 1 export prometheus prefixes all prefixes none
ok $? "export: bad prefixes arguments are usage errors"

mkdir -p "$TMP/textfile" && cp "$TMP/psmon.prom" "$TMP/textfile/"
if ! node_start "$TMP/textfile"; then
	skip "node_exporter scrape time" "prometheus-node-exporter is not installed"
else
	python3 - "$NODE_PORT" >"$TMP/out" 2>"$TMP/err" <<'PY'
import sys, time, urllib.request
url = "http://127.0.0.1:%s/metrics" % sys.argv[1]
for _ in range(100):
    try:
        urllib.request.urlopen(url, timeout=5).read()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("node_exporter did not answer")
best = None
for _ in range(3):
    t = time.monotonic()
    body = urllib.request.urlopen(url, timeout=10).read().decode()
    t = time.monotonic() - t
    best = t if best is None else min(best, t)
lines = body.splitlines()
n = sum(l.startswith("psmon_prefix_receive_bytes_total{") for l in lines)
print("%.3f" % best)
sys.exit(0 if best < 1 and n == 4000 and "node_textfile_scrape_error 0" in lines else 1)
PY
	st=$?
	ok $st "node_exporter serves the 100,000-prefix export in $(head -1 "$TMP/out")s (< 1 s), all 4,000 series of a family"
	echo "# node_exporter scrape: $(head -1 "$TMP/out")s (best of 3)"
	node_stop
fi

# ---- the export file: symlinks and signals --------------------------------------------
mkdir -p "$TMP/dir" && echo secret >"$TMP/victim" && echo old >"$TMP/dir/psmon.prom.old" &&
	ln -s "$TMP/victim" "$TMP/dir/psmon.prom" &&
	run 0 export prometheus prefixes none "$TMP/dir/psmon.prom" &&
	[ "$(cat "$TMP/victim")" = secret ] && [ ! -L "$TMP/dir/psmon.prom" ] &&
	[ -f "$TMP/dir/psmon.prom" ] && [ "$(stat -c %a "$TMP/dir/psmon.prom")" = 644 ]
ok $? "export: a symlink planted as FILE is replaced, not followed"
rm -f "$TMP/dir/psmon.prom" && ln -s "$TMP/victim" "$TMP/dir/psmon.prom" &&
	PSCTL_NO_TMPFILE=1 run 0 export prometheus prefixes none "$TMP/dir/psmon.prom" &&
	[ "$(cat "$TMP/victim")" = secret ] && [ ! -L "$TMP/dir/psmon.prom" ] &&
	[ -z "$(find "$TMP/dir" -name '.psmon.prom.*')" ]
ok $? "export with a named temporary file: the same, no temporary file left"
ln -s "$TMP/nosuchdir/x" "$TMP/dirlink" && run 0 export prometheus "$TMP/dirlink/../dir/psmon.prom" 2>/dev/null
[ $? -ne 0 ] && [ ! -e "$TMP/nosuchdir" ]
ok $? "export: a directory path through a dangling symlink fails, creates nothing"

# SIGTERM while the named temporary file exists (the dump of 100,000 prefixes).
cp "$TMP/dir/psmon.prom" "$TMP/before"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state PSCTL_NO_TMPFILE=1 \
	"$PSCTL" export prometheus "$TMP/dir/psmon.prom" 2>"$TMP/err" &
pid=$!
for _ in $(seq 400); do
	[ -n "$(find "$TMP/dir" -name '.psmon.prom.*')" ] && break
	sleep 0.005
done
kill -STOP $pid
seen=$(find "$TMP/dir" -name '.psmon.prom.*' | wc -l)
kill -TERM $pid; kill -CONT $pid; wait $pid
st=$?
echo "exit $st; left: $(ls -A "$TMP/dir")" >>"$TMP/err"
[ "$seen" -eq 1 ] && [ $st -eq 143 ] && [ -z "$(find "$TMP/dir" -name '.psmon.prom.*')" ] &&
	cmp -s "$TMP/before" "$TMP/dir/psmon.prom"
ok $? "export: SIGTERM with the temporary file present ($seen seen) removes it, the old file stays, exit 143"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state \
	"$PSCTL" export prometheus "$TMP/dir/psmon.prom" 2>"$TMP/err" &
pid=$!
sleep 0.1
kill -TERM $pid; wait $pid
st=$?
echo "exit $st; left: $(ls -A "$TMP/dir")" >>"$TMP/err"
[ $st -eq 143 ] && [ -z "$(find "$TMP/dir" -name '.psmon.prom.*')" ] &&
	cmp -s "$TMP/before" "$TMP/dir/psmon.prom" && [ "$(ls -A "$TMP/dir" | wc -l)" -eq 2 ]
ok $? "export: SIGTERM while writing an unnamed file leaves nothing, the old file stays"

tap_end
