#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building, testing and the demo need.
# Does nothing (and needs no network) when they are all installed.
#
# Usage: scripts/deps.sh [--checkpatch | --deb | --debug-kernel]
#   --checkpatch  the kernel source package that ships checkpatch.pl
#   --debug-kernel  what building the debug kernel of "make check-debug"
#                 needs: the kernel source and its build tools
#   --deb         what "make deb" and the package tests need: Debian's
#                 packaging tools, DKMS, lintian and systemd-analyze

set -euo pipefail

pkgs=(
	# psmon.ko and psctl
	build-essential pkg-config libmnl-dev linux-headers-amd64 sparse
	# the test virtual machine (selftests/vm/run.sh)
	linux-image-amd64 qemu-system-x86 busybox-static cpio kmod xz-utils
	# tools the tests and the demo run inside the virtual machine
	iproute2 iputils-ping ethtool nftables procps python3 prometheus
	# Documentation/netlink/check-spec.py
	python3-yaml
	# psctl export and alerting-rule tests (tools/psctl/tests/export_test.sh,
	# alert_test.sh): node_exporter serving the textfile collector, and
	# prometheus (above: promtool, and the server the rules run in)
	prometheus-node-exporter
	# selftests/bench: callgrind; the tc BPF classifier of vm_bench.sh
	# (clang below compiles it) and the tool that fills its maps
	valgrind libbpf-dev bpftool
	# selftests/bench/plot.sh: the plots of Documentation/performance.rst
	gnuplot-nox
	# selftests/fuzz (libFuzzer) and make lint
	clang libclang-rt-14-dev cppcheck clang-tidy coccinelle
)
case "${1:-}" in
--checkpatch)
	pkgs=(linux-source-6.1 perl xz-utils)
	;;
--debug-kernel)
	pkgs=(linux-source-6.1 build-essential bc bison flex libelf-dev
	      libssl-dev xz-utils kmod)
	;;
--deb)
	pkgs=(dpkg-dev debhelper dh-dkms dkms fakeroot lintian git
	      build-essential pkg-config libmnl-dev linux-headers-amd64
	      adduser systemd acl util-linux)
	;;
esac

missing=()
for p in "${pkgs[@]}"; do
	case "$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null)" in
	ii*) ;;
	*) missing+=("$p") ;;
	esac
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root:  apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
