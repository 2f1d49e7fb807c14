#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, installed in this (virtual) machine as an operator
# would: "make deb" built them on the host, into build/deb/ (or
# $PSMON_DEB_DIR).
#
#   dpkg -i psmon-dkms psctl --> DKMS builds psmon.ko for $(uname -r)
#   modprobe psmon           --> the version the package says
#   psmon.service ExecStart  --> twice, with a changed /etc/psmon.conf:
#                                the second run applies only the change
#   the cron job as psmon    --> psmon.prom in node_exporter's directory
#   dpkg --purge             --> no file, DKMS tree, state or module left
#
# There is no systemd as PID 1 here: the units' command lines are run as
# they are written in the installed unit files (systemd-analyze checks
# the units on the host, see selftests/pkg/host_test.sh).
#
# The guest's root is an overlay over 9p, which has no POSIX ACLs: the
# textfile directory gets a tmpfs, which has them, as a router's /var does.
#
#   init namespace: pkg0, pkg1 (dummy devices: one-member LAGs)
#
# DKMS compiles psmon.ko with gcc under emulation and depmod reads every
# module, on install and on purge: measured 5.5 to 11.5 minutes on 2 vCPUs
# (dpkg -i 250 to 520 s, dpkg --purge 40 to 110 s, with the host busy or
# not), hence the longer limit.
# psmon-test-timeout: 1200

NET_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"
# shellcheck source=psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

DEB_DIR=${PSMON_DEB_DIR:-$PSMON_TOP/build/deb}
UNIT=/lib/systemd/system/psmon.service
CRON=/etc/cron.d/psmon
TEXTFILE_DIR=/var/lib/prometheus/node-exporter
TMP=$(mktemp -d)
TEXTFILE_MOUNTED=

require_root
require_cmd dpkg dpkg-deb dkms gcc make modprobe modinfo runuser ip
require_module dummy

cleanup()
{
	psmon_unload >/dev/null 2>&1
	ip link del pkg0 2>/dev/null
	ip link del pkg1 2>/dev/null
	if dpkg-query -W -f '${db:Status-Abbrev}' psctl psmon-dkms 2>/dev/null |
	   grep -q '[a-z]'; then
		dpkg --purge psctl psmon-dkms >/dev/null 2>&1
	fi
	[ -n "$TEXTFILE_MOUNTED" ] && umount "$TEXTFILE_DIR"
	rm -rf "$TMP"
}
trap cleanup EXIT

tap_plan

# fail_log NAME FILE: report NAME as failed, with the end of FILE.
fail_log()
{
	tail -n 25 "$2" | sed 's/^/#   /'
	tap_fail "$1"
}

# exec_start UNIT: run the ExecStart= lines of UNIT in order, as systemd
# does for a oneshot service; their output goes to $TMP/exec.out.
exec_start()
{
	local line cmd

	: >"$TMP/exec.out"
	while IFS= read -r line; do
		cmd=${line#ExecStart=}
		# Prefixes systemd knows ("-", "@", "+", ...) are not used here.
		case $cmd in [-@+!:]*) return 99 ;; esac
		echo "\$ $cmd" >>"$TMP/exec.out"
		sh -c "$cmd" >>"$TMP/exec.out" 2>&1 || return
	done < <(grep '^ExecStart=' "$1")
}

# cron_job FILE: user and command of the one job in FILE, as "USER CMD".
cron_job()
{
	grep -vE '^(#|$|[A-Z]+=)' "$1" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }'
}

# ------------------------------------------------------------------ install

dkms_deb=$(ls "$DEB_DIR"/psmon-dkms_*_all.deb 2>/dev/null | tail -n 1)
psctl_deb=$(ls "$DEB_DIR"/psctl_*_"$(dpkg --print-architecture)".deb 2>/dev/null | tail -n 1)
if [ -z "$dkms_deb" ] || [ -z "$psctl_deb" ]; then
	tap_fail "the packages exist" "no psmon-dkms or psctl .deb in $DEB_DIR: make deb"
	tap_done
	exit $?
fi
version=$(dpkg-deb -f "$dkms_deb" Version)
tap_diag "packages $(basename "$dkms_deb") $(basename "$psctl_deb"), kernel $(uname -r)"

if dpkg-query -W -f '${db:Status-Abbrev}' psctl psmon-dkms 2>/dev/null | grep -q '^i'; then
	tap_fail "psctl and psmon-dkms are not installed before the test"
fi
psmon_unload
mkdir -p "$TEXTFILE_DIR" && mount -t tmpfs -o mode=0755 psmon-textfile "$TEXTFILE_DIR" &&
	TEXTFILE_MOUNTED=1 || tap_fail "a tmpfs on $TEXTFILE_DIR"

t0=$(now_ms)
if DEBIAN_FRONTEND=noninteractive dpkg -i "$dkms_deb" "$psctl_deb" >"$TMP/dpkg.log" 2>&1; then
	tap_ok "dpkg -i psmon-dkms psctl"
else
	fail_log "dpkg -i psmon-dkms psctl" "$TMP/dpkg.log"
fi
tap_diag "dpkg -i (DKMS build under emulation included): $(( ($(now_ms) - t0) / 1000 ))s"
dpkg -L psmon-dkms psctl 2>/dev/null | sort -u >"$TMP/files"

dkms status psmon >"$TMP/dkms" 2>&1
if grep -qE "^psmon/$version, $(uname -r), [^:]*: installed" "$TMP/dkms"; then
	tap_ok "DKMS built and installed psmon $version for $(uname -r)"
else
	fail_log "DKMS built and installed psmon $version for $(uname -r)" "$TMP/dkms"
fi

ko=$(modinfo -n psmon 2>/dev/null)
case $ko in
/lib/modules/"$(uname -r)"/updates/dkms/psmon.ko*)
	tap_ok "modinfo finds the DKMS module ($ko)" ;;
*)
	tap_fail "modinfo finds the DKMS module" "modinfo -n psmon: '$ko'" ;;
esac
check_eq "modinfo -F version psmon" "$(modinfo -F version psmon 2>/dev/null)" "$version" &&
	tap_ok "MODULE_VERSION is the package's version ($version)" ||
	tap_fail "MODULE_VERSION is the package's version"
signer=$(modinfo -F signer psmon 2>/dev/null)
if [ -n "$signer" ]; then
	tap_ok "DKMS signed the module (signer: $signer)"
elif ! command -v openssl >/dev/null; then
	tap_skip "DKMS signed the module" "openssl is not installed: DKMS cannot make its key"
else
	tap_fail "DKMS signed the module" "no signer"
fi

if modprobe psmon && [ "$(cat /sys/module/psmon/version 2>/dev/null)" = "$version" ]; then
	tap_ok "modprobe psmon loads the packaged module"
else
	tap_fail "modprobe psmon loads the packaged module"
fi

out=$(/usr/sbin/psctl -V 2>&1)
[ "$out" = "psctl $version" ] && /usr/sbin/psctl lag show >/dev/null 2>&1 &&
	/usr/sbin/psctl prefix show >/dev/null 2>&1
tap_result "/usr/sbin/psctl works ($out)" $?

id psmon >"$TMP/id" 2>&1 && [ "$(stat -c %U:%G /var/lib/psmon 2>/dev/null)" = psmon:psmon ] &&
	grep -qx /etc/psmon.conf /var/lib/dpkg/info/psctl.conffiles &&
	grep -qx /etc/cron.d/psmon /var/lib/dpkg/info/psctl.conffiles
tap_result "system user psmon owns /var/lib/psmon; /etc/psmon.conf and the cron.d file are conffiles" $?

for f in /usr/share/man/man8/psctl.8.gz /usr/share/bash-completion/completions/psctl \
	 /usr/share/psmon/psmon-rules.yml /lib/systemd/system/psmon-monitor.service \
	 /lib/systemd/system/psmon-export.timer /usr/lib/tmpfiles.d/psmon.conf; do
	[ -f "$f" ] || { echo "# missing: $f"; false; }
done
tap_result "man page, completion, alerting rules, units and tmpfiles.d installed" $?

# --------------------------------------------------- psmon.service, twice

ip link add pkg0 type dummy && ip link add pkg1 type dummy &&
	ip link set pkg0 up && ip link set pkg1 up || tap_fail "dummy devices"
cat >/etc/psmon.conf <<'EOF'
# written by psmon_package.sh
prefix add 198.51.100.0/24 name customer-a allow-reserved
prefix add 203.0.113.0/24 name customer-b allow-reserved
prefix add 2001:db8:100::/48 name customer-v6 allow-reserved
lag add pkg0 capacity 10mbit
lag add pkg1
EOF
if exec_start "$UNIT"; then
	/usr/sbin/psctl save "$TMP/saved" && grep -v '^#' "$TMP/saved" >"$TMP/saved.conf"
	cat >"$TMP/want" <<'EOF'
prefix add 198.51.100.0/24 name customer-a allow-reserved
prefix add 203.0.113.0/24 name customer-b allow-reserved
prefix add 2001:db8:100::/48 name customer-v6 allow-reserved
lag add pkg0 capacity 10mbit threshold 40 clear 35 window 300
lag add pkg1 threshold 40 clear 35 window 300
EOF
	if diff -u "$TMP/want" "$TMP/saved.conf" >"$TMP/diff"; then
		tap_ok "psmon.service's ExecStart: modprobe and apply /etc/psmon.conf"
	else
		fail_log "psmon.service's ExecStart: modprobe and apply /etc/psmon.conf" "$TMP/diff"
	fi
else
	fail_log "psmon.service's ExecStart: modprobe and apply /etc/psmon.conf" "$TMP/exec.out"
fi

if exec_start "$UNIT" && [ "$(grep -vc '^\$' "$TMP/exec.out")" = 0 ]; then
	tap_ok "ExecStart again on the running system (a restart): succeeds, changes nothing"
else
	fail_log "ExecStart again on the running system (a restart): succeeds, changes nothing" "$TMP/exec.out"
fi

# Traffic on pkg0, so that its counters show whether the LAG is changed in
# place: unmatched (no registered source), sent on a NOARP device.
unmatched_tx() {
	/usr/sbin/psctl -j lag show pkg0 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["unmatched_tx_packets"])'
}
ip addr add 192.0.2.1/24 dev pkg0 && ping -q -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null 2>&1
before=$(unmatched_tx)

# A changed capacity, a removed prefix, a removed LAG.
sed -i -e 's/capacity 10mbit/capacity 20mbit/' -e '/203\.0\.113/d' -e '/^lag add pkg1/d' /etc/psmon.conf
cat >"$TMP/want" <<'EOF'
$ /sbin/modprobe psmon
$ /usr/sbin/psctl apply /etc/psmon.conf
prefix del 203.0.113.0/24
lag del pkg1
lag set pkg0 capacity 20mbit
EOF
if exec_start "$UNIT" && diff -u "$TMP/want" "$TMP/exec.out" >"$TMP/diff" &&
   /usr/sbin/psctl -j lag show >"$TMP/lags" &&
   python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not (len(d) == 1 and d[0]["dev"] == "pkg0" and d[0]["capacity_bps"] == 20000000))' "$TMP/lags" &&
   [ "$(/usr/sbin/psctl prefix show | wc -l)" = 2 ]; then
	tap_ok "a changed /etc/psmon.conf and ExecStart: only the changes are made"
else
	cat "$TMP/exec.out" >>"$TMP/diff"
	fail_log "a changed /etc/psmon.conf and ExecStart: only the changes are made" "$TMP/diff"
fi
after=$(unmatched_tx)
check_ge "unmatched tx packets on pkg0 before the change" "${before:-0}" 3 &&
	check_ge "unmatched tx packets on pkg0 after it" "${after:-0}" "$before"
tap_result "the changed LAG keeps its counters ($before, then $after packets)" $?

# ------------------------------------------- the export and the monitor

read -r job_user job_cmd < <(cron_job "$CRON")
if [ "$job_user" != psmon ]; then
	tap_fail "the cron job runs as psmon" "user '$job_user'"
elif runuser -u psmon -- env PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c "$job_cmd" >"$TMP/cron.out" 2>&1 &&
     [ "$(stat -c %U "$TEXTFILE_DIR/psmon.prom" 2>/dev/null)" = psmon ] &&
     grep -q '^psmon_lag_alert{lag="pkg0"} 0$' "$TEXTFILE_DIR/psmon.prom" &&
     [ "$(stat -c %U /var/lib/psmon/state.json 2>/dev/null)" = psmon ]; then
	tap_ok "the cron job, as psmon, writes psmon.prom and the state file"
else
	ls -la "$TEXTFILE_DIR" /var/lib/psmon >>"$TMP/cron.out" 2>&1
	fail_log "the cron job, as psmon, writes psmon.prom and the state file" "$TMP/cron.out"
fi

mon=$(grep '^ExecStart=' /lib/systemd/system/psmon-monitor.service)
rc=0
runuser -u psmon -- timeout 3 ${mon#ExecStart=} >"$TMP/mon.out" 2>&1 || rc=$?
if [ "$rc" = 124 ]; then
	tap_ok "psmon-monitor's ExecStart listens as psmon"
else
	echo "exit status $rc" >>"$TMP/mon.out"
	fail_log "psmon-monitor's ExecStart listens as psmon" "$TMP/mon.out"
fi

# ------------------------------------------------------------------- purge

ip link del pkg0
ip link del pkg1
psmon_unload
t0=$(now_ms)
if DEBIAN_FRONTEND=noninteractive dpkg --purge psctl psmon-dkms >"$TMP/purge.log" 2>&1; then
	tap_ok "dpkg --purge psctl psmon-dkms"
else
	fail_log "dpkg --purge psctl psmon-dkms" "$TMP/purge.log"
fi
tap_diag "dpkg --purge: $(( ($(now_ms) - t0) / 1000 ))s"

left=
while IFS= read -r f; do
	[ -d "$f" ] && continue		# shared directories (/usr/share/doc ...)
	[ -e "$f" ] || [ -L "$f" ] && left+=" $f"
done <"$TMP/files"
for f in /etc/psmon.conf /etc/cron.d/psmon /var/lib/psmon "/usr/src/psmon-$version" \
	 /var/lib/dkms/psmon "$TEXTFILE_DIR/psmon.prom"; do
	[ -e "$f" ] && left+=" $f"
done
left+=$(find /lib/modules/"$(uname -r)" -name 'psmon.ko*' -printf ' %p' 2>/dev/null)
if [ -z "$left" ] && [ ! -s "$TMP/files" ]; then
	tap_fail "purge leaves no file behind" "dpkg -L listed nothing"
elif [ -z "$left" ]; then
	tap_ok "purge leaves no file behind ($(wc -l <"$TMP/files") paths checked)"
else
	tap_fail "purge leaves no file behind" "left:$left"
fi
out=$(dkms status psmon 2>&1)
[ -z "$out" ] && ! dpkg-query -W -f '${db:Status-Abbrev}' psctl psmon-dkms 2>/dev/null | grep -q '[a-z]'
tap_result "dkms status is empty, dpkg knows neither package" $? "$out"
if command -v getfacl >/dev/null; then
	! getfacl -p "$TEXTFILE_DIR" 2>/dev/null | grep -q '^group:psmon:'
	tap_result "the textfile directory's ACL for psmon is gone" $?
else
	tap_skip "the textfile directory's ACL for psmon is gone" "getfacl (acl) is not installed"
fi

tap_done
exit $?
