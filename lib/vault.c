/* vault.c: sealing and opening encrypted columns in place. */
#include "vault.h"

#include <stdlib.h>
#include <string.h>

#include "card_columns.h"

/* A card row's encrypted columns (card_columns.h) in the order of its
 * table, which the walk follows: the data fields at their places
 * (card_fields.h) among these; then NULL. */
static const char *const card_columns[G_CARD_COLUMNS + 1] = {
	[0] = "origin",
#define G_CARD_FIELD(name, type, required, column) [(column)] = #name,
#include "card_fields.h"
	[21] = "card_raw",
	[22] = "avatar",
	[23] = "extra",
	[24] = "lore_index",
};
static const char *const session_columns[] = { "title", "stop", "binding", "texts",
						"lore_state", NULL };
static const char *const session_bound[] = { "binding", NULL };
static const char *const session_binds[] = { "character_id", "active_custom_persona_id",
					      "active_impersonated_character_id", NULL };
static const char *const message_columns[] = { "content", "speaker_name", NULL };
static const char *const lorebook_columns[] = { "origin", "name", "book", NULL };
static const char *const message_binds[] = { "session_id", "seq", "role", "speaker_kind",
					      "speaker_id", NULL };
/* a message's other versions (its swipes): bound to the message's row,
 * whose own binds hold its session, seq and role, and to their index */
static const char *const swipe_binds[] = { "message_id", "swipe_index", "speaker_kind",
					    "speaker_id", NULL };

const struct g_vault_table g_vault_tables[] = {
	{ "characters", card_columns, NULL, NULL, NULL, NULL, NULL },
	{ "user_personas", card_columns, NULL, NULL, NULL, NULL, NULL },
	{ "chat_sessions", session_columns, session_bound, session_binds, NULL, NULL,
	  "binding" },
	{ "chat_messages", message_columns, message_columns, message_binds, "content",
	  "unset: a message always has content", NULL },
	{ "lorebooks", lorebook_columns, NULL, NULL, NULL, NULL, NULL },
	{ "chat_swipes", message_columns, message_columns, swipe_binds, "content",
	  "unset: a message always has content", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static int listed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static size_t count(const char *const *list)
{
	size_t n = 0;

	while (list && list[n])
		n++;
	return n;
}

static const struct g_vault_table *table_of(const char *table)
{
	const struct g_vault_table *t;

	for (t = g_vault_tables; t->name; t++)
		if (strcmp(t->name, table) == 0)
			return t;
	return NULL;
}

int g_vault_known(const char *table, const char *column)
{
	const struct g_vault_table *t = table_of(table);

	return t && listed(t->columns, column);
}

int g_vault_bound(const char *table, const char *column)
{
	const struct g_vault_table *t = table_of(table);

	return t && listed(t->bound, column);
}

static int unknown(const char *table, const char *column, struct g_err *err)
{
	return g_err_set(err, G_EX_SOFTWARE, "'%s.%s' is not an encrypted column",
			 table, column);
}

/* A bound column sealed or opened without its binds, or the reverse. */
static int check_bind(const char *table, const char *column, const char *const *bind,
		      struct g_err *err)
{
	if (!g_vault_known(table, column))
		return unknown(table, column, err);
	if (!bind != !g_vault_bound(table, column))
		return g_err_set(err, G_EX_SOFTWARE, "'%s.%s' is %sbound to its row", table,
				 column, bind ? "not " : "");
	return 0;
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

/* Seal for table.column: format 2 with bind (the table's binds' values),
 * else format 1; a card's lore index in parts (format 3) when it is
 * framed (lore_index.h: a form 3 or 4 index, which earlier builds wrote
 * and sealed whole, is not). */
static int seal(const struct g_userkey *k, const char *table, const char *column,
		const char *row_id, const char *const *bind, const void *plain, size_t len,
		struct g_sealed *out, struct g_err *err)
{
	struct g_bind b = { bind, bind ? count(table_of(table)->binds) : 0 };
	struct g_field_ad ad;

	field_ad(k, table, column, row_id, &ad);
	if (!bind && strcmp(column, "lore_index") == 0 && g_crypt_parts_sealed_len(plain, len))
		return g_crypt_seal_parts(k->dek, &ad, plain, len, &out->data, &out->len,
					  out->nonce, err);
	return g_crypt_seal_bound(k->dek, &ad, bind ? &b : NULL, plain, len, &out->data, &out->len,
			    out->nonce, err);
}

/* UPDATE one column pair of one row of k's user; 66 if it changed none. */
static int write_sealed(struct g_store *s, const struct g_userkey *k,
			const char *table, const char *column, const char *row_id,
			const struct g_sealed *x, struct g_err *err)
{
	char sql[256];
	struct g_db_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql),
		 "UPDATE %s SET %s = ?1, %s_nonce = ?2 WHERE id = ?3 AND user_id = ?4",
		 table, column, column);
	rc = g_db_prepare(s->db, sql, &st);
	if (rc != G_DB_OK)
		return g_store_error(s, rc, "storing an encrypted field", err);
	g_vault_bind(st, 1, x);
	g_db_bind_str(st, 3, row_id);
	g_db_bind_str(st, 4, k->user_id);
	rc = g_db_step(st);
	g_db_finalize(st);
	if (rc != G_DB_DONE)
		return g_store_error(s, rc, "storing an encrypted field", err);
	if (g_db_changes(s->db) != 1)
		return g_err_set(err, G_EX_NOINPUT, "no such row '%s' in %s", row_id,
				 table);
	return 0;
}

/* The binds of row_id of k's user, copied into vals (each freed by the
 * caller; NULL for SQL NULL): 66 no such row. */
static int row_binds(struct g_store *s, const struct g_userkey *k,
		     const struct g_vault_table *t, const char *row_id,
		     char *vals[G_VAULT_BINDS_MAX], struct g_err *err)
{
	char sql[512];
	size_t i, n = 0, nb = count(t->binds);
	struct g_db_stmt *st;
	int rc;

	memset(vals, 0, G_VAULT_BINDS_MAX * sizeof(*vals));
	n = (size_t)snprintf(sql, sizeof(sql), "SELECT 1");
	for (i = 0; i < nb && n < sizeof(sql); i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s", t->binds[i]);
	if (n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n, " FROM %s WHERE id = ?1 AND user_id = ?2",
			 t->name);
	rc = g_db_prepare(s->db, sql, &st);
	if (rc != G_DB_OK)
		return g_store_error(s, rc, "reading a row", err);
	g_db_bind_str(st, 1, row_id);
	g_db_bind_str(st, 2, k->user_id);
	rc = g_db_step(st);
	for (i = 0; rc == G_DB_ROW && i < nb; i++) {
		const char *v = g_db_column_text(st, (int)i + 1);

		if (v && !(vals[i] = strdup(v)))
			rc = G_DB_NOMEM;
	}
	g_db_finalize(st);
	if (rc == G_DB_ROW)
		return 0;
	for (i = 0; i < nb; i++)
		free(vals[i]);
	if (rc == G_DB_DONE)
		return g_err_set(err, G_EX_NOINPUT, "no such row '%s' in %s", row_id, t->name);
	return g_store_error(s, rc, "reading a row", err);
}

static void free_binds(char *vals[G_VAULT_BINDS_MAX])
{
	size_t i;

	for (i = 0; i < G_VAULT_BINDS_MAX; i++)
		free(vals[i]);
}

int g_vault_put(struct g_store *s, const struct g_userkey *k, const char *table,
		const char *column, const char *row_id, const void *plain,
		size_t len, struct g_err *err)
{
	struct g_sealed sealed = { 0 };
	char *vals[G_VAULT_BINDS_MAX] = { 0 };
	int bound = g_vault_bound(table, column), rc = 0;

	if (!g_vault_known(table, column))
		return unknown(table, column, err);
	if (bound && row_binds(s, k, table_of(table), row_id, vals, err) < 0)
		return -1;
	if (plain)
		rc = seal(k, table, column, row_id, bound ? (const char *const *)vals : NULL, plain,
			  len, &sealed, err);
	if (rc == 0)
		rc = write_sealed(s, k, table, column, row_id, &sealed, err);
	g_vault_sealed_release(&sealed);
	free_binds(vals);
	return rc;
}

/* The sealed pair at col, col + 1 of st: 1 opened (*unbound: a bound
 * column in format 1), 0 unset, -1 with err. */
static int open_column(const struct g_userkey *k, const char *table,
		       const char *column, const char *row_id, const char *const *bind,
		       struct g_db_stmt *st, int col, char **plain, size_t *len, int *unbound,
		       struct g_err *err)
{
	const unsigned char *sealed = g_db_column_blob(st, col);
	const unsigned char *nonce = g_db_column_blob(st, col + 1);
	size_t sealed_len = g_db_column_bytes(st, col);
	size_t nonce_len = g_db_column_bytes(st, col + 1);
	struct g_bind b = { bind, bind ? count(table_of(table)->binds) : 0 };
	struct g_field_ad ad;

	*unbound = 0;
	if (g_db_column_is_null(st, col) && g_db_column_is_null(st, col + 1))
		return 0;
	field_ad(k, table, column, row_id, &ad);
	if (g_crypt_open_bound(k->dek, &ad, bind ? &b : NULL, sealed, sealed_len, nonce,
			 nonce_len, plain, len, err) < 0)
		return -1;
	*unbound = bind && sealed[0] == G_SEAL_FORMAT;
	return 1;
}

/* open_column as a read takes it: a bound column must be bound, a
 * required one set, a binding there. */
static int open_read(const struct g_userkey *k, const char *table, const char *column,
		     const char *row_id, const char *const *bind, struct g_db_stmt *st, int col,
		     char **plain, size_t *len, struct g_err *err)
{
	const struct g_vault_table *t = table_of(table);
	/* only a user the upgrade found may have rows from before binding:
	 * anyone else's unbound row was altered, and --fix would not take it */
	const char *why = k->legacy_rows ? G_VAULT_UNBOUND : G_VAULT_ALTERED;
	int unbound, rc;

	rc = open_column(k, table, column, row_id, bind, st, col, plain, len, &unbound, err);

	if (rc == 0 && t->required && strcmp(column, t->required) == 0)
		rc = g_err_set(err, G_EX_DATAERR, "%s", t->unset_why);
	else if (rc == 0 && t->binding && strcmp(column, t->binding) == 0)
		rc = g_err_set(err, G_EX_DATAERR, "%s", why);
	else if (rc == 1 && unbound) {
		free(*plain);
		*plain = NULL;
		rc = g_err_set(err, G_EX_DATAERR, "%s", why);
	}
	return rc;
}

void g_vault_sealed_release(struct g_sealed *x)
{
	free(x->data);
	x->data = NULL;
	x->len = 0;
}

int g_vault_seal(const struct g_userkey *k, const char *table, const char *column,
		 const char *row_id, const void *plain, size_t len, struct g_sealed *out,
		 struct g_err *err)
{
	return g_vault_seal_bound(k, table, column, row_id, NULL, plain, len, out, err);
}

int g_vault_seal_bound(const struct g_userkey *k, const char *table, const char *column,
		       const char *row_id, const char *const *bind, const void *plain,
		       size_t len, struct g_sealed *out, struct g_err *err)
{
	out->data = NULL;
	out->len = 0;
	if (check_bind(table, column, bind, err) < 0)
		return -1;
	if (!plain)
		return 0;
	return seal(k, table, column, row_id, bind, plain, len, out, err);
}

void g_vault_bind(struct g_db_stmt *st, int idx, const struct g_sealed *x)
{
	if (!x->data) {
		g_db_bind_null(st, idx);
		g_db_bind_null(st, idx + 1);
		return;
	}
	g_db_bind_blob(st, idx, x->data, x->len);
	g_db_bind_blob(st, idx + 1, x->nonce, G_NONCE_BYTES);
}

int g_vault_open_at(const struct g_userkey *k, const char *table, const char *column,
		    const char *row_id, struct g_db_stmt *st, int col, char **plain, size_t *len,
		    struct g_err *err)
{
	return g_vault_open_bound_at(k, table, column, row_id, NULL, st, col, plain, len, err);
}

int g_vault_open_bound_at(const struct g_userkey *k, const char *table, const char *column,
			  const char *row_id, const char *const *bind, struct g_db_stmt *st, int col,
			  char **plain, size_t *len, struct g_err *err)
{
	int rc;

	if (check_bind(table, column, bind, err) < 0)
		return -1;
	rc = open_read(k, table, column, row_id, bind, st, col, plain, len, err);
	if (rc < 0)
		g_err_prefix(err, "%s '%s' %s", table, row_id, column);
	return rc;
}

int g_vault_get(struct g_store *s, const struct g_userkey *k, const char *table,
		const char *column, const char *row_id, char **plain, size_t *len,
		struct g_err *err)
{
	char *vals[G_VAULT_BINDS_MAX] = { 0 };
	int bound = g_vault_bound(table, column);
	char sql[256];
	struct g_db_stmt *st;
	int rc;

	if (!g_vault_known(table, column))
		return unknown(table, column, err);
	if (bound && row_binds(s, k, table_of(table), row_id, vals, err) < 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "SELECT %s, %s_nonce FROM %s WHERE id = ?1 AND user_id = ?2",
		 column, column, table);
	rc = g_db_prepare(s->db, sql, &st);
	if (rc != G_DB_OK) {
		free_binds(vals);
		return g_store_error(s, rc, "reading an encrypted field", err);
	}
	g_db_bind_str(st, 1, row_id);
	g_db_bind_str(st, 2, k->user_id);
	rc = g_db_step(st);
	if (rc == G_DB_ROW) {
		rc = open_read(k, table, column, row_id, bound ? (const char *const *)vals : NULL,
			       st, 0, plain, len, err);
		if (rc < 0)
			g_err_prefix(err, "%s '%s' %s", table, row_id, column);
	} else if (rc == G_DB_DONE) {
		rc = g_err_set(err, G_EX_NOINPUT, "no such row '%s' in %s", row_id, table);
	} else {
		rc = g_store_error(s, rc, "reading an encrypted field", err);
	}
	g_db_finalize(st);
	free_binds(vals);
	return rc;
}

/* SELECT id, b1, b2, ..., c1, c1_nonce, c2, c2_nonce, ... FROM t WHERE user_id = ? */
static struct g_db_stmt *select_all(struct g_store *s, const struct g_vault_table *t,
				const char *user_id, struct g_err *err)
{
	char sql[4096];
	size_t n;
	const char *const *c;
	struct g_db_stmt *st;
	int rc;

	n = (size_t)snprintf(sql, sizeof(sql), "SELECT id");
	for (c = t->binds; c && *c && n < sizeof(sql); c++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s", *c);
	for (c = t->columns; *c && n < sizeof(sql); c++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s, %s_nonce", *c, *c);
	if (n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n,
			 " FROM %s WHERE user_id = ?1 ORDER BY id", t->name);
	rc = g_db_prepare(s->db, sql, &st);
	if (rc != G_DB_OK) {
		g_store_error(s, rc, "reading encrypted fields", err);
		return NULL;
	}
	g_db_bind_str(st, 1, user_id);
	return st;
}

/* One field of a row, as the walk hands it on: the row's id and binds are
 * copies, so that the visitor may write the row. */
struct field {
	const struct g_vault_table *t;
	const char *column;
	const char *row_id;
	const char *const *bind; /* NULL: a column not bound */
	char *plain;             /* NULL: failed, or a binding unset */
	size_t len;
	struct g_err failure;
	int failed, unbound;
};

typedef int (*field_fn)(const struct field *f, void *arg);

#define MAX_COLUMNS 32

/* Whether k's user may still have rows from before binding (users.
 * legacy_rows, set by the migration that brought binding in): 1, 0, or -1
 * with err. */
static int legacy_user(struct g_store *s, const struct g_userkey *k, struct g_err *err)
{
	struct g_db_stmt *st;
	int rc, legacy = 0;

	if (g_store_prepare(s, "SELECT legacy_rows FROM users WHERE id = ?1", &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, k->user_id);
	rc = g_db_step(st);
	if (rc == G_DB_ROW)
		legacy = g_db_column_int(st, 0) != 0;
	g_db_reset(st);
	if (rc != G_DB_ROW && rc != G_DB_DONE)
		return g_store_error(s, rc, "reading the user", err);
	return legacy;
}

/* Every row of k's user is bound now: the mark of a legacy user goes. */
static int clear_legacy(struct g_store *s, const struct g_userkey *k, struct g_err *err)
{
	struct g_db_stmt *st;
	int rc;

	if (g_store_prepare(s, "UPDATE users SET legacy_rows = 0 WHERE id = ?1", &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, k->user_id);
	rc = g_db_step(st);
	g_db_reset(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "marking the user's rows bound", err);
}

/* Each field of k's user, a row's fields all opened before fn sees any.
 * An unbound field is f->unbound for a legacy user, and a failure (65,
 * G_VAULT_ALTERED) for any other: their rows were all bound once. */
static int walk(struct g_store *s, const struct g_userkey *k, field_fn fn, void *arg,
		struct g_err *err)
{
	int legacy = legacy_user(s, k, err);
	const struct g_vault_table *t;
	struct field f[MAX_COLUMNS];
	char *vals[G_VAULT_BINDS_MAX], *row_id;
	struct g_db_stmt *st;
	size_t i, j, nb, nf;
	int rc, step = G_DB_DONE, col, stop = 0;

	if (legacy < 0)
		return -1;
	for (t = g_vault_tables; t->name && !stop; t++) {
		if (!(st = select_all(s, t, k->user_id, err)))
			return -1;
		nb = count(t->binds);
		while (!stop && (step = g_db_step(st)) == G_DB_ROW) {
			int oom = 0;

			memset(vals, 0, sizeof(vals));
			row_id = strdup(g_db_column_text(st, 0));
			oom = !row_id;
			for (i = 0; i < nb; i++) {
				const char *v = g_db_column_text(st, (int)i + 1);

				if (v && !(vals[i] = strdup(v)))
					oom = 1;
			}
			if (oom) {
				free(row_id);
				free_binds(vals);
				g_db_finalize(st);
				return g_err_oom(err);
			}
			nf = 0;
			for (j = 0, col = (int)nb + 1; t->columns[j] && nf < MAX_COLUMNS;
			     j++, col += 2) {
				struct field *x = &f[nf];
				int bound = listed(t->bound, t->columns[j]);

				memset(x, 0, sizeof(*x));
				x->t = t;
				x->column = t->columns[j];
				x->row_id = row_id;
				x->bind = bound ? (const char *const *)vals : NULL;
				rc = open_column(k, t->name, x->column, x->row_id, x->bind, st, col,
						 &x->plain, &x->len, &x->unbound, &x->failure);
				if (rc == 0 && t->required && strcmp(x->column, t->required) == 0)
					rc = g_err_set(&x->failure, G_EX_DATAERR, "%s",
						       t->unset_why);
				else if (rc == 0 && t->binding && strcmp(x->column, t->binding) == 0)
					rc = x->unbound = 1;
				if (rc == 1 && x->unbound && !legacy) {
					free(x->plain);
					x->plain = NULL;
					x->unbound = 0;
					rc = g_err_set(&x->failure, G_EX_DATAERR, "%s",
						       G_VAULT_ALTERED);
				}
				if (rc == 0)
					continue;
				x->failed = rc < 0;
				nf++;
			}
			for (i = 0; i < nf; i++) {
				if (!stop)
					stop = fn(&f[i], arg);
				free(f[i].plain);
			}
			free(row_id);
			free_binds(vals);
		}
		g_db_finalize(st);
		if (!stop && step != G_DB_DONE)
			return g_store_error(s, step, "reading encrypted fields", err);
	}
	return stop;
}

struct each {
	g_vault_fn fn;
	void *arg;
	struct g_store *s;
	const struct g_userkey *k; /* re-seal under this key: rebind and rekey */
	struct g_err *err;
	long count;
	int failed;
	long bad; /* fields that fail */
};

static int each_field(const struct field *f, void *arg)
{
	struct each *e = arg;

	e->bad += f->failed;
	return e->fn(f->t->name, f->column, f->row_id, f->plain, f->len,
		     f->failed ? &f->failure : NULL, f->unbound, e->arg);
}

int g_vault_each(struct g_store *s, const struct g_userkey *k, g_vault_fn fn,
		 void *arg, struct g_err *err)
{
	struct each e = { fn, arg, s, k, err, 0, 0, 0 };

	return walk(s, k, each_field, &e, err);
}

/* Seal f again under e->k (format 2 if bound) and write it. */
static int reseal(struct each *e, const struct field *f)
{
	struct g_sealed x = { 0 };
	int rc;

	/* a binding seals nothing but its place and binds */
	rc = seal(e->k, f->t->name, f->column, f->row_id, f->bind, f->plain ? f->plain : "",
		  f->plain ? f->len : 0, &x, e->err);
	if (rc == 0)
		rc = write_sealed(e->s, e->k, f->t->name, f->column, f->row_id, &x, e->err);
	g_vault_sealed_release(&x);
	if (rc < 0) {
		e->failed = 1;
		return 1;
	}
	e->count++;
	return 0;
}

static int rebind_field(const struct field *f, void *arg)
{
	struct each *e = arg;

	if (each_field(f, arg))
		return 1;
	return f->unbound && !f->failed ? reseal(e, f) : 0;
}

long g_vault_rebind(struct g_store *s, const struct g_userkey *k, g_vault_fn fn,
		    void *arg, struct g_err *err)
{
	struct each e = { fn, arg, s, k, err, 0, 0, 0 };

	if (walk(s, k, rebind_field, &e, err) < 0 || e.failed)
		return -1;
	/* a field that fails may be an unbound one altered: the mark stays */
	if (e.bad == 0 && clear_legacy(s, k, err) < 0)
		return -1;
	return e.count;
}

static int rekey_field(const struct field *f, void *arg)
{
	struct each *e = arg;

	if (f->failed) {
		*e->err = f->failure;
		g_err_prefix(e->err, "%s '%s' %s", f->t->name, f->row_id, f->column);
		e->failed = 1;
		return 1;
	}
	return reseal(e, f);
}

long g_vault_rekey(struct g_store *s, const struct g_userkey *old,
		   const struct g_userkey *new_key, struct g_err *err)
{
	struct each e = { NULL, NULL, s, new_key, err, 0, 0, 0 };

	if (walk(s, old, rekey_field, &e, err) < 0 || e.failed || clear_legacy(s, old, err) < 0)
		return -1;
	return e.count;
}
