/*
 * account_move.h: a user and everything they own, moved from one store to
 * another (persona-encrypt move): SQLite to PostgreSQL, back, or file to
 * file.
 *
 * The rows go across as they are (user_rows.h): every id, timestamp and
 * ciphertext unchanged, so a script that names a session by its id still
 * finds it, and the same DEK opens every field. What names the store, the
 * wrapped DEK, is made anew for the target: under the same passphrase
 * (checked against the source first) and KDF, with a new salt; and under
 * the recovery key given (kept, after it is checked against the source) or
 * else a new one, handed to deliver before the target commits, as init
 * does. Before the commit every field is opened in the target, so a copy
 * that would not read is never kept.
 *
 * One write transaction on each store: the target's holds the whole copy
 * (a failure anywhere leaves no trace of the user there), the source's
 * holds the user's row (no write of theirs lands meanwhile) and, unless
 * keep, deletes the user once the target has committed. A target that
 * holds the username already is refused (65) before anything is written.
 */
#ifndef GUISE_ACCOUNT_MOVE_H
#define GUISE_ACCOUNT_MOVE_H

#include "account.h"
#include "user_rows.h"

#define G_ACCOUNT_MOVE_TABLES 8

struct g_account_move {
	int keep; /* the source keeps the user (a copy) */
	/* out: each table's rows, in the order copied */
	struct g_user_rows_table tables[G_ACCOUNT_MOVE_TABLES];
	size_t ntables;
	long fields;     /* encrypted fields opened in the target */
	int new_recovery; /* the target has a new recovery key (delivered) */
	/* hears of each table once copied (may be NULL); a->arg goes with it */
	g_user_rows_fn *told;
};

/* Move u (as read from from) into to, its secrets read through a: the
 * passphrase, and the recovery key only if a recovery-key flag is set.
 * 64 when both are one store; 65 the name taken in to, or a field that
 * does not open; 77 a wrong passphrase or recovery key. A failure after
 * the target committed (deleting from the source) says the user is in
 * both. With a->dry_run both stores are rolled back. */
int g_account_move_asked(struct g_store *from, struct g_store *to, struct g_user *u,
			 struct g_account_move *m, const struct g_account_ask *a,
			 struct g_err *err);

/* The record of a move (new reference; g_account_recovery_record_free):
 * u as the target has them, kind "user_moved", each table's rows under
 * the user's words for them ("moved"), the fields checked, whether the
 * source kept the user, and (recovery not empty) the target's new
 * recovery key. NULL when memory fails. */
json_t *g_account_move_record(const struct g_user *u, const struct g_account_move *m,
			      char recovery[G_RECOVERY_TEXT], int dry_run);

#endif
