#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psctl export prometheus and what ships with it (alerting rules, cron and
# systemd files), against tests/fakenl.so. With the Debian packages
# prometheus (promtool) and prometheus-node-exporter installed, the export
# is also checked by promtool and served by a node_exporter on 127.0.0.1;
# without them those tests are skipped.
# Run from tools/psctl: tests/export_test.sh [PSCTL]. TAP output.

set -u

PSCTL=${1:-./psctl}
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is needed to check the output"
	exit 0
fi
TOOLS=$(realpath ..)
CHECK=$(realpath tests/promcheck.py)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source tests/lib.sh

value() {		# value SAMPLE-WITHOUT-VALUE: its value in $TMP/out
	S=$1 awk 'BEGIN { s = ENVIRON["S"] }
		substr($0, 1, length(s) + 1) == s " " { print substr($0, length(s) + 2) }' "$TMP/out"
}

# ---- the export -------------------------------------------------------------
run 0 lag add bond0 && run 0 lag add bond1 capacity 2.5gbit && run 0 lag add 'od"d\x' &&
	run 0 prefix add 8.8.8.0/24 name google && run 0 prefix add 198.51.100.0/24 allow-reserved &&
	run 0 prefix add 2a00:1450::/32 name 'g-v6'
# bond0: 41.2% received (crossing 10 days ago), 5% sent.
since=$(( $(date +%s) - 10 * 86400 ))
awk -v since="$since" '$1 == "lag" && $2 == "bond0" { $8 = "8240000000"; $9 = "1000000000"; $10 = since } { print }' \
	"$TMP/state" >"$TMP/state.new" && mv "$TMP/state.new" "$TMP/state"
ok $? "setup: three LAGs, three prefixes, traffic"

rm -f "$TMP/log"
run 0 export prometheus && python3 "$CHECK" "$TMP/out" >"$TMP/err"
ok $? "export to stdout: every family with HELP and TYPE, no timestamps, the contract's labels, the timestamp last"
cp "$TMP/out" "$TMP/stdout.prom"
if command -v promtool >/dev/null; then
	promtool check metrics <"$TMP/stdout.prom" >"$TMP/err" 2>&1
	ok $? "promtool check metrics: no problems"
else
	skip "promtool check metrics" "promtool is not installed (Debian package prometheus)"
fi
[ "$(value 'psmon_lag_alert{lag="bond0"}')" = 1 ] &&
	[ "$(value 'psmon_lag_alert{lag="bond1"}')" = 0 ] &&
	[ "$(value 'psmon_lag_utilization_ratio{lag="bond0",direction="receive"}')" = 0.412 ] &&
	[ "$(value 'psmon_lag_utilization_ratio{lag="bond0",direction="transmit"}')" = 0.05 ] &&
	[ "$(value 'psmon_lag_n1_utilization_ratio{lag="bond0",direction="receive"}')" = 0.824 ] &&
	[ "$(value 'psmon_lag_speed_bytes{lag="bond0"}')" = 2500000000 ] &&
	[ "$(value 'psmon_lag_speed_bytes{lag="bond1"}')" = 312500000 ] &&
	[ "$(value 'psmon_lag_alert_since_timestamp_seconds{lag="bond0"}')" = "$since" ] &&
	[ "$(value 'psmon_lag_augmentation_deadline_timestamp_seconds{lag="bond0",bound="earliest"}')" = $((since + 3888000)) ] &&
	[ "$(value 'psmon_lag_augmentation_deadline_timestamp_seconds{lag="bond0",bound="latest"}')" = $((since + 5184000)) ] &&
	[ -z "$(value 'psmon_lag_alert_since_timestamp_seconds{lag="bond1"}')" ] &&
	[ "$(value 'psmon_lag_member_info{lag="bond0",device="m2"}')" = 1 ] &&
	[ "$(value 'psmon_lag_member_utilization_ratio{lag="bond0",device="m1",direction="receive"}')" = 0.412 ] &&
	[ "$(value 'psmon_lag_unmatched_receive_bytes_total{lag="bond0"}')" = 426 ] &&
	[ "$(value 'psmon_lag_member_receive_bytes_total{lag="bond0",device="m1"}')" = 710000 ] &&
	[ "$(value 'psmon_prefix_receive_bytes_total{prefix="8.8.8.0/24",name="google",lag="bond0"}')" = 1420 ] &&
	[ "$(value 'psmon_prefix_transmit_packets_total{prefix="198.51.100.0/24",name="",lag="bond1"}')" = 5 ] &&
	[ "$(value 'psmon_prefix_receive_packets_total{prefix="2a00:1450::/32",name="g-v6",lag="od\"d\\x"}')" = 10 ] &&
	[ "$(value 'psmon_lag_peak_utilization_ratio{lag="bond0"}')" = 0.412 ]
ok $? "the values: alert, utilisation, N-1, speed, crossing, deadlines, members, prefixes, escaped labels"
[ "$(value 'psmon_lag_active_speed_bytes{lag="bond0"}')" = 2500000000 ] &&
	[ "$(value 'psmon_lag_active_members{lag="bond0"}')" = 2 ] &&
	[ "$(value 'psmon_lag_degraded{lag="bond0"}')" = 0 ] &&
	[ "$(value 'psmon_lag_overload{lag="bond0"}')" = 0 ] &&
	[ "$(value 'psmon_lag_member_active{lag="bond0",device="m2"}')" = 0 ] &&
	[ "$(value 'psmon_lag_member_active{lag="bond0",device="m3"}')" = 1 ] &&
	[ "$(value 'psmon_lag_active_utilization_ratio{lag="bond0",direction="receive"}')" = 0.412 ] &&
	[ "$(value 'psmon_lag_threshold_ratio{lag="bond0"}')" = 0.4 ] &&
	[ "$(value 'psmon_prefix_info{prefix="8.8.8.0/24",name="google"}')" = 1 ] &&
	[ "$(value 'psmon_prefix_info{prefix="198.51.100.0/24",name=""}')" = 1 ] &&
	[ "$(value 'psmon_state_healthy')" = 1 ] && ! grep -q netns "$TMP/out"
ok $? "active capacity and members, degraded, overload, threshold, prefix info, state healthy; no netns label"
FAKE_PSMON_DEGRADED=bond1,bond0 run 0 export prometheus &&
	[ "$(value 'psmon_lag_active_speed_bytes{lag="bond0"}')" = 1250000000 ] &&
	[ "$(value 'psmon_lag_active_members{lag="bond0"}')" = 1 ] &&
	[ "$(value 'psmon_lag_degraded{lag="bond0"}')" = 1 ] &&
	[ "$(value 'psmon_lag_overload{lag="bond0"}')" = 1 ] &&
	[ "$(value 'psmon_lag_member_active{lag="bond0",device="m3"}')" = 0 ] &&
	[ "$(value 'psmon_lag_active_utilization_ratio{lag="bond0",direction="receive"}')" = 0.824 ] &&
	[ "$(value 'psmon_lag_speed_bytes{lag="bond0"}')" = 2500000000 ] &&
	[ "$(value 'psmon_lag_utilization_ratio{lag="bond0",direction="receive"}')" = 0.412 ] &&
	[ "$(value 'psmon_lag_degraded{lag="bond1"}')" = 1 ] && [ "$(value 'psmon_lag_overload{lag="bond1"}')" = 0 ] &&
	[ "$(value 'psmon_lag_degraded{lag="od\"d\\x"}')" = 0 ] &&
	{ ! command -v promtool >/dev/null || promtool check metrics <"$TMP/out" >>"$TMP/err" 2>&1; }
ok $? "FAKE_PSMON_DEGRADED: a member out of the aggregator halves the active capacity; utilisation stays on the capacity; promtool-clean"
grep -q '^psmon_lag_projected_crossing_timestamp_seconds' "$TMP/out"
[ $? -ne 0 ] && grep -q '^# TYPE psmon_lag_projected_crossing_timestamp_seconds gauge$' "$TMP/out"
ok $? "no projection without enough history (the family is still declared)"
[ "$(grep -c '^# HELP' "$TMP/out")" = "$(grep -c '^# TYPE' "$TMP/out")" ] &&
	! grep -vE '^(# (HELP|TYPE) [a-z_0-9]+ .+|[a-z_0-9]+(\{.*\})? [0-9.]+)$' "$TMP/out"
ok $? "nothing but HELP, TYPE and \"name{labels} value\" lines"

# ---- the state: a forecast, and state psctl cannot read ------------------------
cp -a "$PSMON_STATE_DIR" "$TMP/psmon.saved"
python3 - "$PSMON_STATE_DIR/state.json" "$(date +%s)" <<'PY'
import json, sys
path, now = sys.argv[1], int(sys.argv[2])
st = json.load(open(path))
today = now // 86400 * 86400
for l in st["lags"]:
    if l["dev"] == "bond1":	# 40% in 10 days
        l["days"] = [[today + 86400 * k, 400000 + 5000 * k - 47500] for k in range(-28, 0)]
json.dump(st, open(path, "w"))
PY
today=$(( $(date +%s) / 86400 * 86400 ))
run 0 export prometheus &&
	[ "$(value 'psmon_lag_projected_crossing_timestamp_seconds{lag="bond1"}')" = $((today + 10 * 86400)) ] &&
	[ -z "$(value 'psmon_lag_projected_crossing_timestamp_seconds{lag="bond0"}')" ]
ok $? "rising daily peaks: the projected crossing (none for a LAG with a crossing)"
printf '{"version": 9, "lags": [{"dev": "bond0", "crossing": 1764000000}]}' >"$PSMON_STATE_DIR/state.json"
cp "$PSMON_STATE_DIR/state.json" "$TMP/kept"
mkdir -p "$TMP/unhealthy"
run 3 export prometheus "$TMP/unhealthy/psmon.prom" && grep -q "cannot read the state file" "$TMP/err" &&
	cmp -s "$PSMON_STATE_DIR/state.json" "$TMP/kept" && cp "$TMP/unhealthy/psmon.prom" "$TMP/out" &&
	python3 "$CHECK" "$TMP/out" >>"$TMP/err" && [ "$(value 'psmon_state_healthy')" = 0 ] &&
	[ "$(value 'psmon_lag_alert_since_timestamp_seconds{lag="bond0"}')" = "$since" ]
ok $? "a state file from a newer psctl: kept, exit 3, the export written with psmon_state_healthy 0"
rm -rf "$PSMON_STATE_DIR" && touch "$TMP/nodirfile"
PSMON_STATE_DIR=$TMP/nodirfile/psmon run 3 export prometheus && [ "$(value 'psmon_state_healthy')" = 0 ] &&
	grep -q "cannot update the state in $TMP/nodirfile/psmon" "$TMP/err"
ok $? "a state directory that cannot be created: exit 3, psmon_state_healthy 0"
rm -f "$TMP/nodirfile" && mv "$TMP/psmon.saved" "$PSMON_STATE_DIR"

# ---- to a file ----------------------------------------------------------------
mkdir -p "$TMP/textfile"
PROM=$TMP/textfile/psmon.prom
run 0 export prometheus "$PROM" && [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ] &&
	python3 "$CHECK" "$PROM" >"$TMP/err" && [ "$(stat -c %a "$PROM")" = 644 ] &&
	[ "$(ls -A "$TMP/textfile")" = psmon.prom ] &&
	diff <(grep -v '^psmon_export_timestamp' "$TMP/stdout.prom") <(grep -v '^psmon_export_timestamp' "$PROM") >"$TMP/err"
ok $? "export FILE: the same metrics, mode 0644, no temporary file left"
(umask 077; run 0 export prometheus "$PROM") && [ "$(stat -c %a "$PROM")" = 644 ]
ok $? "mode 0644 whatever the umask"

cp "$PROM" "$TMP/old.prom"
rm -f "$TMP/log"
run 1 export prometheus "$TMP/nodir/psmon.prom" &&
	err_is "Error: cannot write $TMP/nodir/psmon.prom: No such file or directory" && [ ! -s "$TMP/log" ]
ok $? "a missing directory: exit 1, the kernel is not asked"
(
	trap '' XFSZ
	ulimit -f 4	# 4 KiB: the export is larger
	run 1 export prometheus "$PROM"
) && err_is "Error: cannot write $PROM: File too large" &&
	cmp -s "$PROM" "$TMP/old.prom" && [ "$(ls -A "$TMP/textfile")" = psmon.prom ]
ok $? "a write that fails (file size limit): exit 1, the old file intact, no temporary file"
mkdir "$TMP/textfile/dir.prom"
run 1 export prometheus "$TMP/textfile/dir.prom" && err_is "Error: cannot write $TMP/textfile/dir.prom: Is a directory" &&
	[ -d "$TMP/textfile/dir.prom" ] && [ "$(ls -A "$TMP/textfile" | sort | tr '\n' ' ')" = "dir.prom psmon.prom " ]
ok $? "FILE is a directory: exit 1, nothing replaced"
rmdir "$TMP/textfile/dir.prom"
LD_PRELOAD=$FAKE FAKE_PSMON_STATE=$TMP/state "$PSCTL" export prometheus "$PROM" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && err_is "Error: psmon kernel module is not loaded (modprobe psmon)" &&
	cmp -s "$PROM" "$TMP/old.prom" && [ "$(ls -A "$TMP/textfile")" = psmon.prom ]
ok $? "without the module: exit 2, the old file intact"
LD_PRELOAD=$FAKE FAKE_PSMON=1 FAKE_PSMON_STATE=$TMP/state FAKE_PSMON_EPERM=1 "$PSCTL" export prometheus "$PROM" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && cmp -s "$PROM" "$TMP/old.prom" && [ "$(ls -A "$TMP/textfile")" = psmon.prom ]
ok $? "a kernel refusal: exit 2, the old file intact"
if [ -w /dev/full ]; then
	fake export prometheus >/dev/full 2>"$TMP/err"
	[ $? -eq 1 ] && grep -q "^Error: cannot write the output: No space left on device" "$TMP/err"
	ok $? "stdout full: exit 1 with a message"
else
	skip "stdout full" "no /dev/full"
fi
run 1 export prometheus a b && err_is 'Error: unexpected argument "b"' &&
	run 1 export json && grep -q 'unknown command "json"' "$TMP/err"
ok $? "export: bad arguments"

# ---- concurrent exports and a reader ---------------------------------------------
python3 "$CHECK" --loop "$PROM" "$TMP/stop" "$TMP/started" >"$TMP/reads" &
reader=$!
for ((i = 0; i < 100; i++)); do [ -e "$TMP/started" ] && break; sleep 0.1; done
pids=()
for i in $(seq 20); do
	fake export prometheus "$PROM" 2>"$TMP/err.$i" &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do
	wait "$p" || bad=$((bad + 1))
done
# A few more rounds, so that the reader overlaps many renames.
for r in 1 2 3 4; do
	for i in $(seq 20); do fake export prometheus "$PROM" 2>>"$TMP/err.$i" & done
	wait $(jobs -p | grep -v "^$reader\$") 2>/dev/null
done
touch "$TMP/stop"
wait $reader
rstatus=$?
cat "$TMP"/err.* >"$TMP/err"
echo "reader: $(cat "$TMP/reads")" >"$TMP/out"
[ $bad -eq 0 ] && [ $rstatus -eq 0 ] && [ "$(cat "$TMP/reads")" -gt 0 ] && [ ! -s "$TMP/err" ] &&
	[ "$(ls -A "$TMP/textfile")" = psmon.prom ] && python3 "$CHECK" "$PROM" >>"$TMP/err" &&
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$PSMON_STATE_DIR/state.json"
ok $? "100 exports, 20 at a time, and a reader: $(cat "$TMP/reads") reads, each one complete; the state file intact"

# ---- the alerting rules ---------------------------------------------------------
if command -v promtool >/dev/null; then
	promtool check rules "$TOOLS/prometheus/psmon-rules.yml" >"$TMP/out" 2>"$TMP/err"
	ok $? "promtool check rules psmon-rules.yml"
	(cd "$TOOLS/prometheus" && promtool test rules psmon-rules.test.yml) >"$TMP/out" 2>"$TMP/err"
	ok $? "promtool test rules psmon-rules.test.yml"
else
	skip "promtool check rules" "promtool is not installed (Debian package prometheus)"
	skip "promtool test rules" "promtool is not installed (Debian package prometheus)"
fi

# ---- node_exporter serves the export ------------------------------------------------
if ! node_start "$TMP/textfile"; then
	skip "node_exporter serves the export" "prometheus-node-exporter is not installed"
else
	python3 - "$NODE_PORT" >"$TMP/out" 2>"$TMP/err" <<'PY'
import sys, time, urllib.request
url = "http://127.0.0.1:%s/metrics" % sys.argv[1]
for _ in range(100):
    try:
        body = urllib.request.urlopen(url, timeout=2).read().decode()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("node_exporter did not answer")
lines = body.splitlines()
print("\n".join(l for l in lines if l.startswith(("psmon_lag_alert{", "node_textfile_scrape_error"))))
ok = ('psmon_lag_alert{lag="bond0"} 1' in lines and 'node_textfile_scrape_error 0' in lines
      and 'psmon_prefix_receive_packets_total{lag="od\\"d\\\\x",name="g-v6",prefix="2a00:1450::/32"} 10' in lines)
sys.exit(0 if ok else 1)
PY
	st=$?
	cat "$TMP/node.log" >>"$TMP/err"
	ok $st "node_exporter on 127.0.0.1 serves the export, node_textfile_scrape_error 0"
	node_stop
fi

# ---- cron and systemd ---------------------------------------------------------------
grep -v '^#' "$TOOLS/cron/psmon" | grep -v '^$' >"$TMP/out"
grep -qxE '\* \* \* \* \* psmon .*! systemctl --quiet is-active psmon-export\.timer .*/usr/sbin/psctl export prometheus /var/lib/prometheus/node-exporter/psmon\.prom' "$TMP/out" &&
	[ "$(grep -cvE '^[A-Z]+=' "$TMP/out")" = 1 ]
ok $? "cron.d file: one job, every minute, as psmon, not while the timer is active, into node_exporter's textfile directory"
if command -v systemd-analyze >/dev/null; then
	(cd "$TOOLS/systemd" && systemd-analyze verify --man=no ./psmon.service \
		./psmon-export.service ./psmon-export.timer ./psmon-monitor.service) 2>&1 |
		grep -v "Command /usr/sbin/psctl is not executable" >"$TMP/err"
	[ ! -s "$TMP/err" ]
	ok $? "systemd-analyze verify: the units are clean (but for psctl not being installed)"
else
	skip "systemd-analyze verify" "systemd-analyze is not installed"
fi

tap_end
