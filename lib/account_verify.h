/*
 * account_verify.h: persona-encrypt verify, the check of every encrypted
 * field of a user: does each open, is each bound to its row's meaning
 * (vault.h), and with fix, the unbound ones re-sealed bound in one
 * transaction. The count is built here, its record too; the command
 * prints the record and the fields that fail (through a callback, as
 * they are met), then reports the verdict.
 */
#ifndef GUISE_ACCOUNT_VERIFY_H
#define GUISE_ACCOUNT_VERIFY_H

#include <jansson.h>

#include "userkey.h"
#include "store.h"

struct g_account_verify {
	long fields;   /* every encrypted field met */
	long failed;   /* those that did not open */
	long unbound;  /* those sealed by an older guise */
	long resealed; /* fix: those re-sealed bound (or that would be: dry run) */
};

/* Told of each field that fails, as it is met: its place and why. */
typedef void g_account_verify_fn(const char *table, const char *column, const char *row_id,
				 const struct g_err *failure, void *arg);

/* Count k's user's fields into v (zeroed first). With fix, under the
 * write lock of g_user_begin_write (75 if a rekey retired k meanwhile),
 * committed unless dry_run. A field that fails is counted, not an error:
 * -1 only for the store's failures. */
int g_account_verify_run(struct g_store *s, const struct g_userkey *k, int fix, int dry_run,
			 struct g_account_verify *v, g_account_verify_fn *failed, void *arg,
			 struct g_err *err);

/* {kind: verify, user, fields, failed, unbound[, resealed with fix]}. New
 * reference, NULL if memory fails. */
json_t *g_account_verify_record(const struct g_account_verify *v, const char *username, int fix);

/* 0 when the user's fields are sound; else 65 with the message to report:
 * fields that fail, or (without fix) fields left unbound. */
int g_account_verify_verdict(const struct g_account_verify *v, const char *username, int fix,
			     struct g_err *err);

#endif
