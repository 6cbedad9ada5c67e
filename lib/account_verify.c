/* account_verify.c: counting a user's encrypted fields, re-sealing the
 * unbound ones, and the verdict. */
#include "account_verify.h"

#include <string.h>

#include "user.h"
#include "vault.h"

struct walk {
	struct g_account_verify *v;
	g_account_verify_fn *failed;
	void *arg;
};

static int count_field(const char *table, const char *column, const char *row_id,
		       const char *plain, size_t len, const struct g_err *failure,
		       int unbound, void *arg)
{
	struct walk *w = arg;

	(void)plain;
	(void)len;
	w->v->fields++;
	if (failure) {
		w->v->failed++;
		if (w->failed)
			w->failed(table, column, row_id, failure, w->arg);
	}
	w->v->unbound += unbound;
	return 0;
}

/* The unbound fields re-sealed bound, in one transaction. */
static int fix_all(struct g_store *s, const struct g_userkey *k, int dry_run, struct walk *w,
		   struct g_err *err)
{
	/* the key was read before the lock: a rekey may have retired it */
	if (g_user_begin_write(s, k->user_id, k->username, k->dek_version, err) < 0)
		return -1;
	w->v->resealed = g_vault_rebind(s, k, count_field, w, err);
	if (w->v->resealed < 0 || dry_run)
		g_store_rollback(s);
	else if (g_store_commit(s, err) < 0)
		return -1;
	return w->v->resealed < 0 ? -1 : 0;
}

int g_account_verify_run(struct g_store *s, const struct g_userkey *k, int fix, int dry_run,
			 struct g_account_verify *v, g_account_verify_fn *failed, void *arg,
			 struct g_err *err)
{
	struct walk w = { v, failed, arg };

	memset(v, 0, sizeof(*v));
	if (fix)
		return fix_all(s, k, dry_run, &w, err);
	return g_vault_each(s, k, count_field, &w, err) < 0 ? -1 : 0;
}

json_t *g_account_verify_record(const struct g_account_verify *v, const char *username, int fix)
{
	json_t *rec = json_pack("{s:s, s:s, s:I, s:I, s:I}", "kind", "verify", "user", username,
				"fields", (json_int_t)v->fields, "failed", (json_int_t)v->failed,
				"unbound", (json_int_t)v->unbound);

	if (rec && fix && json_object_set_new(rec, "resealed", json_integer(v->resealed)) < 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

int g_account_verify_verdict(const struct g_account_verify *v, const char *username, int fix,
			     struct g_err *err)
{
	if (v->failed)
		return g_err_set(err, G_EX_DATAERR,
				 "%ld of %ld encrypted fields of '%s' fail their integrity check",
				 v->failed, v->fields, username);
	if (v->unbound && !fix)
		return g_err_set(err, G_EX_DATAERR, "%ld encrypted field%s of '%s' %s " G_VAULT_UNBOUND,
				 v->unbound, v->unbound == 1 ? "" : "s", username,
				 v->unbound == 1 ? "is" : "are");
	return 0;
}
