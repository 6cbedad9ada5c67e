/* vault.c: sealing and opening encrypted columns in place. */
#include "vault.h"

#include <stdlib.h>
#include <string.h>

#define CARD_COLUMNS                                                        \
	"origin", "name", "description", "personality", "scenario",         \
		"first_mes", "mes_example", "creator_notes", "system_prompt", \
		"post_history_instructions", "alternate_greetings",           \
		"group_only_greetings", "tags", "creator",                    \
		"character_version", "nickname",                              \
		"creator_notes_multilingual", "source", "assets",             \
		"character_book", "extensions", "card_raw", "avatar",     \
		"extra"

static const char *const card_columns[] = { CARD_COLUMNS, NULL };
static const char *const session_columns[] = { "title", "stop", NULL };
static const char *const message_columns[] = { "content", "speaker_name", NULL };

const struct g_vault_table g_vault_tables[] = {
	{ "characters", card_columns },
	{ "user_personas", card_columns },
	{ "chat_sessions", session_columns },
	{ "chat_messages", message_columns },
	{ NULL, NULL },
};

int g_vault_known(const char *table, const char *column)
{
	const struct g_vault_table *t;
	const char *const *c;

	for (t = g_vault_tables; t->name; t++)
		if (strcmp(t->name, table) == 0)
			for (c = t->columns; *c; c++)
				if (strcmp(*c, column) == 0)
					return 1;
	return 0;
}

static int unknown(const char *table, const char *column, struct g_err *err)
{
	return g_err_set(err, G_EX_SOFTWARE, "'%s.%s' is not an encrypted column",
			 table, column);
}

static void field_ad(const struct g_userkey *k, const char *table,
		     const char *column, const char *row_id, struct g_field_ad *ad)
{
	ad->table = table;
	ad->column = column;
	ad->row_id = row_id;
	ad->owner_id = k->user_id;
	ad->dek_version = k->dek_version;
}

/* UPDATE one column pair of one row of k's user; 66 if it changed none. */
static int write_sealed(struct g_store *s, const struct g_userkey *k,
			const char *table, const char *column, const char *row_id,
			const unsigned char *sealed, size_t len,
			const unsigned char *nonce, struct g_err *err)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql),
		 "UPDATE %s SET %s = ?1, %s_nonce = ?2 WHERE id = ?3 AND user_id = ?4",
		 table, column, column);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return g_store_error(s, rc, "storing an encrypted field", err);
	if (sealed) {
		sqlite3_bind_blob(st, 1, sealed, (int)len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, nonce, G_NONCE_BYTES, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 3, row_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return g_store_error(s, rc, "storing an encrypted field", err);
	if (sqlite3_changes(s->db) != 1)
		return g_err_set(err, G_EX_NOINPUT, "no such row '%s' in %s", row_id,
				 table);
	return 0;
}

int g_vault_put(struct g_store *s, const struct g_userkey *k, const char *table,
		const char *column, const char *row_id, const void *plain,
		size_t len, struct g_err *err)
{
	unsigned char nonce[G_NONCE_BYTES];
	unsigned char *sealed = NULL;
	struct g_field_ad ad;
	size_t sealed_len = 0;
	int rc;

	if (!g_vault_known(table, column))
		return unknown(table, column, err);
	if (plain) {
		field_ad(k, table, column, row_id, &ad);
		if (g_seal(k->dek, &ad, plain, len, &sealed, &sealed_len, nonce, err) < 0)
			return -1;
	}
	rc = write_sealed(s, k, table, column, row_id, sealed, sealed_len, nonce, err);
	free(sealed);
	return rc;
}

static int open_column(const struct g_userkey *k, const char *table,
		       const char *column, const char *row_id, sqlite3_stmt *st,
		       int col, char **plain, size_t *len, struct g_err *err)
{
	const unsigned char *sealed = sqlite3_column_blob(st, col);
	const unsigned char *nonce = sqlite3_column_blob(st, col + 1);
	int sealed_len = sqlite3_column_bytes(st, col);
	int nonce_len = sqlite3_column_bytes(st, col + 1);
	struct g_field_ad ad;

	if (sqlite3_column_type(st, col) == SQLITE_NULL &&
	    sqlite3_column_type(st, col + 1) == SQLITE_NULL)
		return 0;
	field_ad(k, table, column, row_id, &ad);
	if (g_open(k->dek, &ad, sealed, (size_t)sealed_len, nonce, (size_t)nonce_len,
		   plain, len, err) < 0)
		return -1;
	return 1;
}

void g_sealed_release(struct g_sealed *x)
{
	free(x->data);
	x->data = NULL;
	x->len = 0;
}

int g_vault_seal(const struct g_userkey *k, const char *table, const char *column,
		 const char *row_id, const void *plain, size_t len, struct g_sealed *out,
		 struct g_err *err)
{
	struct g_field_ad ad;

	out->data = NULL;
	out->len = 0;
	if (!g_vault_known(table, column))
		return unknown(table, column, err);
	if (!plain)
		return 0;
	field_ad(k, table, column, row_id, &ad);
	return g_seal(k->dek, &ad, plain, len, &out->data, &out->len, out->nonce, err);
}

void g_vault_bind(sqlite3_stmt *st, int idx, const struct g_sealed *x)
{
	if (!x->data) {
		sqlite3_bind_null(st, idx);
		sqlite3_bind_null(st, idx + 1);
		return;
	}
	sqlite3_bind_blob(st, idx, x->data, (int)x->len, SQLITE_STATIC);
	sqlite3_bind_blob(st, idx + 1, x->nonce, G_NONCE_BYTES, SQLITE_STATIC);
}

int g_vault_open_at(const struct g_userkey *k, const char *table, const char *column,
		    const char *row_id, sqlite3_stmt *st, int col, char **plain, size_t *len,
		    struct g_err *err)
{
	int rc = open_column(k, table, column, row_id, st, col, plain, len, err);

	if (rc < 0)
		g_err_prefix(err, "%s '%s' %s", table, row_id, column);
	return rc;
}

int g_vault_get(struct g_store *s, const struct g_userkey *k, const char *table,
		const char *column, const char *row_id, char **plain, size_t *len,
		struct g_err *err)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc;

	if (!g_vault_known(table, column))
		return unknown(table, column, err);
	snprintf(sql, sizeof(sql),
		 "SELECT %s, %s_nonce FROM %s WHERE id = ?1 AND user_id = ?2",
		 column, column, table);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return g_store_error(s, rc, "reading an encrypted field", err);
	sqlite3_bind_text(st, 1, row_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = open_column(k, table, column, row_id, st, 0, plain, len, err);
		if (rc < 0)
			g_err_prefix(err, "%s '%s' %s", table, row_id, column);
	} else if (rc == SQLITE_DONE) {
		rc = g_err_set(err, G_EX_NOINPUT, "no such row '%s' in %s", row_id, table);
	} else {
		rc = g_store_error(s, rc, "reading an encrypted field", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* SELECT id, c1, c1_nonce, c2, c2_nonce, ... FROM t WHERE user_id = ? */
static sqlite3_stmt *select_all(struct g_store *s, const struct g_vault_table *t,
				const char *user_id, struct g_err *err)
{
	char sql[4096];
	size_t n;
	const char *const *c;
	sqlite3_stmt *st;
	int rc;

	n = (size_t)snprintf(sql, sizeof(sql), "SELECT id");
	for (c = t->columns; *c && n < sizeof(sql); c++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s, %s_nonce", *c, *c);
	if (n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n,
			 " FROM %s WHERE user_id = ?1 ORDER BY id", t->name);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		g_store_error(s, rc, "reading encrypted fields", err);
		return NULL;
	}
	sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
	return st;
}

int g_vault_each(struct g_store *s, const struct g_userkey *k, g_vault_fn fn,
		 void *arg, struct g_err *err)
{
	const struct g_vault_table *t;
	const char *const *c;
	struct g_err failure;
	sqlite3_stmt *st;
	char *plain;
	size_t len;
	int rc, step = SQLITE_DONE, col, stop = 0;

	for (t = g_vault_tables; t->name && !stop; t++) {
		if (!(st = select_all(s, t, k->user_id, err)))
			return -1;
		while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW) {
			const char *row_id = (const char *)sqlite3_column_text(st, 0);

			for (c = t->columns, col = 1; *c && !stop; c++, col += 2) {
				g_err_clear(&failure);
				plain = NULL;
				len = 0;
				rc = open_column(k, t->name, *c, row_id, st, col, &plain,
						 &len, &failure);
				if (rc != 0)
					stop = fn(t->name, *c, row_id, plain, len,
						  rc < 0 ? &failure : NULL, arg);
				free(plain);
			}
		}
		sqlite3_finalize(st);
		if (!stop && step != SQLITE_DONE)
			return g_store_error(s, step, "reading encrypted fields", err);
	}
	return stop;
}

struct rekey {
	struct g_store *s;
	const struct g_userkey *new_key;
	struct g_err *err;
	long count;
	int failed;
};

static int rekey_field(const char *table, const char *column, const char *row_id,
		       const char *plain, size_t len, const struct g_err *failure,
		       void *arg)
{
	struct rekey *r = arg;

	if (failure) {
		*r->err = *failure;
		g_err_prefix(r->err, "%s '%s' %s", table, row_id, column);
		r->failed = 1;
		return 1;
	}
	if (g_vault_put(r->s, r->new_key, table, column, row_id, plain, len, r->err) < 0) {
		r->failed = 1;
		return 1;
	}
	r->count++;
	return 0;
}

long g_vault_rekey(struct g_store *s, const struct g_userkey *old,
		   const struct g_userkey *new_key, struct g_err *err)
{
	struct rekey r = { s, new_key, err, 0, 0 };

	if (g_vault_each(s, old, rekey_field, &r, err) < 0 || r.failed)
		return -1;
	return r.count;
}
