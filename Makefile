# SPDX-License-Identifier: GPL-2.0
#
# psmon: per-prefix traffic counters on LAG members.
#
#   make              build kmod/psmon.ko, tools/psctl/psctl and the C helpers
#                     of the network selftests (selftests/net: the fuzzers)
#   make check        install dependencies, build with warnings as errors
#                     and run every test suite (unit tests on the host, the
#                     network tests in one virtual machine)
#   make check-debug  build a debug kernel (KASAN, lockdep, kmemleak, UBSAN,
#                     DEBUG_OBJECTS; once per machine, cached outside the
#                     checkout) and run the network tests on it; any kernel
#                     report fails it (scripts/debug-kernel.sh; slow: not
#                     part of make check)
#   make demo         build, then run the demo in a virtual machine
#   make bench        run the benchmarks: lookups on the host against a
#                     binary trie (callgrind if valgrind is installed;
#                     build/bench/native.tsv), then the per-packet costs in
#                     the VM under qemu -icount (make bench-vm alone)
#   make fuzz         run the libFuzzer targets (selftests/fuzz) for 5 minutes
#                     each (FUZZ_SECONDS)
#   make install      install psmon.ko (updates/) and psctl (DESTDIR honoured)
#   make deb          build the Debian packages psmon-dkms and psctl into
#                     build/deb/ (dpkg-buildpackage, debhelper, dh-dkms) and
#                     check them with lintian
#   make checkpatch   checkpatch.pl --strict on the module's sources
#   make lint         cppcheck, clang-tidy and gcc -fanalyzer on the userspace
#                     C code (tools/, tests, selftests)
#   make deps         install the Debian packages all of this needs
#   make clean
#
# Variables: KDIR (kernel build tree; default: the running kernel's, else
# the newest under /lib/modules), W=1 (extra kernel warnings), C=1 (sparse),
# V=1 (verbose), VM_TIMEOUT (seconds for the test VM, default 3600).

SHELL := /bin/bash

ifeq ($(KDIR),)
KDIR := $(firstword \
	$(wildcard /lib/modules/$(shell uname -r)/build/Makefile) \
	$(shell for d in /lib/modules/*/build/Makefile; do \
		[ -f "$$d" ] && echo "$$d"; done | sort -V | tail -n 1))
KDIR := $(patsubst %/Makefile,%,$(KDIR))
endif
ifeq ($(KVER),)
KVER := $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null), \
	     $(notdir $(patsubst %/build,%,$(KDIR))))
endif

VM_TIMEOUT ?= 3600
VM := PSMON_KVER=$(KVER) selftests/vm/run.sh

# Only variables given on the command line reach the kernel build.
KBUILD_ARGS := $(if $(W),W=$(W)) $(if $(C),C=$(C)) $(if $(V),V=$(V)) \
	$(if $(KCFLAGS),KCFLAGS="$(KCFLAGS)")

all: module psctl selftests

# C helpers the network selftests run in the VM (psmon_nlfuzz, ...).
selftests:
	$(MAKE) -C selftests/net

kdir:
	@if [ -z "$(KDIR)" ] || [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "No kernel build tree (KDIR='$(KDIR)'): run 'make deps' or set KDIR." >&2; \
		exit 1; \
	fi

module: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

psctl:
	$(MAKE) -C tools/psctl

deps:
	@scripts/deps.sh

deps-checkpatch:
	@scripts/deps.sh --checkpatch

deps-deb:
	@scripts/deps.sh --deb

# deps may install the kernel headers: KDIR and KVER are only known once it
# has run, so the rest of these targets runs in a fresh make that chooses
# them anew.
check: deps deps-checkpatch deps-deb
	@$(MAKE) --no-print-directory check-run

check-run:
	@KDIR=$(KDIR) KVER=$(KVER) VM_TIMEOUT=$(VM_TIMEOUT) scripts/check.sh

check-debug: deps
	@scripts/debug-kernel.sh check

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	@[ -f selftests/vm/demo.sh ] || { echo "selftests/vm/demo.sh is missing" >&2; exit 1; }
	$(VM) --timeout $(VM_TIMEOUT) -- selftests/vm/demo.sh

bench: deps
	@$(MAKE) --no-print-directory bench-run

# Instructions per lookup first (if valgrind is there), so that the table
# of `run` shows them next to the times.
bench-run:
	@if command -v valgrind >/dev/null; then \
		$(MAKE) -C selftests/bench callgrind; \
	else \
		echo "valgrind is not installed: no instructions per lookup"; \
	fi
	$(MAKE) -C selftests/bench run
	@if [ -f selftests/bench/vm_bench.sh ]; then \
		$(MAKE) --no-print-directory bench-vm; \
	fi

# The per-packet costs in the VM, under qemu's instruction counting on one
# CPU (see selftests/bench/vm_bench.sh).
# Then the plots of Documentation/performance.rst (build/bench/*.png): this
# run against the native figures, with psmon before its direct index
# (selftests/bench/results/vm-20261130-081810.tsv) for comparison.
BENCH_BEFORE := selftests/bench/results/vm-20261130-081810.tsv
bench-vm: all kdir
	$(MAKE) -C selftests/bench vm KDIR=$(KDIR)
	@d=$$(date -u +%Y%m%d-%H%M%S); out=selftests/bench/results/vm-$$d.tsv; \
	PSMON_BENCH_REV=$$(git describe --always --dirty 2>/dev/null) \
	PSMON_BENCH_DATE=$$d PSMON_BENCH_OUT=$(CURDIR)/$$out \
		$(VM) --cpus 1 --icount --timeout $(VM_TIMEOUT) -- selftests/bench/vm_bench.sh && \
	if [ -f build/bench/native.tsv ] && command -v gnuplot >/dev/null; then \
		selftests/bench/plot.sh $$out build/bench/native.tsv build/bench $(BENCH_BEFORE); \
	else \
		echo "no plots: they need gnuplot and build/bench/native.tsv (make bench)"; \
	fi

fuzz:
	$(MAKE) -C selftests/fuzz fuzz $(if $(FUZZ_SECONDS),FUZZ_SECONDS=$(FUZZ_SECONDS))

# The packages are built from a copy of the tree (tracked files and new
# ones, nothing ignored) in build/deb/, where dpkg-buildpackage also puts
# the .debs: never in the parent directory of the checkout.
DEB_DIR := build/deb
deb: deps-deb
	@$(MAKE) --no-print-directory deb-run

deb-run:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar -c --null -T - | tar -x -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc
	lintian --fail-on error,warning $(DEB_DIR)/*.changes
	@ls -1 $(DEB_DIR)/*.deb

install: module psctl
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) -a $(KVER)
	$(MAKE) -C tools/psctl install

lint:
	@scripts/lint.sh

checkpatch: deps-checkpatch
	@KDIR=$(KDIR) scripts/checkpatch.sh

clean:
	@if [ -n "$(KDIR)" ] && [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; \
	fi
	$(MAKE) -C tools/psctl clean
	@for d in selftests/unit selftests/bench selftests/net selftests/fuzz; do \
		[ -f $$d/Makefile ] && $(MAKE) -C $$d clean; done; true
	rm -rf build

# Also drops the cached initramfs and kernel image of the test VM.
distclean: clean
	rm -rf selftests/vm/.cache

.PHONY: all kdir module psctl selftests deps deps-checkpatch deps-deb check \
	check-run check-debug demo demo-run bench bench-run bench-vm fuzz deb deb-run \
	install \
	checkpatch lint clean distclean
