#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl --strict on the module's sources.
# Uses $KDIR/scripts/checkpatch.pl when the headers ship it; otherwise
# extracts it (with the data files it reads) from Debian's linux-source
# tarball into build/checkpatch once.
#
# Usage: scripts/checkpatch.sh [FILE...]   (default: kmod/*.[ch] kmod/uapi/linux/*.h
#        and selftests/bench/nfaccept/*.c)

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

cp=
if [ -n "${KDIR:-}" ] && [ -f "$KDIR/scripts/checkpatch.pl" ]; then
	cp=$KDIR/scripts/checkpatch.pl
else
	dir=build/checkpatch
	if [ ! -f "$dir/scripts/checkpatch.pl" ]; then
		tarball=$(for f in /usr/src/linux-source-*.tar.xz; do
			[ -f "$f" ] && echo "$f"; done | sort -V | tail -n 1)
		if [ -z "$tarball" ]; then
			echo "checkpatch: no checkpatch.pl; install linux-source-6.1 (make deps-checkpatch)" >&2
			exit 1
		fi
		top=$(basename "$tarball" .tar.xz)
		echo "checkpatch: extracting checkpatch.pl from $tarball"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xJf "$tarball" \
			"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
			"$top/scripts/const_structs.checkpatch"
	fi
	cp=$dir/scripts/checkpatch.pl
fi

if [ $# -eq 0 ]; then
	for f in kmod/*.[ch] kmod/uapi/linux/*.h selftests/bench/nfaccept/*.c; do
		# Sources only: not the *.mod.c that kbuild generates.
		case "$f" in *.mod.c) continue ;; esac
		set -- "$@" "$f"
	done
fi
# --no-tree: not run inside a kernel tree; the data files are found next
# to the script.  Exit status is checkpatch's: non-zero on any ERROR,
# WARNING or CHECK.
exec perl "$cp" --strict --no-tree --show-types --summary-file -f "$@"
