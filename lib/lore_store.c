/* lore_store.c: lorebook rows in and out, sealed. */
#include "lore_store.h"

#include <stdlib.h>
#include <string.h>

#include "crypt.h"
#include "user.h"
#include "vault.h"

#define COLUMNS "id, created_at, updated_at, origin, origin_nonce, name, name_nonce, book, book_nonce"

void g_lore_row_release(struct g_lore_row *r)
{
	free(r->name);
	free(r->origin);
	json_decref(r->book);
	memset(r, 0, sizeof(*r));
}

static int prepare(struct g_store *s, const char *sql, struct g_db_stmt **st, struct g_err *err)
{
	int rc = g_db_prepare(s->db, sql, st);

	return rc == G_DB_OK ? 0 : g_store_error(s, rc, "lorebooks", err);
}

/* Run st to its end and finalize it: 0, or -1 with err. */
static int run(struct g_store *s, struct g_db_stmt *st, struct g_err *err)
{
	int rc = g_db_step(st);

	g_db_finalize(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "lorebooks", err);
}

/* The keyed hash of a book: the same book, whatever its key order, is the
 * same hash, and it says nothing without the user's key. */
static int book_hash(const struct g_userkey *k, const json_t *book,
		     unsigned char out[G_HASH_BYTES], struct g_err *err)
{
	char *doc = json_dumps(book, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	struct g_hash_part parts[2];

	if (!doc)
		return g_err_oom(err);
	parts[0] = (struct g_hash_part){ "lorebook", 8 };
	parts[1] = (struct g_hash_part){ doc, strlen(doc) };
	g_crypt_content_hash(k->dek, parts, 2, out);
	free(doc);
	return 0;
}

static const char *book_name(const json_t *book)
{
	const char *name = json_string_value(json_object_get(book, "name"));

	return name ? name : "";
}

/* Seal the three texts of row id. */
struct sealed_row {
	struct g_sealed origin, name, book;
};

static void sealed_release(struct sealed_row *x)
{
	g_vault_sealed_release(&x->origin);
	g_vault_sealed_release(&x->name);
	g_vault_sealed_release(&x->book);
}

static int seal_row(const struct g_userkey *k, const char *id, const json_t *book,
		    const char *origin, struct sealed_row *x, struct g_err *err)
{
	char *doc = json_dumps(book, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *name = book_name(book);
	int rc;

	memset(x, 0, sizeof(*x));
	if (!doc)
		return g_err_oom(err);
	rc = (origin ? g_vault_seal(k, "lorebooks", "origin", id, origin, strlen(origin),
				    &x->origin, err)
		     : 0) < 0 ||
	     g_vault_seal(k, "lorebooks", "name", id, name, strlen(name), &x->name, err) < 0 ||
	     g_vault_seal(k, "lorebooks", "book", id, doc, strlen(doc), &x->book, err) < 0;
	free(doc);
	if (rc)
		sealed_release(x);
	return rc ? -1 : 0;
}

static int find_hash(struct g_store *s, const struct g_userkey *k,
		     const unsigned char hash[G_HASH_BYTES], char id[G_UUID_LEN], struct g_err *err)
{
	struct g_db_stmt *st;
	int rc;

	/* what is found decides the write: the user's row held till it ends */
	if (g_user_lock(s, k->user_id, err) < 0 ||
	    prepare(s, "SELECT id FROM lorebooks WHERE user_id = ?1 AND content_hash = ?2 "
		       "ORDER BY rowid LIMIT 1", &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, k->user_id);
	g_db_bind_blob(st, 2, hash, G_HASH_BYTES);
	rc = g_db_step(st);
	if (rc == G_DB_ROW)
		snprintf(id, G_UUID_LEN, "%s", g_db_column_text(st, 0));
	g_db_finalize(st);
	if (rc == G_DB_ROW)
		return 1;
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "lorebooks", err);
}

/* write a whole row: a new one (insert) or row id's texts anew */
static int write_row(struct g_store *s, const struct g_userkey *k, const char *id,
		     const json_t *book, const char *origin, int insert, struct g_err *err)
{
	unsigned char hash[G_HASH_BYTES];
	char now[G_TIMESTAMP_LEN];
	struct sealed_row x;
	struct g_db_stmt *st;
	int rc;

	if (book_hash(k, book, hash, err) < 0 || seal_row(k, id, book, origin, &x, err) < 0)
		return -1;
	g_timestamp_now(now);
	rc = prepare(s, insert ? "INSERT INTO lorebooks (id, user_id, created_at, updated_at, "
				 "content_hash, name, name_nonce, book, book_nonce, origin, "
				 "origin_nonce) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
			       : "UPDATE lorebooks SET updated_at = ?3, content_hash = ?4, "
				 "name = ?5, name_nonce = ?6, book = ?7, book_nonce = ?8, "
				 "origin = coalesce(?9, origin), origin_nonce = coalesce(?10, "
				 "origin_nonce) WHERE id = ?1 AND user_id = ?2",
		     &st, err);
	if (rc == 0) {
		g_db_bind_str(st, 1, id);
		g_db_bind_str(st, 2, k->user_id);
		g_db_bind_str(st, 3, now);
		g_db_bind_blob(st, 4, hash, G_HASH_BYTES);
		g_vault_bind(st, 5, &x.name);
		g_vault_bind(st, 7, &x.book);
		g_vault_bind(st, 9, &x.origin);
		rc = run(s, st, err);
	}
	sealed_release(&x);
	if (rc == 0 && !insert && g_db_changes(s->db) != 1)
		return g_err_set(err, G_EX_NOINPUT, "no such lorebook '%s'", id);
	return rc;
}

static char fold(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* the rows called name (the whole of it, ASCII case folded) */
struct namesake {
	const char *name;
	struct g_ref_found found;
};

static int namesake(const char *id, const char *name, size_t len, void *arg)
{
	struct namesake *n = arg;
	size_t i;

	if (len != strlen(n->name))
		return 0;
	for (i = 0; i < len; i++)
		if (fold(name[i]) != fold(n->name[i]))
			return 0;
	g_ref_found_add(&n->found, "lorebook", 0, id);
	return 0;
}

int g_lore_store_namesakes(struct g_store *s, const struct g_userkey *k, const char *name,
			   struct g_ref_found *found, struct g_err *err)
{
	struct namesake n = { name, { 0 } };

	if (g_lore_store_names(s, k, namesake, &n, err) < 0)
		return -1;
	*found = n.found;
	return 0;
}

int g_lore_store_import(struct g_store *s, const struct g_userkey *k, const json_t *book,
			const char *origin, char id[G_UUID_LEN], const char **status,
			struct g_err *err)
{
	unsigned char hash[G_HASH_BYTES];
	struct g_ref_found found;
	int rc;

	if (book_hash(k, book, hash, err) < 0 || (rc = find_hash(s, k, hash, id, err)) < 0)
		return -1;
	if (rc == 1) {
		*status = "unchanged";
		return 0;
	}
	if (g_lore_store_namesakes(s, k, book_name(book), &found, err) < 0)
		return -1;
	if ((rc = g_ref_found_one(&found, book_name(book), id, err)) < 0)
		return -1;
	if (rc == 0) {
		*status = "updated";
		return write_row(s, k, id, book, origin, 0, err);
	}
	*status = "created";
	if (g_uuid7(id, err) < 0)
		return -1;
	return write_row(s, k, id, book, origin, 1, err);
}

int g_lore_store_replace(struct g_store *s, const struct g_userkey *k, const char *id,
			 const json_t *book, struct g_err *err)
{
	return write_row(s, k, id, book, NULL, 0, err);
}

static int open_text(const struct g_userkey *k, const char *column, const char *id,
		     struct g_db_stmt *st, int col, char **out, size_t *len, struct g_err *err)
{
	size_t n = 0;
	int rc = g_vault_open_at(k, "lorebooks", column, id, st, col, out, len ? len : &n, err);

	if (rc < 0)
		g_err_prefix(err, "lorebooks '%s' %s", id, column);
	return rc;
}

int g_lore_store_load(struct g_store *s, const struct g_userkey *k, const char *id,
		      struct g_lore_row *out, struct g_err *err)
{
	json_error_t jerr;
	struct g_db_stmt *st;
	char *doc = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (prepare(s, "SELECT " COLUMNS " FROM lorebooks WHERE id = ?1 AND user_id = ?2", &st,
		    err) < 0)
		return -1;
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	rc = g_db_step(st);
	if (rc != G_DB_ROW) {
		g_db_finalize(st);
		return rc == G_DB_DONE ? g_err_set(err, G_EX_NOINPUT, "no such lorebook '%s'", id)
					 : g_store_error(s, rc, "lorebooks", err);
	}
	snprintf(out->id, sizeof(out->id), "%s", g_db_column_text(st, 0));
	snprintf(out->created_at, sizeof(out->created_at), "%s", g_db_column_text(st, 1));
	snprintf(out->updated_at, sizeof(out->updated_at), "%s", g_db_column_text(st, 2));
	rc = open_text(k, "origin", id, st, 3, &out->origin, NULL, err) < 0 ||
	     open_text(k, "name", id, st, 5, &out->name, NULL, err) < 0 ||
	     open_text(k, "book", id, st, 7, &doc, &len, err) < 0;
	g_db_finalize(st);
	if (!rc && !(out->book = json_loadb(doc ? doc : "", len, JSON_ALLOW_NUL, &jerr)))
		rc = g_err_set(err, G_EX_DATAERR, "lorebooks '%s' book: %s", id, jerr.text) < 0;
	free(doc);
	if (!rc && !out->name && !(out->name = strdup("")))
		rc = g_err_oom(err) < 0;
	if (rc) {
		g_lore_row_release(out);
		return -1;
	}
	return 0;
}

int g_lore_store_delete(struct g_store *s, const struct g_userkey *k, const char *id,
			struct g_err *err)
{
	struct g_db_stmt *st;

	if (prepare(s, "DELETE FROM lorebooks WHERE id = ?1 AND user_id = ?2", &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	if (run(s, st, err) < 0)
		return -1;
	if (g_db_changes(s->db) != 1)
		return g_err_set(err, G_EX_NOINPUT, "no such lorebook '%s'", id);
	return 0;
}

json_t *g_lore_store_ids(struct g_store *s, const struct g_userkey *k, struct g_err *err)
{
	json_t *ids = json_array();
	struct g_db_stmt *st;
	int rc, failed = 0;

	if (!ids)
		return g_err_oom(err), NULL;
	if (prepare(s, "SELECT id FROM lorebooks WHERE user_id = ?1 ORDER BY rowid", &st, err) < 0) {
		json_decref(ids);
		return NULL;
	}
	g_db_bind_str(st, 1, k->user_id);
	while (!failed && (rc = g_db_step(st)) == G_DB_ROW)
		failed = json_array_append_new(
				 ids, json_string(g_db_column_text(st, 0))) < 0;
	g_db_finalize(st);
	if (failed || rc != G_DB_DONE) {
		json_decref(ids);
		if (failed)
			g_err_oom(err);
		else
			g_store_error(s, rc, "lorebooks", err);
		return NULL;
	}
	return ids;
}

int g_lore_store_names(struct g_store *s, const struct g_userkey *k, g_lore_name_fn fn,
		       void *arg, struct g_err *err)
{
	struct g_db_stmt *st;
	int rc, stop = 0;

	if (prepare(s, "SELECT id, name, name_nonce FROM lorebooks WHERE user_id = ?1 "
		       "ORDER BY rowid", &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, k->user_id);
	while (!stop && (rc = g_db_step(st)) == G_DB_ROW) {
		const char *id = g_db_column_text(st, 0);
		char *name = NULL;
		size_t len = 0;

		if (open_text(k, "name", id, st, 1, &name, &len, err) < 0) {
			g_db_finalize(st);
			return -1;
		}
		stop = fn(id, name ? name : "", name ? len : 0, arg);
		free(name);
	}
	g_db_finalize(st);
	return stop || rc == G_DB_DONE ? 0 : g_store_error(s, rc, "lorebooks", err);
}

/* the content hash only: the texts were sealed anew by the rekey */
static int rehash_one(struct g_store *s, const struct g_userkey *k, const char *id,
		      struct g_err *err)
{
	unsigned char hash[G_HASH_BYTES];
	struct g_lore_row r;
	struct g_db_stmt *st;
	int rc;

	if (g_lore_store_load(s, k, id, &r, err) < 0)
		return -1;
	rc = book_hash(k, r.book, hash, err);
	g_lore_row_release(&r);
	if (rc < 0 || prepare(s, "UPDATE lorebooks SET content_hash = ?1 WHERE id = ?2", &st,
			      err) < 0)
		return -1;
	g_db_bind_blob(st, 1, hash, G_HASH_BYTES);
	g_db_bind_str(st, 2, id);
	return run(s, st, err);
}

long g_lore_store_rehash(struct g_store *s, const struct g_userkey *k, struct g_err *err)
{
	json_t *ids = g_lore_store_ids(s, k, err), *id;
	long count = 0;
	size_t i;

	if (!ids)
		return -1;
	json_array_foreach (ids, i, id) {
		if (rehash_one(s, k, json_string_value(id), err) < 0) {
			json_decref(ids);
			return -1;
		}
		count++;
	}
	json_decref(ids);
	return count;
}
