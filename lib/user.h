/*
 * user.h: rows of the users table. A user is found by name (exact) before
 * any key exists, so usernames are the one plaintext name in the store.
 * struct g_user is filled by g_user_find() and friends and emptied with
 * g_user_release(); its blobs are malloc'ed copies.
 */
#ifndef GUISE_USERS_H
#define GUISE_USERS_H

#include <jansson.h>
#include <stdint.h>

#include "crypt.h"
#include "store.h"
#include "timestamp.h"
#include "uuid.h"

#define G_USERNAME_MAX 64

struct g_blob {
	unsigned char *data;
	size_t len;
};

struct g_user {
	char id[G_UUID_LEN];
	char username[G_USERNAME_MAX + 1];
	char *email;
	char role[32];
	char account_status[32];
	char created_at[G_TIMESTAMP_LEN];
	char updated_at[G_TIMESTAMP_LEN];
	char kdf_alg[32];
	struct g_kdf kdf;
	struct g_blob salt, dek_wrapped, dek_nonce;
	struct g_blob recovery_wrapped, recovery_nonce;
	int64_t dek_version;
	int legacy_rows; /* rows from before binding may be left (vault.h) */
};

void g_user_release(struct g_user *u);

/* Replace b's bytes with a copy of p[0..n); 70 if memory fails. */
int g_user_blob_set(struct g_blob *b, const unsigned char *p, size_t n,
	       struct g_err *err);

/* Whether name is a valid username: 1 to 64 of [A-Za-z0-9._-]. */
int g_user_name_valid(const char *name);

/* By exact name; 66 "no such user" when absent. */
int g_user_find(struct g_store *s, const char *name, struct g_user *u,
		struct g_err *err);

/* The user a command acts for: the name given (-u or $GUISE_USER), else
 * the only user of the database (66 with none, 64 with several). */
int g_user_resolve(struct g_store *s, const char *name, struct g_user *u,
		   struct g_err *err);

/* Insert a new user row (u->id and everything else filled by the caller);
 * 65 if the name is taken. Inside the caller's transaction. */
int g_user_insert(struct g_store *s, const struct g_user *u, struct g_err *err);

/* What a write expects the row still to hold: the key version and the
 * wrapped key as they were read, so that a passwd or rekey that ran in
 * between is caught (75, try again) instead of overwritten. */
struct g_user_guard {
	int64_t dek_version;
	struct g_blob dek_wrapped;
};

int g_user_guard_init(struct g_user_guard *g, const struct g_user *u,
		      struct g_err *err);
void g_user_guard_release(struct g_user_guard *g);

/* Store the passphrase wrap (salt, KDF, wrapped DEK) if the row is still
 * as guarded: exactly one row changes, else 75. */
int g_user_set_wrap(struct g_store *s, const struct g_user *u,
		    const struct g_user_guard *g, struct g_err *err);

/* Store the recovery wrap and the new dek_version if the row still has
 * the guarded version: exactly one row changes, else 75. */
int g_user_set_recovery(struct g_store *s, const struct g_user *u,
			const struct g_user_guard *g, struct g_err *err);

/* Lock user_id's row (g_db_lock) inside the caller's write transaction:
 * the first lock any write of the user's data takes (db.h says the
 * order). */
int g_user_lock(struct g_store *s, const char *user_id, struct g_err *err);

/* The start of every write that seals with a key read before it (its
 * dek_version): BEGIN IMMEDIATE and the user's row locked (g_user_lock),
 * then, under the lock, where no rekey can commit before ours, a check
 * that the key is still user_id's. Rolled
 * back and 75 "the key of user 'NAME' changed while this ran" if a rekey
 * committed since the key was read (a field sealed now would be under a
 * retired key, unreadable for good); 66 if the user was deleted. */
int g_user_begin_write(struct g_store *s, const char *user_id, const char *username,
		       int64_t dek_version, struct g_err *err);

/* Make persona_id (NULL: none) u's default persona. Inside the caller's
 * transaction; the store refuses another user's persona. */
int g_user_set_default_persona(struct g_store *s, const struct g_user *u,
			       const char *persona_id, struct g_err *err);

/* u's default persona into id: 1 when there is one, 0 when none. */
int g_user_default_persona(struct g_store *s, const struct g_user *u, char id[G_UUID_LEN],
			   struct g_err *err);

/* All users, by name: calls fn for each; stops at a non-zero return. */
int g_user_each(struct g_store *s, int (*fn)(const struct g_user *, void *),
		void *arg, struct g_err *err);

/* The public record of a user: no key material. New reference. */
json_t *g_user_record(const struct g_user *u);

#endif
