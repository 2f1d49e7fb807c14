#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plot the benchmark results: cost against table size for psmon and the
# alternatives, one PNG each (gnuplot, pngcairo).
#
#   selftests/bench/plot.sh VM.tsv NATIVE.tsv OUTDIR [BEFORE.tsv]
#
# BEFORE.tsv, a vm_bench.sh result of an earlier psmon.ko, adds its psmon
# rows to the first plot (IPv4 ingress) for comparison.
#
# VM.tsv is what vm_bench.sh writes (config, dir, family, run, pps,
# instr_per_packet); NATIVE.tsv what lpm_bench writes (family, prefixes,
# structure, ns_per_lookup, ...). Writes OUTDIR/performance-vm.png (extra
# guest instructions per packet over no hook) and
# OUTDIR/performance-lookup.png (ns per lookup).

set -euo pipefail

[ $# -eq 3 ] || [ $# -eq 4 ] ||
	{ echo "usage: $0 VM.tsv NATIVE.tsv OUTDIR [BEFORE.tsv]" >&2; exit 2; }
vm=$1
native=$2
out=$3
before=${4:-}
command -v gnuplot >/dev/null || { echo "gnuplot is not installed (make deps)" >&2; exit 1; }
[ -r "$vm" ] || { echo "no file $vm" >&2; exit 1; }
[ -r "$native" ] || { echo "no file $native" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- VM: extra instructions per packet over "no hook", first run of each --
# psmon N (one LAG) by size; the alternatives at 500 prefixes as flat lines.
# vm_points FILE PREFIX: one file per series in $tmp, named PREFIX-...
vm_points()
{
awk -F'\t' -v d="$tmp" -v pre="$2" '
	/^#/ || $1 == "config" { next }
	$4 != 1 { next }
	{ key = $2 "-" $3 }
	$1 == "no hook" { base[key] = $6; next }
	{ cost[$1, key] = $6; cfg[$1] = 1; keys[key] = 1 }
	END {
		for (c in cfg) for (k in keys) {
			if (!((c, k) in cost) || !(k in base))
				continue
			x = cost[c, k] - base[k]
			if (c ~ /^psmon [0-9]+$/) {
				n = c; sub(/^psmon /, "", n)
				print n "\t" x > (d "/" pre "psmon-" k)
			} else if (c !~ /^psmon/ && c !~ / @ /) {
				f = c; gsub(/ /, "_", f)
				print "10\t" x "\n100000\t" x > (d "/" pre "alt-" f "-" k)
			}
		}
	}' "$1"
}
vm_points "$vm" ""
[ -z "$before" ] || vm_points "$before" "before-"
for f in "$tmp"/psmon-* "$tmp"/before-psmon-*; do
	[ -e "$f" ] && sort -n -o "$f" "$f"
done

series=()
for k in in-IPv4 out-IPv4 in-IPv6 out-IPv6; do
	[ -e "$tmp/psmon-$k" ] &&
		series+=("'$tmp/psmon-$k' using 1:2 with linespoints lw 2 pt 7 title 'psmon, $k'")
done
[ -e "$tmp/before-psmon-in-IPv4" ] &&
	series+=("'$tmp/before-psmon-in-IPv4' using 1:2 with linespoints lw 2 pt 6 dt 3 title 'psmon, binary search (before the index), in-IPv4'")
for a in "accept" "nft_empty" "nft_set_500" "tc_bpf_500"; do
	[ -e "$tmp/alt-$a-in-IPv4" ] &&
		series+=("'$tmp/alt-$a-in-IPv4' using 1:2 with lines dt 2 lw 2 title '${a//_/ }, in-IPv4'")
done
plot=$(IFS=,; echo "${series[*]}")
gnuplot <<EOF
set terminal pngcairo size 960,600 font ",10"
set output '$out/performance-vm.png'
set title "Cost per packet over no hook (guest instructions, qemu -icount; sets and BPF: 500 prefixes)"
set logscale x
set xlabel "registered prefixes per family"
set ylabel "extra instructions per packet"
set key right center box opaque
set grid
set xrange [5:200000]
set yrange [0:*]
plot $plot
EOF

# ---- native: ns per lookup against table size, log-log --------------------
awk -F'\t' -v d="$tmp" '
	/^#/ || $1 == "family" { next }
	$4 == "" || $4 == "-" { next }
	{ f = $3; gsub(/[^A-Za-z0-9]+/, "_", f); print $2 "\t" $4 > (d "/nat-" f "-" $1) }
	' "$native"
series=()
for f in "$tmp"/nat-*; do
	[ -e "$f" ] || continue
	sort -n -o "$f" "$f"
	name=${f##*/nat-}
	series+=("'$f' using 1:2 with linespoints lw 2 pt 7 title '${name//_/ }'")
done
plot=$(IFS=,; echo "${series[*]}")
gnuplot <<EOF
set terminal pngcairo size 960,600 font ",10"
set output '$out/performance-lookup.png'
set title "Nanoseconds per lookup, native (median of repeated runs)"
set logscale xy
set xlabel "prefixes"
set ylabel "ns per lookup"
set key top left box opaque
set grid
plot $plot
EOF
echo "wrote $out/performance-vm.png $out/performance-lookup.png"
