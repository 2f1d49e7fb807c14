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
# The cache lives outside the checkout, in $PSMON_DEBUG_CACHE (default
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
	echo "config-v1"
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
	   [ -r "$cache/vmlinux" ] && [ -d "$cache/mods/lib/modules/$(kver_of_tree)" ]; then
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
	if ! make -C "$ksrc" -j"$jobs" vmlinux modules > "$cache/build.log" 2>&1; then
		tail -n 30 "$cache/build.log" >&2
		die "the kernel build failed (full output: $cache/build.log)"
	fi
	rm -rf "$cache/mods"
	make -s -C "$ksrc" INSTALL_MOD_PATH="$cache/mods" modules_install \
		>> "$cache/build.log" 2>&1 || die "modules_install failed"
	cp -f "$ksrc/vmlinux" "$cache/vmlinux.tmp"
	mv -f "$cache/vmlinux.tmp" "$cache/vmlinux"
	end=$(date +%s)
	{
		echo "$key"
		echo "kernel $(kver_of_tree), source $srcpkg $ver"
		echo "built in $((end - start)) s with -j$jobs"
	} > "$cache/stamp"
	log "kernel $(kver_of_tree) built in $((end - start)) s"
}

case "${1:-}" in
build) cmd_build ;;
*)
	sed -n '/^# Usage:/,/^# Environment/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
