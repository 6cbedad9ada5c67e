/* card_list.c: the records of persona list. */
#include "card_list.h"

#include <stdlib.h>
#include <string.h>

#include "card_row.h"
#include "ref.h"
#include "vault.h"

struct lister {
	struct g_context *ctx;
	enum g_cardkind kind;
	char default_id[G_UUID_LEN];
	g_card_list_fn fn;
	void *arg;
	struct g_err *err;
	int rc;
};

static int list_row(const char *id, const char *name, size_t name_len, int64_t rowid, void *arg)
{
	struct lister *l = arg;
	json_t *rec = g_card_row_summary(l->kind, id, name, name_len, NULL), *origin = NULL;
	char *plain = NULL;
	size_t len;
	int rc;

	(void)rowid;
	rc = g_vault_get(l->ctx->store, &l->ctx->key, g_cardkind_table(l->kind), "origin", id,
			 &plain, &len, l->err);
	if (rc > 0)
		origin = json_loadb(plain, len, 0, NULL);
	free(plain);
	/* no record: a stored name jansson will not take (not UTF-8, from
	 * before names were checked) is left out of the list, as it always was */
	if (rc >= 0 && rec) {
		json_t *file = json_object_get(origin, "file");

		json_object_set(rec, "source", json_is_string(file) ? file : json_null());
		if (l->kind == G_PERSONA)
			json_object_set_new(rec, "default",
					    json_boolean(strcmp(id, l->default_id) == 0));
		rc = l->fn(rec, l->arg, l->err) ? -1 : 0;
	}
	json_decref(origin);
	json_decref(rec);
	l->rc = rc < 0 ? -1 : 0;
	return l->rc;
}

int g_card_list(struct g_context *ctx, int kinds, g_card_list_fn fn, void *arg,
		struct g_err *err)
{
	struct lister l = { ctx, G_PERSONA, "", fn, arg, err, 0 };

	if (g_user_default_persona(ctx->store, &ctx->user, l.default_id, err) < 0)
		return -1;
	if ((kinds & G_REF_PERSONAS) &&
	    (g_card_row_names(ctx->store, &ctx->key, G_PERSONA, 0, list_row, &l, err) < 0 ||
	     l.rc < 0))
		return -1;
	l.kind = G_CHARACTER;
	if ((kinds & G_REF_CHARACTERS) &&
	    (g_card_row_names(ctx->store, &ctx->key, G_CHARACTER, 0, list_row, &l, err) < 0 ||
	     l.rc < 0))
		return -1;
	return 0;
}
