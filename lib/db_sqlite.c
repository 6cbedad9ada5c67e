/* db_sqlite.c: db.h's statements and connection calls, for SQLite. A
 * struct g_db is the sqlite3 handle and a struct g_db_stmt the
 * sqlite3_stmt, converted at this boundary only: nothing to allocate, and
 * a call costs what the sqlite3_* call it stands for costs. */
#include "db_sqlite.h"

#include <limits.h>
#include <stdio.h>

static sqlite3 *conn(struct g_db *db)
{
	return (sqlite3 *)(void *)db;
}

static sqlite3_stmt *stmt(struct g_db_stmt *st)
{
	return (sqlite3_stmt *)(void *)st;
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

static int prepare(struct g_db *db, const char *sql, unsigned flags, struct g_db_stmt **st)
{
	sqlite3_stmt *h = NULL;
	int rc = sqlite3_prepare_v3(conn(db), sql, -1, flags, &h, NULL);

	*st = (struct g_db_stmt *)(void *)h;
	return g_db_sqlite_rc(rc);
}

int g_db_prepare(struct g_db *db, const char *sql, struct g_db_stmt **st)
{
	return prepare(db, sql, 0, st);
}

int g_db_prepare_kept(struct g_db *db, const char *sql, struct g_db_stmt **st)
{
	return prepare(db, sql, SQLITE_PREPARE_PERSISTENT, st);
}

void g_db_finalize(struct g_db_stmt *st)
{
	sqlite3_finalize(stmt(st));
}

void g_db_reset(struct g_db_stmt *st)
{
	sqlite3_reset(stmt(st));
}

void g_db_clear_bindings(struct g_db_stmt *st)
{
	sqlite3_clear_bindings(stmt(st));
}

int g_db_bind_text(struct g_db_stmt *st, int idx, const char *text, size_t len)
{
	return g_db_sqlite_rc(sqlite3_bind_text64(stmt(st), idx, text, len, SQLITE_STATIC,
						  SQLITE_UTF8));
}

int g_db_bind_str(struct g_db_stmt *st, int idx, const char *text)
{
	return g_db_sqlite_rc(sqlite3_bind_text(stmt(st), idx, text, -1, SQLITE_STATIC));
}

int g_db_bind_blob(struct g_db_stmt *st, int idx, const void *data, size_t len)
{
	return g_db_sqlite_rc(sqlite3_bind_blob64(stmt(st), idx, data, len, SQLITE_STATIC));
}

int g_db_bind_int64(struct g_db_stmt *st, int idx, int64_t v)
{
	return g_db_sqlite_rc(sqlite3_bind_int64(stmt(st), idx, v));
}

int g_db_bind_null(struct g_db_stmt *st, int idx)
{
	return g_db_sqlite_rc(sqlite3_bind_null(stmt(st), idx));
}

int g_db_bind_zeros(struct g_db_stmt *st, int idx, uint64_t len)
{
	return g_db_sqlite_rc(sqlite3_bind_zeroblob64(stmt(st), idx, len));
}

int g_db_step(struct g_db_stmt *st)
{
	return g_db_sqlite_rc(sqlite3_step(stmt(st)));
}

const char *g_db_column_text(struct g_db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(stmt(st), col);
}

const void *g_db_column_blob(struct g_db_stmt *st, int col)
{
	return sqlite3_column_blob(stmt(st), col);
}

size_t g_db_column_bytes(struct g_db_stmt *st, int col)
{
	return (size_t)sqlite3_column_bytes(stmt(st), col);
}

int64_t g_db_column_int64(struct g_db_stmt *st, int col)
{
	return sqlite3_column_int64(stmt(st), col);
}

int g_db_column_int(struct g_db_stmt *st, int col)
{
	return sqlite3_column_int(stmt(st), col);
}

int g_db_column_is_null(struct g_db_stmt *st, int col)
{
	return sqlite3_column_type(stmt(st), col) == SQLITE_NULL;
}

int g_db_exec(struct g_db *db, const char *sql)
{
	return g_db_sqlite_rc(sqlite3_exec(conn(db), sql, NULL, NULL, NULL));
}

int64_t g_db_changes(struct g_db *db)
{
	return sqlite3_changes64(conn(db));
}

int g_db_in_transaction(struct g_db *db)
{
	return !sqlite3_get_autocommit(conn(db));
}

const char *g_db_errmsg(struct g_db *db)
{
	return sqlite3_errmsg(conn(db));
}

const char *g_db_errstr(int rc)
{
	switch (rc) {
	case G_DB_BUSY:
		return sqlite3_errstr(SQLITE_BUSY);
	case G_DB_CONSTRAINT:
		return sqlite3_errstr(SQLITE_CONSTRAINT);
	case G_DB_IOERR:
		return sqlite3_errstr(SQLITE_IOERR);
	case G_DB_NOTADB:
		return sqlite3_errstr(SQLITE_NOTADB);
	case G_DB_NOMEM:
		return sqlite3_errstr(SQLITE_NOMEM);
	default:
		return sqlite3_errstr(SQLITE_ERROR);
	}
}

/* The row is found by its id each time: only rows of a megabyte and more
 * are written this way, where one indexed look-up is nothing. */
int g_db_blob_write(struct g_db *db, const char *table, const char *column,
		    const char *id, const void *data, size_t len)
{
	sqlite3_stmt *st;
	sqlite3_blob *b;
	sqlite3_int64 rowid;
	char sql[160];
	int rc;

	if (len > INT_MAX)
		return G_DB_ERROR;
	snprintf(sql, sizeof(sql), "SELECT rowid FROM %s WHERE id = ?1", table);
	rc = sqlite3_prepare_v2(conn(db), sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return g_db_sqlite_rc(rc);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	rowid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? G_DB_ERROR : g_db_sqlite_rc(rc);
	rc = sqlite3_blob_open(conn(db), "main", table, column, rowid, 1, &b);
	if (rc == SQLITE_OK) {
		rc = sqlite3_blob_write(b, data, (int)len, 0);
		if (sqlite3_blob_close(b) != SQLITE_OK && rc == SQLITE_OK)
			rc = sqlite3_errcode(conn(db));
	}
	return g_db_sqlite_rc(rc);
}
