#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging checks that run on the host (TAP):
#
#   units    systemd-analyze verify of the units as "make install" writes
#            them; systemd-analyze security --offline: the export and the
#            monitor at most 2.0; what psmon.service runs on start, reload
#   cron     the cron.d job runs as psmon, and not while the timer is active
#   debs     build/deb/ (make deb, or $PSMON_DEB_DIR): lintian clean, one
#            version everywhere, the files, conffiles and DKMS kernels
#   fresh    "make demo" on a machine without kernel headers: deps installs
#            them, and the module must build in the same run (the VM
#            itself is replaced by echo)
#
# The VM test selftests/net/psmon_package.sh installs the packages.
#
# Usage: selftests/pkg/host_test.sh [units|cron|debs|fresh...]

set -u

root=$(cd "$(dirname "$0")/../.." && pwd -P)
DEB_DIR=${PSMON_DEB_DIR:-$root/build/deb}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

n=0
failed=0
echo "TAP version 13"

ok() {			# ok STATUS DESCRIPTION: the output so far goes with a failure
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		sed 's/^/#   /' "$TMP/out" 2>/dev/null | tail -n 25
	fi
	: >"$TMP/out"
}

skip() {		# skip DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# ------------------------------------------------------------------- units

units() {
	local u level dest=$TMP/inst

	make -s -C "$root/tools/psctl" install DESTDIR="$dest" PREFIX=/usr \
		>"$TMP/out" 2>&1
	ok $? "make install DESTDIR: the units, cron.d and tmpfiles.d files"
	if ! command -v systemd-analyze >/dev/null; then
		skip "systemd-analyze verify and security" "systemd-analyze is not installed"
		return
	fi
	(cd "$dest/lib/systemd/system" && systemd-analyze verify --man=no \
		./psmon.service ./psmon-export.service ./psmon-export.timer \
		./psmon-monitor.service) 2>&1 |
		grep -v "Command /usr/sbin/psctl is not executable" >"$TMP/out"
	[ ! -s "$TMP/out" ]
	ok $? "systemd-analyze verify: the four units are clean (psctl aside, not installed here)"

	for u in psmon-export.service psmon-monitor.service; do
		(cd "$dest/lib/systemd/system" &&
			systemd-analyze security --offline=yes --no-pager "./$u") >"$TMP/sec" 2>&1
		level=$(sed -n "s/.*Overall exposure level for $u: \([0-9.]*\).*/\1/p" "$TMP/sec")
		cp "$TMP/sec" "$TMP/out"
		[ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'
		ok $? "systemd-analyze security --offline: $u exposure ${level:-?} <= 2.0"
	done

	u=$dest/lib/systemd/system/psmon-export.service
	grep -qx 'User=psmon' "$u" && grep -qx 'StateDirectory=psmon' "$u" &&
		grep -qx 'NoNewPrivileges=yes' "$u" && grep -qx 'ProtectSystem=strict' "$u" &&
		grep -qx 'ReadWritePaths=/var/lib/prometheus/node-exporter' "$u" &&
		grep -qx 'CapabilityBoundingSet=' "$u" &&
		grep -qx 'ExecStart=/usr/sbin/psctl export prometheus /var/lib/prometheus/node-exporter/psmon.prom' "$u"
	ok $? "psmon-export.service: user psmon, its state directory, no new privileges, read-only but for two directories"
	u=$dest/lib/systemd/system/psmon.service
	[ "$(grep -E '^Exec(Start|Reload)=' "$u")" = "ExecStart=/sbin/modprobe psmon
ExecStart=/usr/sbin/psctl apply /etc/psmon.conf
ExecReload=/usr/sbin/psctl apply /etc/psmon.conf" ]
	ok $? "psmon.service: modprobe, then psctl apply /etc/psmon.conf; reload applies it too"
	u=$dest/lib/systemd/system/psmon-monitor.service
	grep -qx 'ExecStart=/usr/sbin/psctl monitor' "$u" && grep -qx 'User=psmon' "$u" &&
		grep -qx 'Restart=on-failure' "$u"
	ok $? "psmon-monitor.service: psctl monitor as psmon, restarted on failure"
	grep -qx 'd /var/lib/psmon 0755 psmon psmon -' "$dest/usr/lib/tmpfiles.d/psmon.conf" &&
		[ -f "$dest/etc/psmon.conf" ] && [ -z "$(grep -v '^#' "$dest/etc/psmon.conf")" ]
	ok $? "tmpfiles.d makes /var/lib/psmon for psmon; /etc/psmon.conf is all comments"
}

# -------------------------------------------------------------------- cron

# cron_run ACTIVE: run the cron job's command with the timer active or not
# (a systemctl stub), psctl and /sys/module/psmon replaced by stand-ins.
cron_run() {
	local cmd

	mkdir -p "$TMP/bin" "$TMP/sys-psmon"
	printf '#!/bin/sh\n[ "$*" = "--quiet is-active psmon-export.timer" ] || exit 9\nexit %s\n' \
		"$1" >"$TMP/bin/systemctl"
	printf '#!/bin/sh\necho "$@" >>%s/ran\n' "$TMP" >"$TMP/bin/psctl"
	chmod +x "$TMP/bin/systemctl" "$TMP/bin/psctl"
	rm -f "$TMP/ran"
	cmd=$(grep -vE '^(#|$|[A-Z]+=)' "$root/tools/cron/psmon" | cut -d' ' -f7-)
	cmd=${cmd//\/usr\/sbin\/psctl/$TMP/bin/psctl}
	cmd=${cmd//\/sys\/module\/psmon/$TMP/sys-psmon}
	PATH=$TMP/bin:/usr/bin:/bin sh -c "$cmd"
}

cron() {
	local job

	job=$(grep -vE '^(#|$|[A-Z]+=)' "$root/tools/cron/psmon")
	echo "$job" >"$TMP/out"
	[ "$(echo "$job" | wc -l)" = 1 ] && [ "$(echo "$job" | cut -d' ' -f1-6)" = "* * * * * psmon" ]
	ok $? "cron.d: one job, every minute, as psmon"
	cron_run 3
	[ "$(cat "$TMP/ran" 2>/dev/null)" = "export prometheus /var/lib/prometheus/node-exporter/psmon.prom" ]
	ok $? "cron.d: the job exports while psmon-export.timer is not active"
	cron_run 0
	[ ! -e "$TMP/ran" ]
	ok $? "cron.d: the job stands aside while psmon-export.timer is active"
}

# -------------------------------------------------------------------- debs

debs() {
	local dkms_deb psctl_deb version re k

	dkms_deb=$(ls "$DEB_DIR"/psmon-dkms_*_all.deb 2>/dev/null | tail -n 1)
	psctl_deb=$(ls "$DEB_DIR"/psctl_*_*.deb 2>/dev/null | tail -n 1)
	if [ -z "$dkms_deb" ] || [ -z "$psctl_deb" ]; then
		echo "no packages in $DEB_DIR: make deb" >"$TMP/out"
		ok 1 "the packages exist"
		return
	fi
	version=$(cd "$root" && dpkg-parsechangelog -S Version)
	[ "$(dpkg-deb -f "$dkms_deb" Version)" = "$version" ] &&
		[ "$(dpkg-deb -f "$psctl_deb" Version)" = "$version" ] &&
		[ "$(cat "$root/VERSION")" = "$version" ] &&
		grep -qx "PACKAGE_VERSION=\"$version\"" "$root/dkms.conf" &&
		dpkg-deb --fsys-tarfile "$dkms_deb" |
		tar -xO "./usr/src/psmon-$version/dkms.conf" >"$TMP/dkms.conf" &&
		grep -qx "PACKAGE_VERSION=\"$version\"" "$TMP/dkms.conf" &&
		grep -q "PSMON_VERSION=\${PACKAGE_VERSION}" "$TMP/dkms.conf"
	ok $? "one version ($version): changelog, VERSION, dkms.conf, both packages, MODULE_VERSION's make variable"

	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$TMP/dkms.conf")
	for k in 6.1.0-57-amd64 6.1.0 6.12.9+bpo-amd64 7.0.1 10.2.0; do
		[[ $k =~ $re ]] || echo "refused: $k" >>"$TMP/out"
	done
	for k in 6.0.0-1-amd64 5.10.0-30-amd64 4.19.0 3.16.0; do
		[[ $k =~ $re ]] && echo "accepted: $k" >>"$TMP/out"
	done
	[ -n "$re" ] && [ ! -s "$TMP/out" ]
	ok $? "BUILD_EXCLUSIVE_KERNEL takes 6.1 and later, refuses older kernels"

	if command -v lintian >/dev/null; then
		lintian --fail-on error,warning "$dkms_deb" "$psctl_deb" >"$TMP/out" 2>&1
		ok $? "lintian: no error or warning (the overrides in debian/ explain the rest)"
	else
		skip "lintian" "lintian is not installed"
	fi

	dpkg-deb -c "$psctl_deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$TMP/psctl.files"
	for f in /usr/sbin/psctl /usr/share/man/man8/psctl.8.gz \
		 /usr/share/bash-completion/completions/psctl /etc/cron.d/psmon \
		 /etc/psmon.conf /lib/systemd/system/psmon.service \
		 /lib/systemd/system/psmon-export.service /lib/systemd/system/psmon-export.timer \
		 /lib/systemd/system/psmon-monitor.service /usr/lib/tmpfiles.d/psmon.conf \
		 /usr/share/psmon/psmon-rules.yml /usr/share/psmon/psmon-rules.test.yml; do
		grep -qx "$f" "$TMP/psctl.files" || echo "missing: $f" >>"$TMP/out"
	done
	grep -q '^/var/lib/psmon' "$TMP/psctl.files" && echo "ships /var/lib/psmon" >>"$TMP/out"
	dpkg-deb --ctrl-tarfile "$psctl_deb" | tar -xO ./conffiles >"$TMP/conffiles"
	[ "$(sort "$TMP/conffiles")" = "/etc/cron.d/psmon
/etc/psmon.conf" ] || echo "conffiles: $(cat "$TMP/conffiles")" >>"$TMP/out"
	[ ! -s "$TMP/out" ]
	ok $? "psctl: tool, man page, completion, units, cron.d, tmpfiles.d, rules; two conffiles"

	dpkg-deb --ctrl-tarfile "$psctl_deb" | tar -xO ./postinst >"$TMP/postinst"
	grep -q 'adduser --system --group' "$TMP/postinst" &&
		grep -q 'setfacl -m group:psmon:rwx "$textfile_dir"' "$TMP/postinst" &&
		grep -q 'systemd-tmpfiles .*--create psmon.conf' "$TMP/postinst" &&
		[ "$(grep -n 'adduser --system' "$TMP/postinst" | cut -d: -f1)" -lt \
		  "$(grep -n 'systemd-tmpfiles' "$TMP/postinst" | head -n 1 | cut -d: -f1)" ] &&
		! grep -qE 'deb-systemd-invoke|was-enabled defaults to true' "$TMP/postinst"
	ok $? "psctl postinst: the system user, its ACL on the textfile directory, then the state directory; no unit enabled by default"

	dpkg-deb -c "$dkms_deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$TMP/dkms.files"
	for f in Kbuild VERSION dkms.conf kmod/Kbuild kmod/main.c kmod/uapi/linux/psmon.h; do
		grep -qx "/usr/src/psmon-$version/$f" "$TMP/dkms.files" ||
			echo "missing: $f" >>"$TMP/out"
	done
	dpkg-deb -f "$dkms_deb" Depends | grep -q dkms || echo "no dependency on dkms" >>"$TMP/out"
	[ ! -s "$TMP/out" ]
	ok $? "psmon-dkms: the module's source under /usr/src/psmon-$version, depends on dkms"
}

# ------------------------------------------------------------------- fresh

fresh() {
	local src=$TMP/src

	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
		skip "make demo on a machine without kernel headers" "needs root and unshare"
		return
	fi
	mkdir -p "$src"
	(cd "$root" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -c --null -T -) | tar -x -C "$src"
	# "deps" brings the headers back: /lib/modules was hidden until then.
	cat >"$src/scripts/deps.sh" <<'EOF'
#!/bin/sh
echo "deps: installing the kernel headers (test stand-in)"
umount /lib/modules
EOF
	unshare -m sh -c '
		mount --make-rprivate / &&
		mount -t tmpfs psmon-no-headers /lib/modules &&
		make -C "$1" demo VM=echo' sh "$src" >"$TMP/out" 2>&1 &&
		[ -f "$src/kmod/psmon.ko" ] && grep -q -- '--timeout .* -- selftests/vm/demo.sh' "$TMP/out"
	ok $? "make demo without kernel headers: deps installs them, the module builds in the same run"
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(units cron debs fresh)
for s in "${suites[@]}"; do
	"$s"
done

echo "1..$n"
[ $failed -eq 0 ] || echo "# $failed of $n tests failed"
[ $failed -eq 0 ]
