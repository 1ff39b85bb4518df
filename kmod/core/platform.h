/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only header the protocol core includes: it maps the few things the core
 * needs onto the kernel or onto libc, so the same core/ files build into
 * gossipchain.ko and into the host tests, fuzzers and simulator.
 */
#ifndef _GC_CORE_PLATFORM_H
#define _GC_CORE_PLATFORM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#endif

#endif /* _GC_CORE_PLATFORM_H */
