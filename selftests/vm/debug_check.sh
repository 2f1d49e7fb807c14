#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make check-debug" (scripts/debug-kernel.sh check):
# runs in a virtual machine booting the debug kernel (KASAN, lockdep,
# DEBUG_OBJECTS, kmemleak, UBSAN) with psmon.ko built against it
# ($PSMON_KO), and fails on any report of the kernel.
#
# Usage: selftests/vm/debug_check.sh OUTDIR [SCRIPT...]
#        selftests/vm/debug_check.sh --patterns
#
# Runs selftests/net/run_all.sh on SCRIPT..., by default on its whole list
# (which holds the fuzzers psmon_fuzz.sh and psmon_pktfuzz.sh) but
# psmon_package.sh, plus the churn loop psmon_churnloop.sh when it exists.
# Then, with psmon unloaded, asks kmemleak for two scans and looks through
# the kernel log.  Writes to OUTDIR: net.tap (run_all.sh's TAP), tap/
# (one file per script), kmemleak-boot.txt (leaks already there before
# the first test), kmemleak.txt (leaks after the tests), dmesg.txt,
# reports.txt (the lines of dmesg.txt that are reports), summary.txt.
#
# With --patterns, prints the extended regular expression that finds the
# kernel's reports in a log, and exits.
#
# Exit status: 0 when every script passed and the kernel reported nothing;
# 1 otherwise.

NET_DIR=$(cd "$(dirname "$0")/../net" && pwd)
# shellcheck source=../lib.sh
source "$NET_DIR/../lib.sh"

# What counts as a kernel report in dmesg: what does on any kernel
# (KERNEL_REPORT_RE) and what the debug kernel's checkers print.
REPORT_RE="$KERNEL_REPORT_RE"'|possible recursive locking|possible circular locking|'\
'inconsistent lock state|suspicious RCU usage|unreferenced object|'\
'ODEBUG|list_(add|del) corruption|DEBUG_LOCKS_WARN_ON|refcount_t:|INFO: task .* blocked|'\
'sleeping function called|scheduling while atomic|turning off the locking correctness'

if [ "${1:-}" = --patterns ]; then
	echo "$REPORT_RE"
	exit 0
fi

# shellcheck source=../net/psmon_lib.sh
source "$NET_DIR/psmon_lib.sh"

out=${1:?usage: debug_check.sh OUTDIR [SCRIPT...]}
shift
require_root
mkdir -p "$out/tap" || exit 1
rm -f "$out"/tap/*.tap

kmemleak=/sys/kernel/debug/kmemleak
if [ ! -w "$kmemleak" ]; then
	echo "debug_check: no $kmemleak: not the debug kernel?" >&2
	exit 1
fi

# kmemleak_scan FILE: two scans (an object must look unreferenced in two
# consecutive scans to be reported), then the report into FILE.
kmemleak_scan()
{
	echo scan > "$kmemleak" || return 1
	sleep 5
	echo scan > "$kmemleak" || return 1
	cat "$kmemleak" > "$1"
}

if [ $# -gt 0 ]; then
	scripts=("$@")
else
	# shellcheck disable=SC2207
	scripts=($("$NET_DIR/run_all.sh" --list))
	keep=()
	for s in "${scripts[@]}"; do
		case "$s" in
		psmon_package.sh)
			echo "# debug_check: SKIP psmon_package.sh: it builds psmon with DKMS" \
			     "against Debian's kernel headers, which the debug kernel has none of"
			;;
		*) keep+=("$s") ;;
		esac
	done
	scripts=("${keep[@]}")
	if [ -x "$NET_DIR/psmon_churnloop.sh" ]; then
		scripts+=(psmon_churnloop.sh)
	else
		echo "# debug_check: no psmon_churnloop.sh in this tree: no churn loop"
	fi
fi

echo "# debug_check: kernel $(uname -r), psmon.ko $PSMON_KO"
# Leaks from before the tests (boot): recorded apart, then forgotten, so
# that the final scan shows what the tests left.
echo "# debug_check: kmemleak scan before the tests"
kmemleak_scan "$out/kmemleak-boot.txt" || exit 1
echo clear > "$kmemleak"

rc=0
PSMON_TAP_DIR=$out/tap "$NET_DIR/run_all.sh" "${scripts[@]}" | tee "$out/net.tap"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1

psmon_unload || { echo "# debug_check: cannot unload psmon"; rc=1; }
echo "# debug_check: kmemleak scan after the tests"
kmemleak_scan "$out/kmemleak.txt" || rc=1
dmesg > "$out/dmesg.txt"
: > "$out/known-reports.txt"
known_filter "$out/known-reports.txt" < "$out/dmesg.txt" |
	grep -E "$REPORT_RE" > "$out/reports.txt" || true

{
	echo "kernel $(uname -r)"
	for s in "${scripts[@]}"; do
		f=$out/tap/${s%.sh}.tap
		if [ -f "$f" ]; then
			printf '%-24s pass %3d  fail %3d  skip %3d\n' "$s" \
				"$(grep -E '^ok ' "$f" | grep -c -v '# SKIP' || true)" \
				"$(grep -c -E '^not ok ' "$f" || true)" \
				"$(grep -c -E '^ok .*# SKIP' "$f" || true)"
		else
			printf '%-24s no TAP\n' "$s"
		fi
		grep -E "^(not )?ok [0-9]+ - $s" "$out/net.tap" | sed 's/^/    /'
	done
	echo "kmemleak before the tests: $(grep -c '^unreferenced object' "$out/kmemleak-boot.txt") objects"
	echo "kmemleak after the tests: $(grep -c '^unreferenced object' "$out/kmemleak.txt") objects"
	echo "kernel log reports: $(wc -l < "$out/reports.txt") lines"
	echo "known reports of other code (known-reports.txt, not failures):" \
	     "$(grep -c 'suspicious RCU usage' "$out/known-reports.txt") reports"
} > "$out/summary.txt"
sed 's/^/# /' "$out/summary.txt"

if [ -s "$out/kmemleak-boot.txt" ] || [ -s "$out/kmemleak.txt" ]; then
	echo "# debug_check: kmemleak reported leaks (kmemleak*.txt)"
	rc=1
fi
if [ -s "$out/reports.txt" ]; then
	echo "# debug_check: the kernel reported problems:"
	head -n 40 "$out/reports.txt" | sed 's/^/#   /'
	rc=1
fi
exit $rc
