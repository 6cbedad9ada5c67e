/*
 * user_rows.h: every row a user owns, copied from one store into another
 * as it is (persona-encrypt move).
 *
 * A field's ciphertext is bound to its table, column, row id, owner id and
 * dek_version (crypt.h), not to the store: copied with its ids unchanged it
 * opens in the other store under the same DEK. Only the wrapped DEK names
 * the store (its db_id), and that is the caller's to wrap anew. So rows go
 * across byte for byte, ids, timestamps, plain columns and ciphertexts
 * alike, in an order the foreign keys accept: cards, personas, sessions,
 * messages, swipes, books, book attachments (in the order attached).
 *
 * The user's row itself (and its default persona, which needs the persona
 * rows first) is not copied here. Both stores must be inside a
 * transaction of the caller's: the target's a write, so that a failure
 * leaves no partial user once the caller rolls back.
 */
#ifndef GUISE_USER_ROWS_H
#define GUISE_USER_ROWS_H

#include "store.h"

/* One table's share of a copy, told as it is done. */
struct g_user_rows_table {
	const char *table;
	long rows;
	int columns; /* the columns copied: the schema's, every one */
};

typedef void g_user_rows_fn(const struct g_user_rows_table *t, void *arg);

/* Copy every row of user_id below the users table from from to to, in
 * the order above; fn (may be NULL) hears of each table once it is done.
 * Returns the count of rows copied, -1 with err set (a row the target
 * refuses: 65, naming the table and row). */
long g_user_rows_copy(struct g_store *from, struct g_store *to, const char *user_id,
		      g_user_rows_fn *fn, void *arg, struct g_err *err);

#endif
