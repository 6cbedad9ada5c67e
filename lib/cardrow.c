/* cardrow.c: characters and personas in and out of their rows. */
#include "cardrow.h"

#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "timestamp.h"
#include "uuid.h"

enum column_type { TEXT, JSON };

/* The data fields with a column of their own, in the V3 spec's order (the
 * order records list them in). */
static const struct column {
	const char *name;
	enum column_type type;
} data_columns[] = {
	{ "name", TEXT },
	{ "description", TEXT },
	{ "tags", JSON },
	{ "creator", TEXT },
	{ "character_version", TEXT },
	{ "mes_example", TEXT },
	{ "extensions", JSON },
	{ "system_prompt", TEXT },
	{ "post_history_instructions", TEXT },
	{ "first_mes", TEXT },
	{ "alternate_greetings", JSON },
	{ "personality", TEXT },
	{ "scenario", TEXT },
	{ "creator_notes", TEXT },
	{ "character_book", JSON },
	{ "assets", JSON },
	{ "nickname", TEXT },
	{ "creator_notes_multilingual", JSON },
	{ "source", JSON },
	{ "group_only_greetings", JSON },
};
#define N_DATA (sizeof(data_columns) / sizeof(data_columns[0]))

/* Every encrypted column of a row: the data columns, then these. */
enum { COL_ORIGIN = N_DATA, COL_RAW, COL_AVATAR, COL_EXTRA, N_COLUMNS };
static const char *const other_columns[] = { "origin", "card_raw", "avatar", "extra" };

static const char *column_name(size_t i)
{
	return i < N_DATA ? data_columns[i].name : other_columns[i - N_DATA];
}

const struct g_placement g_placement_default = { "in_prompt", 2, "system" };

const char *g_cardkind_table(enum g_cardkind kind)
{
	return kind == G_PERSONA ? "user_personas" : "characters";
}

const char *g_cardkind_name(enum g_cardkind kind)
{
	return kind == G_PERSONA ? "persona" : "character";
}

static const char *const positions[] = { "in_prompt", "at_depth", "none" };
static const char *const roles[] = { "system", "user", "assistant" };

int g_placement_parse(const char *position, int64_t depth, const char *role,
		      struct g_placement *out)
{
	size_t i;

	out->position = out->role = NULL;
	out->depth = depth;
	for (i = 0; i < 3; i++) {
		if (position && strcmp(position, positions[i]) == 0)
			out->position = positions[i];
		if (role && strcmp(role, roles[i]) == 0)
			out->role = roles[i];
	}
	return out->position && out->role && depth >= 0 ? 0 : -1;
}

int g_placement_valid(const struct g_placement *p)
{
	struct g_placement copy;

	return g_placement_parse(p->position, p->depth, p->role, &copy) == 0;
}

static int oom(struct g_err *err)
{
	return g_err_set(err, G_EX_SOFTWARE, "out of memory");
}

/* A column's plaintext: borrowed (p) or owned (owned, freed after). */
struct plain {
	const void *p;
	size_t len;
	char *owned;
};

static void plains_free(struct plain *pl)
{
	size_t i;

	for (i = 0; i < N_COLUMNS; i++)
		free(pl[i].owned);
}

static int plain_json(struct plain *pl, const json_t *v)
{
	pl->owned = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!pl->owned)
		return -1;
	pl->p = pl->owned;
	pl->len = strlen(pl->owned);
	return 0;
}

/* The card's parts without a column: {"top": {...}, "data": {...}}, or
 * NULL when there are none (*extra NULL) ; -1 if memory fails. */
static int split_extra(const json_t *card, json_t **extra)
{
	json_t *top = json_object(), *data_rest = json_object();
	const json_t *data = json_object_get(card, "data");
	const char *key;
	json_t *v;
	size_t i;

	*extra = NULL;
	if (!top || !data_rest)
		goto fail;
	json_object_foreach((json_t *)card, key, v)
		if (!g_card_own_key(key) && json_object_set(top, key, v) < 0)
			goto fail;
	json_object_foreach((json_t *)data, key, v) {
		for (i = 0; i < N_DATA; i++)
			if (strcmp(key, data_columns[i].name) == 0)
				break;
		/* a text field that is not text cannot go in its column as text */
		if ((i == N_DATA || (data_columns[i].type == TEXT && !json_is_string(v))) &&
		    json_object_set(data_rest, key, v) < 0)
			goto fail;
	}
	if (json_object_size(top) || json_object_size(data_rest)) {
		*extra = json_object();
		if (!*extra || json_object_set_new(*extra, "top", top) < 0 ||
		    json_object_set_new(*extra, "data", data_rest) < 0)
			goto fail;
		return 0;
	}
	json_decref(top);
	json_decref(data_rest);
	return 0;
fail:
	json_decref(top);
	json_decref(data_rest);
	json_decref(*extra);
	*extra = NULL;
	return -1;
}

/* Every column's plaintext for row; unset columns have p NULL. */
static int row_plains(const struct g_cardrow *row, struct plain *pl, struct g_err *err)
{
	const json_t *data = json_object_get(row->card, "data");
	json_t *extra;
	size_t i;

	memset(pl, 0, sizeof(*pl) * N_COLUMNS);
	for (i = 0; i < N_DATA; i++) {
		const json_t *v = json_object_get(data, data_columns[i].name);

		if (!v)
			continue;
		if (data_columns[i].type == TEXT) {
			if (json_is_string(v)) {
				pl[i].p = json_string_value(v);
				pl[i].len = json_string_length(v);
			}
		} else if (plain_json(&pl[i], v) < 0) {
			goto fail;
		}
	}
	if (row->origin && plain_json(&pl[COL_ORIGIN], row->origin) < 0)
		goto fail;
	pl[COL_RAW].p = row->raw;
	pl[COL_RAW].len = row->raw_len;
	pl[COL_AVATAR].p = row->avatar;
	pl[COL_AVATAR].len = row->avatar_len;
	if (split_extra(row->card, &extra) < 0)
		goto fail;
	if (extra) {
		i = (size_t)plain_json(&pl[COL_EXTRA], extra);
		json_decref(extra);
		if (i)
			goto fail;
	}
	return 0;
fail:
	plains_free(pl);
	return oom(err);
}

/* The part of a card the hash covers: data and the other top-level keys
 * (spec labels are the row's, not the content's). */
static char *hash_doc(const json_t *card)
{
	json_t *doc = json_object();
	const char *key;
	json_t *v;
	char *s = NULL;

	if (!doc)
		return NULL;
	json_object_foreach((json_t *)card, key, v)
		if (strcmp(key, "spec") != 0 && strcmp(key, "spec_version") != 0 &&
		    json_object_set(doc, key, v) < 0)
			goto out;
	s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
out:
	json_decref(doc);
	return s;
}

/* What the hash takes of an avatar: of a PNG, each chunk's length, type
 * and CRC (the CRC covers the chunk's bytes, and the walk that read the
 * file checked every one), so hashing costs nothing like the image's size;
 * of anything else, every byte. A hash match is only a candidate:
 * g_cardrow_find_hash confirms it byte for byte. */
static unsigned char *avatar_digest(const unsigned char *p, size_t len, size_t *out_len)
{
	size_t off = 8, n = 0, cap = (size_t)64 * 12, chunk;
	unsigned char *d, *nd;

	if (!p || len < 8 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0 || !(d = malloc(cap)))
		return NULL;
	while (off + 12 <= len) {
		chunk = (size_t)p[off] << 24 | (size_t)p[off + 1] << 16 | (size_t)p[off + 2] << 8 |
			p[off + 3];
		if (chunk > len - off - 12)
			break;
		if (n + 12 > cap) {
			if (!(nd = realloc(d, cap *= 2)))
				break;
			d = nd;
		}
		memcpy(d + n, p + off, 8);
		memcpy(d + n + 8, p + off + 8 + chunk, 4);
		n += 12;
		off += 12 + chunk;
	}
	if (off != len) { /* not a whole PNG after all: every byte, then */
		free(d);
		return NULL;
	}
	*out_len = n;
	return d;
}

int g_cardrow_hash(const struct g_userkey *k, const struct g_cardrow *row,
		   unsigned char out[G_HASH_BYTES], struct g_err *err)
{
	const char *kind = g_cardkind_name(row->kind);
	const char *version = "";
	char depth[24] = "";
	struct g_hash_part parts[7];
	char *doc = hash_doc(row->card);
	unsigned char *digest;
	size_t digest_len = 0;

	if (!doc)
		return oom(err);
	digest = avatar_digest(row->avatar, row->avatar_len, &digest_len);
	if (row->kind == G_CHARACTER)
		version = json_string_value(json_object_get(row->card, "spec_version"));
	else
		snprintf(depth, sizeof(depth), "%lld", (long long)row->place.depth);
	parts[0] = (struct g_hash_part){ kind, strlen(kind) };
	parts[1] = (struct g_hash_part){ version ? version : "", version ? strlen(version) : 0 };
	parts[2] = (struct g_hash_part){ doc, strlen(doc) };
	if (digest)
		parts[3] = (struct g_hash_part){ digest, digest_len };
	else
		parts[3] = (struct g_hash_part){ row->avatar ? (const void *)row->avatar : "",
						 row->avatar ? row->avatar_len : 0 };
	parts[4] = (struct g_hash_part){ row->kind == G_PERSONA ? row->place.position : "",
					 row->kind == G_PERSONA ? strlen(row->place.position) : 0 };
	parts[5] = (struct g_hash_part){ depth, strlen(depth) };
	parts[6] = (struct g_hash_part){ row->kind == G_PERSONA ? row->place.role : "",
					 row->kind == G_PERSONA ? strlen(row->place.role) : 0 };
	g_content_hash(k->dek, parts, 7, out);
	free(digest);
	free(doc);
	return 0;
}

static int open_col(const struct g_userkey *k, const char *table, const char *id,
		    sqlite3_stmt *st, int first, size_t i, char **plain, size_t *len,
		    struct g_err *err);

int g_cardrow_find_hash(struct g_store *s, const struct g_userkey *k,
			const struct g_cardrow *row, const unsigned char hash[G_HASH_BYTES],
			char id[G_UUID_LEN], struct g_err *err)
{
	const char *table = g_cardkind_table(row->kind);
	char sql[200];
	sqlite3_stmt *st;
	int rc, found = 0;

	snprintf(sql, sizeof(sql),
		 "SELECT id, avatar, avatar_nonce FROM %s WHERE user_id = ?1 AND content_hash = ?2 "
		 "ORDER BY rowid",
		 table);
	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, k->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, G_HASH_BYTES, SQLITE_STATIC);
	while (!found && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *row_id = (const char *)sqlite3_column_text(st, 0);
		char *avatar = NULL;
		size_t len = 0;
		int has;

		/* the avatar, confirmed byte for byte (column 1 is "avatar") */
		has = open_col(k, table, row_id, st, 1 - 2 * (int)COL_AVATAR, COL_AVATAR, &avatar,
			       &len, err);
		if (has < 0) {
			found = -1;
			break;
		}
		if (has ? row->avatar && len == row->avatar_len &&
				  memcmp(avatar, row->avatar, len) == 0
			: !row->avatar) {
			snprintf(id, G_UUID_LEN, "%s", row_id);
			found = 1;
		}
		free(avatar);
	}
	if (found == 0 && rc != SQLITE_DONE)
		found = g_store_error(s, rc, "looking up a card", err);
	sqlite3_reset(st);
	return found;
}

/* The SQL of an insert (replace 0) or an update (replace 1) of every
 * column; parameters: ?1 id, ?2 user, ?3 spec, ?4 spec_version, ?5 now,
 * ?6 hash, ?7-?9 placement (personas), then each column and its nonce. */
static int write_sql(enum g_cardkind kind, int replace, char *sql, size_t size)
{
	size_t n, i;
	int p = 10;

	if (replace) {
		n = (size_t)snprintf(sql, size,
				     "UPDATE %s SET spec = ?3, spec_version = ?4, updated_at = ?5, "
				     "content_hash = ?6%s",
				     g_cardkind_table(kind),
				     kind == G_PERSONA ? ", position = ?7, depth = ?8, role = ?9" : "");
		for (i = 0; i < N_COLUMNS && n < size; i++, p += 2)
			n += (size_t)snprintf(sql + n, size - n, ", %s = ?%d, %s_nonce = ?%d",
					      column_name(i), p, column_name(i), p + 1);
		if (n < size)
			n += (size_t)snprintf(sql + n, size - n, " WHERE id = ?1 AND user_id = ?2");
		return n < size ? 0 : -1;
	}
	n = (size_t)snprintf(sql, size,
			     "INSERT INTO %s (id, user_id, spec, spec_version, created_at, "
			     "updated_at, content_hash%s",
			     g_cardkind_table(kind),
			     kind == G_PERSONA ? ", position, depth, role" : "");
	for (i = 0; i < N_COLUMNS && n < size; i++)
		n += (size_t)snprintf(sql + n, size - n, ", %s, %s_nonce", column_name(i),
				      column_name(i));
	if (n < size)
		n += (size_t)snprintf(sql + n, size - n, ") VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6%s",
				      kind == G_PERSONA ? ", ?7, ?8, ?9" : "");
	for (i = 0; i < N_COLUMNS && n < size; i++, p += 2)
		n += (size_t)snprintf(sql + n, size - n, ", ?%d, ?%d", p, p + 1);
	if (n < size)
		n += (size_t)snprintf(sql + n, size - n, ")");
	return n < size ? 0 : -1;
}

static int write_row(struct g_store *s, const struct g_userkey *k,
		     const struct g_cardrow *row, const unsigned char *hash,
		     const char *id, int replace, struct g_err *err)
{
	const char *table = g_cardkind_table(row->kind);
	unsigned char *sealed[N_COLUMNS] = { 0 }, nonces[N_COLUMNS][G_NONCE_BYTES];
	size_t sealed_len[N_COLUMNS] = { 0 };
	struct plain pl[N_COLUMNS];
	char now[G_TIMESTAMP_LEN], sql[4096];
	struct g_field_ad ad = { table, NULL, id, k->user_id, k->dek_version };
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = -1, step;

	if (row->kind == G_PERSONA && !g_placement_valid(&row->place))
		return g_err_set(err, G_EX_DATAERR, "invalid persona position, depth or role");
	if (write_sql(row->kind, replace, sql, sizeof(sql)) < 0)
		return g_err_set(err, G_EX_SOFTWARE, "card SQL too long");
	if (row_plains(row, pl, err) < 0)
		return -1;
	for (i = 0; i < N_COLUMNS; i++) {
		ad.column = column_name(i);
		if (pl[i].p && g_seal(k->dek, &ad, pl[i].p, pl[i].len, &sealed[i],
				      &sealed_len[i], nonces[i], err) < 0)
			goto out;
	}
	if (g_store_prepare(s, sql, &st, err) < 0) {
		st = NULL;
		goto out;
	}
	g_timestamp_now(now);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->user_id, -1, SQLITE_STATIC);
	if (row->kind == G_PERSONA) {
		sqlite3_bind_text(st, 3, "user_persona_spec_v1", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, "1.0.0", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, row->place.position, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, row->place.depth);
		sqlite3_bind_text(st, 9, row->place.role, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(st, 3, "chara_card_v3", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4,
				  json_string_value(json_object_get(row->card, "spec_version")),
				  -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, hash, G_HASH_BYTES, SQLITE_STATIC);
	for (i = 0; i < N_COLUMNS; i++)
		if (sealed[i]) {
			sqlite3_bind_blob64(st, 10 + 2 * (int)i, sealed[i], sealed_len[i],
					    SQLITE_STATIC);
			sqlite3_bind_blob(st, 11 + 2 * (int)i, nonces[i], G_NONCE_BYTES,
					  SQLITE_STATIC);
		}
	step = sqlite3_step(st);
	if (step != SQLITE_DONE)
		g_store_error(s, step, "storing a card", err);
	else if (replace && sqlite3_changes(s->db) != 1)
		g_err_set(err, G_EX_NOINPUT, "no such %s '%s'", g_cardkind_name(row->kind), id);
	else
		rc = 0;
out:
	if (st)
		sqlite3_reset(st);
	for (i = 0; i < N_COLUMNS; i++)
		free(sealed[i]);
	plains_free(pl);
	return rc;
}

int g_cardrow_insert(struct g_store *s, const struct g_userkey *k,
		     const struct g_cardrow *row,
		     const unsigned char hash[G_HASH_BYTES], char id[G_UUID_LEN],
		     struct g_err *err)
{
	if (g_uuid7(id, err) < 0)
		return -1;
	return write_row(s, k, row, hash, id, 0, err);
}

int g_cardrow_replace(struct g_store *s, const struct g_userkey *k,
		      const struct g_cardrow *row,
		      const unsigned char hash[G_HASH_BYTES], const char *id,
		      struct g_err *err)
{
	return write_row(s, k, row, hash, id, 1, err);
}

/* Open column i of the row at st (columns start at first); 1 with the
 * plaintext, 0 unset, -1 with err set. */
static int open_col(const struct g_userkey *k, const char *table, const char *id,
		    sqlite3_stmt *st, int first, size_t i, char **plain, size_t *len,
		    struct g_err *err)
{
	int col = first + 2 * (int)i;
	struct g_field_ad ad = { table, column_name(i), id, k->user_id, k->dek_version };

	if (sqlite3_column_type(st, col) == SQLITE_NULL &&
	    sqlite3_column_type(st, col + 1) == SQLITE_NULL)
		return 0;
	if (g_open(k->dek, &ad, sqlite3_column_blob(st, col),
		   (size_t)sqlite3_column_bytes(st, col), sqlite3_column_blob(st, col + 1),
		   (size_t)sqlite3_column_bytes(st, col + 1), plain, len, err) < 0) {
		g_err_prefix(err, "%s '%s' %s", table, id, column_name(i));
		return -1;
	}
	return 1;
}

/* A stored JSON field back as a value; 65 if it does not parse. */
static json_t *parse_field(const char *table, const char *id, size_t i,
			   const char *text, size_t len, struct g_err *err)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (!v)
		g_err_set(err, G_EX_DATAERR, "%s '%s' %s: stored JSON is damaged: %s", table,
			  id, column_name(i), jerr.text);
	return v;
}

/* data (in column order, then the extra keys) and extra's top-level keys. */
static int build_data(const struct g_userkey *k, const char *table, const char *id,
		      sqlite3_stmt *st, int first, json_t *data, json_t **top,
		      json_t **origin, struct g_err *err)
{
	json_t *extra = NULL, *rest, *v;
	const char *key;
	char *plain;
	size_t i, len;
	int rc;

	for (i = 0; i < N_COLUMNS; i++) {
		if (i == COL_RAW || i == COL_AVATAR)
			continue;
		rc = open_col(k, table, id, st, first, i, &plain, &len, err);
		if (rc <= 0) {
			if (rc < 0)
				goto fail;
			continue;
		}
		if (i < N_DATA && data_columns[i].type == TEXT)
			v = json_stringn_nocheck(plain, len);
		else
			v = parse_field(table, id, i, plain, len, err);
		free(plain);
		if (!v)
			goto fail;
		if (i == COL_ORIGIN)
			*origin = v;
		else if (i == COL_EXTRA)
			extra = v;
		else
			json_object_set_new(data, column_name(i), v);
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
		     sqlite3_stmt *st, int first, size_t i, struct g_blob *b,
		     struct g_err *err)
{
	char *plain = NULL;
	size_t len = 0;
	int rc;

	if (!b)
		return 0;
	rc = open_col(k, table, id, st, first, i, &plain, &len, err);
	if (rc < 0)
		return -1;
	free(b->data);
	b->data = (unsigned char *)plain;
	b->len = len;
	return 0;
}

static sqlite3_stmt *select_row(struct g_store *s, enum g_cardkind kind, int *first,
				struct g_err *err)
{
	char sql[4096];
	size_t n, i;
	sqlite3_stmt *st;

	n = (size_t)snprintf(sql, sizeof(sql),
			     "SELECT id, spec, spec_version, created_at, updated_at, %s",
			     kind == G_PERSONA
				     ? "position, depth, role, (SELECT default_persona_id = "
				       "p.id FROM users WHERE users.id = p.user_id)"
				     : "NULL, NULL, NULL, NULL");
	for (i = 0; i < N_COLUMNS && n < sizeof(sql); i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s, %s_nonce",
				      column_name(i), column_name(i));
	if (n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n,
			 " FROM %s AS p WHERE id = ?1 AND user_id = ?2", g_cardkind_table(kind));
	*first = 9;
	if (g_store_prepare(s, sql, &st, err) < 0)
		return NULL;
	return st;
}

static json_t *text_col(sqlite3_stmt *st, int col)
{
	return json_string((const char *)sqlite3_column_text(st, col));
}

int g_cardrow_load(struct g_store *s, const struct g_userkey *k,
		   enum g_cardkind kind, const char *id, json_t **record,
		   struct g_blob *avatar, struct g_blob *raw, struct g_err *err)
{
	const char *table = g_cardkind_table(kind);
	json_t *r = NULL, *data = NULL, *top = NULL, *origin = NULL;
	sqlite3_stmt *st;
	int first, rc = -1, step;

	*record = NULL;
	if (!(st = select_row(s, kind, &first, err)))
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->user_id, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		g_err_set(err, G_EX_NOINPUT, "no such %s '%s'", g_cardkind_name(kind), id);
		goto out;
	}
	if (step != SQLITE_ROW) {
		g_store_error(s, step, "reading a card", err);
		goto out;
	}
	data = json_object();
	if (!data) {
		oom(err);
		goto out;
	}
	if (build_data(k, table, id, st, first, data, &top, &origin, err) < 0 ||
	    open_blob(k, table, id, st, first, COL_AVATAR, avatar, err) < 0 ||
	    open_blob(k, table, id, st, first, COL_RAW, raw, err) < 0)
		goto out;
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
		json_object_set_new(r, "default", json_boolean(sqlite3_column_int(st, 8) == 1));
		json_object_set_new(r, "position", text_col(st, 5));
		json_object_set_new(r, "depth", json_integer(sqlite3_column_int64(st, 6)));
		json_object_set_new(r, "role", text_col(st, 7));
	}
	json_object_set_new(r, "created_at", text_col(st, 3));
	json_object_set_new(r, "updated_at", text_col(st, 4));
	*record = r;
	rc = 0;
out:
	sqlite3_reset(st);
	json_decref(data);
	json_decref(top);
	json_decref(origin);
	return rc;
}

json_t *g_cardrow_card(const json_t *record)
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

int g_cardrow_names(struct g_store *s, const struct g_userkey *k,
		    enum g_cardkind kind, int64_t after, g_cardrow_name_fn fn,
		    void *arg, struct g_err *err)
{
	const char *table = g_cardkind_table(kind);
	char sql[160];
	sqlite3_stmt *st;
	char *name;
	size_t len;
	int rc, step, stop = 0;

	snprintf(sql, sizeof(sql),
		 "SELECT id, name, name_nonce, rowid FROM %s WHERE user_id = ?1 AND rowid > ?2 "
		 "ORDER BY rowid",
		 table);
	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, k->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	rc = 0;
	while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);

		/* column 1 is "name": data_columns[0] */
		rc = open_col(k, table, id, st, 1, 0, &name, &len, err);
		if (rc < 0)
			break;
		stop = fn(id, rc ? name : "", sqlite3_column_int64(st, 3), arg);
		if (rc)
			free(name);
		rc = 0;
	}
	if (rc == 0 && !stop && step != SQLITE_DONE)
		rc = g_store_error(s, step, "reading names", err);
	sqlite3_reset(st);
	return rc;
}

/* Every id of k's user's rows of a kind, read whole before anything is
 * written (updating content_hash moves rows in the index a live SELECT
 * would be walking). */
static json_t *all_ids(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
		       struct g_err *err)
{
	json_t *ids = json_array();
	char sql[160];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE user_id = ?1 ORDER BY rowid",
		 g_cardkind_table(kind));
	if (!ids || g_store_prepare(s, sql, &st, err) < 0) {
		json_decref(ids);
		return NULL;
	}
	sqlite3_bind_text(st, 1, k->user_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(ids);
		g_store_error(s, rc, "rehashing", err);
		return NULL;
	}
	return ids;
}

/* One row's content hash, recomputed from what it holds under k. */
static int rehash_one(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
		      const char *id, struct g_err *err)
{
	unsigned char hash[G_HASH_BYTES];
	struct g_blob avatar = { 0 };
	struct g_cardrow row = { 0 };
	json_t *record, *card = NULL;
	char sql[160];
	sqlite3_stmt *st;
	int rc = -1;

	if (g_cardrow_load(s, k, kind, id, &record, &avatar, NULL, err) < 0)
		return -1;
	row.kind = kind;
	row.card = card = g_cardrow_card(record);
	row.avatar = avatar.data;
	row.avatar_len = avatar.len;
	if (kind == G_PERSONA)
		g_placement_parse(json_string_value(json_object_get(record, "position")),
				  json_integer_value(json_object_get(record, "depth")),
				  json_string_value(json_object_get(record, "role")), &row.place);
	snprintf(sql, sizeof(sql), "UPDATE %s SET content_hash = ?1 WHERE id = ?2",
		 g_cardkind_table(kind));
	if (!card)
		oom(err);
	else if (g_cardrow_hash(k, &row, hash, err) == 0 && g_store_prepare(s, sql, &st, err) == 0) {
		sqlite3_bind_blob(st, 1, hash, G_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : g_store_error(s, sqlite3_errcode(s->db),
									 "rehashing", err);
		sqlite3_reset(st);
	}
	json_decref(card);
	json_decref(record);
	free(avatar.data);
	return rc;
}

long g_cardrow_rehash(struct g_store *s, const struct g_userkey *k, struct g_err *err)
{
	static const enum g_cardkind kinds[] = { G_CHARACTER, G_PERSONA };
	long count = 0;
	size_t i, j;

	for (i = 0; i < 2; i++) {
		json_t *ids = all_ids(s, k, kinds[i], err), *id;

		if (!ids)
			return -1;
		json_array_foreach(ids, j, id) {
			if (rehash_one(s, k, kinds[i], json_string_value(id), err) < 0) {
				json_decref(ids);
				return -1;
			}
			count++;
		}
		json_decref(ids);
	}
	return count;
}
