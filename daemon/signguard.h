/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How far this validator has signed: the (height, round, step) of the last
 * proposal or vote it signed, on disk (DIR/sign_state) before the message
 * leaves, so that a restarted gcd never signs a second, different message
 * for a step it signed before the crash (which would be a double vote of a
 * correct validator). Steps are ordered proposal < prevote < precommit.
 */
#ifndef GCD_SIGNGUARD_H
#define GCD_SIGNGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SG_FILE "sign_state"

enum sg_step {
	SG_PROPOSAL = 1,
	SG_PREVOTE = 2,
	SG_PRECOMMIT = 3,
};

struct signguard {
	int fd;
	uint64_t height; /* 0: nothing signed yet */
	uint32_t round;
	uint8_t step;
};

/* Opens (creating) DIR/sign_state. Returns 0, or -1 with err (a damaged file
 * is an error: the operator decides, gcd never guesses how far it signed).
 */
int sg_open(struct signguard *sg, const char *dir, char *err, size_t errlen);
void sg_close(struct signguard *sg);

/*
 * May this step be signed? Only when it comes after the last one signed;
 * then it is recorded, durably, before returning true. False also when the
 * record cannot be written.
 */
bool sg_sign(struct signguard *sg, uint64_t height, uint32_t round, enum sg_step step);

#endif
