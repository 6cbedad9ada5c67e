/* store.c: opening the database file the way §5 says, and transactions. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_migrate.h"

enum g_exit g_store_exit_for(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return G_EX_TEMPFAIL;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CORRUPT: /* the database file is damaged */
		return G_EX_IOERR;
	case SQLITE_NOTADB:
		return G_EX_CONFIG;
	case SQLITE_CONSTRAINT:
		return G_EX_DATAERR;
	default:
		return G_EX_SOFTWARE;
	}
}

int g_store_error(struct g_store *s, int rc, const char *what,
		  struct g_err *err)
{
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return g_err_set(err, G_EX_TEMPFAIL,
				 "database '%s' is busy (gave up after %d ms)",
				 s->path, G_STORE_BUSY_TIMEOUT_MS);
	if ((rc & 0xff) == SQLITE_NOTADB)
		return g_err_set(err, G_EX_CONFIG,
				 "'%s' is not a guise database", s->path);
	if (!what)
		return g_err_set(err, g_store_exit_for(rc), "database '%s': %s",
				 s->path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return g_err_set(err, g_store_exit_for(rc), "database '%s': %s: %s",
			 s->path, what, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

int g_store_exec(struct g_store *s, const char *sql, struct g_err *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : g_store_error(s, rc, NULL, err);
}

/* mkdir -p for the parents of path; the directories made are 0700 whatever
 * the umask. Existing ones are left as they are. */
static int make_parents(const char *path, struct g_err *err)
{
	char *dir = strdup(path);
	char *p;
	int rc = 0;

	if (!dir)
		return g_err_oom(err);
	p = strrchr(dir, '/');
	if (!p || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; rc == 0; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == 0) {
			if (chmod(dir, 0700) < 0)
				rc = -1;
		} else if (errno != EEXIST) {
			rc = -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	if (rc < 0)
		g_err_set(err, G_EX_IOERR, "cannot create directory for '%s': %s",
			  path, strerror(errno));
	free(dir);
	return rc;
}

/* Create the file ourselves so that it is 0600 from the first byte; SQLite
 * gives its -wal and -shm files the mode of the database file. */
static int make_file(const char *path, struct g_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return g_err_set(err, G_EX_IOERR, "cannot create '%s': %s", path,
				 strerror(errno));
	}
	if (fchmod(fd, 0600) < 0) {
		close(fd);
		return g_err_set(err, G_EX_IOERR, "cannot set mode of '%s': %s",
				 path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* Statement and savepoint journals (an import's savepoint per card) held
 * in memory up to this size rather than in a temporary file: at SQLite's
 * own 64 KiB, four of our 16 KiB pages, each card of an import wrote its
 * pages to a file that was thrown away (perf: a fifth of the time of a
 * JSON import). Past it they spill to disk as before. Under 128 KiB: the
 * spill writes the memory journal out in chunks of this size, and SQLite's
 * unix VFS writes at most 0x1ffff bytes a call (seekAndWriteFd), so a
 * larger chunk fails the spill with SQLITE_FULL (seen: replacing a 1.3 MB
 * card with a small one, tests/1016). */
#define STMT_JOURNAL_SPILL (120 << 10)

/* Process-wide, so before SQLite is initialised: once, and harmless
 * (SQLITE_MISUSE, the default kept) if something initialised it first. */
static void configure_sqlite(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STMT_JOURNAL_SPILL);
}

static int open_connection(struct g_store *s, struct g_err *err)
{
	int rc;

	configure_sqlite();
	rc = sqlite3_open_v2(s->path, &s->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
					 SQLITE_OPEN_EXRESCODE,
				 NULL);

	if (rc != SQLITE_OK)
		return g_err_set(err, G_EX_IOERR, "cannot open database '%s': %s",
				 s->path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	/* Busy timeout first: every statement after it may meet a lock. */
	sqlite3_busy_timeout(s->db, G_STORE_BUSY_TIMEOUT_MS);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	return 0;
}

/* Switching a fresh file to WAL needs its exclusive lock, and SQLite
 * answers BUSY at once, without the busy handler, when waiting could
 * deadlock with another process doing the same; so wait here, within the
 * same timeout. */
static int switch_to_wal(struct g_store *s, struct g_err *err)
{
	struct timespec pause = { 0, 5000000L }; /* 5 ms */
	int waited_ms = 0;
	int rc;

	while ((rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL,
				  NULL)) == SQLITE_BUSY &&
	       waited_ms < G_STORE_BUSY_TIMEOUT_MS) {
		nanosleep(&pause, NULL);
		waited_ms += 5;
	}
	return rc == SQLITE_OK ? 0 : g_store_error(s, rc, NULL, err);
}

/* After the version check, so a refused file is never touched. */
static int apply_recipe(struct g_store *s, struct g_err *err)
{
	/* Only a file with nothing in it yet takes a page size (elsewhere this
	 * is a no-op): 16 KiB pages write an avatar in a quarter of the
	 * pages 4 KiB ones take, which a PNG import felt as a quarter less
	 * time, and cost small rows nothing. */
	if (g_store_exec(s, "PRAGMA page_size=" G_STORE_PAGE_SIZE, err) < 0 ||
	    switch_to_wal(s, err) < 0)
		return -1;
	return g_store_exec(s,
			    "PRAGMA foreign_keys=ON;"
			    "PRAGMA trusted_schema=OFF;"
			    "PRAGMA secure_delete=ON;",
			    err);
}

/* A read or an ordinary write never makes a database: a mistyped path
 * would otherwise leave directories and an empty store behind. */
static int must_exist(const char *path, struct g_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR))
		return g_err_set(err, G_EX_NOINPUT,
				 "no database at '%s': run 'persona-encrypt init'", path);
	return 0;
}

static struct g_store *store_open(const char *path, int create, struct g_err *err)
{
	struct g_store *s = calloc(1, sizeof(*s));

	if (!s) {
		g_err_oom(err);
		return NULL;
	}
	s->path = strdup(path);
	if (!s->path) {
		g_err_oom(err);
		goto fail;
	}
	if ((create ? make_parents(path, err) < 0 || make_file(path, err) < 0
		    : must_exist(path, err) < 0) ||
	    open_connection(s, err) < 0 || g_store_migrate_check_version(s, err) < 0 ||
	    apply_recipe(s, err) < 0 || g_store_migrate(s, err) < 0 ||
	    g_store_migrate_load_meta(s, err) < 0)
		goto fail;
	return s;
fail:
	g_store_close(s);
	return NULL;
}

struct g_store *g_store_open(const char *path, struct g_err *err)
{
	return store_open(path, 0, err);
}

struct g_store *g_store_open_new(const char *path, struct g_err *err)
{
	return store_open(path, 1, err);
}

int g_store_prepare(struct g_store *s, const char *sql, sqlite3_stmt **st,
		    struct g_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < G_STORE_CACHE && s->cache[i].sql; i++)
		if (strcmp(s->cache[i].sql, sql) == 0) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			*st = s->cache[i].st;
			return 0;
		}
	/* a statement thrown out could be one a caller is stepping: a full
	 * cache is a mistake to find in testing, not to paper over */
	if (i == G_STORE_CACHE)
		return g_err_set(err, G_EX_SOFTWARE, "statement cache full (%d)", G_STORE_CACHE);
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
	if (rc != SQLITE_OK)
		return g_store_error(s, rc, "preparing a statement", err);
	s->cache[i].sql = strdup(sql);
	if (!s->cache[i].sql) {
		sqlite3_finalize(*st);
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
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int g_store_exec_kept(struct g_store *s, const char *sql, struct g_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		g_store_error(s, rc, NULL, err); /* the message before the reset */
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int g_store_begin(struct g_store *s, struct g_err *err)
{
	return g_store_exec(s, "BEGIN IMMEDIATE", err);
}

int g_store_commit(struct g_store *s, struct g_err *err)
{
	return g_store_exec(s, "COMMIT", err);
}

void g_store_rollback(struct g_store *s)
{
	if (s && s->db && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
