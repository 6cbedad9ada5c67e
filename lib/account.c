/* account.c: creating users, changing passphrases, rekeying, deleting. */
#include "account.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_row.h"
#include "keycache.h"
#include "lore_store.h"
#include "vault.h"

/* COMMIT, or ROLLBACK for a dry run. */
static int finish(struct g_store *s, int dry_run, struct g_err *err)
{
	if (dry_run) {
		g_store_rollback(s);
		return 0;
	}
	if (g_store_commit(s, err) < 0) {
		g_store_rollback(s);
		return -1;
	}
	return 0;
}

/* The committed change of u's key or u's deletion: the cached key goes
 * with it (keyring and session files: one without the other would leave
 * the old key usable). */
static void drop_cached(struct g_store *s, const struct g_user *u)
{
	struct g_cache_id id;

	g_userkey_cache_id(s->db_id, u, &id);
	g_keycache_drop(&id, NULL, NULL);
}

int g_account_kdf_choose(const char *name, const struct g_kdf *fallback,
			 struct g_kdf *out, struct g_err *err)
{
	const char *use = name ? name : getenv("GUISE_KDF");

	if (!use || !*use) {
		*out = *fallback;
		return 0;
	}
	if (g_crypt_kdf_preset(use, out) < 0)
		return g_err_set(err, name ? G_EX_USAGE : G_EX_CONFIG,
				 "%s: '%s' is not interactive, moderate or sensitive",
				 name ? "--kdf" : "GUISE_KDF", use);
	return 0;
}

json_t *g_account_recovery_record(const struct g_user *u, const long *fields,
				  char recovery[G_RECOVERY_TEXT], int dry_run)
{
	json_t *rec = g_user_record(u);
	int bad = !rec;

	if (!bad && fields)
		bad = json_object_set_new(rec, "fields_reencrypted", json_integer(*fields)) < 0;
	/* without its key the record must not go out: the key would be lost */
	if (!bad && !dry_run)
		bad = json_object_set_new(rec, "recovery_key", json_string(recovery)) < 0;
	sodium_memzero(recovery, G_RECOVERY_TEXT);
	if (bad) {
		g_account_recovery_record_free(rec);
		return NULL;
	}
	return rec;
}

void g_account_recovery_record_free(json_t *rec)
{
	json_t *key = json_object_get(rec, "recovery_key");

	if (key)
		sodium_memzero((char *)json_string_value(key), json_string_length(key));
	json_decref(rec);
}

int g_account_write_key_record(struct g_doc_writer *out, json_t *rec, const char *what,
			       struct g_err *err)
{
	int rc;

	errno = 0;
	rc = rec ? g_doc_write(out, rec, err) : g_err_oom(err);
	g_account_recovery_record_free(rec);
	if (rc == 0 && fflush(stdout) != 0)
		rc = -1;
	if (ferror(stdout))
		return g_err_set(err, G_EX_IOERR,
				 "cannot write the recovery key to stdout: %s: nothing %s",
				 strerror(errno ? errno : EIO), what);
	return rc;
}

json_t *g_account_delete_record(const struct g_user *u, int dry_run)
{
	return json_pack("{s:s, s:s, s:s, s:b}", "kind", "user_deleted", "id", u->id, "username",
			 u->username, "dry_run", dry_run);
}

int g_account_create(struct g_store *s, const char *username, const char *email,
		     const struct g_kdf *kdf, const struct g_secret *pass,
		     int dry_run, struct g_user *u, char recovery[G_RECOVERY_TEXT],
		     g_account_deliver_fn *deliver, void *arg, struct g_err *err)
{
	struct g_userkey k;
	int rc = -1;

	memset(u, 0, sizeof(*u));
	if (!g_user_name_valid(username))
		return g_err_set(err, G_EX_DATAERR,
				 "'%s' is not a valid user name: 1 to %d of A-Z a-z 0-9 . _ -",
				 username, G_USERNAME_MAX);
	if (g_uuid7(u->id, err) < 0)
		return -1;
	snprintf(u->username, sizeof(u->username), "%s", username);
	if (email && !(u->email = strdup(email)))
		return g_err_oom(err);
	snprintf(u->role, sizeof(u->role), "user");
	snprintf(u->account_status, sizeof(u->account_status), "active");
	g_timestamp_now(u->created_at);
	memcpy(u->updated_at, u->created_at, sizeof(u->updated_at));
	u->dek_version = 1;

	memset(&k, 0, sizeof(k));
	snprintf(k.db_id, sizeof(k.db_id), "%s", s->db_id);
	memcpy(k.user_id, u->id, sizeof(k.user_id));
	k.dek_version = 1;
	k.dek = g_crypt_key_random();
	if (!k.dek)
		return g_err_oom(err);
	if (g_userkey_wrap_passphrase(&k, u, kdf, pass, err) == 0 &&
	    g_userkey_wrap_recovery(&k, u, recovery, err) == 0 &&
	    g_store_begin(s, err) == 0) {
		if (g_user_insert(s, u, err) < 0 || (deliver && deliver(u, NULL, recovery, arg, err) < 0))
			g_store_rollback(s);
		else if ((rc = finish(s, dry_run, err)) < 0 && deliver)
			g_err_prefix(err, "the user was not made and the recovery key printed is void");
	}
	g_userkey_release(&k);
	return rc;
}

int g_account_passwd(struct g_store *s, struct g_user *u, const struct g_userkey *k,
		     const struct g_kdf *kdf, const struct g_secret *pass,
		     int dry_run, struct g_err *err)
{
	struct g_user_guard g;
	int rc = -1;

	if (g_user_guard_init(&g, u, err) < 0)
		return -1;
	if (g_userkey_wrap_passphrase(k, u, kdf, pass, err) == 0 &&
	    g_store_begin(s, err) == 0) {
		g_timestamp_now(u->updated_at);
		if (g_user_set_wrap(s, u, &g, err) < 0)
			g_store_rollback(s);
		else
			rc = finish(s, dry_run, err);
	}
	g_user_guard_release(&g);
	return rc;
}

int g_account_rekey(struct g_store *s, struct g_user *u, const struct g_userkey *old,
		    const struct g_secret *pass, int dry_run,
		    char recovery[G_RECOVERY_TEXT], long *fields,
		    g_account_deliver_fn *deliver, void *arg, struct g_err *err)
{
	struct g_userkey k = *old;
	struct g_user_guard g;
	int rc = -1;

	if (g_user_guard_init(&g, u, err) < 0)
		return -1;
	k.dek = g_crypt_key_random();
	if (!k.dek) {
		g_user_guard_release(&g);
		return g_err_oom(err);
	}
	k.dek_version = old->dek_version + 1;
	k.source = "rekey";
	u->dek_version = k.dek_version;
	g_timestamp_now(u->updated_at);
	/* derive before the transaction opens */
	if (g_userkey_wrap_passphrase(&k, u, &u->kdf, pass, err) == 0 &&
	    g_userkey_wrap_recovery(&k, u, recovery, err) == 0 &&
	    /* another rekey may have committed while this one derived */
	    g_user_begin_write(s, old->user_id, old->username, old->dek_version, err) == 0) {
		*fields = g_vault_rekey(s, old, &k, err);
		/* content hashes are keyed by the DEK: they change with it */
		if (*fields < 0 || g_card_row_rehash(s, &k, err) < 0 ||
		    g_lore_store_rehash(s, &k, err) < 0 || g_user_set_wrap(s, u, &g, err) < 0 ||
		    g_user_set_recovery(s, u, &g, err) < 0 ||
		    (deliver && deliver(u, fields, recovery, arg, err) < 0))
			g_store_rollback(s);
		else if ((rc = finish(s, dry_run, err)) < 0 && deliver)
			g_err_prefix(err, "nothing changed: the recovery key printed is void, the old "
					  "one still works");
		else if (rc == 0 && !dry_run)
			drop_cached(s, u);
	}
	g_userkey_release(&k);
	g_user_guard_release(&g);
	return rc;
}

int g_account_delete_rows(struct g_store *s, const struct g_user *u, struct g_err *err)
{
	struct g_db_stmt *st;
	int rc;

	/* the sessions first, by name: a session's RESTRICT on its character
	 * holds while both are there, and the order SQLite runs a user's
	 * cascades in is its own (newest table first, today) */
	rc = g_db_prepare(s->db, "DELETE FROM chat_sessions WHERE user_id = ?", &st);
	if (rc == G_DB_OK) {
		g_db_bind_str(st, 1, u->id);
		rc = g_db_step(st);
		g_db_finalize(st);
	}
	if (rc == G_DB_DONE)
		rc = g_db_prepare(s->db, "DELETE FROM users WHERE id = ?", &st);
	if (rc == G_DB_OK) {
		g_db_bind_str(st, 1, u->id);
		rc = g_db_step(st);
		g_db_finalize(st);
	}
	if (rc != G_DB_DONE)
		return g_store_error(s, rc, "deleting the user", err);
	if (g_db_changes(s->db) != 1) /* deleted meanwhile */
		return g_err_set(err, G_EX_NOINPUT, "no such user '%s'", u->username);
	return 0;
}

void g_account_forget_key(struct g_store *s, const struct g_user *u)
{
	drop_cached(s, u);
}

int g_account_delete(struct g_store *s, const struct g_user *u, int dry_run,
		     struct g_err *err)
{
	/* the user's row before its sessions' (db.h's lock order) */
	if (g_store_begin(s, err) < 0)
		return -1;
	if (g_user_lock(s, u->id, err) < 0 || g_account_delete_rows(s, u, err) < 0) {
		g_store_rollback(s);
		return -1;
	}
	if (finish(s, dry_run, err) < 0)
		return -1;
	if (!dry_run)
		drop_cached(s, u);
	return 0;
}

/* The passphrase, checked against u whatever the cache holds, and told. */
static int checked_key(struct g_store *s, const struct g_user *u, const struct g_account_ask *a,
		       struct g_secret *pass, struct g_userkey *k, struct g_err *err)
{
	if (g_userkey_check_passphrase(s->db_id, u, a->secrets, pass, k, err) < 0)
		return -1;
	if (a->key_read)
		a->key_read(u, k, a->arg);
	return 0;
}

int g_account_create_asked(struct g_store *s, const char *username, const char *email,
			   const struct g_account_ask *a, struct g_err *err)
{
	struct g_secret pass = { NULL, 0 };
	char recovery[G_RECOVERY_TEXT];
	struct g_kdf kdf, moderate;
	struct g_user u;
	int rc;

	g_crypt_kdf_preset("moderate", &moderate);
	if (g_account_kdf_choose(a->kdf_name, &moderate, &kdf, err) < 0 ||
	    g_secret_new_passphrase(a->secrets, username, 1, &pass, err) < 0)
		return -1;
	/* printed once, before the commit, and never stored */
	rc = g_account_create(s, username, email, &kdf, &pass, a->dry_run, &u, recovery,
			      a->deliver, a->arg, err);
	g_secret_release(&pass);
	sodium_memzero(recovery, sizeof(recovery));
	g_user_release(&u);
	return rc < 0 ? -1 : 0;
}

int g_account_passwd_asked(struct g_store *s, struct g_user *u, int from_recovery,
			   const struct g_account_ask *a, struct g_err *err)
{
	struct g_secret old = { NULL, 0 }, fresh = { NULL, 0 };
	struct g_userkey k;
	struct g_kdf kdf;
	int rc;

	if (from_recovery) {
		if (g_secret_recovery_key(a->secrets, &old, err) < 0)
			return -1;
		rc = g_userkey_from_recovery(s->db_id, u, &old, &k, err);
	} else {
		rc = checked_key(s, u, a, &old, &k, err);
	}
	g_secret_release(&old);
	if (rc < 0)
		return -1;
	rc = g_account_kdf_choose(a->kdf_name, &u->kdf, &kdf, err);
	if (rc == 0)
		rc = g_secret_new_passphrase(a->secrets, u->username, 0, &fresh, err);
	if (rc >= 0)
		rc = g_account_passwd(s, u, &k, &kdf, &fresh, a->dry_run, err);
	g_secret_release(&fresh);
	g_userkey_release(&k);
	return rc < 0 ? -1 : 0;
}

int g_account_unlock_asked(struct g_store *s, const struct g_user *u,
			   struct g_keycache_unlock *un, const struct g_account_ask *a,
			   struct g_err *err)
{
	struct g_secret pass = { NULL, 0 };
	struct g_cache_id id;
	struct g_userkey k;
	int rc;

	g_userkey_cache_id(s->db_id, u, &id);
	if (checked_key(s, u, a, &pass, &k, err) < 0)
		return -1;
	g_secret_release(&pass);
	rc = g_keycache_unlock(&id, k.dek, un, err);
	g_userkey_release(&k);
	return rc < 0 ? -1 : 0;
}

int g_account_rekey_asked(struct g_store *s, struct g_user *u, long *fields,
			  const struct g_account_ask *a, struct g_err *err)
{
	struct g_secret pass = { NULL, 0 };
	char recovery[G_RECOVERY_TEXT];
	struct g_userkey old;
	int rc;

	*fields = 0;
	if (checked_key(s, u, a, &pass, &old, err) < 0)
		return -1;
	rc = g_account_rekey(s, u, &old, &pass, a->dry_run, recovery, fields, a->deliver, a->arg,
			     err);
	g_secret_release(&pass);
	g_userkey_release(&old);
	sodium_memzero(recovery, sizeof(recovery));
	return rc < 0 ? -1 : 0;
}

int g_account_delete_asked(struct g_store *s, const struct g_user *u,
			   const struct g_account_ask *a, struct g_err *err)
{
	struct g_secret pass = { NULL, 0 };
	struct g_userkey k;

	if (checked_key(s, u, a, &pass, &k, err) < 0)
		return -1;
	g_secret_release(&pass);
	g_userkey_release(&k);
	return g_account_delete(s, u, a->dry_run, err);
}
