/* lore_bind.c: where a lorebook is attached, and the books of a target. */
#include "lore_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per target: its column in lore_bindings, its table, its name. The
 * column and table names are this fixed list; nothing from outside. */
static const struct {
	const char *column, *table, *what;
} targets[] = {
	[G_LORE_TO_SESSION] = { "session_id", "chat_sessions", "session" },
	[G_LORE_TO_PERSONA] = { "persona_id", "user_personas", "persona" },
	[G_LORE_TO_CHARACTER] = { "character_id", "characters", "character" },
	[G_LORE_TO_GLOBAL] = { NULL, NULL, "global" },
};

/* "session_id = ?N" (N: param), or for global no target column set */
static void where_target(enum g_lore_target t, int param, char *out, size_t size)
{
	if (t == G_LORE_TO_GLOBAL)
		snprintf(out, size, "session_id IS NULL AND persona_id IS NULL AND "
				    "character_id IS NULL");
	else
		snprintf(out, size, "%s = ?%d", targets[t].column, param);
}

static int step_done(struct g_store *s, struct g_db_stmt *st, const char *what, struct g_err *err)
{
	int rc = g_db_step(st);

	g_db_finalize(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, what, err);
}

/* 1 when k's user has row id in table, 0 not, -1 error */
static int owned(struct g_store *s, const struct g_userkey *k, const char *table,
		 const char *id, struct g_err *err)
{
	char sql[128];
	struct g_db_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ?1 AND user_id = ?2", table);
	if ((rc = g_db_prepare(s->db, sql, &st)) != G_DB_OK)
		return g_store_error(s, rc, "lore bindings", err);
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	rc = g_db_step(st);
	g_db_finalize(st);
	if (rc == G_DB_ROW || rc == G_DB_DONE)
		return rc == G_DB_ROW;
	return g_store_error(s, rc, "lore bindings", err);
}

static int check_both(struct g_store *s, const struct g_userkey *k, const char *book_id,
		      enum g_lore_target t, const char *id, struct g_err *err)
{
	int rc = owned(s, k, "lorebooks", book_id, err);

	if (rc == 0)
		return g_err_set(err, G_EX_NOINPUT, "no such lorebook '%s'", book_id);
	if (rc > 0 && t != G_LORE_TO_GLOBAL && (rc = owned(s, k, targets[t].table, id, err)) == 0)
		return g_err_set(err, G_EX_NOINPUT, "no such %s '%s'", targets[t].what, id);
	return rc < 0 ? -1 : 0;
}

int g_lore_store_attach(struct g_store *s, const struct g_userkey *k, const char *book_id,
			enum g_lore_target t, const char *id, struct g_err *err)
{
	char sql[256], now[G_TIMESTAMP_LEN];
	struct g_db_stmt *st;
	int rc;

	if (check_both(s, k, book_id, t, id, err) < 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO lore_bindings (book_id, user_id, created_at%s%s) "
		 "VALUES (?1, ?2, ?3%s) ON CONFLICT DO NOTHING",
		 t == G_LORE_TO_GLOBAL ? "" : ", ", t == G_LORE_TO_GLOBAL ? "" : targets[t].column,
		 t == G_LORE_TO_GLOBAL ? "" : ", ?4");
	if ((rc = g_db_prepare(s->db, sql, &st)) != G_DB_OK)
		return g_store_error(s, rc, "attaching a lorebook", err);
	g_timestamp_now(now);
	g_db_bind_str(st, 1, book_id);
	g_db_bind_str(st, 2, k->user_id);
	g_db_bind_str(st, 3, now);
	if (t != G_LORE_TO_GLOBAL)
		g_db_bind_str(st, 4, id);
	if (step_done(s, st, "attaching a lorebook", err) < 0)
		return -1;
	return g_db_changes(s->db) == 1;
}

int g_lore_store_detach(struct g_store *s, const struct g_userkey *k, const char *book_id,
			enum g_lore_target t, const char *id, struct g_err *err)
{
	char sql[256], where[128];
	struct g_db_stmt *st;
	int rc;

	if (check_both(s, k, book_id, t, id, err) < 0)
		return -1;
	where_target(t, 3, where, sizeof(where));
	snprintf(sql, sizeof(sql),
		 "DELETE FROM lore_bindings WHERE book_id = ?1 AND user_id = ?2 AND %s", where);
	if ((rc = g_db_prepare(s->db, sql, &st)) != G_DB_OK)
		return g_store_error(s, rc, "detaching a lorebook", err);
	g_db_bind_str(st, 1, book_id);
	g_db_bind_str(st, 2, k->user_id);
	if (t != G_LORE_TO_GLOBAL)
		g_db_bind_str(st, 3, id);
	if (step_done(s, st, "detaching a lorebook", err) < 0)
		return -1;
	if (g_db_changes(s->db) == 0)
		return t == G_LORE_TO_GLOBAL
			       ? g_err_set(err, G_EX_NOINPUT, "lorebook '%s' is not global", book_id)
			       : g_err_set(err, G_EX_NOINPUT, "lorebook '%s' is not attached to %s '%s'",
					   book_id, targets[t].what, id);
	return 0;
}

json_t *g_lore_store_attachments(struct g_store *s, const struct g_userkey *k,
				 const char *book_id, struct g_err *err)
{
	json_t *list = json_array();
	struct g_db_stmt *st;
	int rc, i, failed = !list;

	rc = g_db_prepare(s->db,
			  "SELECT session_id, persona_id, character_id FROM "
			  "lore_bindings WHERE book_id = ?1 AND user_id = ?2 ORDER BY rowid",
			  &st);
	if (rc != G_DB_OK) {
		json_decref(list);
		g_store_error(s, rc, "lore bindings", err);
		return NULL;
	}
	g_db_bind_str(st, 1, book_id);
	g_db_bind_str(st, 2, k->user_id);
	while ((rc = g_db_step(st)) == G_DB_ROW) {
		json_t *one = json_object();

		for (i = 0; i < 3; i++)
			if (!g_db_column_is_null(st, i))
				break;
		failed |= !one ||
			  json_object_set_new(one, targets[i].what,
					      i < 3 ? json_string(g_db_column_text(st, i))
						    : json_true()) < 0 ||
			  json_array_append_new(list, one) < 0;
	}
	g_db_finalize(st);
	if (failed || rc != G_DB_DONE) {
		json_decref(list);
		if (failed)
			g_err_oom(err);
		else
			g_store_error(s, rc, "lore bindings", err);
		return NULL;
	}
	return list;
}

int g_lore_store_attached(struct g_store *s, const struct g_userkey *k, enum g_lore_target t,
			  const char *id, json_t *books, struct g_err *err)
{
	char sql[384], where[128];
	json_t *ids = json_array(), *one;
	struct g_db_stmt *st;
	size_t i;
	int rc, failed = 0;

	if (!ids)
		return g_err_oom(err);
	where_target(t, 2, where, sizeof(where));
	/* the ids first: loading a book runs statements of its own */
	snprintf(sql, sizeof(sql),
		 "SELECT book_id, EXISTS (SELECT 1 FROM lorebooks b WHERE b.id = book_id AND "
		 "b.user_id = ?1) FROM lore_bindings WHERE user_id = ?1 AND %s ORDER BY rowid",
		 where);
	if ((rc = g_db_prepare(s->db, sql, &st)) != G_DB_OK) {
		json_decref(ids);
		return g_store_error(s, rc, "lore bindings", err);
	}
	g_db_bind_str(st, 1, k->user_id);
	if (t != G_LORE_TO_GLOBAL)
		g_db_bind_str(st, 2, id);
	while (!failed && (rc = g_db_step(st)) == G_DB_ROW && g_db_column_int(st, 1))
		failed = json_array_append_new(
				 ids, json_string(g_db_column_text(st, 0))) < 0;
	g_db_finalize(st);
	if (failed) {
		json_decref(ids);
		return g_err_oom(err);
	}
	/* a row forced past the triggers: another user's book */
	if (rc == G_DB_ROW) {
		json_decref(ids);
		return t == G_LORE_TO_GLOBAL
			       ? g_err_set(err, G_EX_NOPERM,
					   "the global lorebooks bind what they may not: refused")
			       : g_err_set(err, G_EX_NOPERM,
					   "the lorebooks of %s '%s' bind what they may not: refused",
					   targets[t].what, id);
	}
	if (rc != G_DB_DONE) {
		json_decref(ids);
		return g_store_error(s, rc, "lore bindings", err);
	}
	json_array_foreach (ids, i, one) {
		struct g_lore_row r;

		if (g_lore_store_load(s, k, json_string_value(one), &r, err) < 0)
			break;
		rc = json_object_set_new(r.book, "name", json_string(r.name)) < 0 ||
		     json_object_set_new(r.book, "source", json_sprintf("lore:%s", r.id)) < 0 ||
		     json_array_append(books, r.book) < 0;
		g_lore_row_release(&r);
		if (rc) {
			g_err_oom(err);
			break;
		}
	}
	rc = i == json_array_size(ids) ? 0 : -1;
	json_decref(ids);
	return rc;
}
