/*
 * db.h: the narrow interface between the store's users and the database
 * engine behind it (DESIGN.md §5; issue 17). Two backends implement it:
 * SQLite (db_sqlite*.c) and PostgreSQL through libpq (db_pg*.c).
 * Each connection and statement carries its backend's ops
 * (db_backend.h), which db.c calls.
 * Modules above the store hold a struct g_store (store.h) and talk to its
 * s->db only through these calls: none of them includes <sqlite3.h>.
 *
 * The model is SQLite's own, kept as thin: a connection (struct g_db), its
 * prepared statements (struct g_db_stmt, opaque), binds by 1-based index,
 * step until done, typed reads of the current row by 0-based column. Who
 * frees what: a statement from g_db_prepare() is the caller's, freed with
 * g_db_finalize(); one from g_store_prepare() is the store's (reset it,
 * never finalize it). The connection is the store's (g_store_close()).
 *
 * Results (enum g_db_rc): G_DB_OK, G_DB_ROW and G_DB_DONE, or an error
 * class that g_store_error() turns into the documented exit status with
 * the connection's message (g_db_errmsg(), read before the next call on
 * that connection). A backend maps its own errors onto these classes; no
 * caller sees an engine's code.
 *
 * SQL text is written once, in the subset both engines run: `?` or `?NNN`
 * placeholders (one style per statement; a number may repeat), standard
 * types, `ON CONFLICT DO NOTHING` rather than `INSERT OR IGNORE`, no
 * PRAGMA (`rowid` is read and ordered by: the PostgreSQL schema is to
 * give those tables a column of that name). A libpq backend rewrites
 * `?`/`?NNN` to `$n` (outside string literals) and prepares each
 * distinct text once per connection, with the types of the first binds
 * (so `?2 IS NULL` needs no cast); SQLite takes the text as it is.
 * Where a statement cannot be shared (schema, PRAGMAs, upserts that
 * differ), the difference lives in the backend (db_sqlite*.c, the
 * db_pg*.c) or in that backend's own migration files, never as
 * `if (pg)` in a module. lib/db-portability.md lists what lib/ and
 * share/sql/ still hold that PostgreSQL would not run, and the plan for
 * each.
 *
 * Binds never copy: text and blobs must stay valid until the statement
 * is stepped to its end or reset (libpq takes the parameter pointers at
 * execute time, so it can keep the same contract). A NULL text or blob
 * pointer binds SQL NULL. Column reads are valid until the next step,
 * reset or finalize of that statement; text is NUL-terminated, blob and
 * text bytes are counted by g_db_column_bytes(). The PostgreSQL backend
 * fetches a statement's whole result at its first step and reads every
 * column in binary format (BYTEA as its bytes; integers, numeric and
 * booleans read as integers, true 1, false 0, or as their decimal text).
 *
 * Transactions (store.h): g_store_begin() takes the write lock at once
 * (SQLite: BEGIN IMMEDIATE, so two writers never deadlock on the upgrade
 * from a read lock), g_store_commit(), g_store_rollback(); savepoints are
 * plain SQL (SAVEPOINT name / RELEASE name / ROLLBACK TO name), which
 * both engines run alike. g_db_in_transaction() says whether the
 * connection is inside one (a module that joins its caller's).
 *
 * Busy and serialization: SQLite waits for another process's lock up to
 * the busy timeout (G_STORE_BUSY_TIMEOUT_MS, set when the connection
 * opens), then a statement fails with G_DB_BUSY, which is exit 75; the
 * store does not retry (the file's single writer lock means a write that
 * has its lock finishes). PostgreSQL has many writers: its backend maps
 * serialization failure (40001), deadlock (40P01) and lock timeout
 * (55P03) to G_DB_BUSY; writes take row locks (SELECT ... FOR UPDATE)
 * before the read of a read-modify-write, and a write that still meets a
 * serialization failure is run again from its BEGIN a bounded number of
 * times by the store (a g_store_write(fn) that re-runs fn) before 75.
 * A lost connection is G_DB_BUSY too (75, try again); a refused one
 * G_DB_UNAVAILABLE (69); missing rights G_DB_DENIED (77).
 */
#ifndef GUISE_DB_H
#define GUISE_DB_H

#include <stddef.h>
#include <stdint.h>

struct g_db;      /* one connection */
struct g_db_stmt; /* one prepared statement */

/* Not an engine's codes: a backend maps its own onto these. */
enum g_db_rc {
	G_DB_OK = 0,
	G_DB_ROW,         /* g_db_step: a row is ready to read */
	G_DB_DONE,        /* g_db_step: the statement has run to its end */
	G_DB_BUSY,        /* locked past the timeout, or retries spent: 75 */
	G_DB_CONSTRAINT,  /* a UNIQUE, CHECK, foreign key or trigger: 65 */
	G_DB_IOERR,       /* I/O, disk full, damaged or read-only file: 74 */
	G_DB_NOTADB,      /* not a database at all: 78 */
	G_DB_DENIED,      /* (PostgreSQL) the role lacks a right: 77 */
	G_DB_UNAVAILABLE, /* (PostgreSQL) the server cannot be reached: 69 */
	G_DB_NOMEM,       /* out of memory: 70 */
	G_DB_ERROR        /* anything else (a bad statement, misuse): 70 */
};

/* Prepare one statement of sql for the caller: G_DB_OK with *st, or an
 * error with *st NULL (g_db_errmsg says why). */
int g_db_prepare(struct g_db *db, const char *sql, struct g_db_stmt **st);
/* The same for a statement kept for the life of the connection (the
 * store's cache): the engine may plan it for reuse. */
int g_db_prepare_kept(struct g_db *db, const char *sql, struct g_db_stmt **st);
/* NULL is a no-op. */
void g_db_finalize(struct g_db_stmt *st);
/* Back to before its first step, binds kept. */
void g_db_reset(struct g_db_stmt *st);
/* Every parameter back to NULL. */
void g_db_clear_bindings(struct g_db_stmt *st);

/* Binds, 1-based: G_DB_OK or an error class (a bad index, too big). */
int g_db_bind_text(struct g_db_stmt *st, int idx, const char *text, size_t len);
/* text up to its NUL (NULL: SQL NULL). */
int g_db_bind_str(struct g_db_stmt *st, int idx, const char *text);
int g_db_bind_blob(struct g_db_stmt *st, int idx, const void *data, size_t len);
int g_db_bind_int64(struct g_db_stmt *st, int idx, int64_t v);
int g_db_bind_null(struct g_db_stmt *st, int idx);
/* len zero bytes, to be overwritten in place by g_db_blob_write() (a big
 * row written without building it whole in memory). */
int g_db_bind_zeros(struct g_db_stmt *st, int idx, uint64_t len);
/* Whether zeros bound and then written by g_db_blob_write are written in
 * place (SQLite), so that a big row is never built whole; where not
 * (PostgreSQL rewrites the value), binding the row whole costs less. */
int g_db_blob_in_place(struct g_db *db);

/* G_DB_ROW, G_DB_DONE or an error class. */
int g_db_step(struct g_db_stmt *st);

/* Reads of the current row, 0-based. Text of a NULL is NULL; a blob of a
 * NULL or an empty blob is NULL with 0 bytes. */
const char *g_db_column_text(struct g_db_stmt *st, int col);
const void *g_db_column_blob(struct g_db_stmt *st, int col);
/* After g_db_column_text or _blob of the same column. */
size_t g_db_column_bytes(struct g_db_stmt *st, int col);
int64_t g_db_column_int64(struct g_db_stmt *st, int col);
int g_db_column_int(struct g_db_stmt *st, int col);
int g_db_column_is_null(struct g_db_stmt *st, int col);

/* Run sql (one or more statements, no parameters, no rows wanted). */
int g_db_exec(struct g_db *db, const char *sql);
/* Rows the last INSERT, UPDATE or DELETE on db changed itself (not those
 * its triggers or foreign-key actions changed). */
int64_t g_db_changes(struct g_db *db);
/* Whether db is inside a transaction. */
int g_db_in_transaction(struct g_db *db);
/* The connection closed and freed (its statements finalized first);
 * NULL is a no-op. */
void g_db_close(struct g_db *db);
/* The message of db's last error; never NULL. */
const char *g_db_errmsg(struct g_db *db);
/* The message for a class, when there is no connection to ask. */
const char *g_db_errstr(int rc);

/* Write len bytes of data over the zeros (g_db_bind_zeros) that
 * table.column holds in the row whose id column is id. SQLite: in place,
 * by incremental blob I/O. PostgreSQL has no such write: it runs an
 * UPDATE of the column, which g_db_blob_in_place() says. */
int g_db_blob_write(struct g_db *db, const char *table, const char *column,
		    const char *id, const void *data, size_t len);
/* table.column of the row whose id is id, held open (*len its length) for
 * reads of a part at a time (g_db_blob_read_at) until g_db_blob_close,
 * which must come before the connection's: SQLite only (where
 * g_db_blob_in_place), G_DB_ERROR elsewhere. A part is read from the file
 * (mapped) into the caller's buffer, and none of the rest is copied. */
struct g_db_blob;
int g_db_blob_open(struct g_db *db, const char *table, const char *column, const char *id,
		   struct g_db_blob **b, size_t *len);
int g_db_blob_read_at(struct g_db_blob *b, size_t off, void *buf, size_t n);
void g_db_blob_close(struct g_db_blob *b);

/* Lock the row of table whose id column is id until the transaction ends,
 * inside a write transaction and before the read of a read-modify-write
 * (the read whose result decides what is written): writers of the same
 * row wait for each other. SQLite: a no-op (BEGIN IMMEDIATE holds the
 * file's one write lock). PostgreSQL: SELECT 1 FROM table WHERE id = $1
 * FOR UPDATE. No row is no error. The order, so that writers never
 * deadlock: a users row first (g_user_begin_write takes it for every
 * write of a user's data), then that user's chat_sessions rows (a
 * message's seq and swipes); never a users row after a session row. table
 * is a name from the code, never from outside. */
int g_db_lock(struct g_db *db, const char *table, const char *id);

#endif
