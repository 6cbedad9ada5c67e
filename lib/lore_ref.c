/* lore_ref.c: a lorebook named on the command line, to its row. */
#include "lore_store.h"

#include <stdio.h>
#include <string.h>

static int match_ids(struct g_store *s, const struct g_userkey *k, const char *ref, int exact,
		     struct g_ref_found *f, struct g_err *err)
{
	struct g_db_stmt *st;
	int rc = g_db_prepare(s->db,
			      exact ? "SELECT id FROM lorebooks WHERE user_id = ?1 AND id = ?2"
				    : "SELECT id FROM lorebooks WHERE user_id = ?1 AND "
				      "substr(id, 1, length(?2)) = ?2 ORDER BY id",
			      &st);

	if (rc != G_DB_OK)
		return g_store_error(s, rc, "looking up an id", err);
	g_db_bind_str(st, 1, k->user_id);
	g_db_bind_str(st, 2, ref);
	while ((rc = g_db_step(st)) == G_DB_ROW)
		g_ref_found_add(f, "lorebook", 0, g_db_column_text(st, 0));
	g_db_finalize(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "looking up an id", err);
}

int g_lore_store_resolve(struct g_store *s, const struct g_userkey *k, const char *ref,
			 char id[G_UUID_LEN], struct g_err *err)
{
	struct g_ref_found f;
	int pass, rc;

	/* an exact id, then an id prefix, then a name: the first that finds */
	for (pass = 0; pass < 3; pass++) {
		memset(&f, 0, sizeof(f));
		if (pass < 2 && !g_ref_looks_like_id(ref))
			continue;
		if ((pass < 2 ? match_ids(s, k, ref, pass == 0, &f, err)
			      : g_lore_store_namesakes(s, k, ref, &f, err)) < 0)
			return -1;
		if ((rc = g_ref_found_one(&f, ref, id, err)) <= 0)
			return rc;
	}
	return g_err_set(err, G_EX_NOINPUT, "no such lorebook '%s'", ref);
}
