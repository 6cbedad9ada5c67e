/* store.c: opening the store the way §5 says, its kept statements, and
 * transactions. The one file that knows which backend a store is: a
 * SQLite file (db_sqlite.h) or, for a PostgreSQL connection string, a
 * libpq connection (db_pg.h); nowhere else names one. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "db_pg.h"
#include "db_sqlite.h"
#include "store_migrate.h"

enum g_exit g_store_exit_for(int rc)
{
	switch (rc) {
	case G_DB_BUSY:
		return G_EX_TEMPFAIL;
	case G_DB_IOERR:
		return G_EX_IOERR;
	case G_DB_NOTADB:
		return G_EX_CONFIG;
	case G_DB_CONSTRAINT:
		return G_EX_DATAERR;
	case G_DB_DENIED:
		return G_EX_NOPERM;
	case G_DB_UNAVAILABLE:
		return G_EX_UNAVAILABLE;
	default:
		return G_EX_SOFTWARE;
	}
}

int g_store_error(struct g_store *s, int rc, const char *what,
		  struct g_err *err)
{
	const char *msg;

	/* PostgreSQL's busy has many causes (a lock timeout, a deadlock, a
	 * lost connection): its own words say which */
	if (rc == G_DB_BUSY && s->db && s->backend != &g_db_sqlite_backend)
		return g_err_set(err, G_EX_TEMPFAIL, "database '%s': %s (try again)", s->path,
				 g_db_errmsg(s->db));
	if (rc == G_DB_BUSY)
		return g_err_set(err, G_EX_TEMPFAIL,
				 "database '%s' is busy (gave up after %d ms)",
				 s->path, G_STORE_BUSY_TIMEOUT_MS);
	if (rc == G_DB_NOTADB)
		return g_err_set(err, G_EX_CONFIG,
				 "'%s' is not a guise database", s->path);
	msg = s->db ? g_db_errmsg(s->db) : g_db_errstr(rc);
	if (!what)
		return g_err_set(err, g_store_exit_for(rc), "database '%s': %s", s->path, msg);
	return g_err_set(err, g_store_exit_for(rc), "database '%s': %s: %s",
			 s->path, what, msg);
}

int g_store_exec(struct g_store *s, const char *sql, struct g_err *err)
{
	int rc = g_db_exec(s->db, sql);

	return rc == G_DB_OK ? 0 : g_store_error(s, rc, NULL, err);
}

/* After the version check, so a refused file is never touched; a
 * PostgreSQL connection was configured as it opened (its settings are
 * the session's, nothing is written). */
static int configure(struct g_store *s, struct g_err *err)
{
	int rc;

	if (!s->backend->configure)
		return 0;
	rc = s->backend->configure(s->db, G_STORE_BUSY_TIMEOUT_MS);
	return rc == G_DB_OK ? 0 : g_store_error(s, rc, NULL, err);
}

/* The store with its connection, path as messages may show it. */
static struct g_store *store_connect(const char *path, int create, struct g_err *err)
{
	struct g_store *s = calloc(1, sizeof(*s));
	int pg = g_db_pg_is_conninfo(path);

	if (!s) {
		g_err_oom(err);
		return NULL;
	}
	s->backend = pg ? &g_db_pg_backend : &g_db_sqlite_backend;
	s->path = pg ? g_db_pg_redact(path) : strdup(path);
	if (!s->path) {
		g_err_oom(err);
		goto fail;
	}
	if (pg ? g_db_pg_open(path, s->path, G_STORE_BUSY_TIMEOUT_MS, &s->db, err) < 0
	       : g_db_sqlite_open(path, create, G_STORE_BUSY_TIMEOUT_MS, &s->db, err) < 0)
		goto fail;
	return s;
fail:
	g_store_close(s);
	return NULL;
}

static struct g_store *store_open(const char *path, int create, struct g_err *err)
{
	struct g_store *s = store_connect(path, create, err);

	if (s && (g_store_migrate_check_version(s, err) < 0 || configure(s, err) < 0 ||
		  g_store_migrate(s, err) < 0 || g_store_migrate_load_meta(s, err) < 0)) {
		g_store_close(s);
		return NULL;
	}
	return s;
}

struct g_store *g_store_open(const char *path, struct g_err *err)
{
	return store_open(path, 0, err);
}

struct g_store *g_store_open_new(const char *path, struct g_err *err)
{
	return store_open(path, 1, err);
}

struct g_store *g_store_connect(const char *path, struct g_err *err)
{
	struct g_store *s = store_connect(path, 0, err);

	if (s && configure(s, err) < 0) {
		g_store_close(s);
		return NULL;
	}
	return s;
}

int g_store_prepare(struct g_store *s, const char *sql, struct g_db_stmt **st,
		    struct g_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < G_STORE_CACHE && s->cache[i].sql; i++)
		if (strcmp(s->cache[i].sql, sql) == 0) {
			g_db_reset(s->cache[i].st);
			g_db_clear_bindings(s->cache[i].st);
			*st = s->cache[i].st;
			return 0;
		}
	/* a statement thrown out could be one a caller is stepping: a full
	 * cache is a mistake to find in testing, not to paper over */
	if (i == G_STORE_CACHE)
		return g_err_set(err, G_EX_SOFTWARE, "statement cache full (%d)", G_STORE_CACHE);
	rc = g_db_prepare_kept(s->db, sql, st);
	if (rc != G_DB_OK)
		return g_store_error(s, rc, "preparing a statement", err);
	s->cache[i].sql = strdup(sql);
	if (!s->cache[i].sql) {
		g_db_finalize(*st);
		return g_err_oom(err);
	}
	s->cache[i].st = *st;
	return 0;
}

void g_store_close(struct g_store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < G_STORE_CACHE && s->cache[i].sql; i++) {
		g_db_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	if (s->db)
		g_db_close(s->db);
	free(s->path);
	free(s);
}

int g_store_exec_kept(struct g_store *s, const char *sql, struct g_err *err)
{
	struct g_db_stmt *st;
	int rc;

	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	rc = g_db_step(st);
	if (rc != G_DB_DONE)
		g_store_error(s, rc, NULL, err); /* the message before the reset */
	g_db_reset(st);
	return rc == G_DB_DONE ? 0 : -1;
}

int g_store_begin(struct g_store *s, struct g_err *err)
{
	return g_store_exec(s, s->backend->begin, err);
}

int g_store_begin_read(struct g_store *s, struct g_err *err)
{
	return g_store_exec(s, s->backend->begin_read, err);
}

int g_store_commit(struct g_store *s, struct g_err *err)
{
	return g_store_exec(s, "COMMIT", err);
}

void g_store_rollback(struct g_store *s)
{
	if (s && s->db && g_db_in_transaction(s->db))
		g_db_exec(s->db, "ROLLBACK");
}
