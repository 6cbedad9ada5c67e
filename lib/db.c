/* db.c: each db.h call passed to the backend whose connection or
 * statement it is (db_backend.h), and what needs no backend. */
#include "db_backend.h"

#include <string.h>

int g_db_prepare(struct g_db *db, const char *sql, struct g_db_stmt **st)
{
	return db->ops->prepare(db, sql, 0, st);
}

int g_db_prepare_kept(struct g_db *db, const char *sql, struct g_db_stmt **st)
{
	return db->ops->prepare(db, sql, 1, st);
}

void g_db_finalize(struct g_db_stmt *st)
{
	if (st)
		st->ops->finalize(st);
}

void g_db_reset(struct g_db_stmt *st)
{
	if (st)
		st->ops->reset(st);
}

void g_db_clear_bindings(struct g_db_stmt *st)
{
	if (st)
		st->ops->clear_bindings(st);
}

int g_db_bind_text(struct g_db_stmt *st, int idx, const char *text, size_t len)
{
	return st->ops->bind_text(st, idx, text, len);
}

int g_db_bind_str(struct g_db_stmt *st, int idx, const char *text)
{
	return st->ops->bind_text(st, idx, text, text ? strlen(text) : 0);
}

int g_db_bind_blob(struct g_db_stmt *st, int idx, const void *data, size_t len)
{
	return st->ops->bind_blob(st, idx, data, len);
}

int g_db_bind_int64(struct g_db_stmt *st, int idx, int64_t v)
{
	return st->ops->bind_int64(st, idx, v);
}

int g_db_bind_null(struct g_db_stmt *st, int idx)
{
	return st->ops->bind_null(st, idx);
}

int g_db_bind_zeros(struct g_db_stmt *st, int idx, uint64_t len)
{
	return st->ops->bind_zeros(st, idx, len);
}

int g_db_blob_in_place(struct g_db *db)
{
	return db->ops->blob_in_place(db);
}

int g_db_step(struct g_db_stmt *st)
{
	return st->ops->step(st);
}

const char *g_db_column_text(struct g_db_stmt *st, int col)
{
	return st->ops->column_text(st, col);
}

const void *g_db_column_blob(struct g_db_stmt *st, int col)
{
	return st->ops->column_blob(st, col);
}

size_t g_db_column_bytes(struct g_db_stmt *st, int col)
{
	return st->ops->column_bytes(st, col);
}

int64_t g_db_column_int64(struct g_db_stmt *st, int col)
{
	return st->ops->column_int64(st, col);
}

/* The low 32 bits, as sqlite3_column_int gives them. */
int g_db_column_int(struct g_db_stmt *st, int col)
{
	return (int)st->ops->column_int64(st, col);
}

int g_db_column_is_null(struct g_db_stmt *st, int col)
{
	return st->ops->column_is_null(st, col);
}

int g_db_exec(struct g_db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

int64_t g_db_changes(struct g_db *db)
{
	return db->ops->changes(db);
}

int g_db_in_transaction(struct g_db *db)
{
	return db->ops->in_transaction(db);
}

const char *g_db_errmsg(struct g_db *db)
{
	return db->ops->errmsg(db);
}

int g_db_blob_write(struct g_db *db, const char *table, const char *column,
		    const char *id, const void *data, size_t len)
{
	return db->ops->blob_write(db, table, column, id, data, len);
}

int g_db_blob_open(struct g_db *db, const char *table, const char *column, const char *id,
		   struct g_db_blob **b, size_t *len)
{
	*b = NULL;
	return db->ops->blob_open ? db->ops->blob_open(db, table, column, id, b, len) : G_DB_ERROR;
}

int g_db_blob_read_at(struct g_db_blob *b, size_t off, void *buf, size_t n)
{
	return b->db->ops->blob_read_at(b, off, buf, n);
}

void g_db_blob_close(struct g_db_blob *b)
{
	if (b)
		b->db->ops->blob_close(b);
}

int g_db_lock(struct g_db *db, const char *table, const char *id)
{
	return db->ops->lock(db, table, id);
}

void g_db_close(struct g_db *db)
{
	if (db)
		db->ops->close(db);
}

/* The words SQLite has for these classes: the store's messages stay as
 * they were when only SQLite gave them. */
const char *g_db_errstr(int rc)
{
	switch (rc) {
	case G_DB_BUSY:
		return "database is locked";
	case G_DB_CONSTRAINT:
		return "constraint failed";
	case G_DB_IOERR:
		return "disk I/O error";
	case G_DB_NOTADB:
		return "file is not a database";
	case G_DB_NOMEM:
		return "out of memory";
	default:
		return "SQL logic error";
	}
}
