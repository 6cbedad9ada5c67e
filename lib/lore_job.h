/*
 * lore_job.h: a card's lore index decrypted and read on a thread of its
 * own, while the render goes on reading the rest (the session, the other
 * card, the history): the index of a book of hundreds of entries is
 * hundreds of KiB, and opening and reading it is as much work as the
 * rest of a render's reading. The render waits for it where it needs the
 * book (before the activation). On one core it costs what reading it in
 * line does, and a thread more.
 */
#ifndef GUISE_LORE_JOB_H
#define GUISE_LORE_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "crypt.h"
#include "err.h"
#include "lore.h"

struct g_lore_job;

/* Start opening sealed[0..sealed_len) (malloc'ed, taken whatever
 * happens) with dek, ad (copied) and nonce, and reading the book from it:
 * 0 with *job, or -1 with err (70: memory, or no thread to be had). */
int g_lore_job_start(struct g_lore_job **job, const unsigned char *dek,
		     const struct g_field_ad *ad, unsigned char *sealed, size_t sealed_len,
		     const unsigned char *nonce, size_t nonce_len, struct g_err *err);

/* Wait for job and free it: 1 with *book read, 2 when the index is of
 * another version (stale: nothing read), -1 with err (65 when it fails
 * its check or is damaged, "<table> '<id>' lore_index: ..."). NULL: 0.
 * book NULL: the book is not wanted (a render given up), err may be too. */
int g_lore_job_finish(struct g_lore_job *job, struct g_lore_book *book, struct g_err *err);

#endif
