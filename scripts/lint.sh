#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static analysis of the userspace C code (tools/psctl, its tests and the
# C selftests): cppcheck, clang-tidy (the checks below) and gcc -fanalyzer;
# and of kmod/: the kernel's Coccinelle semantic patches
# (scripts/coccicheck.sh). W=1, sparse and checkpatch run on their own.
# The body of `make lint`; `make check` runs it as the "lint" suite.
#
# TAP output, one test per tool; a tool's findings fail it.  A tool that
# is not installed is a skip (scripts/deps.sh installs them).  False
# positives are suppressed where they occur (cppcheck-suppress or NOLINT
# comments saying why), except the -fanalyzer ones in ANALYZER_IGNORE.

set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root" || exit 1

SRCS=(tools/psctl/*.c tools/psctl/tests/*.c selftests/unit/*.c
      selftests/net/*.c selftests/bench/*.c selftests/fuzz/*.c)
# gcc -fanalyzer: the libFuzzer targets need clang's fuzzer runtime to link
# but compile with gcc as well.
INC=(-Itools/psctl -Ikmod/uapi -Ikmod -Iselftests/include)
DEFS=(-D_GNU_SOURCE -DVERSION='"lint"')

# clang-tidy: the analyzer and the bug-prone patterns, without the checks
# that only argue about style: swappable parameters, narrowing (-Wconversion
# territory), kernel-style identifiers and macros, `if (strcmp())` and
# `sizeof(*ptr_array)` idioms, widening of products of small constants.
TIDY_CHECKS='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-security.insecureAPI.strcpy,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-narrowing-conversions,-bugprone-reserved-identifier,-bugprone-assignment-in-if-condition,-bugprone-macro-parentheses,-bugprone-suspicious-string-compare,-bugprone-sizeof-expression,-bugprone-implicit-widening-of-multiplication-result,misc-redundant-expression,misc-misplaced-const,readability-misleading-indentation'

# FILE:WARNING pairs the analyzer reports wrongly, with why.
ANALYZER_IGNORE=(
	# The days array is stored in the caller's struct state_lag and freed
	# by state_free(); the analyzer does not follow that ownership.
	'tools/psctl/state.c:.*-Wanalyzer-malloc-leak'
)

n=0
failed=0
echo "TAP version 13"
echo "1..4"

# result NAME RC LOG: a TAP line for one tool.
result()
{
	n=$((n + 1))
	if [ "$2" = skip ]; then
		echo "ok $n - $1 # SKIP not installed"
	elif [ "$2" -eq 0 ]; then
		echo "ok $n - $1"
	else
		sed 's/^/# /' "$3" | head -n 80
		echo "not ok $n - $1"
		failed=1
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- cppcheck
if command -v cppcheck >/dev/null; then
	rc=0
	cppcheck -q --enable=warning,portability,performance --std=c11 \
		--inline-suppr --error-exitcode=1 \
		--suppress=missingIncludeSystem "${DEFS[@]}" "${INC[@]}" \
		"${SRCS[@]}" >"$tmp/cppcheck" 2>&1 || rc=$?
	result cppcheck "$rc" "$tmp/cppcheck"
else
	result cppcheck skip
fi

# --- clang-tidy
if command -v clang-tidy >/dev/null; then
	rc=0
	# One process a file, as many at once as there are CPUs.
	printf '%s\0' "${SRCS[@]}" |
	xargs -0 -n 1 -P "$(nproc)" sh -c 'clang-tidy -quiet --checks="$0" \
		--warnings-as-errors="*" "$1" -- -std=c11 -D_GNU_SOURCE \
		-DVERSION=\"lint\" -Itools/psctl -Ikmod/uapi -Ikmod \
		-Iselftests/include 2>/dev/null' "$TIDY_CHECKS" \
		>"$tmp/tidy" || rc=1
	result clang-tidy "$rc" "$tmp/tidy"
else
	result clang-tidy skip
fi

# --- gcc -fanalyzer
rc=0
printf '%s\0' "${SRCS[@]}" |
xargs -0 -n 1 -P "$(nproc)" gcc -std=c11 -O1 -fanalyzer -Wall -Wextra \
	"${DEFS[@]}" "${INC[@]}" -c -o /dev/null >"$tmp/analyzer" 2>&1 || rc=1
grep -E 'warning:|error:' "$tmp/analyzer" > "$tmp/findings"
for pat in "${ANALYZER_IGNORE[@]}"; do
	grep -Ev -- "$pat" "$tmp/findings" > "$tmp/kept"
	mv "$tmp/kept" "$tmp/findings"
done
[ -s "$tmp/findings" ] && rc=1
result "gcc -fanalyzer" "$rc" "$tmp/findings"

# --- coccicheck on kmod/
rc=0
scripts/coccicheck.sh >"$tmp/cocci" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] && ! command -v spatch >/dev/null; then
	result "coccicheck (kmod)" skip
else
	result "coccicheck (kmod)" "$rc" "$tmp/cocci"
fi

exit "$failed"
