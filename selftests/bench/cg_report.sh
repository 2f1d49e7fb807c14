#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Instructions per lookup from the callgrind dumps of `lpm_bench callgrind`.
# Usage: cg_report.sh LOG PREFIX [TSV]
# LOG holds "lookups per measurement: N". The dumps are PREFIX.1, PREFIX.2,
# ...; each names its loop in its "desc: Trigger: Client Request: IPv4 1000
# psmon 1523 89abcdef" line (family, prefixes, structure, ranges, table
# fingerprint) and counts instructions (Ir) in its "totals:" or "summary:"
# line. Prints a table; TSV (if given) gets family, prefixes, structure,
# instr_per_lookup, ranges, fingerprint, which `lpm_bench` reads back.

log=$1
prefix=$2
tsv=${3:-/dev/null}
n=$(sed -n 's/^lookups per measurement: //p' "$log")
if [ -z "$n" ]; then
	echo "no lookup count in $log" >&2
	exit 1
fi

i=1
while [ -f "$prefix.$i" ]; do
	awk '/^events:/ { for (j = 2; j <= NF; j++) col[$j] = j }
	     /^desc: Trigger: Client Request: / {
		sub(/^desc: Trigger: Client Request: /, ""); d = $0 }
	     /^(totals|summary):/ {
		t = $col["Ir"]; m = ("Bcm" in col) ? $col["Bcm"] : "-" }
	     END { if (d != "") print d, t, m }' "$prefix.$i"
	i=$((i + 1))
done | awk -v n="$n" -v tsv="$tsv" '
	{
		key = $1 " " $2
		ir[key, $3] = $6 / n
		bcm[key, $3] = $7 == "-" ? -1 : $7 / n
		if (!(key in seen)) {
			seen[key] = 1
			order[++k] = key
		}
		rows[++nrows] = $1 "\t" $2 "\t" $3 "\t" sprintf("%.2f", $6 / n) "\t" $4 "\t" $5
	}
	END {
		printf "callgrind: instructions per lookup (%d lookups each, independent-lookup loop, loop included)\n", n
		printf "%-5s %8s %10s %13s %10s %8s %11s | %17s\n", "", "prefixes", "psmon", "psmon-ranges", "trie", "loop", "trie/psmon", "mispredicts/lookup"
		printf "%-5s %8s %10s %13s %10s %8s %11s | %5s %5s %5s\n", "", "", "", "", "", "", "", "psmon", "range", "trie"
		for (i = 1; i <= k; i++) {
			split(order[i], f, " ")
			p = ir[order[i], "psmon"]
			printf "%-5s %8s %10.1f %13.1f %10.1f %8.1f %10.1fx | %5.2f %5.2f %5.2f\n", f[1], f[2], p,
				ir[order[i], "psmon-ranges"], ir[order[i], "trie"],
				ir[order[i], "loop"], p ? ir[order[i], "trie"] / p : 0,
				bcm[order[i], "psmon"], bcm[order[i], "psmon-ranges"],
				bcm[order[i], "trie"]
		}
		print "loop: the same loop without a lookup (its share of each figure)"
		print "mispredicts: conditional branches callgrind --branch-sim=yes predicts wrongly (its"
		print "simple predictor model, not the CPU'"'"'s)"
		print "family\tprefixes\tstructure\tinstr_per_lookup\tranges\tfingerprint" > tsv
		for (i = 1; i <= nrows; i++)
			print rows[i] > tsv
	}'
