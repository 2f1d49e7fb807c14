/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Kernel integer types for kernel code compiled natively (kmod/lpm.c). */
#ifndef _PSMON_KTYPES_H
#define _PSMON_KTYPES_H

#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif

#endif /* _PSMON_KTYPES_H */
