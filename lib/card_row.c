/* card_row.c: characters and personas into their rows: hashes, inserts,
 * replaces and deletes, and rehashing after a rekey. */
#include "card_row.h"
#include "card_columns.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "lore_index.h"
#include "timestamp.h"
#include "user.h"
#include "uuid.h"

/* A column's plaintext: borrowed (p) or owned (owned, freed after). */
struct plain {
	const void *p;
	size_t len;
	char *owned;
};

static void plains_free(struct plain *pl)
{
	size_t i;

	for (i = 0; i < G_CARD_COLUMNS; i++)
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
		for (i = 0; i < G_CARD_DATA_COLUMNS; i++)
			if (strcmp(key, g_card_columns_data[i].name) == 0)
				break;
		/* a text field that is not text cannot go in its column as text */
		if ((i == G_CARD_DATA_COLUMNS ||
		     (g_card_columns_data[i].type == G_COL_TEXT && !json_is_string(v))) &&
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

/* The lore index of the card's character_book (lore_index.h), or none
 * when there is no book or it does not read (a render then reads the JSON
 * and reports what is wrong with it); -1 if memory fails. */
static int plain_lore(struct plain *pl, const json_t *data)
{
	const json_t *book = json_object_get(data, "character_book");
	struct g_lore_book b;
	struct g_err ignored;
	unsigned char *out;
	size_t len;
	int rc;

	if (!json_is_object(book))
		return 0;
	g_err_clear(&ignored);
	if (g_lore_book_read(&b, book, "", &ignored) < 0)
		return ignored.code == G_EX_SOFTWARE ? -1 : 0; /* 70: memory */
	rc = g_lore_index_write(&b, &out, &len);
	g_lore_book_release(&b);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!g_crypt_parts_sealed_len(out, len)) { /* too big to seal in parts */
		free(out);
		return 0;
	}
	pl->owned = (char *)out;
	pl->p = out;
	pl->len = len;
	return 0;
}

/* Every column's plaintext for row; unset columns have p NULL. */
static int row_plains(const struct g_card_row *row, struct plain *pl, struct g_err *err)
{
	const json_t *data = json_object_get(row->card, "data");
	json_t *extra;
	size_t i;

	memset(pl, 0, sizeof(*pl) * G_CARD_COLUMNS);
	for (i = 0; i < G_CARD_DATA_COLUMNS; i++) {
		const json_t *v = json_object_get(data, g_card_columns_data[i].name);

		if (!v)
			continue;
		if (g_card_columns_data[i].type == G_COL_TEXT) {
			if (json_is_string(v)) {
				pl[i].p = json_string_value(v);
				pl[i].len = json_string_length(v);
			}
		} else if (plain_json(&pl[i], v) < 0) {
			goto fail;
		}
	}
	if (row->origin && plain_json(&pl[G_COL_ORIGIN], row->origin) < 0)
		goto fail;
	pl[G_COL_RAW].p = row->raw;
	pl[G_COL_RAW].len = row->raw_len;
	pl[G_COL_AVATAR].p = row->avatar;
	pl[G_COL_AVATAR].len = row->avatar_len;
	if (plain_lore(&pl[G_COL_LORE], data) < 0 || split_extra(row->card, &extra) < 0)
		goto fail;
	if (extra) {
		i = (size_t)plain_json(&pl[G_COL_EXTRA], extra);
		json_decref(extra);
		if (i)
			goto fail;
	}
	return 0;
fail:
	plains_free(pl);
	return g_err_oom(err);
}

/* The part of a card the hash covers: data and the other top-level keys
 * (spec labels are the row's, not the content's), as a new object sharing
 * the card's values; NULL if memory fails. */
static json_t *hash_doc(const json_t *card)
{
	json_t *doc = json_object();
	const char *key;
	json_t *v;

	if (!doc)
		return NULL;
	json_object_foreach((json_t *)card, key, v)
		if (strcmp(key, "spec") != 0 && strcmp(key, "spec_version") != 0 &&
		    json_object_set(doc, key, v) < 0) {
			json_decref(doc);
			return NULL;
		}
	return doc;
}

#define HASH_DOC_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)

static int count_bytes(const char *buf, size_t len, void *arg)
{
	(void)buf;
	*(size_t *)arg += len;
	return 0;
}

static int hash_bytes(const char *buf, size_t len, void *arg)
{
	g_crypt_hasher_add(arg, buf, len);
	return 0;
}

/* A document up to this size is written out once, into memory, and hashed
 * from there; a larger one twice (to count its bytes, then to hash them),
 * so that it is never held whole. */
#define HASH_DOC_HELD ((size_t)256 << 10)

struct held {
	char *buf;
	size_t len, cap;
};

static int hold_bytes(const char *buf, size_t len, void *arg)
{
	struct held *h = arg;
	size_t cap = h->cap ? h->cap : 4096;
	char *nb;

	if (len > HASH_DOC_HELD - h->len)
		return -1;
	if (h->len + len > h->cap) {
		while (cap < h->len + len)
			cap *= 2;
		if (!(nb = realloc(h->buf, cap)))
			return -1;
		h->buf = nb;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, buf, len);
	h->len += len;
	return 0;
}

/* What the hash takes of an avatar: of a PNG, each chunk's length, type
 * and CRC (the CRC covers the chunk's bytes, and the walk that read the
 * file checked every one), so hashing costs nothing like the image's size;
 * of anything else, every byte. A hash match is only a candidate:
 * g_card_row_find_hash confirms it byte for byte. */
static unsigned char *avatar_digest(const unsigned char *p, size_t len, size_t *out_len)
{
	size_t off = 8, n = 0, cap = (size_t)64 * 12, chunk;
	unsigned char *d, *nd;

	/* the signature by hand, not g_png_sniff: png.c would bring zlib and
	 * libdeflate into every command that stores a card row */
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

int g_card_row_hash(const struct g_userkey *k, const struct g_card_row *row,
		   unsigned char out[G_HASH_BYTES], struct g_err *err)
{
	const char *kind = g_cardkind_name(row->kind);
	const char *version = "";
	char depth[24] = "";
	struct g_hash_part parts[7];
	json_t *doc = hash_doc(row->card);
	struct g_hasher *h = doc ? g_crypt_hasher_new(k->dek) : NULL;
	struct held held = { NULL, 0, 0 };
	unsigned char *digest;
	size_t digest_len = 0, doc_len = 0, i;
	int failed = 0, is_held = 0;

	if (h && json_dump_callback(doc, hold_bytes, &held, HASH_DOC_FLAGS) == 0) {
		is_held = 1;
		doc_len = held.len;
	} else {
		free(held.buf);
		held.buf = NULL;
	}
	if (!h || (!is_held && json_dump_callback(doc, count_bytes, &doc_len, HASH_DOC_FLAGS) < 0)) {
		json_decref(doc);
		if (h)
			g_crypt_hasher_end(h, out);
		return g_err_oom(err);
	}
	digest = avatar_digest(row->avatar, row->avatar_len, &digest_len);
	if (row->kind == G_CHARACTER)
		version = json_string_value(json_object_get(row->card, "spec_version"));
	else
		snprintf(depth, sizeof(depth), "%lld", (long long)row->place.depth);
	parts[0] = (struct g_hash_part){ kind, strlen(kind) };
	parts[1] = (struct g_hash_part){ version ? version : "", version ? strlen(version) : 0 };
	parts[2] = (struct g_hash_part){ NULL, doc_len }; /* the document, written as hashed */
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
	/* as g_crypt_content_hash would over the parts, the document never whole */
	for (i = 0; i < 7; i++) {
		g_crypt_hasher_part(h, parts[i].len);
		if (i == 2 && is_held)
			g_crypt_hasher_add(h, held.buf, held.len);
		else if (i == 2)
			failed = json_dump_callback(doc, hash_bytes, h, HASH_DOC_FLAGS) < 0;
		else
			g_crypt_hasher_add(h, parts[i].data, parts[i].len);
	}
	g_crypt_hasher_end(h, out);
	free(digest);
	free(held.buf);
	json_decref(doc);
	return failed ? g_err_oom(err) : 0;
}

int g_card_row_find_hash(struct g_store *s, const struct g_userkey *k,
			const struct g_card_row *row, const unsigned char hash[G_HASH_BYTES],
			char id[G_UUID_LEN], struct g_err *err)
{
	const char *table = g_cardkind_table(row->kind);
	char sql[200];
	struct g_db_stmt *st;
	int rc, found = 0;

	snprintf(sql, sizeof(sql),
		 "SELECT id, avatar, avatar_nonce FROM %s WHERE user_id = ?1 AND content_hash = ?2 "
		 "ORDER BY rowid",
		 table);
	/* what is found decides the write: the user's row held till it ends */
	if (g_user_lock(s, k->user_id, err) < 0 || g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, k->user_id);
	g_db_bind_blob(st, 2, hash, G_HASH_BYTES);
	while (!found && (rc = g_db_step(st)) == G_DB_ROW) {
		const char *row_id = g_db_column_text(st, 0);
		char *avatar = NULL;
		size_t len = 0;
		int has;

		/* the avatar, confirmed byte for byte (column 1 is "avatar") */
		has = g_card_columns_open(k, table, row_id, st, 1 - 2 * (int)G_COL_AVATAR, G_COL_AVATAR, &avatar,
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
	if (found == 0 && rc != G_DB_DONE)
		found = g_store_error(s, rc, "looking up a card", err);
	g_db_reset(st);
	return found;
}

/* The parameter of the first sealed column: after ?7-?9, the placement,
 * for a persona. No number is left unused (PostgreSQL could not type it). */
static int first_column_param(enum g_cardkind kind)
{
	return kind == G_PERSONA ? 10 : 7;
}

/* The SQL of an insert (replace 0) or an update (replace 1) of every
 * column; parameters: ?1 id, ?2 user, ?3 spec, ?4 spec_version, ?5 now,
 * ?6 hash, ?7-?9 placement (personas), then each column and its nonce. */
static int write_sql(enum g_cardkind kind, int replace, char *sql, size_t size)
{
	size_t n, i;
	int p = first_column_param(kind);

	if (replace) {
		n = (size_t)snprintf(sql, size,
				     "UPDATE %s SET spec = ?3, spec_version = ?4, updated_at = ?5, "
				     "content_hash = ?6%s",
				     g_cardkind_table(kind),
				     kind == G_PERSONA ? ", position = ?7, depth = ?8, role = ?9" : "");
		for (i = 0; i < G_CARD_COLUMNS && n < size; i++, p += 2)
			n += (size_t)snprintf(sql + n, size - n, ", %s = ?%d, %s_nonce = ?%d",
					      g_card_columns_name(i), p, g_card_columns_name(i), p + 1);
		if (n < size)
			n += (size_t)snprintf(sql + n, size - n, " WHERE id = ?1 AND user_id = ?2");
		return n < size ? 0 : -1;
	}
	n = (size_t)snprintf(sql, size,
			     "INSERT INTO %s (id, user_id, spec, spec_version, created_at, "
			     "updated_at, content_hash%s",
			     g_cardkind_table(kind),
			     kind == G_PERSONA ? ", position, depth, role" : "");
	for (i = 0; i < G_CARD_COLUMNS && n < size; i++)
		n += (size_t)snprintf(sql + n, size - n, ", %s, %s_nonce", g_card_columns_name(i),
				      g_card_columns_name(i));
	if (n < size)
		n += (size_t)snprintf(sql + n, size - n, ") VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6%s",
				      kind == G_PERSONA ? ", ?7, ?8, ?9" : "");
	for (i = 0; i < G_CARD_COLUMNS && n < size; i++, p += 2)
		n += (size_t)snprintf(sql + n, size - n, ", ?%d, ?%d", p, p + 1);
	if (n < size)
		n += (size_t)snprintf(sql + n, size - n, ")");
	return n < size ? 0 : -1;
}

/* A row whose fields seal to this many bytes or more is written in two
 * steps (fill_row): SQLite builds a row's whole record in memory, and a
 * large card would be held twice more, sealed and in the record. */
#define BIG_ROW ((size_t)1 << 20)

/* Write len bytes of data into table.column of row id, which holds as
 * many zeros (SQLite: incremental blob I/O, no record is built). */
static int write_blob(struct g_store *s, const char *table, const char *column,
		      const char *id, const void *data, size_t len, struct g_err *err)
{
	int rc;

	if (len > INT_MAX)
		return g_err_set(err, G_EX_DATAERR, "a card field too large to store");
	rc = g_db_blob_write(s->db, table, column, id, data, len);
	return rc == G_DB_OK ? 0 : g_store_error(s, rc, "storing a card", err);
}

/* What column i's plaintext takes sealed: the lore index is sealed in
 * parts (lore_index.h), the others whole. */
static size_t sealed_len(const struct plain *pl, size_t i)
{
	return i == G_COL_LORE ? g_crypt_parts_sealed_len(pl[i].p, pl[i].len)
			       : pl[i].len + G_SEAL_OVERHEAD;
}

/* The second step of a big row, whose every set column holds zeros of its
 * sealed length: each column sealed, written and freed before the next is
 * sealed, so that one ciphertext at most is held at a time. */
static int fill_row(struct g_store *s, const struct g_userkey *k, const char *table,
		    const char *id, const struct plain *pl, struct g_err *err)
{
	struct g_field_ad ad = { table, NULL, id, k->user_id, k->dek_version };
	unsigned char *sealed, nonce[G_NONCE_BYTES];
	size_t i, len;
	char nonce_col[64];
	int rc = 0;

	for (i = 0; i < G_CARD_COLUMNS && rc == 0; i++) {
		if (!pl[i].p)
			continue;
		ad.column = g_card_columns_name(i);
		if ((i == G_COL_LORE
			     ? g_crypt_seal_parts(k->dek, &ad, pl[i].p, pl[i].len, &sealed, &len, nonce,
						  err)
			     : g_crypt_seal(k->dek, &ad, pl[i].p, pl[i].len, &sealed, &len, nonce,
					    err)) < 0)
			return -1;
		snprintf(nonce_col, sizeof(nonce_col), "%s_nonce", ad.column);
		if (len != sealed_len(pl, i))
			rc = g_err_set(err, G_EX_SOFTWARE, "a sealed field is not the length foreseen");
		else if ((rc = write_blob(s, table, ad.column, id, sealed, len, err)) == 0)
			rc = write_blob(s, table, nonce_col, id, nonce, G_NONCE_BYTES, err);
		free(sealed);
	}
	return rc;
}

/* write_sql's text, made once per kind and statement: a card of an import
 * is too small a job to spend thirty snprintf calls on its SQL. */
static const char *row_sql(enum g_cardkind kind, int replace)
{
	static char sql[2][2][4096];
	static int made[2][2];
	int i = kind == G_PERSONA, j = replace != 0;

	if (!made[i][j]) {
		if (write_sql(kind, replace, sql[i][j], sizeof(sql[i][j])) < 0)
			return NULL;
		made[i][j] = 1;
	}
	return sql[i][j];
}

static int write_row(struct g_store *s, const struct g_userkey *k,
		     const struct g_card_row *row, const unsigned char *hash,
		     const char *id, int replace, struct g_err *err)
{
	const char *table = g_cardkind_table(row->kind);
	struct g_seal_field sealed[G_CARD_COLUMNS];
	size_t total = 0;
	struct plain pl[G_CARD_COLUMNS];
	char now[G_TIMESTAMP_LEN];
	const char *sql = row_sql(row->kind, replace);
	struct g_field_ad ad = { table, NULL, id, k->user_id, k->dek_version };
	struct g_db_stmt *st = NULL;
	size_t i;
	int rc = -1, step, big, p = first_column_param(row->kind);

	if (row->kind == G_PERSONA && !g_placement_valid(&row->place))
		return g_err_set(err, G_EX_DATAERR, "invalid persona position, depth or role");
	if (!sql)
		return g_err_set(err, G_EX_SOFTWARE, "card SQL too long");
	memset(sealed, 0, sizeof(sealed));
	if (row_plains(row, pl, err) < 0)
		return -1;
	for (i = 0; i < G_CARD_COLUMNS; i++) {
		if (pl[i].p)
			total += sealed_len(pl, i);
		sealed[i].column = g_card_columns_name(i);
		sealed[i].plain = pl[i].p;
		sealed[i].len = pl[i].len;
		sealed[i].parts = i == G_COL_LORE;
	}
	/* big: the row goes in as zeros (which a record holds as a count when
	 * nothing but zeros and NULLs follows them) and is filled after, where
	 * the backend writes them in place (PostgreSQL would send every byte
	 * twice: it takes the row whole) */
	big = total >= BIG_ROW && g_db_blob_in_place(s->db);
	if (!big && g_crypt_seal_row(k->dek, &ad, sealed, G_CARD_COLUMNS, err) < 0)
		goto out;
	if (g_store_prepare(s, sql, &st, err) < 0) {
		st = NULL;
		goto out;
	}
	g_timestamp_now(now);
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	if (row->kind == G_PERSONA) {
		g_db_bind_str(st, 3, "user_persona_spec_v1");
		g_db_bind_str(st, 4, "1.0.0");
		g_db_bind_str(st, 7, row->place.position);
		g_db_bind_int64(st, 8, row->place.depth);
		g_db_bind_str(st, 9, row->place.role);
	} else {
		g_db_bind_str(st, 3, "chara_card_v3");
		g_db_bind_str(st, 4, json_string_value(json_object_get(row->card, "spec_version")));
	}
	g_db_bind_str(st, 5, now);
	g_db_bind_blob(st, 6, hash, G_HASH_BYTES);
	for (i = 0; i < G_CARD_COLUMNS; i++)
		if (big && pl[i].p) {
			step = g_db_bind_zeros(st, p + 2 * (int)i, sealed_len(pl, i));
			if (step == G_DB_OK)
				step = g_db_bind_zeros(st, p + 1 + 2 * (int)i, G_NONCE_BYTES);
			if (step != G_DB_OK) {
				g_store_error(s, step, "storing a card", err);
				goto out;
			}
		} else if (sealed[i].out) {
			g_db_bind_blob(st, p + 2 * (int)i, sealed[i].out, sealed[i].outlen);
			g_db_bind_blob(st, p + 1 + 2 * (int)i, sealed[i].nonce, G_NONCE_BYTES);
		}
	step = g_db_step(st);
	if (step != G_DB_DONE)
		g_store_error(s, step, "storing a card", err);
	else if (replace && g_db_changes(s->db) != 1)
		g_err_set(err, G_EX_NOINPUT, "no such %s '%s'", g_cardkind_name(row->kind), id);
	else if (!big || fill_row(s, k, table, id, pl, err) == 0)
		rc = 0;
out:
	if (st)
		g_db_reset(st);
	for (i = 0; i < G_CARD_COLUMNS; i++)
		free(sealed[i].out);
	plains_free(pl);
	return rc;
}

int g_card_row_insert(struct g_store *s, const struct g_userkey *k,
		     const struct g_card_row *row,
		     const unsigned char hash[G_HASH_BYTES], char id[G_UUID_LEN],
		     struct g_err *err)
{
	if (g_uuid7(id, err) < 0)
		return -1;
	return write_row(s, k, row, hash, id, 0, err);
}

int g_card_row_replace(struct g_store *s, const struct g_userkey *k,
		      const struct g_card_row *row,
		      const unsigned char hash[G_HASH_BYTES], const char *id,
		      struct g_err *err)
{
	return write_row(s, k, row, hash, id, 1, err);
}

/* Every id of k's user's rows of a kind, read whole before anything is
 * written (updating content_hash moves rows in the index a live SELECT
 * would be walking). */
static json_t *all_ids(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
		       struct g_err *err)
{
	json_t *ids = json_array();
	char sql[160];
	struct g_db_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE user_id = ?1 ORDER BY rowid",
		 g_cardkind_table(kind));
	if (!ids || g_store_prepare(s, sql, &st, err) < 0) {
		json_decref(ids);
		return NULL;
	}
	g_db_bind_str(st, 1, k->user_id);
	while ((rc = g_db_step(st)) == G_DB_ROW)
		json_array_append_new(ids, json_string(g_db_column_text(st, 0)));
	g_db_reset(st);
	if (rc != G_DB_DONE) {
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
	struct g_card_row row = { 0 };
	json_t *record, *card = NULL;
	char sql[160];
	struct g_db_stmt *st;
	int rc = -1;

	if (g_card_row_load(s, k, kind, id, &record, &avatar, NULL, err) < 0)
		return -1;
	row.kind = kind;
	row.card = card = g_card_row_card(record);
	row.avatar = avatar.data;
	row.avatar_len = avatar.len;
	if (kind == G_PERSONA)
		g_placement_parse(json_string_value(json_object_get(record, "position")),
				  json_integer_value(json_object_get(record, "depth")),
				  json_string_value(json_object_get(record, "role")), &row.place);
	snprintf(sql, sizeof(sql), "UPDATE %s SET content_hash = ?1 WHERE id = ?2",
		 g_cardkind_table(kind));
	if (!card)
		g_err_oom(err);
	else if (g_card_row_hash(k, &row, hash, err) == 0 && g_store_prepare(s, sql, &st, err) == 0) {
		g_db_bind_blob(st, 1, hash, G_HASH_BYTES);
		g_db_bind_str(st, 2, id);
		rc = g_db_step(st);
		rc = rc == G_DB_DONE ? 0 : g_store_error(s, rc, "rehashing", err);
		g_db_reset(st);
	}
	json_decref(card);
	json_decref(record);
	free(avatar.data);
	return rc;
}

long g_card_row_rehash(struct g_store *s, const struct g_userkey *k, struct g_err *err)
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

int g_card_row_delete(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
		     const char *id, struct g_err *err)
{
	char sql[96];
	struct g_db_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?1 AND user_id = ?2",
		 g_cardkind_table(kind));
	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	rc = g_db_step(st);
	g_db_reset(st);
	if (rc != G_DB_DONE)
		return g_store_error(s, rc, "deleting a card", err);
	if (g_db_changes(s->db) != 1)
		return g_err_set(err, G_EX_NOINPUT, "no such %s '%s'", g_cardkind_name(kind), id);
	return 0;
}
