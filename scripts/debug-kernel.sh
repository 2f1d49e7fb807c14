#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel of "make check-debug": Debian's 6.1 kernel source built
# with KASAN, lockdep (PROVE_LOCKING, PROVE_RCU), DEBUG_ATOMIC_SLEEP,
# DEBUG_OBJECTS, kmemleak and UBSAN, in a configuration made for the test
# virtual machine (selftests/vm/debug.config), and psmon built against it.
#
# Usage: scripts/debug-kernel.sh build    configure and build the kernel
#                                         (once per machine: cached)
#        scripts/debug-kernel.sh module   build psmon.ko against it
#        scripts/debug-kernel.sh check    both, then the network selftests
#                                         in a virtual machine booting it
#        scripts/debug-kernel.sh env      print KVER, KDIR, IMAGE, MODDIR
#
# The first build takes about an hour on two shared cores (3300 s, with
# other jobs on them); later ones only rebuild what a changed fragment
# touches.  The cache lives outside the checkout, in $PSMON_DEBUG_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/psmon/debug-kernel):
#   linux/      the extracted source tree, also the build tree (KDIR)
#   mods/       modules_install output: mods/lib/modules/<version>
#   psmon/      a copy of kmod/ and Kbuild; psmon.ko built there
#   build.log   the last kernel build's output
#   stamp       what the built kernel was made from; a different source
#               package version, configuration fragment or compiler
#               rebuilds it (the source is extracted anew only when the
#               source package changed)
#
# Environment: PSMON_DEBUG_CACHE (above), PSMON_DEBUG_JOBS (make -j,
# default 2), PSMON_DEBUG_TIMEOUT (seconds for the virtual machine, default
# 21600), PSMON_DEBUG_MEM (MiB, default 4096), PSMON_DEBUG_TESTS (the
# network scripts to run instead of run_all.sh's list plus the churn loop).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
fragment=$repo/selftests/vm/debug.config
tarball=/usr/src/linux-source-6.1.tar.xz
srcpkg=linux-source-6.1
cache=${PSMON_DEBUG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/psmon/debug-kernel}
jobs=${PSMON_DEBUG_JOBS:-2}
ksrc=$cache/linux

die() {
	echo "debug-kernel: $*" >&2
	exit 1
}

log() {
	echo "debug-kernel: $*"
}

# What the kernel is built from: the source package's version, the
# fragment, the compiler and the way this script configures.
stamp_key() {
	echo "config-v2"
	dpkg-query -W -f '${Version}\n' "$srcpkg"
	cat "$fragment"
	gcc --version | head -n 1
}

kver_of_tree() {
	cat "$ksrc/include/config/kernel.release" 2>/dev/null
}

# Every option the fragment sets (to y, a number or "not set") must have
# that value in the final .config: olddefconfig drops what a dependency
# refuses without a word.
verify_config() {
	local line opt want have bad=0

	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			opt=${line%%=*}
			want=${line#*=}
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			want=n
			;;
		*) continue ;;
		esac
		have=$(sed -n "s/^$opt=//p" "$ksrc/.config")
		[ -n "$have" ] || have=n
		if [ "$have" != "$want" ]; then
			echo "debug-kernel: $opt: wanted $want, the configuration has $have" >&2
			bad=1
		fi
	done < "$fragment"
	[ "$bad" = 0 ] || die "the configuration lacks options of $fragment (see above)"
}

cmd_build() {
	local key start end ver

	"$repo/scripts/deps.sh" --debug-kernel
	[ -r "$tarball" ] || die "no $tarball ($srcpkg)"
	[ -r "$fragment" ] || die "no $fragment"
	mkdir -p "$cache"
	key=$(stamp_key | sha256sum | cut -c1-16)
	if [ -s "$cache/stamp" ] && [ "$(head -n 1 "$cache/stamp")" = "$key" ] &&
	   [ -r "$cache/bzImage" ] && [ -d "$cache/mods/lib/modules/$(kver_of_tree)" ]; then
		log "kernel $(kver_of_tree) up to date in $cache"
		return 0
	fi

	ver=$(dpkg-query -W -f '${Version}' "$srcpkg")
	if [ "$(cat "$cache/source" 2>/dev/null)" != "$ver" ]; then
		log "extracting $tarball ($srcpkg $ver) into $cache"
		rm -rf "$ksrc" "$ksrc.tmp" "$cache/source" "$cache/stamp"
		mkdir -p "$ksrc.tmp"
		tar -xJf "$tarball" -C "$ksrc.tmp" --strip-components=1
		mv "$ksrc.tmp" "$ksrc"
		echo "$ver" > "$cache/source"
	fi

	log "configuring (x86_64_defconfig + kvm_guest.config + $fragment)"
	make -s -C "$ksrc" x86_64_defconfig
	make -s -C "$ksrc" kvm_guest.config
	(cd "$ksrc" && scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null)
	make -s -C "$ksrc" olddefconfig
	verify_config
	log "configuration: $(grep -c '=[ym]$' "$ksrc/.config") options set," \
	    "$(grep -c '=m$' "$ksrc/.config") of them modules"

	log "building with -j$jobs, output in $cache/build.log"
	start=$(date +%s)
	if ! make -C "$ksrc" -j"$jobs" bzImage modules > "$cache/build.log" 2>&1; then
		tail -n 30 "$cache/build.log" >&2
		die "the kernel build failed (full output: $cache/build.log)"
	fi
	rm -rf "$cache/mods"
	make -s -C "$ksrc" INSTALL_MOD_PATH="$cache/mods" modules_install \
		>> "$cache/build.log" 2>&1 || die "modules_install failed"
	cp -f "$ksrc/arch/x86/boot/bzImage" "$cache/bzImage.tmp"
	mv -f "$cache/bzImage.tmp" "$cache/bzImage"
	end=$(date +%s)
	{
		echo "$key"
		echo "kernel $(kver_of_tree), source $srcpkg $ver"
		echo "built in $((end - start)) s with -j$jobs"
	} > "$cache/stamp"
	log "kernel $(kver_of_tree) built in $((end - start)) s"
}

# psmon.ko against the debug kernel, in the cache: the checkout's
# kmod/psmon.ko (built against Debian's kernel) is left alone.  -g gives
# the module the line information that report frames resolve with.
cmd_module() {
	local kver

	kver=$(kver_of_tree)
	if [ -z "$kver" ] || [ ! -s "$cache/stamp" ]; then
		die "no debug kernel built: $0 build"
	fi
	rm -rf "$cache/psmon"
	mkdir -p "$cache/psmon"
	# shellcheck disable=SC2016 # expanded by sh -c
	(cd "$repo" && git ls-files -z --cached --others --exclude-standard Kbuild VERSION kmod |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -c --null -T -) | tar -x -C "$cache/psmon"
	log "building psmon.ko against $kver in $cache/psmon"
	make -s -C "$ksrc" M="$cache/psmon" W=1 KCFLAGS="-g -Werror" modules ||
		die "psmon.ko does not build against the debug kernel"
	[ -r "$cache/psmon/kmod/psmon.ko" ] || die "no $cache/psmon/kmod/psmon.ko"
}

cmd_env() {
	echo "KVER=$(kver_of_tree)"
	echo "KDIR=$ksrc"
	echo "IMAGE=$cache/bzImage"
	echo "MODDIR=$cache/mods/lib/modules/$(kver_of_tree)"
	echo "PSMON_KO=$cache/psmon/kmod/psmon.ko"
}

# A kernel log with psmon's frames resolved to file:line (the kernel has
# no debug information: its own frames stay symbol+offset).
decode_reports() {
	local in=$1

	[ -s "$in" ] || return 0
	"$ksrc/scripts/decode_stacktrace.sh" "$ksrc/vmlinux" "$cache/psmon" \
		"$cache/psmon/kmod" < "$in" 2>/dev/null || cat "$in"
}

cmd_check() {
	local out=$repo/build/check-debug kver rc=0 start

	cmd_build
	cmd_module
	make -s -C "$repo" psctl selftests
	kver=$(kver_of_tree)
	rm -rf "$out"
	mkdir -p "$out"
	start=$(date +%s)
	# no5lvl: under qemu's "-cpu max" (LA57) this KASAN kernel reports
	# wild accesses to the 5-level direct map from the first second of
	# boot on.
	# shellcheck disable=SC2086 # PSMON_DEBUG_TESTS: a list of names
	PSMON_KO=$cache/psmon/kmod/psmon.ko \
	PSMON_TEST_TIMEOUT=${PSMON_TEST_TIMEOUT:-3600} \
	"$repo/selftests/vm/run.sh" --kernel "$cache/bzImage" \
		--modules "$cache/mods/lib/modules/$kver" \
		--mem "${PSMON_DEBUG_MEM:-4096}" \
		--timeout "${PSMON_DEBUG_TIMEOUT:-21600}" \
		--append "kasan_multi_shot log_buf_len=64M no5lvl" \
		--log "$out/console.log" \
		-- selftests/vm/debug_check.sh "$out" ${PSMON_DEBUG_TESTS:-} || rc=$?
	log "virtual machine: exit status $rc after $(( $(date +%s) - start )) s"
	# The console also holds what the guest printed before it could
	# write its own log, or after (the last words of a panic); the known
	# reports of other code are taken out as in the guest's own check.
	# shellcheck source=../selftests/lib.sh
	(source "$repo/selftests/lib.sh" && known_filter /dev/null) \
		< "$out/console.log" |
		grep -E -a "$("$repo/selftests/vm/debug_check.sh" --patterns)" \
		> "$out/console-reports.txt" || true
	# The guest's dmesg.txt, or when it never got that far (a timeout,
	# a panic) the console.
	if [ -s "$out/dmesg.txt" ] && [ -s "$out/reports.txt" ]; then
		decode_reports "$out/dmesg.txt" > "$out/dmesg.decoded.txt"
	elif [ -s "$out/console-reports.txt" ]; then
		decode_reports "$out/console.log" > "$out/console.decoded.txt"
	fi
	for f in kmemleak-boot.txt kmemleak.txt; do
		[ -s "$out/$f" ] || continue
		decode_reports "$out/$f" > "$out/${f%.txt}.decoded.txt"
	done
	if [ -s "$out/summary.txt" ]; then
		sed 's/^/debug-kernel: /' "$out/summary.txt"
	fi
	if [ -s "$out/console-reports.txt" ]; then
		log "reports on the console: $out/console-reports.txt"
		[ "$rc" != 0 ] || rc=1
	fi
	log "logs in $out"
	return "$rc"
}

case "${1:-}" in
build) cmd_build ;;
module) cmd_module ;;
env) cmd_env ;;
check) cmd_check ;;
*)
	sed -n '/^# Usage:/,/^# Environment/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
