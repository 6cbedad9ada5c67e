/* card_names.c: a user's card names, learnt once and kept up to date. */
#include "card_names.h"

#include <stdlib.h>
#include <string.h>

#include "ref.h"

struct g_card_names {
	json_t *names[2];      /* per kind: folded name -> [ids] */
	int64_t last_rowid[2]; /* per kind: the last row learnt */
};

struct g_card_names *g_card_names_new(void)
{
	struct g_card_names *n = calloc(1, sizeof(*n));

	if (n && (!(n->names[0] = json_object()) || !(n->names[1] = json_object()))) {
		g_card_names_free(n);
		return NULL;
	}
	return n;
}

void g_card_names_free(struct g_card_names *n)
{
	if (!n)
		return;
	json_decref(n->names[0]);
	json_decref(n->names[1]);
	free(n);
}

int g_card_names_add(struct g_card_names *n, enum g_cardkind kind, const char *id,
		    const char *name)
{
	char key[G_NAME_FOLD_MAX];
	const json_t *known;
	json_t *ids;
	size_t i;

	g_ref_name_fold(name, key, sizeof(key));
	ids = json_object_get(n->names[kind], key);
	if (!ids && (!(ids = json_array()) || json_object_set_new(n->names[kind], key, ids) < 0))
		return -1;
	json_array_foreach(ids, i, known)
		if (strcmp(json_string_value(known), id) == 0)
			return 0;
	return json_array_append_new(ids, json_string(id));
}

struct learn {
	struct g_card_names *n;
	enum g_cardkind kind;
	int failed;
};

static int learn(const char *id, const char *name, size_t len, int64_t rowid, void *arg)
{
	struct learn *l = arg;

	(void)len;
	l->n->last_rowid[l->kind] = rowid;
	if (g_card_names_add(l->n, l->kind, id, name) < 0) {
		l->failed = 1;
		return 1;
	}
	return 0;
}

int g_card_names_refresh(struct g_card_names *n, struct g_store *s,
			const struct g_userkey *k, struct g_err *err)
{
	int kind;

	for (kind = 0; kind < 2; kind++) {
		struct learn l = { n, (enum g_cardkind)kind, 0 };

		if (g_card_row_names(s, k, (enum g_cardkind)kind, n->last_rowid[kind], learn, &l,
				    err) < 0)
			return -1;
		if (l.failed)
			return g_err_oom(err);
	}
	return 0;
}

const json_t *g_card_names_ids(const struct g_card_names *n, enum g_cardkind kind,
			      const char *name)
{
	char key[G_NAME_FOLD_MAX];

	g_ref_name_fold(name, key, sizeof(key));
	return json_object_get(n->names[kind], key);
}

void g_card_names_clear(struct g_card_names *n)
{
	json_object_clear(n->names[0]);
	json_object_clear(n->names[1]);
	n->last_rowid[0] = n->last_rowid[1] = 0;
}
