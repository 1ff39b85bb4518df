/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both of gcsim's models share: node names and addresses, and the
 * network model (per-link latency with jitter, random loss).
 */
#ifndef GC_SIM_NET_H
#define GC_SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* Node i is named "n<i>" and listens on 10.x.y.z:7947, x.y.z being i. */
void net_node_addr(uint32_t id, struct gc_addr *a);
uint32_t net_addr_node(const struct gc_addr *a);
/* "n123" -> 123, or UINT32_MAX. */
uint32_t net_name_node(const char *name, uint8_t len);
/* "n<id>" into buf (at least 12 bytes), without a NUL; returns the length. */
uint8_t net_node_name(uint32_t id, char *buf);

/* Whether a packet is lost (one draw from r when loss > 0). */
bool net_lost(const struct sim_params *p, struct gc_rand *r);
/* A packet's one-way latency from a to b, in microseconds: each link has
 * its own mean, between half and one and a half times the configured one
 * (fixed per run, the same both ways), and each packet a jitter of +-20%
 * around that mean (one draw from r).
 */
uint64_t net_latency(const struct sim_params *p, struct gc_rand *r, uint32_t a, uint32_t b);

/* splitmix64: deterministic values from the seed (item content, values). */
uint64_t net_mix(uint64_t x);

/* The process's peak resident set (VmHWM), in bytes; 0 if unknown. */
uint64_t net_peak_rss(void);

#endif
