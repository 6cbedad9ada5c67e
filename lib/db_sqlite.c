/* db_sqlite.c: db.h's statements and connection calls, for SQLite: the
 * ops (db_backend.h) of a connection that g_db_sqlite_open() made. A
 * statement is the sqlite3_stmt with the ops in front: one small
 * allocation at prepare, and a call costs the sqlite3_* call it stands
 * for plus db.c's indirect call. */
#include "db_sqlite.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

struct sqlite_stmt {
	struct g_db_stmt base;
	sqlite3_stmt *h;
};

static sqlite3 *conn(struct g_db *db)
{
	return g_db_sqlite_handle(db);
}

static sqlite3_stmt *stmt(struct g_db_stmt *st)
{
	return ((struct sqlite_stmt *)(void *)st)->h;
}

int g_db_sqlite_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return G_DB_OK;
	case SQLITE_ROW:
		return G_DB_ROW;
	case SQLITE_DONE:
		return G_DB_DONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return G_DB_BUSY;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CORRUPT: /* the database file is damaged */
		return G_DB_IOERR;
	case SQLITE_NOTADB:
		return G_DB_NOTADB;
	case SQLITE_CONSTRAINT:
		return G_DB_CONSTRAINT;
	case SQLITE_NOMEM:
		return G_DB_NOMEM;
	default:
		return G_DB_ERROR;
	}
}

/* An empty statement (only a comment) is G_DB_OK with a statement whose
 * handle is NULL, which SQLite's calls take as it did before the ops:
 * stepping it is a misuse (G_DB_ERROR). */
static int prepare(struct g_db *db, const char *sql, int kept, struct g_db_stmt **st)
{
	struct sqlite_stmt *s;
	sqlite3_stmt *h = NULL;
	int rc = sqlite3_prepare_v3(conn(db), sql, -1, kept ? SQLITE_PREPARE_PERSISTENT : 0,
				    &h, NULL);

	*st = NULL;
	if (rc != SQLITE_OK)
		return g_db_sqlite_rc(rc);
	s = malloc(sizeof(*s));
	if (!s) {
		sqlite3_finalize(h);
		return G_DB_NOMEM;
	}
	s->base.ops = &g_db_sqlite_ops;
	s->h = h;
	*st = &s->base;
	return G_DB_OK;
}

static void finalize(struct g_db_stmt *st)
{
	sqlite3_finalize(stmt(st));
	free(st);
}

static void reset(struct g_db_stmt *st)
{
	sqlite3_reset(stmt(st));
}

static void clear_bindings(struct g_db_stmt *st)
{
	sqlite3_clear_bindings(stmt(st));
}

static int bind_text(struct g_db_stmt *st, int idx, const char *text, size_t len)
{
	return g_db_sqlite_rc(sqlite3_bind_text64(stmt(st), idx, text, len, SQLITE_STATIC,
						  SQLITE_UTF8));
}

static int bind_blob(struct g_db_stmt *st, int idx, const void *data, size_t len)
{
	return g_db_sqlite_rc(sqlite3_bind_blob64(stmt(st), idx, data, len, SQLITE_STATIC));
}

static int bind_int64(struct g_db_stmt *st, int idx, int64_t v)
{
	return g_db_sqlite_rc(sqlite3_bind_int64(stmt(st), idx, v));
}

static int bind_null(struct g_db_stmt *st, int idx)
{
	return g_db_sqlite_rc(sqlite3_bind_null(stmt(st), idx));
}

static int bind_zeros(struct g_db_stmt *st, int idx, uint64_t len)
{
	return g_db_sqlite_rc(sqlite3_bind_zeroblob64(stmt(st), idx, len));
}

/* blob_write writes over the zeros where they lie */
static int blob_in_place(struct g_db *db)
{
	(void)db;
	return 1;
}

static int step(struct g_db_stmt *st)
{
	return g_db_sqlite_rc(sqlite3_step(stmt(st)));
}

static const char *column_text(struct g_db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(stmt(st), col);
}

static const void *column_blob(struct g_db_stmt *st, int col)
{
	return sqlite3_column_blob(stmt(st), col);
}

static size_t column_bytes(struct g_db_stmt *st, int col)
{
	return (size_t)sqlite3_column_bytes(stmt(st), col);
}

static int64_t column_int64(struct g_db_stmt *st, int col)
{
	return sqlite3_column_int64(stmt(st), col);
}

static int column_is_null(struct g_db_stmt *st, int col)
{
	return sqlite3_column_type(stmt(st), col) == SQLITE_NULL;
}

static int exec(struct g_db *db, const char *sql)
{
	return g_db_sqlite_rc(sqlite3_exec(conn(db), sql, NULL, NULL, NULL));
}

static int64_t changes(struct g_db *db)
{
	return sqlite3_changes64(conn(db));
}

static int in_transaction(struct g_db *db)
{
	return !sqlite3_get_autocommit(conn(db));
}

static const char *errmsg(struct g_db *db)
{
	return sqlite3_errmsg(conn(db));
}

static void close_db(struct g_db *db)
{
	sqlite3_close_v2(conn(db));
	free(db);
}

/* table.column of the row whose id is id, opened for incremental I/O:
 * an SQLite code. The row is found by its id each time: only big blobs
 * are read and written this way, where one indexed look-up is nothing. */
static int open_blob(struct g_db *db, const char *table, const char *column, const char *id,
		     int writable, sqlite3_blob **b)
{
	sqlite3_stmt *st;
	sqlite3_int64 rowid;
	char sql[160];
	int rc;

	*b = NULL;
	snprintf(sql, sizeof(sql), "SELECT rowid FROM %s WHERE id = ?1", table);
	rc = sqlite3_prepare_v2(conn(db), sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	rowid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) /* no such row (DONE) is an error here */
		return rc == SQLITE_DONE || rc == SQLITE_OK ? SQLITE_ERROR : rc;
	return sqlite3_blob_open(conn(db), "main", table, column, rowid, writable, b);
}

/* Either way, the blob closed: an SQLite code. */
static int close_blob(struct g_db *db, sqlite3_blob *b, int rc)
{
	if (sqlite3_blob_close(b) != SQLITE_OK && rc == SQLITE_OK)
		rc = sqlite3_errcode(conn(db));
	return rc;
}

static int blob_write(struct g_db *db, const char *table, const char *column,
		      const char *id, const void *data, size_t len)
{
	sqlite3_blob *b;
	int rc;

	if (len > INT_MAX)
		return G_DB_ERROR;
	rc = open_blob(db, table, column, id, 1, &b);
	if (rc == SQLITE_OK)
		rc = close_blob(db, b, sqlite3_blob_write(b, data, (int)len, 0));
	return g_db_sqlite_rc(rc);
}

/* A blob held open for reads at offsets: each read goes from the file
 * (mapped) straight into the caller's buffer, where a column read the
 * usual way is copied into the statement's own first, all of it. */
struct sqlite_blob {
	struct g_db_blob base;
	sqlite3_blob *b;
};

static int blob_open(struct g_db *db, const char *table, const char *column, const char *id,
		     struct g_db_blob **out, size_t *len)
{
	struct sqlite_blob *x = malloc(sizeof(*x));
	int rc;

	if (!x)
		return G_DB_NOMEM;
	x->base.db = db;
	if ((rc = open_blob(db, table, column, id, 0, &x->b)) != SQLITE_OK) {
		free(x);
		return g_db_sqlite_rc(rc);
	}
	*len = (size_t)sqlite3_blob_bytes(x->b);
	*out = &x->base;
	return G_DB_OK;
}

static int blob_read_at(struct g_db_blob *b, size_t off, void *buf, size_t n)
{
	struct sqlite_blob *x = (struct sqlite_blob *)b;

	if (off > INT_MAX || n > INT_MAX - off)
		return G_DB_ERROR;
	return g_db_sqlite_rc(sqlite3_blob_read(x->b, buf, (int)n, (int)off));
}

static void blob_close(struct g_db_blob *b)
{
	struct sqlite_blob *x = (struct sqlite_blob *)b;

	sqlite3_blob_close(x->b);
	free(x);
}

/* BEGIN IMMEDIATE already holds the file's one write lock: no row is
 * ever locked apart from it. */
static int lock(struct g_db *db, const char *table, const char *id)
{
	(void)db;
	(void)table;
	(void)id;
	return G_DB_OK;
}

const struct g_db_ops g_db_sqlite_ops = {
	.prepare = prepare,
	.finalize = finalize,
	.reset = reset,
	.clear_bindings = clear_bindings,
	.bind_text = bind_text,
	.bind_blob = bind_blob,
	.bind_int64 = bind_int64,
	.bind_null = bind_null,
	.bind_zeros = bind_zeros,
	.blob_in_place = blob_in_place,
	.step = step,
	.column_text = column_text,
	.column_blob = column_blob,
	.column_bytes = column_bytes,
	.column_int64 = column_int64,
	.column_is_null = column_is_null,
	.exec = exec,
	.changes = changes,
	.in_transaction = in_transaction,
	.errmsg = errmsg,
	.blob_write = blob_write,
	.blob_open = blob_open,
	.blob_read_at = blob_read_at,
	.blob_close = blob_close,
	.lock = lock,
	.close = close_db,
};
