#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's Coccinelle semantic patches (scripts/coccinelle of Debian's
# linux-source-6.1, extracted once into build/coccinelle) on kmod/, in
# report mode, as `make coccicheck` runs them in a kernel tree. Prints the
# findings; exit status 1 when there is one not listed in IGNORE below.
#
# Usage: scripts/coccicheck.sh

set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root" || exit 1

# Findings that are not bugs, with why (matched against "FILE:LINE...: TEXT").
IGNORE=(
	# lpm.c is plain C, compiled natively for the unit tests and
	# benchmarks too: the kernel's min() is not available there.
	'kmod/lpm\.c:[0-9:-]*: WARNING opportunity for min()'
)

command -v spatch >/dev/null || { echo "coccicheck: spatch is not installed (make deps)" >&2; exit 2; }
dir=build/coccinelle
if [ ! -d "$dir/scripts/coccinelle" ]; then
	tarball=$(for f in /usr/src/linux-source-*.tar.xz; do
		[ -f "$f" ] && echo "$f"; done | sort -V | tail -n 1)
	if [ -z "$tarball" ]; then
		echo "coccicheck: install linux-source-6.1 (make deps-checkpatch)" >&2
		exit 2
	fi
	top=$(basename "$tarball" .tar.xz)
	mkdir -p "$dir"
	tar -C "$dir" --strip-components=1 -xJf "$tarball" "$top/scripts/coccinelle" ||
		exit 2
fi

n=0
bad=0
while IFS= read -r sp; do
	# Scripts written in OCaml need a compiler Debian's spatch lacks.
	grep -q '^@.*script:ocaml' "$sp" && continue
	n=$((n + 1))
	out=$(spatch -D report --very-quiet --no-show-diff --no-includes \
		--include-headers --sp-file "$sp" kmod/*.c kmod/*.h 2>/dev/null |
		grep -E '^kmod/[^ ]+:[0-9]')
	[ -n "$out" ] || continue
	while IFS= read -r line; do
		skip=
		for re in "${IGNORE[@]}"; do
			grep -qE "$re" <<<"$line" && skip=1
		done
		if [ -n "$skip" ]; then
			echo "  (not a bug, see IGNORE) $line"
		else
			echo "${sp#"$dir"/scripts/coccinelle/}: $line"
			bad=$((bad + 1))
		fi
	done <<<"$out"
done < <(find "$dir/scripts/coccinelle" -name '*.cocci' | sort)
echo "coccicheck: $n semantic patches on kmod/, $bad finding(s)"
[ "$bad" -eq 0 ]
