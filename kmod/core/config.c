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
	cfg->item_max_bytes = 1024;
	cfg->item_window = 1024;
	cfg->item_window_bytes = 1 << 20;
	cfg->item_mem_max = 64 << 20;
	cfg->item_fanout = 3;
	cfg->item_retransmit_mult = 3;
	cfg->item_sync_ms = 1000;
	cfg->item_pull_max = 256;
	cfg->item_pending_ms = 5000;
	cfg->item_hold_unverified = 0;
	cfg->agg_interval_ms = 500;
	cfg->agg_epoch_rounds = 40;
}

#define GC_PARAM(id, field) \
	[(id)] = { .name = #field, .offset = offsetof(struct gc_config, field) }

const struct gc_param_desc gc_params[__GC_P_MAX] = {
	GC_PARAM(GC_P_PROBE_INTERVAL_MS, probe_interval_ms),
	GC_PARAM(GC_P_PROBE_TIMEOUT_MS, probe_timeout_ms),
	GC_PARAM(GC_P_INDIRECT_CHECKS, indirect_checks),
	GC_PARAM(GC_P_RETRANSMIT_MULT, retransmit_mult),
	GC_PARAM(GC_P_SUSPICION_MULT, suspicion_mult),
	GC_PARAM(GC_P_SUSPICION_MAX_MULT, suspicion_max_mult),
	GC_PARAM(GC_P_AWARENESS_MAX, awareness_max),
	GC_PARAM(GC_P_GOSSIP_INTERVAL_MS, gossip_interval_ms),
	GC_PARAM(GC_P_GOSSIP_NODES, gossip_nodes),
	GC_PARAM(GC_P_GOSSIP_TO_DEAD_MS, gossip_to_dead_ms),
	GC_PARAM(GC_P_PUSH_PULL_INTERVAL_MS, push_pull_interval_ms),
	GC_PARAM(GC_P_RECONNECT_MS, reconnect_ms),
	GC_PARAM(GC_P_REAP_MS, reap_ms),
	GC_PARAM(GC_P_MTU, mtu),
	GC_PARAM(GC_P_MAX_MEMBERS, max_members),
	GC_PARAM(GC_P_ITEM_MAX_BYTES, item_max_bytes),
	GC_PARAM(GC_P_ITEM_WINDOW, item_window),
	GC_PARAM(GC_P_ITEM_WINDOW_BYTES, item_window_bytes),
	GC_PARAM(GC_P_ITEM_MEM_MAX, item_mem_max),
	GC_PARAM(GC_P_ITEM_FANOUT, item_fanout),
	GC_PARAM(GC_P_ITEM_RETRANSMIT_MULT, item_retransmit_mult),
	GC_PARAM(GC_P_ITEM_SYNC_MS, item_sync_ms),
	GC_PARAM(GC_P_ITEM_PULL_MAX, item_pull_max),
	GC_PARAM(GC_P_ITEM_PENDING_MS, item_pending_ms),
	GC_PARAM(GC_P_ITEM_HOLD_UNVERIFIED, item_hold_unverified),
	GC_PARAM(GC_P_AGG_INTERVAL_MS, agg_interval_ms),
	GC_PARAM(GC_P_AGG_EPOCH_ROUNDS, agg_epoch_rounds),
};

unsigned int gc_param_lookup(const char *name, size_t len)
{
	unsigned int i;

	for (i = 1; i < __GC_P_MAX; i++)
		if (strlen(gc_params[i].name) == len && !memcmp(gc_params[i].name, name, len))
			return i;
	return 0;
}

const char *gc_config_check(const struct gc_config *cfg)
{
	if (cfg->probe_interval_ms < 10 || cfg->probe_interval_ms > 600000)
		return "probe_interval_ms must be 10 to 600000";
	if (cfg->probe_timeout_ms < 1 || cfg->probe_timeout_ms >= cfg->probe_interval_ms)
		return "probe_timeout_ms must be at least 1 and below probe_interval_ms";
	if (cfg->indirect_checks > 16)
		return "indirect_checks must be 0 to 16";
	if (cfg->retransmit_mult < 1 || cfg->retransmit_mult > 16)
		return "retransmit_mult must be 1 to 16";
	if (cfg->suspicion_mult < 1 || cfg->suspicion_mult > 64)
		return "suspicion_mult must be 1 to 64";
	if (cfg->suspicion_max_mult < 1 || cfg->suspicion_max_mult > 64)
		return "suspicion_max_mult must be 1 to 64";
	if (cfg->awareness_max < 1 || cfg->awareness_max > 64)
		return "awareness_max must be 1 to 64";
	if (cfg->gossip_interval_ms < 1 || cfg->gossip_interval_ms > 600000)
		return "gossip_interval_ms must be 1 to 600000";
	if (cfg->gossip_nodes > 64)
		return "gossip_nodes must be 0 to 64";
	if (cfg->push_pull_interval_ms > 86400000)
		return "push_pull_interval_ms must be at most 86400000";
	if (cfg->reconnect_ms > 86400000)
		return "reconnect_ms must be at most 86400000";
	if (cfg->reap_ms > 7 * 86400000U)
		return "reap_ms must be at most 604800000";
	if (cfg->mtu < GC_MIN_MTU || cfg->mtu > GC_MAX_MTU)
		return "mtu must be 512 to 9000";
	if (cfg->max_members < 2 || cfg->max_members > (1U << 24))
		return "max_members must be 2 to 16777216";
	if (cfg->item_max_bytes < 1 || cfg->item_max_bytes > GC_ITEM_MAX_LEN)
		return "item_max_bytes must be 1 to 61440";
	if (cfg->item_window < 1 || cfg->item_window > 65536)
		return "item_window must be 1 to 65536";
	if (cfg->item_window_bytes < cfg->item_max_bytes || cfg->item_window_bytes > (256U << 20))
		return "item_window_bytes must be item_max_bytes to 268435456";
	/* It counts the streams' bookkeeping too: room for a full window and more. */
	if (cfg->item_mem_max / 2 < cfg->item_window_bytes || cfg->item_mem_max > (1U << 30))
		return "item_mem_max must be 2 * item_window_bytes to 1073741824";
	if (cfg->item_fanout > 16)
		return "item_fanout must be 0 to 16";
	if (cfg->item_retransmit_mult > 16)
		return "item_retransmit_mult must be 0 to 16";
	if (cfg->item_sync_ms > 86400000)
		return "item_sync_ms must be at most 86400000";
	if (cfg->item_pull_max < 1 || cfg->item_pull_max > 65536)
		return "item_pull_max must be 1 to 65536";
	if (cfg->item_pending_ms < 10 || cfg->item_pending_ms > 600000)
		return "item_pending_ms must be 10 to 600000";
	if (cfg->item_hold_unverified > 1)
		return "item_hold_unverified must be 0 or 1";
	if (cfg->agg_interval_ms > 600000 || (cfg->agg_interval_ms && cfg->agg_interval_ms < 10))
		return "agg_interval_ms must be 0 (off) or 10 to 600000";
	if (cfg->agg_epoch_rounds < 4 || cfg->agg_epoch_rounds > 100000)
		return "agg_epoch_rounds must be 4 to 100000";
	return NULL;
}
