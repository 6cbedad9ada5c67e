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

#include "userkey.h"
#include "store.h"

/*
 * Some columns are also bound to what gives their row its meaning (format
 * 2, DESIGN.md §6): a message's content and speaker name to its session,
 * seq, role, speaker kind and id; a message's other versions (chat_swipes)
 * to its row, their index, speaker kind and id; a session's binding (a sealed empty
 * string, there only to be bound) to its character and active persona.
 * Those plain columns are the table's binds, read from the row (or given
 * by a caller about to write it) in the order listed. A bound column in
 * format 1 (written before binding) opens only for g_vault_each,
 * g_vault_rebind and g_vault_rekey, which re-seal it, and only for a user
 * the migration marked legacy (users.legacy_rows; both clear the mark once
 * every row is bound); for any other user it fails (65, G_VAULT_ALTERED).
 * A read refuses it (65, G_VAULT_UNBOUND), as it refuses a session without
 * its binding.
 */
#define G_VAULT_BINDS_MAX 5
struct g_vault_table {
	const char *name;
	const char *const *columns; /* NULL-terminated */
	const char *const *bound;   /* those of columns in format 2, or NULL */
	const char *const *binds;   /* the plain columns they are bound to */
	const char *required;       /* a bound column never unset, or NULL */
	const char *unset_why;      /* what is wrong when it is */
	const char *binding;        /* a bound column only there to be bound:
				     * unset in a row of an older guise */
};

#define G_VAULT_UNBOUND                                                  \
	"not bound to its row's meaning (sealed by an older guise): run " \
	"'persona-encrypt verify --fix'"
/* Why an unbound field of a user whose rows were all bound once fails. */
#define G_VAULT_ALTERED \
	"not bound to its row's meaning, though this user's rows were all bound: altered"

/* Every table with encrypted columns, NULL-terminated. */
extern const struct g_vault_table g_vault_tables[];

/* Whether table.column is an encrypted column; one in format 2. */
int g_vault_known(const char *table, const char *column);
int g_vault_bound(const char *table, const char *column);

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

/* A field sealed before its row is written, so that a whole row goes in
 * with one INSERT: the ciphertext (NULL: unset) and its nonce. Emptied
 * with g_vault_sealed_release. */
struct g_sealed {
	unsigned char *data;
	size_t len;
	unsigned char nonce[G_NONCE_BYTES];
};
void g_vault_sealed_release(struct g_sealed *x);

/* Seal plain (NULL: unset) for table.column of row_id owned by k's user. */
int g_vault_seal(const struct g_userkey *k, const char *table, const char *column,
		 const char *row_id, const void *plain, size_t len, struct g_sealed *out,
		 struct g_err *err);
/* The same for a bound column: bind holds the row's binds as they will be
 * written (NULL entries: SQL NULL; seq as decimal text). */
int g_vault_seal_bound(const struct g_userkey *k, const char *table, const char *column,
		       const char *row_id, const char *const *bind, const void *plain,
		       size_t len, struct g_sealed *out, struct g_err *err);

/* Bind x to parameters idx (ciphertext) and idx + 1 (nonce) of st; x
 * must outlive the statement's step. */
void g_vault_bind(struct g_db_stmt *st, int idx, const struct g_sealed *x);

/* Open the ciphertext in result column col of st (its nonce in col + 1),
 * as g_vault_get does: 1 with *plain, 0 unset, -1 with err (65). */
int g_vault_open_at(const struct g_userkey *k, const char *table, const char *column,
		    const char *row_id, struct g_db_stmt *st, int col, char **plain, size_t *len,
		    struct g_err *err);
/* The same for a bound column, bind the row's binds as read: 65 also for
 * format 1 or an unset binding (G_VAULT_UNBOUND) and for an unset
 * required column. */
int g_vault_open_bound_at(const struct g_userkey *k, const char *table, const char *column,
			  const char *row_id, const char *const *bind, struct g_db_stmt *st, int col,
			  char **plain, size_t *len, struct g_err *err);

/* Each encrypted field of k's user, decrypted: fn gets the place and the
 * plaintext, or NULL and the error of a field that fails. unbound: a bound
 * column in format 1, opened (plain) or a session's binding unset (plain
 * NULL, no failure). fn returns non-zero to stop. */
typedef int (*g_vault_fn)(const char *table, const char *column,
			  const char *row_id, const char *plain, size_t len,
			  const struct g_err *failure, int unbound, void *arg);
int g_vault_each(struct g_store *s, const struct g_userkey *k, g_vault_fn fn,
		 void *arg, struct g_err *err);

/* g_vault_each, and each unbound field re-sealed in format 2 (a missing
 * binding sealed anew), inside the caller's transaction; a field that
 * fails is left as it is. Returns the count re-sealed, -1 with err. */
long g_vault_rebind(struct g_store *s, const struct g_userkey *k, g_vault_fn fn,
		    void *arg, struct g_err *err);

/* Re-encrypt every field of the user from old to new (another DEK and
 * dek_version), bound columns in format 2 whatever they were, a missing
 * binding sealed anew. Inside the caller's transaction; stops at the first
 * field that fails to open (65). Returns the count of fields re-encrypted. */
long g_vault_rekey(struct g_store *s, const struct g_userkey *old,
		   const struct g_userkey *new_key, struct g_err *err);

#endif
