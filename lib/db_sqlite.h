/*
 * db_sqlite.h: the SQLite backend's own calls, for its files and the
 * store's opening of a file (store.c, store_migrate.c); no module above
 * the store includes it. Everything here is what a PostgreSQL backend
 * does its own way: making and opening the file, the connection recipe,
 * and the marks that say whose database it is and at which version.
 */
#ifndef GUISE_DB_SQLITE_H
#define GUISE_DB_SQLITE_H

#include <sqlite3.h>

#include "db_backend.h"
#include "err.h"

/* A connection of this backend: the struct g_db that db.c dispatches
 * on, and the sqlite3 handle. */
struct g_db_sqlite {
	struct g_db base;
	sqlite3 *h;
};

extern const struct g_db_ops g_db_sqlite_ops;
extern const struct g_db_backend g_db_sqlite_backend;

static inline sqlite3 *g_db_sqlite_handle(struct g_db *db)
{
	return ((struct g_db_sqlite *)(void *)db)->h;
}

/* "guis" in PRAGMA application_id marks the file as ours. */
#define G_DB_SQLITE_APPLICATION_ID 0x67756973
/* The page size of a new database file. */
#define G_DB_SQLITE_PAGE_SIZE "16384"
/* How much of the file reads map (address space, not memory: pages are
 * the page cache's, shared by every process reading the file). */
#define G_DB_SQLITE_MMAP_SIZE "268435456"

/* Open the file at path with the busy timeout set, making it (0600) and
 * its directories (0700) first if create; without create a missing file
 * is 66 and nothing is made. -1 with err (74 for file trouble). */
int g_db_sqlite_open(const char *path, int create, int busy_ms, struct g_db **db,
		     struct g_err *err);
/* The connection recipe, after the version check: page size (a new file
 * only), WAL, foreign keys, trusted_schema off, secure_delete on. */
int g_db_sqlite_configure(struct g_db *db, int busy_ms);
/* The marks, in one snapshot (another process may be migrating). */
int g_db_sqlite_schema(struct g_db *db, enum g_db_owner *owner, int *version);
int g_db_sqlite_set_schema(struct g_db *db, int version);
/* Around a migration: on, foreign keys off (a rebuilt table is dropped
 * without cascading) and the legacy ALTER TABLE the migrations were
 * written for; off, both back. Outside a transaction. */
int g_db_sqlite_migrating(struct g_db *db, int on);
/* Rows pointing at a row that is not there: their count into *n and the
 * table of the first into table. */
int g_db_sqlite_dangling(struct g_db *db, long *n, char *table, size_t size);

/* A SQLite result code as a class. */
int g_db_sqlite_rc(int rc);

#endif
