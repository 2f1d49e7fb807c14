#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Instructions per lookup from the callgrind dumps of `lpm_bench callgrind`.
# Usage: cg_report.sh LOG PREFIX
# LOG holds "lookups per measurement: N". The dumps are PREFIX.1, PREFIX.2,
# ...; each names its loop in its "desc: Trigger: Client Request: IPv4 1000
# lpm" line and counts instructions (Ir) in its "totals:" or "summary:" line.

log=$1
prefix=$2
n=$(sed -n 's/^lookups per measurement: //p' "$log")
if [ -z "$n" ]; then
	echo "no lookup count in $log" >&2
	exit 1
fi

i=1
while [ -f "$prefix.$i" ]; do
	awk '/^desc: Trigger: Client Request: / {
		sub(/^desc: Trigger: Client Request: /, ""); d = $0 }
	     /^(totals|summary):/ { t = $2 }
	     END { if (d != "") print d, t }' "$prefix.$i"
	i=$((i + 1))
done | awk -v n="$n" '
	{
		key = $1 " " $2
		ir[key, $3] = $4
		if (!(key in seen)) {
			seen[key] = 1
			order[++k] = key
		}
	}
	END {
		printf "callgrind: instructions per lookup (%d lookups each, feeding loop included)\n", n
		printf "%-5s %8s %10s %10s %8s\n", "", "prefixes", "lpm", "base", "ratio"
		for (i = 1; i <= k; i++) {
			split(order[i], f, " ")
			l = ir[order[i], "lpm"] / n
			b = ir[order[i], "base"] / n
			printf "%-5s %8s %10.1f %10.1f %7.2fx\n", f[1], f[2], l, b, l ? b / l : 0
		}
		print "ratio = base / lpm (higher is better)"
	}'
