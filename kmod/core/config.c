// SPDX-License-Identifier: GPL-2.0
#include "config.h"
#include "wire.h"

void gc_config_default(struct gc_config *cfg)
{
	cfg->probe_interval_ms = 1000;
	cfg->probe_timeout_ms = 500;
	cfg->indirect_checks = 3;
	cfg->retransmit_mult = 4;
	cfg->suspicion_mult = 4;
	cfg->suspicion_max_mult = 6;
	cfg->awareness_max = 8;
	cfg->gossip_interval_ms = 200;
	cfg->gossip_nodes = 3;
	cfg->gossip_to_dead_ms = 30000;
	cfg->push_pull_interval_ms = 30000;
	cfg->reconnect_ms = 30000;
	cfg->reap_ms = 3600000;
	cfg->mtu = 1400;
	cfg->max_members = 65536;
}

const char *gc_config_check(const struct gc_config *cfg)
{
	if (cfg->probe_interval_ms < 10 || cfg->probe_interval_ms > 600000)
		return "probe_interval_ms";
	if (cfg->probe_timeout_ms < 1 || cfg->probe_timeout_ms >= cfg->probe_interval_ms)
		return "probe_timeout_ms";
	if (cfg->indirect_checks > 16)
		return "indirect_checks";
	if (cfg->retransmit_mult < 1 || cfg->retransmit_mult > 16)
		return "retransmit_mult";
	if (cfg->suspicion_mult < 1 || cfg->suspicion_mult > 64)
		return "suspicion_mult";
	if (cfg->suspicion_max_mult < 1 || cfg->suspicion_max_mult > 64)
		return "suspicion_max_mult";
	if (cfg->awareness_max < 1 || cfg->awareness_max > 64)
		return "awareness_max";
	if (cfg->gossip_interval_ms < 1 || cfg->gossip_interval_ms > 600000)
		return "gossip_interval_ms";
	if (cfg->gossip_nodes > 64)
		return "gossip_nodes";
	if (cfg->push_pull_interval_ms > 86400000)
		return "push_pull_interval_ms";
	if (cfg->reconnect_ms > 86400000)
		return "reconnect_ms";
	if (cfg->reap_ms > 7 * 86400000U)
		return "reap_ms";
	if (cfg->mtu < GC_MIN_MTU || cfg->mtu > GC_MAX_MTU)
		return "mtu";
	if (cfg->max_members < 2 || cfg->max_members > (1U << 24))
		return "max_members";
	return NULL;
}
