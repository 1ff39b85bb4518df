/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only header the protocol core includes: it maps the few things the core
 * needs onto the kernel or onto libc and libsodium, so the same core/ files
 * build into gossipchain.ko and into the host tests, fuzzers and simulator.
 * The core never reads a clock or a random source of its own: time comes in
 * as an argument and protocol randomness from a seeded generator (rand.h);
 * only packet nonces use gc_random_bytes().
 */
#ifndef _GC_CORE_PLATFORM_H
#define _GC_CORE_PLATFORM_H

#define GC_AEAD_KEY_LEN 32
#define GC_AEAD_NONCE_LEN 24
#define GC_AEAD_TAG_LEN 16

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/crc32.h>
#include <linux/random.h>
#include <linux/math64.h>
#include <linux/prefetch.h>
#include <linux/siphash.h>
#include <crypto/chacha20poly1305.h>
#include <crypto/sha2.h>

static inline u64 gc_div64(u64 a, u64 b)
{
	return div64_u64(a, b);
}

static inline void gc_prefetch(const void *p)
{
	prefetch(p);
}

/* SipHash-2-4, keyed per instance so member names cannot flood a bucket. */
static inline u64 gc_siphash(const void *p, size_t len, const u8 key[16])
{
	siphash_key_t k;

	memcpy(&k, key, sizeof(k));
	return siphash(p, len, &k);
}

/* Blocks the core holds, for the leak check (module parameter allocations). */
extern atomic_long_t gc_allocations;

/* The core runs in softirq: never sleep. */
static inline void *gc_zalloc(size_t size)
{
	void *p = kzalloc(size, GFP_ATOMIC | __GFP_NOWARN);

	if (p)
		atomic_long_inc(&gc_allocations);
	return p;
}

static inline void *gc_realloc(void *p, size_t size)
{
	void *q = krealloc(p, size, GFP_ATOMIC | __GFP_NOWARN);

	if (!p && q)
		atomic_long_inc(&gc_allocations);
	return q;
}

static inline void gc_free(void *p)
{
	if (p)
		atomic_long_dec(&gc_allocations);
	kfree(p);
}

/* CRC-32 (IEEE, as zlib's crc32()); start with crc = 0 and chain. */
static inline u32 gc_crc32(u32 crc, const u8 *p, size_t len)
{
	return crc32_le(crc ^ ~0U, p, len) ^ ~0U;
}

static inline void gc_random_bytes(u8 *p, size_t len)
{
	get_random_bytes(p, len);
}

/* SHA-256 (lib/crypto): an item's id. */
static inline void gc_sha256(const u8 *p, size_t len, u8 out[32])
{
	sha256(p, len, out);
}

static inline void gc_aead_seal(u8 *dst, const u8 *src, size_t len, const u8 *ad,
				size_t ad_len, const u8 *nonce, const u8 *key)
{
	xchacha20poly1305_encrypt(dst, src, len, ad, ad_len, nonce, key);
}

/* len includes the tag; returns 0 when authentic. */
static inline int gc_aead_open(u8 *dst, const u8 *src, size_t len, const u8 *ad,
			       size_t ad_len, const u8 *nonce, const u8 *key)
{
	return xchacha20poly1305_decrypt(dst, src, len, ad, ad_len, nonce, key) ? 0 : -1;
}

#else /* user space: tests, fuzzers, simulator */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <sodium.h>
#include <zlib.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

static inline u64 gc_div64(u64 a, u64 b)
{
	return a / b;
}

static inline void gc_prefetch(const void *p)
{
	__builtin_prefetch(p);
}

static inline u64 gc_siphash(const void *p, size_t len, const u8 key[16])
{
	u8 out[8];
	u64 v;

	crypto_shorthash_siphash24(out, p, len, key);
	memcpy(&v, out, sizeof(v));
	return v;
}

static inline void *gc_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void *gc_realloc(void *p, size_t size)
{
	return realloc(p, size);
}

static inline void gc_free(void *p)
{
	free(p);
}

static inline u32 gc_crc32(u32 crc, const u8 *p, size_t len)
{
	return (u32)crc32(crc, p, (unsigned int)len);
}

static inline void gc_random_bytes(u8 *p, size_t len)
{
	randombytes_buf(p, len);
}

static inline void gc_sha256(const u8 *p, size_t len, u8 out[32])
{
	crypto_hash_sha256(out, p, len);
}

static inline void gc_aead_seal(u8 *dst, const u8 *src, size_t len, const u8 *ad,
				size_t ad_len, const u8 *nonce, const u8 *key)
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, ad_len, NULL,
						   nonce, key);
}

static inline int gc_aead_open(u8 *dst, const u8 *src, size_t len, const u8 *ad,
			       size_t ad_len, const u8 *nonce, const u8 *key)
{
	return crypto_aead_xchacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, len, ad,
							  ad_len, nonce, key);
}
#endif

#endif /* _GC_CORE_PLATFORM_H */
