/* cardnames.c: a user's card names, learnt once and kept up to date. */
#include "cardnames.h"

#include <stdlib.h>
#include <string.h>

#include "cardref.h"

struct g_cardnames {
	json_t *names[2];      /* per kind: folded name -> [ids] */
	int64_t last_rowid[2]; /* per kind: the last row learnt */
};

struct g_cardnames *g_cardnames_new(void)
{
	struct g_cardnames *n = calloc(1, sizeof(*n));

	if (n && (!(n->names[0] = json_object()) || !(n->names[1] = json_object()))) {
		g_cardnames_free(n);
		return NULL;
	}
	return n;
}

void g_cardnames_free(struct g_cardnames *n)
{
	if (!n)
		return;
	json_decref(n->names[0]);
	json_decref(n->names[1]);
	free(n);
}

int g_cardnames_add(struct g_cardnames *n, enum g_cardkind kind, const char *id,
		    const char *name)
{
	char key[G_NAME_FOLD_MAX];
	const json_t *known;
	json_t *ids;
	size_t i;

	g_name_fold(name, key, sizeof(key));
	ids = json_object_get(n->names[kind], key);
	if (!ids && (!(ids = json_array()) || json_object_set_new(n->names[kind], key, ids) < 0))
		return -1;
	json_array_foreach(ids, i, known)
		if (strcmp(json_string_value(known), id) == 0)
			return 0;
	return json_array_append_new(ids, json_string(id));
}

struct learn {
	struct g_cardnames *n;
	enum g_cardkind kind;
	int failed;
};

static int learn(const char *id, const char *name, size_t len, int64_t rowid, void *arg)
{
	struct learn *l = arg;

	(void)len;
	l->n->last_rowid[l->kind] = rowid;
	if (g_cardnames_add(l->n, l->kind, id, name) < 0) {
		l->failed = 1;
		return 1;
	}
	return 0;
}

int g_cardnames_refresh(struct g_cardnames *n, struct g_store *s,
			const struct g_userkey *k, struct g_err *err)
{
	int kind;

	for (kind = 0; kind < 2; kind++) {
		struct learn l = { n, (enum g_cardkind)kind, 0 };

		if (g_cardrow_names(s, k, (enum g_cardkind)kind, n->last_rowid[kind], learn, &l,
				    err) < 0)
			return -1;
		if (l.failed)
			return g_err_set(err, G_EX_SOFTWARE, "out of memory");
	}
	return 0;
}

const json_t *g_cardnames_ids(const struct g_cardnames *n, enum g_cardkind kind,
			      const char *name)
{
	char key[G_NAME_FOLD_MAX];

	g_name_fold(name, key, sizeof(key));
	return json_object_get(n->names[kind], key);
}

void g_cardnames_clear(struct g_cardnames *n)
{
	json_object_clear(n->names[0]);
	json_object_clear(n->names[1]);
	n->last_rowid[0] = n->last_rowid[1] = 0;
}
