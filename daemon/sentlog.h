/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The last proposal, prevote and precommit this validator signed, kept in
 * the state dir (sent-proposal, sent-prevote, sent-precommit) and synced
 * before the message is put. After a crash or a power cut the validator
 * resumes in the round it signed in (node.c start_height), where the sign
 * guard lets it sign nothing it signed already: without its earlier
 * messages, which went with the kernel's memory, that round would never
 * gather a quorum, so they are put again from here.
 */
#ifndef GCD_SENTLOG_H
#define GCD_SENTLOG_H

#include <stddef.h>
#include <stdint.h>

#define SL_KINDS 3 /* proposal, prevote, precommit: item types 2, 3, 4 */

struct sentlog {
	int fd[SL_KINDS];
};

int sl_open(struct sentlog *sl, const char *dir, char *err, size_t errlen);
void sl_close(struct sentlog *sl);

/* Records message kind (0..2) of height, durably; 0 or -1 (errno). */
int sl_save(struct sentlog *sl, unsigned int kind, uint64_t height, const uint8_t *msg, size_t len);
/* The message of kind recorded, if its record is whole and of height:
 * its length, or 0 when there is none.
 */
size_t sl_load(struct sentlog *sl, unsigned int kind, uint64_t height, uint8_t *buf, size_t cap);

#endif
