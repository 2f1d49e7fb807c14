#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build everything with warnings as errors and run every test suite; the
# body of `make check`.  Each suite's output (TAP) is kept in build/check/.
#
#   host:  build-module (W=1, -Werror)  build-psctl  build-selftests  sparse
#          unit-lpm (selftests/unit)    psctl-unit (tools/psctl tests)
#          fuzz (selftests/fuzz, short libFuzzer runs)
#          lint (scripts/lint.sh: cppcheck, clang-tidy, gcc -fanalyzer, coccicheck)
#          build-deb (make deb: the .debs in build/deb, lintian)
#          package (selftests/pkg/host_test.sh: units, cron, debs, and
#          "make demo" on a machine without kernel headers)
#   one VM boot:  vm-smoke (selftests/vm/smoke.sh)
#                 net (selftests/net/run_all.sh; psmon_package.sh installs
#                 the .debs of build-deb)
#                 kernel-log (no warning, BUG, oops ... in the guest's dmesg)
#
# A suite passes or fails per TAP line ("ok", "not ok", "# SKIP" counts as
# skipped); a suite that fails to run, exits non-zero without a failing
# test, or stops before its plan adds a failure.  The last line is
# "N passed, M failed, K skipped"; the exit status is non-zero if anything
# failed.
#
# Environment: KDIR, KVER (from the Makefile), VM_TIMEOUT (seconds, whole
# VM run), CHECK_OUT (default build/check).

set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root" || exit 1

out=${CHECK_OUT:-$root/build/check}
VM_TIMEOUT=${VM_TIMEOUT:-2400}

# ------------------------------------------------------------------ guest

# Run inside the VM (run.sh -- scripts/check.sh --guest OUT TIMEOUT): each
# suite's output goes to the console and to OUT/NAME.tap, its exit status
# to OUT/NAME.rc; the kernel log to OUT/dmesg.txt.
if [ "${1:-}" = --guest ]; then
	out=$2
	budget=$3
	start=$SECONDS
	# guest_suite NAME LIMIT SCRIPT: run SCRIPT with bash, at most LIMIT s.
	guest_suite() {
		local name=$1 limit=$2 script=$3

		echo "# ---- $name: $script"
		if [ ! -f "$script" ]; then
			echo "# $script does not exist" | tee "$out/$name.tap"
			echo 127 > "$out/$name.rc"
			return
		fi
		timeout -k 10 "$limit" bash "$script" 2>&1 | tee "$out/$name.tap"
		echo "${PIPESTATUS[0]}" > "$out/$name.rc"
	}
	limit=$((budget / 3))
	[ "$limit" -lt 300 ] || limit=300
	guest_suite vm-smoke "$limit" selftests/vm/smoke.sh
	# Leave time to collect the kernel log before the VM is killed.
	left=$((budget - (SECONDS - start) - 120))
	[ "$left" -gt 60 ] || left=60
	# run_all.sh also keeps each script's own TAP there.
	export PSMON_TAP_DIR=$out/net
	guest_suite net "$left" selftests/net/run_all.sh
	dmesg > "$out/dmesg.txt"
	exit 0
fi

# ------------------------------------------------------------------- host

rm -rf "$out"
mkdir -p "$out"

RESULTS=()	# "name pass fail skip note"
TOTAL_PASS=0
TOTAL_FAIL=0
TOTAL_SKIP=0

record() {
	local name=$1 pass=$2 fail=$3 skip=$4 note=${5:-}

	RESULTS+=("$(printf '%-14s %4d passed %4d failed %4d skipped  %s' \
		"$name" "$pass" "$fail" "$skip" "$note")")
	TOTAL_PASS=$((TOTAL_PASS + pass))
	TOTAL_FAIL=$((TOTAL_FAIL + fail))
	TOTAL_SKIP=$((TOTAL_SKIP + skip))
}

banner() {
	echo
	echo "======== $*"
}

# tap_count FILE: print "pass fail skip planned plans results" for FILE.
# Several concatenated streams are summed.  Nested kselftest-style streams
# (a script's TAP indented as "# " comments, then one line for the script)
# count their inner tests; the outer line counts only when the script
# reported none of its own (a crash, a timeout) or failed without a failing
# inner test.  planned, plans and results are about the outer lines.
tap_count() {
	awk '
		function lower(s) { return tolower(s) }
		/^1\.\.[0-9]+/ {
			n = $1; sub(/^1\.\./, "", n); planned += n; plans++
			if (n == 0 && lower($0) ~ /# *skip/) skip++
			next
		}
		/^# (not )?ok( |$)/ {
			line = substr($0, 3)
			if (line ~ /^not ok/) {
				if (lower(line) ~ /# *todo/) iskip++; else ifail++
			} else if (lower(line) ~ /# *skip/) {
				iskip++
			} else {
				ipass++
			}
			next
		}
		/^(not )?ok( |$)/ {
			results++
			inner = ipass + ifail + iskip
			pass += ipass; fail += ifail; skip += iskip
			if ($0 ~ /^not ok/ && lower($0) !~ /# *todo/) {
				if (ifail == 0) fail++
			} else if (inner == 0) {
				if (lower($0) ~ /# *(skip|todo)/) skip++; else pass++
			}
			ipass = ifail = iskip = 0
			next
		}
		END {
			printf "%d %d %d %d %d %d\n", pass, fail, skip,
			       planned, plans, results
		}' "$1"
}

# account NAME FILE RC [WHY]: record a TAP suite's results.  RC is the
# suite's exit status ("" if unknown: it never finished); WHY explains why
# it did not finish.
account() {
	local name=$1 file=$2 rc=$3 why=${4:-}
	local pass fail skip planned plans results note=

	read -r pass fail skip planned plans results < <(tap_count "$file")
	if [ -z "$rc" ]; then
		fail=$((fail + 1))
		note="did not finish${why:+: $why} (after $results of $planned tests)"
	elif [ "$plans" -eq 0 ] && [ "$results" -eq 0 ] && [ "$rc" -ne 4 ]; then
		fail=$((fail + 1))
		note="no TAP output (exit status $rc)"
	elif [ "$results" -lt "$planned" ]; then
		fail=$((fail + 1))
		note="stopped after $results of $planned tests (exit status $rc)"
	elif [ "$rc" -eq 4 ] && [ "$fail" -eq 0 ]; then
		[ "$results" -eq 0 ] && skip=$((skip + 1))
		note="skipped (exit status 4)"
	elif [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		fail=$((fail + 1))
		note="exit status $rc without a failing test"
	fi
	record "$name" "$pass" "$fail" "$skip" "$note"
}

# step NAME CMD...: a build step, one result; output in NAME.log.
step() {
	local name=$1 rc=0

	shift
	banner "$name: $*"
	"$@" 2>&1 | tee "$out/$name.log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ]; then
		record "$name" 1 0 0
	else
		record "$name" 0 1 0 "exit status $rc, see $out/$name.log"
	fi
	return "$rc"
}

# suite NAME CMD...: a host TAP suite; output in NAME.tap.
suite() {
	local name=$1 rc=0

	shift
	banner "$name: $*"
	"$@" 2>&1 | tee "$out/$name.tap"
	rc=${PIPESTATUS[0]}
	account "$name" "$out/$name.tap" "$rc"
}

sparse_check() {
	local log=$out/sparse.out

	# Same flags as the build: only the checker runs, nothing recompiles.
	make -s -C "$KDIR" M="$root" W=1 KCFLAGS=-Werror C=2 modules > "$log" 2>&1 || {
		cat "$log"
		return 1
	}
	cat "$log"
	! grep -E '(warning|error):' "$log"
}

kdir_ok=1
if [ -z "${KDIR:-}" ] || [ ! -f "$KDIR/Makefile" ]; then
	kdir_ok=0
fi

# --- builds
module_ok=0
if [ "$kdir_ok" = 1 ]; then
	step build-module make -C "$KDIR" M="$root" W=1 KCFLAGS=-Werror modules &&
		module_ok=1
	if [ "$module_ok" = 1 ]; then
		step sparse sparse_check
	fi
else
	record build-module 0 1 0 "no kernel build tree (KDIR='${KDIR:-}'): make deps"
fi
step build-psctl make -C tools/psctl
# The fuzzers the network tests run in the VM (psmon_fuzz.sh, psmon_pktfuzz.sh).
step build-selftests make -C selftests/net

# --- host unit tests
if [ -f selftests/unit/Makefile ]; then
	suite unit-lpm make -C selftests/unit run
else
	record unit-lpm 0 1 0 "selftests/unit/Makefile does not exist"
fi
suite psctl-unit make -C tools/psctl test
# libFuzzer targets, 5 s each from the committed corpus (make fuzz: longer).
suite fuzz make -s -C selftests/fuzz run FUZZ_SECONDS=5 OUT="$out/fuzz"
suite netlink-spec python3 Documentation/netlink/check-spec.py
step checkpatch scripts/checkpatch.sh
# make lint: cppcheck, clang-tidy, gcc -fanalyzer on the userspace code, coccicheck on kmod/
suite lint scripts/lint.sh

# --- Debian packages: built here, installed in the VM (psmon_package.sh)
step build-deb make --no-print-directory deb-run
suite package selftests/pkg/host_test.sh

# --- one VM boot for everything that needs the test kernel
if [ "$module_ok" = 1 ]; then
	banner "VM: vm-smoke, net (timeout $VM_TIMEOUT s)"
	vm_rc=0
	PSMON_KVER=${KVER:-} selftests/vm/run.sh --timeout "$VM_TIMEOUT" \
		--log "$out/vm-console.log" -- \
		scripts/check.sh --guest "$out" "$VM_TIMEOUT" || vm_rc=$?
	case "$vm_rc" in
	0) why= ;;
	124) why="the VM timed out after $VM_TIMEOUT s" ;;
	123) why="the guest kernel panicked, see $out/vm-console.log" ;;
	*) why="the VM stopped (run.sh status $vm_rc), see $out/vm-console.log" ;;
	esac
	for name in vm-smoke net; do
		[ -f "$out/$name.tap" ] || : > "$out/$name.tap"
		rc=$(cat "$out/$name.rc" 2>/dev/null)
		if [ "$rc" = 127 ] && [ "$name" = net ]; then
			record net 0 1 0 "selftests/net/run_all.sh does not exist"
			continue
		fi
		account "$name" "$out/$name.tap" "$rc" "$why"
	done
	if [ -f "$out/dmesg.txt" ]; then
		# shellcheck source=../selftests/lib.sh
		pat=$(source "$root/selftests/lib.sh" && echo "$KERNEL_REPORT_RE")
		if grep -E "$pat" "$out/dmesg.txt" > "$out/kernel-log.txt"; then
			record kernel-log 0 1 0 "kernel problems, see $out/kernel-log.txt"
			# The first report whole (from a few lines before its
			# first match), so that a log cut to its end still has it.
			first=$(grep -n -m1 -E "$pat" "$out/dmesg.txt" | cut -d: -f1)
			{
				echo "==== first kernel report (dmesg.txt from line $((first > 5 ? first - 5 : 1)))"
				tail -n +$((first > 5 ? first - 5 : 1)) "$out/dmesg.txt" | head -n 80
			} | tee -a "$out/kernel-log.txt"
		else
			record kernel-log 1 0 0
		fi
	else
		record kernel-log 0 1 0 "no kernel log: $why"
	fi
else
	record vm-smoke 0 0 1 "not run: psmon.ko did not build"
	record net 0 1 0 "not run: psmon.ko did not build"
fi

banner "results (logs in $out)"
for r in "${RESULTS[@]}"; do
	echo "$r"
done
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
[ "$TOTAL_FAIL" -eq 0 ]
