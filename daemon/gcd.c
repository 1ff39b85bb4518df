// SPDX-License-Identifier: GPL-2.0
/*
 * gcd, the ledger daemon of gossipchain, and its small tools:
 *
 *   gcd [-n NETNS] [--state-dir DIR] [--genesis FILE] [options]   run a node
 *   gcd key --state-dir DIR | --key FILE     print a public key (making the key)
 *   gcd genesis --out FILE --chain-id ID NAME=PUBKEY...       write a genesis
 *   gcd verify [DIR] [--genesis FILE]                          check a ledger
 *   gcd tx [-n NETNS] --key FILE (--genesis FILE | --state-dir DIR)
 *          [--nonce N] PAYLOAD|-                               sign and submit
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chain.h"
#include "genesis.h"
#include "kernel.h"
#include "keys.h"
#include "ledger.h"
#include "nl.h"
#include "node.h"

#define GCD_STATE_DIR "/var/lib/gcd"

static const char usage[] =
	"Usage: gcd [-n NETNS] [--state-dir DIR] [--genesis FILE] [options]\n"
	"       gcd key (--state-dir DIR | --key FILE)\n"
	"       gcd genesis --out FILE --chain-id ID [--time-ms T] NAME=PUBKEY...\n"
	"       gcd verify [DIR] [--genesis FILE]\n"
	"       gcd tx [-n NETNS] --key FILE (--genesis FILE | --state-dir DIR) [--nonce N] "
	"PAYLOAD|-\n"
	"                          (-: one transaction per line of standard input)\n"
	"\n"
	"Run a node: verify every transaction, proposal and vote the kernel gossips,\n"
	"run Tendermint over them and keep the ledger in DIR (default /var/lib/gcd;\n"
	"its key in DIR/node.key, made at the first start; the genesis given at the\n"
	"first start is kept in DIR/genesis.json, so later starts need only DIR).\n"
	"  -n, --netns NAME        enter network namespace NAME first (as ip -n)\n"
	"  --sync-port P           catch-up over TCP (default 7948)\n"
	"  --workers N             verification threads (default: one per CPU)\n"
	"  --commit-ms MS          wait after a commit (default 200)\n"
	"  --empty-block-ms MS     a block with no transaction at most this often\n"
	"                          (default 0: blocks only carry transactions)\n"
	"  --propose-ms MS         Tendermint's propose timeout (default 1000),\n"
	"                          prevote and precommit half of it\n"
	"  --delta-ms MS           ... each growing by MS per round (default 500)\n"
	"  --no-member-txs         do not turn member events into transactions\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "gcd: %s\nTry 'gcd --help'.\n", msg);
	return 2;
}

static unsigned long number(const char *s, unsigned long max, const char *what, int *bad)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > max) {
		fprintf(stderr, "gcd: bad %s '%s'\n", what, s);
		*bad = 1;
	}
	return v;
}

static void hex(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

static int enter(const char *netns)
{
	return netns && gc_enter_netns(netns, "gcd") < 0 ? -1 : 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"netns", required_argument, NULL, 'n'},
		{"state-dir", required_argument, NULL, 'd'},
		{"genesis", required_argument, NULL, 'g'},
		{"sync-port", required_argument, NULL, 'p'},
		{"workers", required_argument, NULL, 'w'},
		{"commit-ms", required_argument, NULL, 'c'},
		{"empty-block-ms", required_argument, NULL, 'e'},
		{"propose-ms", required_argument, NULL, 'P'},
		{"delta-ms", required_argument, NULL, 'D'},
		{"no-member-txs", no_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct node_opts o = {
		.state_dir = GCD_STATE_DIR,
		.sync_port = 7948,
		.commit_ms = 200,
		.propose_ms = 1000,
		.delta_ms = 500,
		.membership_txs = true,
	};
	const char *netns = NULL;
	struct node *n;
	char err[512];
	int opt, bad = 0, ret;

	while ((opt = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			netns = optarg;
			break;
		case 'd':
			o.state_dir = optarg;
			break;
		case 'g':
			o.genesis_path = optarg;
			break;
		case 'p':
			o.sync_port = (uint16_t)number(optarg, 65535, "port", &bad);
			break;
		case 'w':
			o.workers = (unsigned int)number(optarg, 256, "worker count", &bad);
			break;
		case 'c':
			o.commit_ms = (uint32_t)number(optarg, 600000, "commit wait", &bad);
			break;
		case 'e':
			o.empty_block_ms =
				(uint32_t)number(optarg, 86400000, "empty block wait", &bad);
			break;
		case 'P':
			o.propose_ms = (uint32_t)number(optarg, 600000, "timeout", &bad);
			break;
		case 'D':
			o.delta_ms = (uint32_t)number(optarg, 600000, "timeout delta", &bad);
			break;
		case 'M':
			o.membership_txs = false;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (bad)
		return 2;
	if (optind != argc)
		return usage_error("unexpected argument");
	if (!o.sync_port || o.propose_ms < 10)
		return usage_error("--sync-port must not be 0, --propose-ms at least 10");
	if (enter(netns))
		return 1;
	n = calloc(1, sizeof(*n));
	if (!n)
		return 1;
	if (node_open(n, &o, err, sizeof(err))) {
		fprintf(stderr, "gcd: %s\n", err);
		node_close(n);
		free(n);
		return 1;
	}
	ret = node_run(n);
	node_close(n);
	free(n);
	return ret;
}

static int cmd_key(int argc, char **argv)
{
	struct gcd_key k;
	char path[PATH_MAX], err[512], pub[2 * GCD_PUBKEY_LEN + 1];
	bool created = false;
	int rc;

	if (argc != 3 || (strcmp(argv[1], "--state-dir") && strcmp(argv[1], "--key")))
		return usage_error("usage: gcd key (--state-dir DIR | --key FILE)");
	if (!strcmp(argv[1], "--state-dir")) {
		if (mkdir(argv[2], 0700) < 0 && errno != EEXIST) {
			fprintf(stderr, "gcd: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		rc = gcd_key_load_or_create(argv[2], &k, &created, err, sizeof(err));
	} else {
		snprintf(path, sizeof(path), "%s", argv[2]);
		rc = access(path, F_OK) ? gcd_key_create(path, &k, err, sizeof(err))
					: gcd_key_load(path, &k, err, sizeof(err));
	}
	if (rc) {
		fprintf(stderr, "gcd: key: %s\n", err);
		return 1;
	}
	hex(k.pub, GCD_PUBKEY_LEN, pub);
	puts(pub);
	gcd_key_wipe(&k);
	return 0;
}

static int unhex(const char *s, uint8_t *out, size_t len)
{
	size_t i;
	unsigned int v;

	if (strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int cmd_genesis(int argc, char **argv)
{
	struct gcd_genesis *g = calloc(1, sizeof(*g));
	const char *out = NULL, *chain_id = NULL;
	unsigned long long time_ms = 0;
	char err[512];
	int i, bad = 0;

	if (!g)
		return 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--chain-id") && i + 1 < argc) {
			chain_id = argv[++i];
		} else if (!strcmp(argv[i], "--time-ms") && i + 1 < argc) {
			time_ms = number(argv[++i], ULONG_MAX, "time", &bad);
		} else {
			char *eq = strchr(argv[i], '=');

			if (!eq || g->n == GCD_MAX_VALIDATORS || eq - argv[i] > GCD_NAME_MAX ||
			    unhex(eq + 1, g->v[g->n].pub, GCD_PUBKEY_LEN)) {
				free(g);
				return usage_error("validators are NAME=PUBKEY (64 hex digits), "
						   "at most 64");
			}
			memcpy(g->v[g->n].name, argv[i], (size_t)(eq - argv[i]));
			g->n++;
		}
	}
	if (bad || !out || !chain_id || !g->n) {
		free(g);
		return usage_error("usage: gcd genesis --out FILE --chain-id ID NAME=PUBKEY...");
	}
	snprintf(g->chain_id, sizeof(g->chain_id), "%s", chain_id);
	if (!time_ms) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		time_ms = (unsigned long long)ts.tv_sec * 1000 +
			  (unsigned long long)ts.tv_nsec / 1000000;
	}
	g->time_ms = time_ms;
	if (gcd_genesis_write(out, g, err, sizeof(err))) {
		fprintf(stderr, "gcd: genesis: %s\n", err);
		free(g);
		return 1;
	}
	free(g);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	struct gcd_genesis *g = calloc(1, sizeof(*g));
	struct ledger_report r;
	const char *dir = NULL, *gpath = NULL;
	char err[512];
	int i, rc;

	if (!g)
		return 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--state-dir") && i + 1 < argc && !dir)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--genesis") && i + 1 < argc)
			gpath = argv[++i];
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else
			break;
	}
	if (i != argc) {
		free(g);
		return usage_error("usage: gcd verify [DIR] [--genesis FILE]");
	}
	if (!dir)
		dir = GCD_STATE_DIR;
	if (gpath ? gcd_genesis_load(gpath, g, err, sizeof(err))
		  : gcd_genesis_keep(NULL, dir, g, err, sizeof(err))) {
		fprintf(stderr, "gcd: %s\n", err);
		free(g);
		return 1;
	}
	rc = ledger_verify(dir, g, &r);
	if (rc == LEDGER_OK && r.ok) {
		struct ledger *l;
		struct gcd_prev h = {0};
		char hash[2 * GCD_HASH_LEN + 1];

		if (!ledger_open(&l, dir, g, LEDGER_RDONLY, NULL, 0)) {
			ledger_head(l, &h);
			ledger_close(l);
		}
		hex(h.hash, GCD_HASH_LEN, hash);
		printf("ok: %llu blocks, %llu transactions, every link, certificate and signature "
		       "checked; head %s\n",
		       (unsigned long long)r.blocks, (unsigned long long)r.txs, hash);
		free(g);
		return 0;
	}
	free(g);
	printf("bad: %s (height %llu; %llu blocks good before it)\n", r.msg,
	       (unsigned long long)r.bad_height, (unsigned long long)r.blocks);
	return 1;
}

/* The next nonce of key: after the ledger's, and after the last this tool
 * used (remembered in FILE.nonce, as a submitted tx may not be committed).
 */
static uint64_t next_nonce(const char *key_path, const char *state_dir, const struct gcd_genesis *g,
			   const struct gcd_key *k)
{
	char path[PATH_MAX];
	unsigned long long used = 0;
	uint64_t committed = 0;
	struct ledger *l;
	FILE *f;

	snprintf(path, sizeof(path), "%s.nonce", key_path);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%llu", &used) != 1)
			used = 0;
		fclose(f);
	}
	if (state_dir && !ledger_open(&l, state_dir, g, LEDGER_RDONLY, NULL, 0)) {
		ledger_nonce(l, k->pub, &committed);
		ledger_close(l);
	}
	return (committed > used ? committed : used) + 1;
}

static void save_nonce(const char *key_path, uint64_t nonce)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s.nonce", key_path);
	f = fopen(path, "we");
	if (f) {
		fprintf(f, "%llu\n", (unsigned long long)nonce);
		fclose(f);
	}
}

static int cmd_tx(int argc, char **argv)
{
	static const struct option opts[] = {
		{"netns", required_argument, NULL, 'n'},
		{"key", required_argument, NULL, 'k'},
		{"genesis", required_argument, NULL, 'g'},
		{"state-dir", required_argument, NULL, 'd'},
		{"nonce", required_argument, NULL, 'N'},
		{NULL, 0, NULL, 0},
	};
	const char *netns = NULL, *key_path = NULL, *gpath = NULL, *dir = NULL;
	struct gcd_genesis *g = calloc(1, sizeof(*g));
	struct gcd_tx tx = {.kind = GCD_TX_APP};
	uint8_t payload[GCD_TX_PAYLOAD_MAX + 1], buf[GCD_TX_MAX_LEN];
	char err[512], id[2 * GCD_HASH_LEN + 1];
	unsigned long long nonce = 0;
	struct gc_item_info it;
	struct gc_nl_error e;
	struct kernel k = {0};
	struct gcd_key key;
	size_t len, plen;
	int opt, bad = 0, ret = 1;

	if (!g)
		return 1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			netns = optarg;
			break;
		case 'k':
			key_path = optarg;
			break;
		case 'g':
			gpath = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'N':
			nonce = number(optarg, ULONG_MAX, "nonce", &bad);
			break;
		default:
			bad = 1;
		}
	}
	if (bad || optind + 1 != argc || !key_path || (!gpath && !dir)) {
		free(g);
		return usage_error("usage: gcd tx [-n NETNS] --key FILE (--genesis FILE | "
				   "--state-dir DIR) [--nonce N] PAYLOAD|-");
	}
	if ((gpath ? gcd_genesis_load(gpath, g, err, sizeof(err))
		   : gcd_genesis_keep(NULL, dir, g, err, sizeof(err))) ||
	    gcd_key_load(key_path, &key, err, sizeof(err))) {
		fprintf(stderr, "gcd: tx: %s\n", err);
		free(g);
		return 1;
	}
	if (enter(netns))
		goto out;
	if (gc_nl_open(&k.ctl, &e) < 0) {
		fprintf(stderr, "gcd: tx: %s\n", e.msg[0] ? e.msg : strerror(e.err));
		goto out;
	}
	memcpy(tx.sender, key.pub, GCD_PUBKEY_LEN);
	tx.nonce = nonce ? nonce : next_nonce(key_path, dir, g, &key);
	/* "-": one transaction per line of standard input, nonces in turn. */
	for (;;) {
		if (strcmp(argv[optind], "-")) {
			plen = strlen(argv[optind]);
			if (plen > GCD_TX_PAYLOAD_MAX) {
				fprintf(stderr, "gcd: tx: a payload is at most 4096 bytes\n");
				goto out;
			}
			memcpy(payload, argv[optind], plen);
		} else {
			if (!fgets((char *)payload, sizeof(payload), stdin))
				break;
			plen = strcspn((char *)payload, "\n");
			if (plen > GCD_TX_PAYLOAD_MAX) {
				fprintf(stderr, "gcd: tx: a line is at most 4096 bytes\n");
				goto out;
			}
		}
		tx.payload = payload;
		tx.payload_len = (uint16_t)plen;
		if (gcd_tx_sign(&tx, g->hash, key.sk) ||
		    gcd_tx_encode(&tx, buf, sizeof(buf), &len)) {
			fprintf(stderr, "gcd: tx: cannot sign or encode\n");
			goto out;
		}
		if (kn_put(&k, GCD_ITEM_TX, buf, (uint32_t)len, &it, &e) < 0) {
			fprintf(stderr, "gcd: tx: %s\n", e.msg[0] ? e.msg : strerror(e.err));
			goto out;
		}
		save_nonce(key_path, tx.nonce);
		hex(it.id, GCD_HASH_LEN, id);
		printf("%s nonce %llu\n", id, (unsigned long long)tx.nonce);
		tx.nonce++;
		if (strcmp(argv[optind], "-"))
			break;
	}
	ret = 0;
out:
	gc_nl_close(&k.ctl);
	gcd_key_wipe(&key);
	free(g);
	return ret;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "gcd: libsodium failed to start\n");
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "key"))
		return cmd_key(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "genesis"))
		return cmd_genesis(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "tx"))
		return cmd_tx(argc - 1, argv + 1);
	return cmd_run(argc, argv);
}
