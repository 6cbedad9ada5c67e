/*
 * vault.h: encrypted columns of the store, one call each way.
 *
 * Every encrypted column is a BLOB ciphertext (format byte, ciphertext,
 * tag) beside <column>_nonce; NULL in both is unset. The tables and columns
 * are a fixed list (g_vault_tables), so no name from outside ever reaches
 * SQL. Rows are always looked up with their owner, so another user's row
 * is "not found". Writes join the caller's transaction.
 */
#ifndef GUISE_VAULT_H
#define GUISE_VAULT_H

#include "keys.h"
#include "store.h"

struct g_vault_table {
	const char *name;
	const char *const *columns; /* NULL-terminated */
};

/* Every table with encrypted columns, NULL-terminated. */
extern const struct g_vault_table g_vault_tables[];

/* Whether table.column is an encrypted column. */
int g_vault_known(const char *table, const char *column);

/* Seal plain (NULL: unset) into table.column of row_id owned by k's user.
 * 66 if no such row of that user. */
int g_vault_put(struct g_store *s, const struct g_userkey *k, const char *table,
		const char *column, const char *row_id, const void *plain,
		size_t len, struct g_err *err);

/* Open table.column of row_id: 1 with *plain (malloc'ed, NUL-terminated)
 * and *len, 0 if unset, -1 with err: 66 no such row, 65 a ciphertext that
 * fails (moved, altered, truncated, unknown format). */
int g_vault_get(struct g_store *s, const struct g_userkey *k, const char *table,
		const char *column, const char *row_id, char **plain, size_t *len,
		struct g_err *err);

/* Each encrypted field of k's user, decrypted: fn gets the place and the
 * plaintext, or NULL and the error of a field that fails. fn returns
 * non-zero to stop. */
typedef int (*g_vault_fn)(const char *table, const char *column,
			  const char *row_id, const char *plain, size_t len,
			  const struct g_err *failure, void *arg);
int g_vault_each(struct g_store *s, const struct g_userkey *k, g_vault_fn fn,
		 void *arg, struct g_err *err);

/* Re-encrypt every field of the user from old to new (another DEK and
 * dek_version). Inside the caller's transaction; stops at the first field
 * that fails to open (65). Returns the count of fields re-encrypted. */
long g_vault_rekey(struct g_store *s, const struct g_userkey *old,
		   const struct g_userkey *new_key, struct g_err *err);

#endif
