/*
 * db_backend.h: what a backend of db.h provides, for db.c (which
 * dispatches each call), the backends' own files (db_sqlite*.c,
 * db_pg*.c) and the store (store.c, store_migrate.c: struct
 * g_db_backend below); no module above the store includes it. A
 * backend's connection and statement structs begin with the struct g_db or
 * struct g_db_stmt below, which says whose ops they are: a statement
 * carries its own, so a call on it costs one indirect call more than the
 * engine's own and no look-up. The ops keep db.h's contracts (db.h says
 * them); db.c does the NULL no-ops and what one op makes of another
 * (g_db_bind_str, g_db_column_int), so a backend implements neither.
 * Who frees what: close frees the connection, finalize the statement,
 * each with the backend's struct around it.
 */
#ifndef GUISE_DB_BACKEND_H
#define GUISE_DB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "embedded.h"

struct g_db_ops {
	/* kept: a statement kept for the connection's life (g_db_prepare_kept) */
	int (*prepare)(struct g_db *db, const char *sql, int kept, struct g_db_stmt **st);
	void (*finalize)(struct g_db_stmt *st);
	void (*reset)(struct g_db_stmt *st);
	void (*clear_bindings)(struct g_db_stmt *st);
	int (*bind_text)(struct g_db_stmt *st, int idx, const char *text, size_t len);
	int (*bind_blob)(struct g_db_stmt *st, int idx, const void *data, size_t len);
	int (*bind_int64)(struct g_db_stmt *st, int idx, int64_t v);
	int (*bind_null)(struct g_db_stmt *st, int idx);
	int (*bind_zeros)(struct g_db_stmt *st, int idx, uint64_t len);
	/* whether blob_write writes over the zeros in place (db.h) */
	int (*blob_in_place)(struct g_db *db);
	int (*step)(struct g_db_stmt *st);
	const char *(*column_text)(struct g_db_stmt *st, int col);
	const void *(*column_blob)(struct g_db_stmt *st, int col);
	size_t (*column_bytes)(struct g_db_stmt *st, int col);
	int64_t (*column_int64)(struct g_db_stmt *st, int col);
	int (*column_is_null)(struct g_db_stmt *st, int col);
	int (*exec)(struct g_db *db, const char *sql);
	int64_t (*changes)(struct g_db *db);
	int (*in_transaction)(struct g_db *db);
	const char *(*errmsg)(struct g_db *db);
	int (*blob_write)(struct g_db *db, const char *table, const char *column,
			  const char *id, const void *data, size_t len);
	/* reads at offsets (db.h); NULL where the backend has none */
	int (*blob_open)(struct g_db *db, const char *table, const char *column,
			 const char *id, struct g_db_blob **b, size_t *len);
	int (*blob_read_at)(struct g_db_blob *b, size_t off, void *buf, size_t n);
	void (*blob_close)(struct g_db_blob *b);
	int (*lock)(struct g_db *db, const char *table, const char *id);
	void (*close)(struct g_db *db);
};

/* The first member of a backend's connection struct. */
struct g_db {
	const struct g_db_ops *ops;
};

/* The first member of a backend's open blob. */
struct g_db_blob {
	struct g_db *db;
};

/* The first member of a backend's statement struct. */
struct g_db_stmt {
	const struct g_db_ops *ops;
};

/* The schema marks of a database: whose it is and its version. */
enum g_db_owner {
	G_DB_EMPTY,   /* nothing in it yet: ours to make */
	G_DB_OURS,    /* a guise database */
	G_DB_FOREIGN  /* something else: never touched */
};

/* What the store (store.c, store_migrate.c) needs of a backend besides
 * db.h's calls: how a write transaction begins, and how the schema marks
 * are kept and the migrations run. A migration is a file of the
 * backend's own (share/sql/, share/sql/pg/), named NNNN-name.sql, NNNN
 * the schema version it brings the database to. */
struct g_db_backend {
	const char *begin; /* the SQL of g_store_begin */
	const char *begin_read; /* of g_store_begin_read: reads that see one snapshot */
	/* the connection's recipe, once the schema is known to be ours
	 * (NULL: set as it opened) */
	int (*configure)(struct g_db *db, int busy_ms);
	/* the marks, in one snapshot (another process may be migrating) */
	int (*schema)(struct g_db *db, enum g_db_owner *owner, int *version);
	/* inside the migration's transaction */
	int (*set_schema)(struct g_db *db, int version);
	/* right after the migration's BEGIN: wait for whoever else is
	 * migrating (NULL: the BEGIN did) */
	int (*migrate_lock)(struct g_db *db);
	/* around the migrations, outside a transaction (NULL: nothing) */
	int (*migrating)(struct g_db *db, int on);
	/* rows pointing at a row that is not there: their count into *n and
	 * the table of the first into table (NULL: foreign keys stay on) */
	int (*dangling)(struct g_db *db, long *n, char *table, size_t size);
	const struct g_embedded *migrations;
	const size_t *migration_count;
	/* each file in its own transaction (else all in one) */
	int file_per_transaction;
};

#endif
