#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The alerting rules end to end, on 127.0.0.1 only:
#
#   psctl (tests/fakenl.so) --export--> TMP/textfile/psmon.prom
#   node_exporter (textfile collector) :NODE_PORT
#   prometheus (psmon-rules.yml, 1 s scrapes and evaluations) :PROM_PORT
#
# A LAG at 41.2% records a crossing; PsmonAugmentationRequired must fire
# in Prometheus' /api/v1/alerts, and end after "psctl lag ack". Needs the
# Debian packages prometheus and prometheus-node-exporter (skipped
# without them). Run from tools/psctl: tests/alert_test.sh [PSCTL]. TAP.

set -u

PSCTL=${1:-./psctl}
PROM=$(command -v prometheus || true)
NODE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -z "$PROM" ] || [ -z "$NODE" ] || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs prometheus, prometheus-node-exporter and python3"
	exit 0
fi
RULES=$(realpath ../prometheus/psmon-rules.yml)
PIDS=()
cleanup_more() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source tests/lib.sh

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_alerts SECONDS PYTHON-CONDITION: poll /api/v1/alerts until the
# condition on "alerts" (the list) holds; the last answer in $TMP/err.
wait_alerts() {
	python3 - "$PROM_PORT" "$1" "$2" >"$TMP/err" 2>&1 <<'PY'
import json, sys, time, urllib.request
port, limit, cond = sys.argv[1], float(sys.argv[2]), sys.argv[3]
url = "http://127.0.0.1:%s/api/v1/alerts" % port
end = time.monotonic() + limit
last = None
while time.monotonic() < end:
    try:
        last = json.load(urllib.request.urlopen(url, timeout=2))
        alerts = last["data"]["alerts"]
        if eval(cond):
            print(json.dumps(alerts))
            sys.exit(0)
    except (OSError, ValueError):
        pass
    time.sleep(0.2)
print("gave up after %s s; last answer: %s" % (limit, json.dumps(last)))
sys.exit(1)
PY
}

# ---- psctl exports a crossing -------------------------------------------------
mkdir -p "$TMP/textfile"
fake lag add bond0 >/dev/null 2>"$TMP/err" && fake lag add bond1 >/dev/null 2>>"$TMP/err" &&
	awk '$1 == "lag" && $2 == "bond0" { $8 = "8240000000"; $9 = "0"; $10 = "0"; $11 = "0" } { print }' \
		"$TMP/state" >"$TMP/state.new" && mv "$TMP/state.new" "$TMP/state" &&
	fake export prometheus "$TMP/textfile/psmon.prom" 2>>"$TMP/err" &&
	grep -q '^psmon_lag_alert_since_timestamp_seconds{lag="bond0"} ' "$TMP/textfile/psmon.prom"
ok $? "psctl records bond0's crossing and exports it"

# ---- node_exporter and prometheus -------------------------------------------------
NODE_PORT=$(free_port)
PROM_PORT=$(free_port)
"$NODE" --web.listen-address="127.0.0.1:$NODE_PORT" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$TMP/textfile" >"$TMP/node.log" 2>&1 &
PIDS+=($!)
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NODE_PORT']
EOF
"$PROM" --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$TMP/prom.log" 2>&1 &
PIDS+=($!)

wait_alerts 30 'any(a["labels"]["alertname"] == "PsmonAugmentationRequired" and a["labels"].get("lag") == "bond0" and a["state"] == "firing" for a in alerts)'
st=$?
[ $st -ne 0 ] && cat "$TMP/prom.log" "$TMP/node.log" >>"$TMP/err"
ok $st "prometheus fires PsmonAugmentationRequired for bond0 (via node_exporter's textfile collector)"
python3 -c '
import json, sys
alerts = json.load(open(sys.argv[1]))
names = sorted({(a["labels"]["alertname"], a["labels"].get("lag", "")) for a in alerts})
sys.exit(0 if ("PsmonLagUtilizationHigh", "bond0") in names and
         not any(lag == "bond1" for _, lag in names) else 1)' "$TMP/err" 2>>"$TMP/err"
ok $? "bond0 at its exported threshold is PsmonLagUtilizationHigh (pending); nothing for bond1"

# ---- lag ack ends it ----------------------------------------------------------------
# (Down to 5% first: at 41.2% the kernel would record a new crossing.)
awk '$1 == "lag" && $2 == "bond0" { $8 = "1000000000" } { print }' "$TMP/state" >"$TMP/state.new" &&
	mv "$TMP/state.new" "$TMP/state" &&
	fake lag ack bond0 >/dev/null 2>"$TMP/err" && fake export prometheus "$TMP/textfile/psmon.prom" 2>>"$TMP/err" &&
	! grep -q '^psmon_lag_alert_since_timestamp_seconds' "$TMP/textfile/psmon.prom" &&
	wait_alerts 20 'not any(a["labels"]["alertname"] == "PsmonAugmentationRequired" for a in alerts)'
ok $? "after psctl lag ack PsmonAugmentationRequired is gone"

tap_end
