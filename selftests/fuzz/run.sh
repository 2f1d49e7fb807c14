#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh OUT SECONDS TARGET...: run each libFuzzer target for SECONDS from
# corpus/TARGET (read only; new inputs in OUT/TARGET), TAP output with the
# executions and the corpus size.  A crash, a leak or a sanitizer report
# fails the target; its input is kept as OUT/crash-TARGET-*.

cd "$(dirname "$0")" || exit 1
out=$1
secs=$2
shift 2
mkdir -p "$out" || exit 1

echo "TAP version 13"
echo "1..$#"
n=0
failed=0
for t in "$@"; do
	n=$((n + 1))
	mkdir -p "$out/$t"
	log="$out/$t.log"
	rc=0
	./"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$out/crash-$t-" \
		"$out/$t" "corpus/$t" >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1)
	echo "# $t: ${runs:-0} executions in ${secs}s, ${cov:-cov: ?}, exit status $rc"
	if [ "$rc" -eq 0 ] && [ -n "$runs" ] && [ "$runs" -gt 0 ]; then
		echo "ok $n - $t"
	else
		grep -E 'ERROR|SUMMARY|assertion|runtime error|Test unit written' "$log" |
			head -n 20 | sed 's/^/#   /'
		echo "not ok $n - $t"
		failed=1
	fi
done
exit "$failed"
