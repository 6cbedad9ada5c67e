/*
 * userkey.h: a user's data key (DEK), from wherever it can be had.
 *
 * g_userkey_get() looks in the unlock cache first (keyring, then the
 * session token), then at the passphrase sources (secret.h), deriving the
 * KEK with Argon2id only then; with no source it fails closed: 77, "user
 * 'alice' is locked: run 'persona-encrypt unlock -u alice'". A struct
 * g_userkey holds the DEK in sodium_malloc'ed memory until
 * g_userkey_release() zeroes and frees it.
 */
#ifndef GUISE_KEYS_H
#define GUISE_KEYS_H

#include "crypt.h"
#include "secret.h"
#include "user.h"

struct g_userkey {
	char db_id[64];
	char user_id[G_UUID_LEN];
	char username[G_USERNAME_MAX + 1];
	int64_t dek_version;
	int legacy_rows; /* the user's, as read: which error an unbound row gets */
	unsigned char *dek;
	const char *source; /* "keyring", "session token", "passphrase", ... */
};

void g_userkey_release(struct g_userkey *k);

/* Unwrap the DEK with a passphrase (derives the KEK): 77 if it is wrong. */
int g_userkey_from_passphrase(const char *db_id, const struct g_user *u,
			      const struct g_secret *pass, struct g_userkey *k,
			      struct g_err *err);

/* Unwrap the DEK with the printed recovery key: 77 if it is wrong. */
int g_userkey_from_recovery(const char *db_id, const struct g_user *u,
			    const struct g_secret *text, struct g_userkey *k,
			    struct g_err *err);

/* The passphrase itself, from its sources (the terminal too), checked
 * against u whatever the cache holds: the verbs that change or prove the
 * key. *pass stays read for the caller to release (released on failure):
 * 64 with no source, 77 if it is wrong. */
int g_userkey_check_passphrase(const char *db_id, const struct g_user *u,
			       const struct g_secret_opts *o, struct g_secret *pass,
			       struct g_userkey *k, struct g_err *err);

struct g_cache_id;

/* The unlock cache's name for u's current key: ids, version, and a hash
 * of the recovery wrap (else the passphrase wrap), which changes when the
 * DEK does (init, rekey) and not with passwd. */
void g_userkey_cache_id(const char *db_id, const struct g_user *u, struct g_cache_id *id);

/* The lookup order above. allow_terminal: may ask for the passphrase. */
int g_userkey_get(const char *db_id, const struct g_user *u,
		  const struct g_secret_opts *o, int allow_terminal,
		  struct g_userkey *k, struct g_err *err);

/* Wrap k's DEK for u under a passphrase with new salt and the given KDF:
 * fills u's kdf, salt, dek_wrapped and dek_nonce (derives the KEK). */
int g_userkey_wrap_passphrase(const struct g_userkey *k, struct g_user *u,
			      const struct g_kdf *kdf,
			      const struct g_secret *pass, struct g_err *err);

/* Wrap k's DEK for u under a new random recovery key: fills u's recovery
 * wrap and writes the key's printed form into text. */
int g_userkey_wrap_recovery(const struct g_userkey *k, struct g_user *u,
			    char text[G_RECOVERY_TEXT], struct g_err *err);

/* Wrap k's DEK for u under the recovery key given in its printed form
 * (one the user holds already): 65 if text is not one. */
int g_userkey_wrap_recovery_key(const struct g_userkey *k, struct g_user *u,
				const struct g_secret *text, struct g_err *err);

#endif
