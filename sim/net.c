// SPDX-License-Identifier: GPL-2.0
#include "net.h"

#include <stdio.h>
#include <string.h>

void net_node_addr(uint32_t id, struct gc_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->ip[0] = 10;
	a->ip[1] = (uint8_t)(id >> 16);
	a->ip[2] = (uint8_t)(id >> 8);
	a->ip[3] = (uint8_t)id;
	a->port = 7947;
}

uint32_t net_addr_node(const struct gc_addr *a)
{
	return (uint32_t)a->ip[1] << 16 | (uint32_t)a->ip[2] << 8 | a->ip[3];
}

uint32_t net_name_node(const char *name, uint8_t len)
{
	uint32_t v = 0;
	uint8_t i;

	if (len < 2 || len > 9 || name[0] != 'n')
		return UINT32_MAX;
	for (i = 1; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return UINT32_MAX;
		v = v * 10 + (uint32_t)(name[i] - '0');
	}
	return v;
}

uint8_t net_node_name(uint32_t id, char *buf)
{
	char tmp[12];
	uint8_t n = 0, len;

	do
		tmp[n++] = (char)('0' + id % 10);
	while ((id /= 10));
	buf[0] = 'n';
	for (len = 1; n; len++)
		buf[len] = tmp[--n];
	return len;
}

bool net_lost(const struct sim_params *p, struct gc_rand *r)
{
	return p->loss > 0 && (double)(gc_rand_next(r) >> 11) / 9007199254740992.0 < p->loss;
}

uint64_t net_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t net_latency(const struct sim_params *p, struct gc_rand *r, uint32_t a, uint32_t b)
{
	uint64_t x = (uint64_t)(a < b ? a : b) << 32 | (a < b ? b : a);
	uint64_t mean, jitter;

	x ^= p->seed * 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	mean = p->latency_us / 2 + x % ((uint64_t)p->latency_us + 1);
	jitter = mean * 2 / 5;
	return mean - mean / 5 + gc_rand_below(r, (uint32_t)jitter + 1);
}

uint64_t net_peak_rss(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}
