/* userkey.c: getting, unwrapping and wrapping a user's data key. */
#include "userkey.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "keycache.h"

void g_userkey_release(struct g_userkey *k)
{
	g_crypt_key_free(k->dek);
	memset(k, 0, sizeof(*k));
}

static int userkey_start(const char *db_id, const struct g_user *u,
			 struct g_userkey *k, struct g_err *err)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->db_id, sizeof(k->db_id), "%s", db_id);
	memcpy(k->user_id, u->id, sizeof(k->user_id));
	memcpy(k->username, u->username, sizeof(k->username));
	k->dek_version = u->dek_version;
	k->legacy_rows = u->legacy_rows;
	k->dek = g_crypt_key_new();
	return k->dek ? 0 : g_err_oom(err);
}

static void wrap_ad(const struct g_userkey *k, const char *kind,
		    struct g_wrap_ad *ad)
{
	ad->db_id = k->db_id;
	ad->user_id = k->user_id;
	ad->dek_version = k->dek_version;
	ad->kind = kind;
}

int g_userkey_from_passphrase(const char *db_id, const struct g_user *u,
			      const struct g_secret *pass, struct g_userkey *k,
			      struct g_err *err)
{
	unsigned char *kek;
	struct g_wrap_ad ad;
	int rc;

	if (userkey_start(db_id, u, k, err) < 0)
		return -1;
	/* A damaged row is a data error, not a wrong passphrase. */
	if (u->salt.len != G_SALT_BYTES || u->dek_nonce.len != G_NONCE_BYTES ||
	    u->dek_wrapped.len != G_KEY_BYTES + G_TAG_BYTES) {
		g_userkey_release(k);
		return g_err_set(err, G_EX_DATAERR, "user '%s' has a malformed wrapped key",
				 u->username);
	}
	if (strcmp(u->kdf_alg, G_KDF_ALG) != 0) {
		g_userkey_release(k);
		return g_err_set(err, G_EX_DATAERR, "user '%s': unknown key derivation '%s'",
				 u->username, u->kdf_alg);
	}
	kek = g_crypt_key_new();
	if (!kek) {
		g_userkey_release(k);
		return g_err_oom(err);
	}
	rc = g_crypt_kdf_derive(pass->buf, pass->len, u->salt.data, &u->kdf, kek, err);
	if (rc == 0) {
		wrap_ad(k, "passphrase", &ad);
		if (g_crypt_unwrap(kek, u->dek_wrapped.data, u->dek_wrapped.len,
			     u->dek_nonce.data, u->dek_nonce.len, &ad, k->dek) < 0)
			rc = g_err_set(err, G_EX_NOPERM, "wrong passphrase for user '%s'",
				       u->username);
	} else {
		g_err_prefix(err, "user '%s'", u->username);
	}
	g_crypt_key_free(kek);
	if (rc < 0)
		g_userkey_release(k);
	else
		k->source = "passphrase";
	return rc;
}

int g_userkey_from_recovery(const char *db_id, const struct g_user *u,
			    const struct g_secret *text, struct g_userkey *k,
			    struct g_err *err)
{
	unsigned char *recovery = g_crypt_key_new();
	struct g_wrap_ad ad;
	int rc = -1;

	if (!recovery)
		return g_err_oom(err);
	if (g_crypt_recovery_parse(text->buf, text->len, recovery) < 0) {
		g_crypt_key_free(recovery);
		return g_err_set(err, G_EX_DATAERR,
				 "not a recovery key: 52 letters and digits in groups of four");
	}
	if (u->recovery_nonce.len != G_NONCE_BYTES ||
	    u->recovery_wrapped.len != G_KEY_BYTES + G_TAG_BYTES)
		g_err_set(err, G_EX_DATAERR, "user '%s' has no usable recovery key",
			  u->username);
	else if (userkey_start(db_id, u, k, err) == 0) {
		wrap_ad(k, "recovery", &ad);
		rc = g_crypt_unwrap(recovery, u->recovery_wrapped.data, u->recovery_wrapped.len,
			      u->recovery_nonce.data, u->recovery_nonce.len, &ad, k->dek);
		if (rc < 0) {
			g_err_set(err, G_EX_NOPERM, "wrong recovery key for user '%s'",
				  u->username);
			g_userkey_release(k);
		} else {
			k->source = "recovery key";
		}
	}
	g_crypt_key_free(recovery);
	return rc;
}

int g_userkey_check_passphrase(const char *db_id, const struct g_user *u,
			       const struct g_secret_opts *o, struct g_secret *pass,
			       struct g_userkey *k, struct g_err *err)
{
	int rc = g_secret_passphrase(o, u->username, 1, pass, err);

	if (rc == 0)
		return g_err_set(err, G_EX_USAGE,
				 "no passphrase: no terminal, and none of --passphrase-fd, "
				 "GUISE_PASSPHRASE_FILE, GUISE_PASSPHRASE");
	if (rc < 0 || g_userkey_from_passphrase(db_id, u, pass, k, err) < 0) {
		g_secret_release(pass);
		return -1;
	}
	return 0;
}

void g_userkey_cache_id(const char *db_id, const struct g_user *u, struct g_cache_id *id)
{
	const struct g_blob *w = u->recovery_wrapped.len ? &u->recovery_wrapped : &u->dek_wrapped;
	const struct g_blob *n = u->recovery_wrapped.len ? &u->recovery_nonce : &u->dek_nonce;
	crypto_generichash_state h;

	memset(id, 0, sizeof(*id));
	id->db_id = db_id;
	id->user_id = u->id;
	id->dek_version = u->dek_version;
	crypto_generichash_init(&h, (const unsigned char *)"guise-cache-key-id", 18,
				G_CACHE_KEY_ID_BYTES);
	if (w->len)
		crypto_generichash_update(&h, w->data, w->len);
	if (n->len)
		crypto_generichash_update(&h, n->data, n->len);
	crypto_generichash_final(&h, id->key_id, G_CACHE_KEY_ID_BYTES);
}

int g_userkey_get(const char *db_id, const struct g_user *u,
		  const struct g_secret_opts *o, int allow_terminal,
		  struct g_userkey *k, struct g_err *err)
{
	struct g_cache_id id;
	struct g_secret pass = { NULL, 0 };
	int rc;

	g_userkey_cache_id(db_id, u, &id);
	if (userkey_start(db_id, u, k, err) < 0)
		return -1;
	if (g_keycache_keyring_get(&id, k->dek)) {
		k->source = "keyring";
		return 0;
	}
	if (g_keycache_token_get(&id, k->dek)) {
		k->source = "session token";
		return 0;
	}
	g_userkey_release(k);
	rc = g_secret_passphrase(o, u->username, allow_terminal, &pass, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return g_err_set(err, G_EX_NOPERM,
				 "user '%s' is locked: run 'persona-encrypt unlock -u %s'",
				 u->username, u->username);
	rc = g_userkey_from_passphrase(db_id, u, &pass, k, err);
	g_secret_release(&pass);
	return rc;
}

/* k's DEK wrapped under kek for kind ("passphrase", "recovery"), into
 * the user's blobs wrapped_out and nonce_out. */
static int wrap_dek(const struct g_userkey *k, const unsigned char *kek, const char *kind,
		    struct g_blob *wrapped_out, struct g_blob *nonce_out, struct g_err *err)
{
	unsigned char nonce[G_NONCE_BYTES];
	unsigned char wrapped[G_KEY_BYTES + G_TAG_BYTES];
	struct g_wrap_ad ad;

	wrap_ad(k, kind, &ad);
	g_crypt_wrap(kek, k->dek, &ad, wrapped, nonce);
	return g_user_blob_set(wrapped_out, wrapped, sizeof(wrapped), err) < 0 ||
	       g_user_blob_set(nonce_out, nonce, sizeof(nonce), err) < 0 ? -1 : 0;
}

int g_userkey_wrap_passphrase(const struct g_userkey *k, struct g_user *u,
			      const struct g_kdf *kdf,
			      const struct g_secret *pass, struct g_err *err)
{
	unsigned char salt[G_SALT_BYTES];
	unsigned char *kek = g_crypt_key_new();
	int rc;

	if (!kek)
		return g_err_oom(err);
	randombytes_buf(salt, sizeof(salt));
	rc = g_crypt_kdf_derive(pass->buf, pass->len, salt, kdf, kek, err);
	if (rc == 0) {
		u->kdf = *kdf;
		snprintf(u->kdf_alg, sizeof(u->kdf_alg), "%s", G_KDF_ALG);
		rc = g_user_blob_set(&u->salt, salt, sizeof(salt), err) < 0 ||
		     wrap_dek(k, kek, "passphrase", &u->dek_wrapped, &u->dek_nonce, err) < 0 ? -1 : 0;
	}
	g_crypt_key_free(kek);
	return rc;
}

int g_userkey_wrap_recovery(const struct g_userkey *k, struct g_user *u,
			    char text[G_RECOVERY_TEXT], struct g_err *err)
{
	unsigned char *recovery = g_crypt_key_random();
	int rc;

	if (!recovery)
		return g_err_oom(err);
	rc = wrap_dek(k, recovery, "recovery", &u->recovery_wrapped, &u->recovery_nonce, err);
	g_crypt_recovery_format(recovery, text);
	g_crypt_key_free(recovery);
	return rc;
}

int g_userkey_wrap_recovery_key(const struct g_userkey *k, struct g_user *u,
				const struct g_secret *text, struct g_err *err)
{
	unsigned char *recovery = g_crypt_key_new();
	int rc;

	if (!recovery)
		return g_err_oom(err);
	if (g_crypt_recovery_parse(text->buf, text->len, recovery) < 0)
		rc = g_err_set(err, G_EX_DATAERR,
			       "not a recovery key: 52 letters and digits in groups of four");
	else
		rc = wrap_dek(k, recovery, "recovery", &u->recovery_wrapped, &u->recovery_nonce,
			      err);
	g_crypt_key_free(recovery);
	return rc;
}
