/* account_move.c: a user moved from one store to another. */
#include "account_move.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vault.h"

/* The target's user row: u's, with the wraps still to make. */
static int target_user(const struct g_user *u, struct g_user *t, struct g_err *err)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->id, u->id, sizeof(t->id));
	memcpy(t->username, u->username, sizeof(t->username));
	if (u->email && !(t->email = strdup(u->email)))
		return g_err_oom(err);
	memcpy(t->role, u->role, sizeof(t->role));
	memcpy(t->account_status, u->account_status, sizeof(t->account_status));
	memcpy(t->created_at, u->created_at, sizeof(t->created_at));
	memcpy(t->updated_at, u->updated_at, sizeof(t->updated_at));
	t->dek_version = u->dek_version;
	t->legacy_rows = u->legacy_rows;
	return 0;
}

/* The wraps of the target's row, derived before any transaction opens:
 * the passphrase one, and the recovery one (the key given, checked against
 * the source, or a new one into recovery). */
static int wrap_for_target(struct g_store *from, const struct g_user *u,
			   const struct g_userkey *kt, const struct g_secret *pass,
			   const struct g_account_ask *a, struct g_user *t,
			   char recovery[G_RECOVERY_TEXT], int *new_recovery, struct g_err *err)
{
	const struct g_secret_opts *o = a->secrets;
	struct g_secret rk = { NULL, 0 };
	struct g_userkey check;
	int rc;

	*new_recovery = o->recovery_key_fd < 0 && !o->recovery_key_file;
	if (g_userkey_wrap_passphrase(kt, t, &u->kdf, pass, err) < 0)
		return -1;
	if (*new_recovery)
		return g_userkey_wrap_recovery(kt, t, recovery, err);
	if (g_secret_recovery_key(o, &rk, err) < 0)
		return -1;
	/* the key must be this user's: a wrong one kept would be lost */
	rc = g_userkey_from_recovery(from->db_id, u, &rk, &check, err);
	if (rc == 0) {
		g_userkey_release(&check);
		rc = g_userkey_wrap_recovery_key(kt, t, &rk, err);
	}
	g_secret_release(&rk);
	return rc;
}

/* Whether the source's row still holds the wrap the passphrase opened:
 * a passwd that committed meanwhile would make the target's wrap stale. */
static int source_unchanged(struct g_store *from, const struct g_user *u, struct g_err *err)
{
	struct g_user now;
	int same;

	if (g_user_find(from, u->username, &now, err) < 0)
		return -1;
	same = now.dek_wrapped.len == u->dek_wrapped.len &&
	       sodium_memcmp(now.dek_wrapped.data, u->dek_wrapped.data, u->dek_wrapped.len) == 0;
	g_user_release(&now);
	return same ? 0
		    : g_err_set(err, G_EX_TEMPFAIL, "user '%s' changed while this ran: try again",
				u->username);
}

/* What g_user_insert leaves out: the default persona (its row is there
 * now) and the legacy mark, as the source has them; updated_at stays. */
static int finish_user_row(struct g_store *from, struct g_store *to, const struct g_user *u,
			   struct g_err *err)
{
	char persona[G_UUID_LEN];
	struct g_db_stmt *st;
	int has, rc;

	has = g_user_default_persona(from, u, persona, err);
	if (has < 0 || g_store_prepare(to,
				       "UPDATE users SET default_persona_id = ?1, legacy_rows = ?2"
				       " WHERE id = ?3",
				       &st, err) < 0)
		return -1;
	if (has)
		g_db_bind_str(st, 1, persona);
	else
		g_db_bind_null(st, 1);
	g_db_bind_int64(st, 2, u->legacy_rows);
	g_db_bind_str(st, 3, u->id);
	rc = g_db_step(st);
	g_db_reset(st);
	return rc == G_DB_DONE ? 0 : g_store_error(to, rc, "setting the default persona", err);
}

struct tally {
	struct g_account_move *m;
	void *arg;
	long fields;
	struct g_err failure;
	int failed;
};

static void told(const struct g_user_rows_table *t, void *arg)
{
	struct tally *y = arg;

	if (y->m->ntables < G_ACCOUNT_MOVE_TABLES)
		y->m->tables[y->m->ntables++] = *t;
	if (y->m->told)
		y->m->told(t, y->arg);
}

/* g_vault_each over the target: the first field that does not open stops
 * the move. */
static int opened(const char *table, const char *column, const char *row_id, const char *plain,
		  size_t len, const struct g_err *failure, int unbound, void *arg)
{
	struct tally *y = arg;

	(void)plain;
	(void)len;
	(void)unbound;
	if (failure) {
		y->failure = *failure;
		g_err_prefix(&y->failure, "%s '%s' %s", table, row_id, column);
		y->failed = 1;
		return 1;
	}
	y->fields++;
	return 0;
}

/* The copy, inside both transactions: the user's row, every row below it,
 * the row's last columns, and every field opened where it now lies. */
static int copy(struct g_store *from, struct g_store *to, const struct g_user *u,
		struct g_user *t, const struct g_userkey *kt, struct tally *y, struct g_err *err)
{
	if (g_user_insert(to, t, err) < 0 ||
	    g_user_rows_copy(from, to, u->id, told, y, err) < 0 ||
	    finish_user_row(from, to, u, err) < 0)
		return -1;
	if (g_vault_each(to, kt, opened, y, err) < 0)
		return -1;
	if (y->failed)
		return g_err_set(err, y->failure.code,
				 "%s: nothing moved (run 'persona-encrypt verify' on the source)",
				 y->failure.msg);
	y->m->fields = y->fields;
	return 0;
}

/* The target committed: the user leaves the source (unless keep). */
static int leave_source(struct g_store *from, const struct g_user *u, int keep,
			struct g_err *err)
{
	if (keep) {
		g_store_rollback(from);
		return 0;
	}
	if (g_account_delete_rows(from, u, err) < 0 || g_store_commit(from, err) < 0) {
		g_store_rollback(from);
		return g_err_prefix(err, "user '%s' is in both stores now (the target's copy is "
					 "whole): deleting from the source failed",
				    u->username);
	}
	g_account_forget_key(from, u);
	return 0;
}

static int move_keyed(struct g_store *from, struct g_store *to, struct g_user *u,
		      struct g_account_move *m, const struct g_userkey *k,
		      const struct g_secret *pass, const struct g_account_ask *a, struct g_err *err)
{
	struct tally y = { m, a->arg, 0, { 0 }, 0 };
	char recovery[G_RECOVERY_TEXT] = "";
	struct g_userkey kt = *k; /* the same DEK, named for the target */
	struct g_user t;
	int rc = -1;

	snprintf(kt.db_id, sizeof(kt.db_id), "%s", to->db_id);
	if (target_user(u, &t, err) < 0 ||
	    wrap_for_target(from, u, &kt, pass, a, &t, recovery, &m->new_recovery, err) < 0) {
		g_user_release(&t);
		return -1;
	}
	if (g_user_begin_write(from, u->id, u->username, u->dek_version, err) < 0) {
		g_user_release(&t);
		sodium_memzero(recovery, sizeof(recovery));
		return -1;
	}
	if (source_unchanged(from, u, err) == 0 && g_store_begin(to, err) == 0) {
		rc = copy(from, to, u, &t, &kt, &y, err);
		if (rc == 0 && m->new_recovery && a->deliver)
			rc = a->deliver(&t, NULL, recovery, a->arg, err);
		if (rc < 0 || a->dry_run) {
			g_store_rollback(to);
		} else if ((rc = g_store_commit(to, err)) < 0) {
			g_store_rollback(to);
			g_err_prefix(err, "nothing moved%s",
				     m->new_recovery ? ": the recovery key printed is void" : "");
		}
	}
	if (rc == 0 && !a->dry_run)
		rc = leave_source(from, u, m->keep, err);
	else
		g_store_rollback(from);
	sodium_memzero(recovery, sizeof(recovery));
	g_user_release(&t);
	return rc;
}

int g_account_move_asked(struct g_store *from, struct g_store *to, struct g_user *u,
			 struct g_account_move *m, const struct g_account_ask *a,
			 struct g_err *err)
{
	struct g_secret pass = { NULL, 0 };
	struct g_user there;
	struct g_userkey k;
	int rc;

	m->ntables = 0;
	m->fields = 0;
	m->new_recovery = 0;
	if (strcmp(from->db_id, to->db_id) == 0)
		return g_err_set(err, G_EX_USAGE, "--to: user '%s' is in that store already",
				 u->username);
	/* refused before a passphrase is asked or anything written */
	rc = g_user_find(to, u->username, &there, err);
	if (rc == 0) {
		g_user_release(&there);
		return g_err_set(err, G_EX_DATAERR,
				 "--to: user '%s' exists in the target store: nothing moved",
				 u->username);
	}
	if (err->code != G_EX_NOINPUT)
		return -1;
	if (g_userkey_check_passphrase(from->db_id, u, a->secrets, &pass, &k, err) < 0)
		return -1;
	if (a->key_read)
		a->key_read(u, &k, a->arg);
	rc = move_keyed(from, to, u, m, &k, &pass, a, err);
	g_secret_release(&pass);
	g_userkey_release(&k);
	return rc;
}

json_t *g_account_move_record(const struct g_user *u, const struct g_account_move *m,
			      char recovery[G_RECOVERY_TEXT], int dry_run)
{
	/* the user's words for the tables, in the order copied */
	static const char *const names[][2] = {
		{ "characters", "characters" }, { "user_personas", "personas" },
		{ "chat_sessions", "sessions" }, { "chat_messages", "messages" },
		{ "chat_swipes", "swipes" },     { "lorebooks", "books" },
		{ "lore_bindings", "attachments" },
	};
	json_t *rec = g_account_recovery_record(u, NULL, recovery, dry_run || !*recovery);
	json_t *rows = json_object();
	size_t i, j;
	int bad = !rec || !rows;

	for (i = 0; i < m->ntables && !bad; i++)
		for (j = 0; j < sizeof(names) / sizeof(*names); j++)
			if (strcmp(m->tables[i].table, names[j][0]) == 0)
				bad = json_object_set_new(rows, names[j][1],
							  json_integer(m->tables[i].rows)) < 0;
	bad = bad || json_object_set_new(rec, "kind", json_string("user_moved")) < 0 ||
	      /* the target's row has both wraps, whatever the source had */
	      json_object_set_new(rec, "recovery", json_true()) < 0 ||
	      json_object_set_new(rec, "moved", rows) < 0 ||
	      json_object_set_new(rec, "fields_checked", json_integer(m->fields)) < 0 ||
	      json_object_set_new(rec, "source", json_string(m->keep ? "kept" : "deleted")) < 0 ||
	      json_object_set_new(rec, "dry_run", json_boolean(dry_run)) < 0;
	if (bad) {
		g_account_recovery_record_free(rec);
		return NULL;
	}
	return rec;
}
