/*
 * account.h: the life of a user and their keys, as persona-encrypt runs
 * it. Every function derives what it must before its write transaction
 * opens (no key derivation inside BEGIN IMMEDIATE), writes in one
 * transaction, and with dry_run rolls it back instead of committing.
 * A key that changes (rekey) or a user that goes leaves the unlock cache
 * with the commit.
 */
#ifndef GUISE_ACCOUNT_H
#define GUISE_ACCOUNT_H

#include "doc.h"
#include "keycache.h"
#include "userkey.h"
#include "store.h"
#include "user.h"

/* Hands a new recovery key (its printed form; the callee may zero it) to
 * the user u, from inside the write transaction, after the writes and
 * before the commit: the printed copy is the only one, so unless it went
 * out (the callee returns 0) nothing is committed and the old key still
 * works. fields: a rekey's count of fields re-encrypted, else NULL. -1
 * with err set rolls back. Called for a dry run too. */
typedef int g_account_deliver_fn(const struct g_user *u, const long *fields,
				 char recovery[G_RECOVERY_TEXT], void *arg, struct g_err *err);

/* What a command asks of the *_asked verbs below: where the secrets come
 * from, the KDF it named, whether to keep the change, and whom to tell in
 * the middle of the work (arg goes to both). */
struct g_account_ask {
	const struct g_secret_opts *secrets;
	const char *kdf_name; /* --kdf, or NULL */
	int dry_run;
	/* the key, read and checked, before any new secret is read (may be
	 * NULL; not called for the recovery key) */
	void (*key_read)(const struct g_user *u, const struct g_userkey *k, void *arg);
	g_account_deliver_fn *deliver; /* the new recovery key */
	void *arg;
};

/* The KDF for a new wrap: name (--kdf) if given, else $GUISE_KDF if set
 * and not empty, else fallback. A name that is not a preset: 64 for
 * --kdf, 78 for $GUISE_KDF. */
int g_account_kdf_choose(const char *name, const struct g_kdf *fallback,
			 struct g_kdf *out, struct g_err *err);

/* The user record that carries, this once, its new recovery key (not
 * under dry_run) and, for a rekey, fields_reencrypted (fields not NULL).
 * recovery is zeroed whatever happens. NULL if memory fails; free it with
 * g_account_recovery_record_free, which zeroes the record's copy. */
json_t *g_account_recovery_record(const struct g_user *u, const long *fields,
				  char recovery[G_RECOVERY_TEXT], int dry_run);
void g_account_recovery_record_free(json_t *rec);
/* rec (a record with a recovery key; NULL: memory failed) written by out,
 * a writer on stdout, stdout flushed, and rec freed as above: a key that
 * does not reach stdout is void, so the caller commits nothing. 74
 * "cannot write the recovery key to stdout: ...: nothing <what>". */
int g_account_write_key_record(struct g_doc_writer *out, json_t *rec, const char *what,
			       struct g_err *err);
/* The record of delete-user: {kind: user_deleted, id, username, dry_run}.
 * New reference, NULL if memory fails. */
json_t *g_account_delete_record(const struct g_user *u, int dry_run);

/* A new user: a random DEK, wrapped under the passphrase and under a new
 * recovery key (its printed form into recovery, and to deliver before the
 * commit). u is filled before deliver is called. */
int g_account_create(struct g_store *s, const char *username, const char *email,
		     const struct g_kdf *kdf, const struct g_secret *pass,
		     int dry_run, struct g_user *u, char recovery[G_RECOVERY_TEXT],
		     g_account_deliver_fn *deliver, void *arg, struct g_err *err);

/* Wrap k's DEK under a new passphrase (and KDF): one row changes, no field
 * is re-encrypted. */
int g_account_passwd(struct g_store *s, struct g_user *u, const struct g_userkey *k,
		     const struct g_kdf *kdf, const struct g_secret *pass,
		     int dry_run, struct g_err *err);

/* A new DEK: every encrypted field of the user re-encrypted, a new
 * passphrase wrap (pass is the current passphrase, to wrap the new key
 * under) and recovery key, dek_version + 1, all in one transaction.
 * *fields is the count of fields re-encrypted, set (and u updated) before
 * deliver is called with the new recovery key. The old key leaves the
 * unlock cache. */
int g_account_rekey(struct g_store *s, struct g_user *u, const struct g_userkey *old,
		    const struct g_secret *pass, int dry_run,
		    char recovery[G_RECOVERY_TEXT], long *fields,
		    g_account_deliver_fn *deliver, void *arg, struct g_err *err);

/* Delete the user and, by cascade, everything they own; their key leaves
 * the unlock cache. */
int g_account_delete(struct g_store *s, const struct g_user *u, int dry_run,
		     struct g_err *err);

/* The rows of g_account_delete, inside the caller's write transaction
 * with u's row locked (g_user_lock): 66 if u is gone. */
int g_account_delete_rows(struct g_store *s, const struct g_user *u, struct g_err *err);

/* u's key out of the unlock cache of s (after a committed change). */
void g_account_forget_key(struct g_store *s, const struct g_user *u);

/* The verbs whole, their secrets read through a: */

/* init: a new user named username, under a new passphrase (else the
 * passphrase sources) and the KDF asked (else moderate). */
int g_account_create_asked(struct g_store *s, const char *username, const char *email,
			   const struct g_account_ask *a, struct g_err *err);

/* passwd (from_recovery 0: the passphrase, checked) and recover (1: the
 * recovery key): then a new passphrase, under the KDF asked or u's own. */
int g_account_passwd_asked(struct g_store *s, struct g_user *u, int from_recovery,
			   const struct g_account_ask *a, struct g_err *err);

/* unlock: the passphrase, checked whatever the cache holds (a wrong one
 * must not extend an unlock), then g_keycache_unlock with un. */
int g_account_unlock_asked(struct g_store *s, const struct g_user *u,
			   struct g_keycache_unlock *un, const struct g_account_ask *a,
			   struct g_err *err);

/* rekey, with the passphrase checked; *fields as g_account_rekey. */
int g_account_rekey_asked(struct g_store *s, struct g_user *u, long *fields,
			  const struct g_account_ask *a, struct g_err *err);

/* delete-user, with the passphrase checked. */
int g_account_delete_asked(struct g_store *s, const struct g_user *u,
			   const struct g_account_ask *a, struct g_err *err);

#endif
