/*
 * store.h: the store, one SQLite file or a PostgreSQL database (DESIGN.md
 * §5), chosen by the -d value: a postgresql:// or postgres:// URI or a
 * libpq key=value string (host=, dbname=, service=) is PostgreSQL,
 * anything else a file.
 *
 * g_store_open() opens a database that exists; g_store_open_new() (for
 * persona-encrypt init) makes the file and its directory if need be (0600
 * and 0700 whatever the umask). Either applies the connection recipe (busy timeout first,
 * then WAL, foreign keys, trusted_schema off, secure_delete on) and brings
 * the schema up to date from the migrations embedded from share/sql/. Of
 * several processes opening a fresh file at once exactly one migrates, the
 * others wait for it. A file whose schema is newer than this build, or that
 * is not a guise database, is refused (78) before anything is written to it.
 *
 * Every write goes through g_store_begin() (BEGIN IMMEDIATE) and
 * g_store_commit() or g_store_rollback(). The caller owns the store and
 * frees it with g_store_close().
 *
 * Modules talk to the database through s->db and db.h only, never to the
 * engine; store.c is the one place that picks the backend (db_sqlite.h,
 * db_pg.h) and store_migrate.c drives its schema marks through
 * s->backend. s->path, in every message, is the -d value as it may be
 * shown: a URI's password is never in it.
 */
#ifndef GUISE_STORE_H
#define GUISE_STORE_H

#include "db.h"
#include "err.h"

#define G_STORE_BUSY_TIMEOUT_MS 10000

/* Statements kept prepared for the life of the connection. */
#define G_STORE_CACHE 32

struct g_db_backend;

struct g_store {
	struct g_db *db;
	const struct g_db_backend *backend;
	struct {
		char *sql;
		struct g_db_stmt *st;
	} cache[G_STORE_CACHE];
	char *path;
	int schema_version; /* after opening: the schema the file has */
	int migrated;       /* this process applied at least one migration */
	char db_id[64];     /* meta.db_id: names keys, binds ciphertexts */
};

/* The newest schema version this build knows. */
int g_store_schema_latest(void);

/* Open the database at path. NULL with err set: 66 when there is none
 * (and nothing is created), 74 for file trouble, 75 busy past the
 * timeout, 78 newer or foreign; PostgreSQL: 64 for a connection string
 * that does not parse, 69 for a server that cannot be reached, 77 for
 * missing rights. */
struct g_store *g_store_open(const char *path, struct g_err *err);
/* The same, creating the file and its directories if need be (a
 * PostgreSQL database is never created: only its tables). */
struct g_store *g_store_open_new(const char *path, struct g_err *err);
/* The connection alone, configured, its schema neither read nor
 * migrated: for tests of a backend (test-tool db). */
struct g_store *g_store_connect(const char *path, struct g_err *err);
void g_store_close(struct g_store *s);

int g_store_begin(struct g_store *s, struct g_err *err);
/* A read-only transaction whose reads all see one snapshot (end it with
 * g_store_commit). */
int g_store_begin_read(struct g_store *s, struct g_err *err);
int g_store_commit(struct g_store *s, struct g_err *err);
/* Never fails in a way the caller can act on; safe with no transaction. */
void g_store_rollback(struct g_store *s);

/* A prepared statement for sql, reset and with its bindings cleared: kept
 * by the store (never finalize it), so a statement run once per card is
 * parsed once per process. -1 with err set if it does not prepare, or
 * (70) when G_STORE_CACHE distinct statements are kept already. */
int g_store_prepare(struct g_store *s, const char *sql, struct g_db_stmt **st,
		    struct g_err *err);

/* Run SQL without results; -1 with err set from the database's error. */
int g_store_exec(struct g_store *s, const char *sql, struct g_err *err);
/* The same for one statement run over and over (an import's savepoint per
 * card): prepared once, through g_store_prepare's cache. */
int g_store_exec_kept(struct g_store *s, const char *sql, struct g_err *err);

/* The exit status for a result class of db.h (busy: 75; I/O, full and a
 * damaged file: 74; not a database: 78; constraint: 65; denied: 77;
 * unreachable: 69; else 70). */
enum g_exit g_store_exit_for(int rc);

/* Set err from rc and the connection's last error; what (may be NULL)
 * says what was being done. -1. */
int g_store_error(struct g_store *s, int rc, const char *what,
		  struct g_err *err);

#endif
