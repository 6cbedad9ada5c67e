/* ref.c: id, id prefix or name to one row. */
#include "ref.h"

#include <stdio.h>
#include <string.h>

/* Candidates found so far, and what a name is matched against. */
struct found {
	struct g_ref_found c;
	const char *ref;
	enum g_cardkind looking;
};

void g_ref_found_add(struct g_ref_found *f, const char *what, int kind, const char *id)
{
	size_t used = strlen(f->list);

	if (f->n == 0) {
		f->kind = kind;
		snprintf(f->id, G_UUID_LEN, "%s", id);
	}
	/* only the first few are listed */
	if (used + 60 < sizeof(f->list))
		snprintf(f->list + used, sizeof(f->list) - used, "%s%s %s", f->n ? ", " : "",
			 what, id);
	f->n++;
}

int g_ref_found_one(const struct g_ref_found *f, const char *ref, char id[G_UUID_LEN],
		    struct g_err *err)
{
	if (f->n == 1) {
		snprintf(id, G_UUID_LEN, "%s", f->id);
		return 0;
	}
	if (f->n > 1)
		return g_err_set(err, G_EX_DATAERR, "'%s' is ambiguous: %d match (%s%s)", ref, f->n,
				 f->list, strlen(f->list) + 60 >= sizeof(f->list) ? ", ..." : "");
	return 1;
}

static void add(struct found *f, enum g_cardkind kind, const char *id)
{
	g_ref_found_add(&f->c, g_cardkind_name(kind), (int)kind, id);
}

static char fold(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

void g_ref_name_fold(const char *name, char *out, size_t size)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++)
		out[i] = fold(name[i]);
	out[i] = '\0';
}

/* Names are the same when they are of the same length and their folds
 * are equal, byte for byte: a NUL inside one or a long common beginning
 * does not make two names one. */
static int match_name(const char *id, const char *name, size_t len, int64_t rowid, void *arg)
{
	struct found *f = arg;
	size_t i;

	(void)rowid;
	if (len != strlen(f->ref))
		return 0;
	for (i = 0; i < len; i++)
		if (fold(name[i]) != fold(f->ref[i]))
			return 0;
	add(f, f->looking, id);
	return 0;
}

int g_ref_looks_like_id(const char *ref)
{
	size_t i;

	for (i = 0; ref[i]; i++)
		if (!((ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'f') ||
		      ref[i] == '-'))
			return 0;
	return i >= 4 && i < G_UUID_LEN;
}

/* exact ids, or prefixes: rows of kind whose id starts with ref */
static int match_ids(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
		     const char *ref, int exact, struct found *f, struct g_err *err)
{
	char sql[160];
	struct g_db_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE user_id = ?1 AND %s ORDER BY id",
		 g_cardkind_table(kind),
		 exact ? "id = ?2" : "substr(id, 1, length(?2)) = ?2");
	rc = g_db_prepare(s->db, sql, &st);
	if (rc != G_DB_OK)
		return g_store_error(s, rc, "looking up an id", err);
	g_db_bind_str(st, 1, k->user_id);
	g_db_bind_str(st, 2, ref);
	while ((rc = g_db_step(st)) == G_DB_ROW)
		add(f, kind, g_db_column_text(st, 0));
	g_db_finalize(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "looking up an id", err);
}

int g_ref_resolve(struct g_store *s, const struct g_userkey *k, int kinds,
		      const char *ref, enum g_cardkind *kind, char id[G_UUID_LEN],
		      struct g_err *err)
{
	static const enum g_cardkind order[] = { G_CHARACTER, G_PERSONA };
	const char *what = kinds == G_REF_PERSONAS ? "persona"
			   : kinds == G_REF_CHARACTERS ? "character" : "character or persona";
	struct found f;
	int pass, i, rc;

	/* an exact id, then an id prefix, then a name: the first that finds */
	for (pass = 0; pass < 3; pass++) {
		memset(&f, 0, sizeof(f));
		f.ref = ref;
		if (pass < 2 && !g_ref_looks_like_id(ref))
			continue;
		for (i = 0; i < 2; i++) {
			if (!(kinds & (1 << i)))
				continue;
			f.looking = order[i];
			if ((pass < 2 ? match_ids(s, k, order[i], ref, pass == 0, &f, err)
				      : g_card_row_names(s, k, order[i], 0, match_name, &f, err)) < 0)
				return -1;
		}
		if ((rc = g_ref_found_one(&f.c, ref, id, err)) <= 0) {
			*kind = (enum g_cardkind)f.c.kind;
			return rc;
		}
	}
	return g_err_set(err, G_EX_NOINPUT, "no such %s '%s'", what, ref);
}
