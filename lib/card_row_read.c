/* card_row_read.c: characters and personas out of their rows, decrypted:
 * one field, a whole record, or every name. */
#include "card_row.h"
#include "card_columns.h"

#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "card_lore_parts.h"
#include "lore_index.h"

/* A stored JSON field back as a value; 65 if it does not parse. */
static json_t *parse_field(const char *table, const char *id, size_t i,
			   const char *text, size_t len, struct g_err *err)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (!v)
		g_err_set(err, G_EX_DATAERR, "%s '%s' %s: stored JSON is damaged: %s", table,
			  id, g_card_columns_name(i), jerr.text);
	return v;
}

/* Column col of the row, malloc'ed (a byte more than *len). */
static unsigned char *copy_column(struct g_db_stmt *st, int col, size_t *len)
{
	const void *p = g_db_column_blob(st, col);
	unsigned char *copy;

	*len = g_db_column_bytes(st, col);
	if ((copy = malloc(*len + 1)) && *len)
		memcpy(copy, p, *len);
	return copy;
}

/* A lore index sealed in parts (its first bytes, or all, in sealed) read
 * into *lore, which takes sealed and blob (NULL: all of it is in sealed),
 * read or not: g_lore_index_take_head's result. */
static int read_lore_parts(const struct g_userkey *k, const char *table, const char *column,
			   const char *id, struct g_db_stmt *st, int col, struct g_lore_book *lore,
			   unsigned char *sealed, size_t sealed_len, struct g_db_blob *blob,
			   struct g_err *err)
{
	struct g_field_ad ad = { table, column, id, k->user_id, k->dek_version };
	struct g_crypt_parts p;
	struct g_lore_parts parts;

	if (g_crypt_open_head(k->dek, &ad, sealed, sealed_len, g_db_column_blob(st, col + 1),
			      g_db_column_bytes(st, col + 1), &p, err) < 0) {
		free(sealed);
		g_db_blob_close(blob);
		return -1;
	}
	if (g_card_lore_parts(&parts, &p, blob ? NULL : sealed, blob, k, table, column, id,
			      err) < 0) {
		free(sealed);
		return -1;
	}
	return g_lore_index_take_head(lore, sealed, (char *)p.head, p.head_len, &parts, err);
}

/* The row's lore index, read from the file (mapped) straight into the
 * buffer it is decrypted in: of one sealed in parts, the head alone, and
 * the blob is kept open (*blob) for the parts; of any other, all of it. */
static int read_sealed(struct g_store *s, const char *table, const char *column,
		       const char *id, unsigned char **sealed, size_t *sealed_len,
		       struct g_db_blob **blob)
{
	unsigned char first[5] = { 0 };
	size_t n;
	int rc;

	*sealed = NULL;
	if ((rc = g_db_blob_open(s->db, table, column, id, blob, sealed_len)) != G_DB_OK)
		return rc;
	n = *sealed_len < sizeof(first) ? *sealed_len : sizeof(first);
	if ((rc = g_db_blob_read_at(*blob, 0, first, n)) == G_DB_OK) {
		n = g_crypt_parts_head_len(first, *sealed_len);
		if (!n)
			n = *sealed_len;
		if (!(*sealed = malloc(n + 1)))
			rc = G_DB_NOMEM;
		else
			rc = g_db_blob_read_at(*blob, 0, *sealed, n);
	}
	if (rc != G_DB_OK || n == *sealed_len) {
		g_db_blob_close(*blob);
		*blob = NULL;
	}
	if (rc != G_DB_OK) {
		free(*sealed);
		*sealed = NULL;
	}
	return rc;
}

/* The row's lore index read into *lore: 1, 0 when it has none, 2 when it
 * is stale (lore_index.h: nothing read), -1 (65 when it is damaged). An
 * index is hundreds of KiB: on SQLite the row was selected with its
 * length only, and it is read here (read_sealed); on PostgreSQL it comes
 * in the row. Either way it is decrypted and read in place, not into a
 * second buffer as big, and of one sealed in parts (format 3) only the
 * head is opened now, each part when activation asks for its entry. */
static int read_lore(struct g_store *s, const struct g_userkey *k, const char *table,
		     const char *id, struct g_db_stmt *st, int first, struct g_lore_book *lore,
		     struct g_err *err)
{
	int col = first + 2 * G_COL_LORE;
	const char *column = g_card_columns_name(G_COL_LORE);
	struct g_field_ad ad = { table, column, id, k->user_id, k->dek_version };
	struct g_db_blob *blob = NULL;
	unsigned char *sealed;
	size_t sealed_len, len;
	int rc;

	if (g_db_column_is_null(st, col))
		return 0;
	/* PostgreSQL: in the row (a second statement would read another
	 * snapshot, where the card may have been written since) */
	if (!g_db_blob_in_place(s->db))
		rc = (sealed = copy_column(st, col, &sealed_len)) ? G_DB_OK : G_DB_NOMEM;
	else
		rc = read_sealed(s, table, column, id, &sealed, &sealed_len, &blob);
	if (rc != G_DB_OK)
		return g_store_error(s, rc, "reading a lore index", err);
	if (sealed_len && sealed[0] == G_SEAL_FORMAT_PARTS)
		rc = read_lore_parts(k, table, column, id, st, col, lore, sealed, sealed_len, blob,
				     err);
	else if (g_crypt_open_in_place(k->dek, &ad, sealed, sealed_len,
				       g_db_column_blob(st, col + 1), g_db_column_bytes(st, col + 1),
				       &len, err) < 0)
		free(sealed), rc = -1;
	else /* the book takes the buffer, read or not */
		rc = g_lore_index_take_at(lore, sealed, (char *)sealed + 1, len, err);
	if (rc < 0)
		return g_err_prefix(err, "%s '%s' %s", table, id, column), -1;
	return rc == 1 ? 2 : 1;
}

/* Whether column i is character_book. */
static int book_column(size_t i)
{
	return i < G_CARD_DATA_COLUMNS && strcmp(g_card_columns_data[i].name, "character_book") == 0;
}

/* data (in column order, then the extra keys) and extra's top-level keys;
 * with lore, character_book is read from the lore index instead when the
 * row has one (*has_lore 1). 1, nothing read, when the index is stale (the
 * row was selected without its book). */
static int build_data(struct g_store *s, const struct g_userkey *k, const char *table,
		      const char *id, struct g_db_stmt *st, int first, json_t *data, json_t **top,
		      json_t **origin, struct g_lore_book *lore, int *has_lore,
		      struct g_err *err)
{
	json_t *extra = NULL, *rest, *v;
	const char *key;
	char *plain;
	size_t i, len;
	int rc;

	if (lore && (*has_lore = read_lore(s, k, table, id, st, first, lore, err)) < 0)
		return -1;
	if (lore && *has_lore == 2) {
		*has_lore = 0;
		return 1;
	}
	for (i = 0; i < G_CARD_COLUMNS; i++) {
		if (i == G_COL_RAW || i == G_COL_AVATAR || i == G_COL_LORE ||
		    (lore && *has_lore && book_column(i)))
			continue;
		rc = g_card_columns_open(k, table, id, st, first, i, &plain, &len, err);
		if (rc <= 0) {
			if (rc < 0)
				goto fail;
			continue;
		}
		if (i < G_CARD_DATA_COLUMNS && g_card_columns_data[i].type == G_COL_TEXT)
			v = json_stringn_nocheck(plain, len);
		else
			v = parse_field(table, id, i, plain, len, err);
		free(plain);
		if (!v)
			goto fail;
		if (i == G_COL_ORIGIN)
			*origin = v;
		else if (i == G_COL_EXTRA)
			extra = v;
		else
			json_object_set_new(data, g_card_columns_name(i), v);
	}
	rest = json_object_get(extra, "data");
	json_object_foreach(rest, key, v) {
		json_object_set(data, key, v);
	}
	*top = json_incref(json_object_get(extra, "top"));
	json_decref(extra);
	return 0;
fail:
	json_decref(extra);
	return -1;
}

static int open_blob(const struct g_userkey *k, const char *table, const char *id,
		     struct g_db_stmt *st, int first, size_t i, struct g_blob *b,
		     struct g_err *err)
{
	char *plain = NULL;
	size_t len = 0;
	int rc;

	if (!b)
		return 0;
	rc = g_card_columns_open(k, table, id, st, first, i, &plain, &len, err);
	if (rc < 0)
		return -1;
	free(b->data);
	b->data = (unsigned char *)plain;
	b->len = len;
	return 0;
}

/* What a load reads besides the record: the big blobs and the lore index
 * only when asked for (SQLite copies every column a row selects), and,
 * when the index is, character_book only for a row without one. */
enum { WANT_AVATAR = 1, WANT_RAW = 2, WANT_LORE = 4 };

static struct g_db_stmt *select_row(struct g_store *s, enum g_cardkind kind, unsigned want,
				    int *first, struct g_err *err)
{
	char sql[4096];
	const char *name;
	size_t n, i;
	struct g_db_stmt *st;

	n = (size_t)snprintf(sql, sizeof(sql),
			     "SELECT id, spec, spec_version, created_at, updated_at, %s",
			     kind == G_PERSONA
				     ? "position, depth, role, (SELECT default_persona_id = "
				       "p.id FROM users WHERE users.id = p.user_id)"
				     : "NULL, NULL, NULL, NULL");
	for (i = 0; i < G_CARD_COLUMNS && n < sizeof(sql); i++) {
		name = g_card_columns_name(i);
		if ((i == G_COL_AVATAR && !(want & WANT_AVATAR)) ||
		    (i == G_COL_RAW && !(want & WANT_RAW)) || (i == G_COL_LORE && !(want & WANT_LORE)))
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", NULL, NULL");
		else if (i == G_COL_LORE && g_db_blob_in_place(s->db)) /* its length: read_lore */
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", length(%s), %s_nonce",
					      name, name);
		else if (book_column(i) && (want & WANT_LORE))
			n += (size_t)snprintf(sql + n, sizeof(sql) - n,
					      ", CASE WHEN lore_index IS NULL THEN %s END"
					      ", CASE WHEN lore_index IS NULL THEN %s_nonce END",
					      name, name);
		else
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s, %s_nonce", name,
					      name);
	}
	if (n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n,
			 " FROM %s AS p WHERE id = ?1 AND user_id = ?2", g_cardkind_table(kind));
	*first = 9;
	if (g_store_prepare(s, sql, &st, err) < 0)
		return NULL;
	return st;
}

static json_t *text_col(struct g_db_stmt *st, int col)
{
	return json_string(g_db_column_text(st, col));
}

static int load(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
		const char *id, json_t **record, struct g_blob *avatar, struct g_blob *raw,
		struct g_lore_book *lore, int *has_lore, struct g_err *err)
{
	const char *table = g_cardkind_table(kind);
	json_t *r = NULL, *data = NULL, *top = NULL, *origin = NULL;
	struct g_db_stmt *st;
	int first, rc = -1, step, stale;

	*record = NULL;
	if (!(st = select_row(s, kind,
			      (avatar ? WANT_AVATAR : 0) | (raw ? WANT_RAW : 0) | (lore ? WANT_LORE : 0),
			      &first, err)))
		return -1;
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	step = g_db_step(st);
	if (step == G_DB_DONE) {
		g_err_set(err, G_EX_NOINPUT, "no such %s '%s'", g_cardkind_name(kind), id);
		goto out;
	}
	if (step != G_DB_ROW) {
		g_store_error(s, step, "reading a card", err);
		goto out;
	}
	data = json_object();
	if (!data) {
		g_err_oom(err);
		goto out;
	}
	if ((stale = build_data(s, k, table, id, st, first, data, &top, &origin, lore, has_lore,
				err)) < 0 ||
	    open_blob(k, table, id, st, first, G_COL_AVATAR, avatar, err) < 0 ||
	    open_blob(k, table, id, st, first, G_COL_RAW, raw, err) < 0)
		goto out;
	if (stale) {
		rc = 1;
		goto out;
	}
	r = json_object();
	json_object_set_new(r, "kind", json_string(g_cardkind_name(kind)));
	json_object_set_new(r, "id", json_string(id));
	json_object_set_new(r, "name", json_object_get(data, "name")
					       ? json_incref(json_object_get(data, "name"))
					       : json_string(""));
	json_object_set_new(r, "spec", text_col(st, 1));
	json_object_set_new(r, "spec_version", text_col(st, 2));
	json_object_set(r, "data", data);
	if (top && json_object_size(top))
		json_object_set(r, "top_level", top);
	json_object_set(r, "origin", origin ? origin : json_null());
	if (kind == G_PERSONA) {
		json_object_set_new(r, "default", json_boolean(g_db_column_int(st, 8) == 1));
		json_object_set_new(r, "position", text_col(st, 5));
		json_object_set_new(r, "depth", json_integer(g_db_column_int64(st, 6)));
		json_object_set_new(r, "role", text_col(st, 7));
	}
	json_object_set_new(r, "created_at", text_col(st, 3));
	json_object_set_new(r, "updated_at", text_col(st, 4));
	*record = r;
	rc = 0;
out:
	g_db_reset(st);
	json_decref(data);
	json_decref(top);
	json_decref(origin);
	return rc;
}

int g_card_row_load(struct g_store *s, const struct g_userkey *k,
		   enum g_cardkind kind, const char *id, json_t **record,
		   struct g_blob *avatar, struct g_blob *raw, struct g_err *err)
{
	return load(s, k, kind, id, record, avatar, raw, NULL, NULL, err);
}

int g_card_row_load_lore(struct g_store *s, const struct g_userkey *k,
			 enum g_cardkind kind, const char *id, json_t **record,
			 struct g_lore_book *lore, int *has_lore, struct g_err *err)
{
	int rc;

	*has_lore = 0;
	if ((rc = load(s, k, kind, id, record, NULL, NULL, lore, has_lore, err)) < 0) {
		if (*has_lore)
			g_lore_book_release(lore);
		*has_lore = 0;
		return -1;
	}
	/* a stale index: the row again, with its book as JSON */
	return rc == 1 ? load(s, k, kind, id, record, NULL, NULL, NULL, NULL, err) : 0;
}

json_t *g_card_row_preview(const struct g_card_row *row)
{
	const json_t *data = json_object_get(row->card, "data");
	json_t *rec = json_object(), *top = json_object();
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)row->card, key, v)
		if (!g_card_own_key(key))
			json_object_set(top, key, v);
	json_object_set_new(rec, "kind", json_string(g_cardkind_name(row->kind)));
	json_object_set(rec, "name", json_object_get(data, "name"));
	if (row->kind == G_PERSONA) {
		json_object_set_new(rec, "spec", json_string("user_persona_spec_v1"));
		json_object_set_new(rec, "spec_version", json_string("1.0.0"));
	} else {
		json_object_set(rec, "spec", json_object_get(row->card, "spec"));
		json_object_set(rec, "spec_version", json_object_get(row->card, "spec_version"));
	}
	json_object_set(rec, "data", (json_t *)data);
	if (json_object_size(top))
		json_object_set(rec, "top_level", top);
	json_decref(top);
	json_object_set(rec, "origin", row->origin ? (json_t *)row->origin : json_null());
	if (row->kind == G_PERSONA) {
		json_object_set_new(rec, "position", json_string(row->place.position));
		json_object_set_new(rec, "depth", json_integer(row->place.depth));
		json_object_set_new(rec, "role", json_string(row->place.role));
	}
	return rec;
}

json_t *g_card_row_summary(enum g_cardkind kind, const char *id, const char *name, size_t len,
			   const char *status)
{
	json_t *rec = json_pack("{s:s, s:s, s:s%}", "kind", g_cardkind_name(kind), "id", id,
				"name", name ? name : "", name ? len : 0);

	if (rec && status && json_object_set_new(rec, "status", json_string(status)) < 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

json_t *g_card_row_card(const json_t *record)
{
	const json_t *persona = json_object_get(record, "position");
	json_t *card = json_object(), *top = json_object_get(record, "top_level");
	const char *key;
	json_t *v;

	if (!card)
		return NULL;
	json_object_set_new(card, "spec", json_string("chara_card_v3"));
	json_object_set_new(card, "spec_version",
			    persona ? json_string("3.0")
				    : json_copy(json_object_get(record, "spec_version")));
	json_object_set_new(card, "data", json_deep_copy(json_object_get(record, "data")));
	json_object_foreach(top, key, v)
		if (!g_card_own_key(key))
			json_object_set_new(card, key, json_deep_copy(v));
	return card;
}

int g_card_row_names(struct g_store *s, const struct g_userkey *k,
		    enum g_cardkind kind, int64_t after, g_card_row_name_fn fn,
		    void *arg, struct g_err *err)
{
	const char *table = g_cardkind_table(kind);
	char sql[160];
	struct g_db_stmt *st;
	char *name;
	size_t len;
	int rc, step, stop = 0;

	snprintf(sql, sizeof(sql),
		 "SELECT id, name, name_nonce, rowid FROM %s WHERE user_id = ?1 AND rowid > ?2 "
		 "ORDER BY rowid",
		 table);
	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, k->user_id);
	g_db_bind_int64(st, 2, after);
	rc = 0;
	while (!stop && (step = g_db_step(st)) == G_DB_ROW) {
		const char *id = g_db_column_text(st, 0);

		/* column 1 is "name": g_card_columns_data[0] */
		rc = g_card_columns_open(k, table, id, st, 1, 0, &name, &len, err);
		if (rc < 0)
			break;
		stop = fn(id, rc ? name : "", rc ? len : 0, g_db_column_int64(st, 3), arg);
		if (rc)
			free(name);
		rc = 0;
	}
	if (rc == 0 && !stop && step != G_DB_DONE)
		rc = g_store_error(s, step, "reading names", err);
	g_db_reset(st);
	return rc;
}

