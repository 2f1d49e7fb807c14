/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Memory for the structures under test, mapped the way the kernel maps
 * theirs: psmon's table is kvmalloc()ed (the direct map, or vmalloc with
 * VM_ALLOW_HUGE_VMAP, which 6.1 sets for kvmalloc), the BPF trie's nodes
 * are kmalloc()ed (the direct map): on x86-64 both are 2 MiB pages. So the
 * benchmark asks for transparent huge pages (madvise mode is enough);
 * where the kernel has none to give, the figures are for 4 KiB pages and
 * the TLB weighs on both sides.
 */
#ifndef _PSMON_BENCH_HUGEMEM_H
#define _PSMON_BENCH_HUGEMEM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE	(2u << 20)

/* Zeroed, 2 MiB aligned and rounded; free() releases it. */
static inline void *huge_calloc(size_t n, size_t size)
{
	size_t len = n * size;
	void *p;

	if (size && len / size != n) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	len = (len + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	if (!len)
		len = HUGE_PAGE;
	if (posix_memalign(&p, HUGE_PAGE, len)) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE);
#endif
	memset(p, 0, len);
	return p;
}

#endif /* _PSMON_BENCH_HUGEMEM_H */
