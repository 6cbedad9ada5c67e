/*
 * keycache.h: the unlock cache, so a pipeline derives a key once.
 *
 * The kernel keyring first: a "user" key named guise:<db id>:<user id> in
 * the user keyring, with a timeout and possessor/user-only permissions,
 * holding the dek_version and the DEK. Where the kernel refuses keyrings,
 * a session token: the DEK wrapped under a random token, in a 0600 file
 * under $XDG_RUNTIME_DIR/guise, its expiry bound into the associated
 * data; the token itself lives only in $GUISE_SESSION.
 * A cached key whose dek_version is not the user's current one is ignored,
 * and so is one whose key_id is not: the key_id names the DEK itself
 * (g_userkey_cache_id), so a database file restored from a copy or
 * replaced, with the same ids and version but another key, does not take
 * a key cached for the other file (keyring: compared; token: bound into
 * the associated data).
 */
#ifndef GUISE_KEYCACHE_H
#define GUISE_KEYCACHE_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "timestamp.h"

#define G_CACHE_KEY_ID_BYTES 16

struct g_cache_id {
	const char *db_id;
	const char *user_id;
	int64_t dek_version;
	unsigned char key_id[G_CACHE_KEY_ID_BYTES]; /* put and get; drop needs none */
};

/* Drop the keyring entry and every session file together: a key that
 * changed or a user that went must stay cached in neither. Whether there
 * was a keyring entry into *keyring, the files removed into *sessions
 * (either may be NULL). */
void g_keycache_drop(const struct g_cache_id *id, int *keyring, int *sessions);

/* An unlock lasts this long unless asked otherwise: 15 minutes. */
#define G_KEYCACHE_TIMEOUT_DEFAULT (15U * 60)

/* One unlock: what it was asked (in) and where the key went (out). */
struct g_keycache_unlock {
	unsigned int timeout_s; /* in: 0 for G_KEYCACHE_TIMEOUT_DEFAULT */
	int token;              /* in: a session token, not the keyring */
	int dry_run;            /* in: decide everything, cache nothing */
	char expires_at[G_TIMESTAMP_LEN]; /* out */
	char *token_value; /* out: for GUISE_SESSION (token, not dry run) */
};

/* Cache dek as asked, until now + the timeout. Errors as
 * g_keycache_keyring_put and g_keycache_token_create. */
int g_keycache_unlock(const struct g_cache_id *id, const unsigned char *dek,
		      struct g_keycache_unlock *u, struct g_err *err);
/* The unlock record {kind, user, via, expires_at, dry_run}. New
 * reference, NULL if memory fails. */
json_t *g_keycache_unlock_record(const struct g_keycache_unlock *u, const char *username);
/* lock: id's cache dropped (g_keycache_drop) unless dry_run, and the
 * record {kind: lock, user, keyring, session_files} of what was dropped.
 * New reference, NULL if memory fails. */
json_t *g_keycache_lock(const struct g_cache_id *id, const char *username, int dry_run);
/* Zero and free the token value. */
void g_keycache_unlock_release(struct g_keycache_unlock *u);

/* Put the DEK in the keyring for timeout_s seconds. 69 if the kernel
 * refuses keyrings (use a session token there). */
int g_keycache_keyring_put(const struct g_cache_id *id, const unsigned char *dek,
		  unsigned int timeout_s, struct g_err *err);
/* 1 with dek filled when the keyring holds the current key, else 0. */
int g_keycache_keyring_get(const struct g_cache_id *id, unsigned char *dek);
/* Revoke the keyring entry; 1 if there was one. */
int g_keycache_keyring_drop(const struct g_cache_id *id);

/* Make a session token file; *token (malloc'ed) is the value for
 * GUISE_SESSION. */
int g_keycache_token_create(const struct g_cache_id *id, const unsigned char *dek,
		   unsigned int timeout_s, char **token, struct g_err *err);
/* 1 with dek filled when $GUISE_SESSION opens the current key, else 0. */
int g_keycache_token_get(const struct g_cache_id *id, unsigned char *dek);
/* Remove every session file of this user and database; the count. */
int g_keycache_token_drop(const struct g_cache_id *id);

#endif
