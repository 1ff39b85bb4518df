// SPDX-License-Identifier: GPL-2.0
/*
 * gcforge: the adversary of the chain selftest. It makes ledger items that
 * gcd must refuse (and one kind it must accept), written to standard output
 * for `gcctl item put type T -` on a node without gcd, and sends raw ITEM
 * packets whose id is not their content's hash.
 *
 *   gcforge tx GENESIS KEY NONCE PAYLOAD [badsig]
 *       a transaction of KEY's (type 1); badsig flips a signature bit
 *   gcforge proposal DIR KEY ROUND badroot|proposer
 *       a proposal (type 2) for the height after DIR's head, signed with
 *       KEY's validator: badroot has a wrong Merkle root (KEY must be the
 *       proposer of that height and ROUND); proposer is a valid block from a
 *       validator that is not the proposer
 *   gcforge vote DIR KEY prevote|precommit ROUND HASH|nil [INDEX]
 *       a vote (type 3 or 4) for the height after DIR's head, signed with
 *       KEY, as validator INDEX (default: KEY's own index)
 *   gcforge packet ADDR PORT ORIGIN TYPE FILE
 *       an unsealed ITEM packet carrying FILE with the id of other content
 *
 * Exit status: 0 done, 1 failure, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "chain.h"
#include "core/wire.h"
#include "genesis.h"
#include "keys.h"
#include "ledger.h"

static struct gcd_genesis g;
static struct gcd_key key;
static char err[512];

static int die(const char *what)
{
	fprintf(stderr, "gcforge: %s\n", what);
	return 1;
}

static int usage(void)
{
	fputs("usage: gcforge tx GENESIS KEY NONCE PAYLOAD [badsig]\n"
	      "       gcforge proposal DIR KEY ROUND badroot|proposer\n"
	      "       gcforge vote DIR KEY prevote|precommit ROUND HASH|nil [INDEX]\n"
	      "       gcforge packet ADDR PORT ORIGIN TYPE FILE\n",
	      stderr);
	return 2;
}

static int emit(const uint8_t *p, size_t len)
{
	return fwrite(p, 1, len, stdout) == len && !fflush(stdout) ? 0 : die("cannot write");
}

static int load(const char *gpath_or_dir, bool is_dir, const char *key_path)
{
	if ((is_dir ? gcd_genesis_keep(NULL, gpath_or_dir, &g, err, sizeof(err))
		    : gcd_genesis_load(gpath_or_dir, &g, err, sizeof(err))) ||
	    gcd_key_load(key_path, &key, err, sizeof(err)))
		return die(err);
	return 0;
}

static int forge_tx(int argc, char **argv)
{
	uint8_t buf[GCD_TX_MAX_LEN];
	struct gcd_tx tx = {.kind = GCD_TX_APP};
	size_t len;

	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "badsig")))
		return usage();
	if (load(argv[0], false, argv[1]))
		return 1;
	memcpy(tx.sender, key.pub, GCD_PUBKEY_LEN);
	tx.nonce = strtoull(argv[2], NULL, 10);
	tx.payload = (const uint8_t *)argv[3];
	tx.payload_len = (uint16_t)strlen(argv[3]);
	if (gcd_tx_sign(&tx, g.hash, key.sk))
		return die("cannot sign");
	if (argc == 5)
		tx.sig[5] ^= 0x10;
	if (gcd_tx_encode(&tx, buf, sizeof(buf), &len))
		return die("cannot encode");
	return emit(buf, len);
}

/* The head of DIR's ledger and its certificate (the next block's last commit). */
static int head_of(const char *dir, struct gcd_prev *h, struct gcd_cert *c)
{
	static uint8_t cert[GCD_CERT_MAX];
	struct ledger *l;
	size_t len;
	int rc;

	if (ledger_open(&l, dir, &g, LEDGER_RDONLY, err, sizeof(err)))
		return die(err);
	rc = ledger_head(l, h);
	memset(c, 0, sizeof(*c));
	if (!rc && h->height)
		rc = ledger_get_cert(l, h->height, cert, sizeof(cert), &len) ||
		     gcd_cert_decode(cert, len, c);
	ledger_close(l);
	return rc ? die("cannot read the head") : 0;
}

static uint64_t wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static int forge_proposal(int argc, char **argv)
{
	static uint8_t block[GCD_BLOCK_MAX], out[GCD_PROPOSAL_MAX];
	static struct gcd_block b;
	struct gcd_proposal p = {.pol_round = -1};
	struct gcd_prev h;
	int self;
	size_t blen, len;

	if (argc != 4 || (strcmp(argv[3], "badroot") && strcmp(argv[3], "proposer")))
		return usage();
	if (load(argv[0], true, argv[1]) || head_of(argv[0], &h, &b.last_commit))
		return 1;
	self = gcd_genesis_find(&g, key.pub);
	if (self < 0)
		return die("the key is not a validator's");
	b.height = h.height + 1;
	b.round = (uint32_t)strtoul(argv[2], NULL, 10);
	b.time_ms = wall_ms() > h.time_ms ? wall_ms() : h.time_ms + 1;
	memcpy(b.prev_hash, h.hash, GCD_HASH_LEN);
	b.proposer = (uint16_t)self;
	gcd_block_tx_root(&b, b.tx_root);
	if (!strcmp(argv[3], "badroot"))
		b.tx_root[0] ^= 1;
	else if ((uint32_t)self == gcd_proposer(b.height, b.round, g.n))
		return die("the key is the proposer of that height and round");
	if (gcd_block_encode(&b, block, sizeof(block), &blen))
		return die("cannot encode the block");
	p.height = b.height;
	p.round = b.round;
	p.proposer = (uint16_t)self;
	p.block = block;
	p.block_len = (uint32_t)blen;
	if (gcd_proposal_sign(&p, g.hash, key.sk) ||
	    gcd_proposal_encode(&p, out, sizeof(out), &len))
		return die("cannot sign or encode the proposal");
	return emit(out, len);
}

static int forge_vote(int argc, char **argv)
{
	uint8_t out[GCD_VOTE_LEN];
	struct gcd_vote v = {0};
	struct gcd_prev h;
	struct gcd_cert c;
	size_t len, i;
	unsigned int x;
	int self;

	if (argc < 5 || argc > 6)
		return usage();
	if (load(argv[0], true, argv[1]) || head_of(argv[0], &h, &c))
		return 1;
	self = gcd_genesis_find(&g, key.pub);
	if (argc == 6)
		self = atoi(argv[5]);
	if (self < 0)
		return die("the key is not a validator's: give INDEX");
	v.type = !strcmp(argv[2], "prevote") ? GCD_VOTE_PREVOTE : GCD_VOTE_PRECOMMIT;
	v.height = h.height + 1;
	v.round = (uint32_t)strtoul(argv[3], NULL, 10);
	v.validator = (uint16_t)self;
	v.has_block = strcmp(argv[4], "nil") != 0;
	if (v.has_block) {
		if (strlen(argv[4]) != 2 * GCD_HASH_LEN)
			return usage();
		for (i = 0; i < GCD_HASH_LEN; i++) {
			if (sscanf(argv[4] + 2 * i, "%2x", &x) != 1)
				return usage();
			v.hash[i] = (uint8_t)x;
		}
	}
	if (gcd_vote_sign(&v, g.hash, key.sk) || gcd_vote_encode(&v, out, sizeof(out), &len))
		return die("cannot sign or encode the vote");
	return emit(out, len);
}

static int forge_packet(int argc, char **argv)
{
	static uint8_t data[GC_ITEM_MAX_LEN], body[GC_MIN_MTU], pkt[GC_MIN_MTU];
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct gc_wbuf b = {.p = body, .cap = sizeof(body)};
	struct gc_keyring kr = {0};
	uint8_t id[32];
	size_t n, len;
	FILE *f;
	int fd;

	if (argc != 5)
		return usage();
	if (inet_pton(AF_INET, argv[0], &to.sin_addr) != 1)
		return usage();
	to.sin_port = htons((uint16_t)atoi(argv[1]));
	f = fopen(argv[4], "re");
	if (!f)
		return die("cannot open the content");
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	if (!n)
		return die("empty content");
	/* The id of the content with its last byte changed. */
	data[n - 1] ^= 1;
	crypto_hash_sha256(id, data, n);
	data[n - 1] ^= 1;
	if (!gc_put_item(&b, 0, 0, (u8)atoi(argv[3]), 1, 1, argv[2], (u8)strlen(argv[2]), id,
			 (u16)n, 0, data, (u16)n))
		return die("the content does not fit one packet");
	len = gc_packet_seal(&kr, body, b.len, pkt, sizeof(pkt));
	if (!len)
		return die("cannot seal the packet");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len)
		return die(strerror(errno));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (sodium_init() < 0 || argc < 2)
		return usage();
	if (!strcmp(argv[1], "tx"))
		rc = forge_tx(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "proposal"))
		rc = forge_proposal(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "vote"))
		rc = forge_vote(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "packet"))
		rc = forge_packet(argc - 2, argv + 2);
	else
		rc = usage();
	gcd_key_wipe(&key);
	return rc;
}
