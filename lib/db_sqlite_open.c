/* db_sqlite_open.c: making, opening and configuring a database file the
 * way DESIGN.md §5 says, and the marks in it that say whose it is and at
 * which schema version. */
#include "db_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static sqlite3 *conn(struct g_db *db)
{
	return g_db_sqlite_handle(db);
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

int g_db_sqlite_open(const char *path, int create, int busy_ms, struct g_db **db,
		     struct g_err *err)
{
	struct g_db_sqlite *c;
	sqlite3 *h = NULL;
	int rc;

	*db = NULL;
	if (create ? make_parents(path, err) < 0 || make_file(path, err) < 0
		   : must_exist(path, err) < 0)
		return -1;
	configure_sqlite();
	rc = sqlite3_open_v2(path, &h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
			     NULL);
	if (rc != SQLITE_OK) {
		g_err_set(err, G_EX_IOERR, "cannot open database '%s': %s", path,
			  h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close_v2(h);
		return -1;
	}
	/* Busy timeout first: every statement after it may meet a lock. */
	sqlite3_busy_timeout(h, busy_ms);
	sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	c = malloc(sizeof(*c));
	if (!c) {
		sqlite3_close_v2(h);
		return g_err_oom(err);
	}
	c->base.ops = &g_db_sqlite_ops;
	c->h = h;
	*db = &c->base;
	return 0;
}

/* Switching a fresh file to WAL needs its exclusive lock, and SQLite
 * answers BUSY at once, without the busy handler, when waiting could
 * deadlock with another process doing the same; so wait here, within the
 * same timeout. */
static int switch_to_wal(struct g_db *db, int busy_ms)
{
	struct timespec pause = { 0, 5000000L }; /* 5 ms */
	int waited_ms = 0;
	int rc;

	while ((rc = sqlite3_exec(conn(db), "PRAGMA journal_mode=WAL", NULL, NULL, NULL)) ==
		       SQLITE_BUSY &&
	       waited_ms < busy_ms) {
		nanosleep(&pause, NULL);
		waited_ms += 5;
	}
	return g_db_sqlite_rc(rc);
}

int g_db_sqlite_configure(struct g_db *db, int busy_ms)
{
	int rc;

	/* Only a file with nothing in it yet takes a page size (elsewhere this
	 * is a no-op): 16 KiB pages write an avatar in a quarter of the
	 * pages 4 KiB ones take, which a PNG import felt as a quarter less
	 * time, and cost small rows nothing. */
	if ((rc = g_db_exec(db, "PRAGMA page_size=" G_DB_SQLITE_PAGE_SIZE)) != G_DB_OK ||
	    (rc = switch_to_wal(db, busy_ms)) != G_DB_OK)
		return rc;
	/* Reads map the file rather than copy it a page at a time: a render
	 * of a card whose row holds a 177 KB lore index (a 500-entry book)
	 * took 0.5 ms less so, one without the same (bench/lore.sh). Writes
	 * go through the WAL as before. */
	return g_db_exec(db, "PRAGMA foreign_keys=ON;"
			     "PRAGMA trusted_schema=OFF;"
			     "PRAGMA secure_delete=ON;"
			     "PRAGMA mmap_size=" G_DB_SQLITE_MMAP_SIZE ";");
}

/* In one statement, so one snapshot: read one by one, another process
 * could commit its migration in between. */
int g_db_sqlite_schema(struct g_db *db, enum g_db_owner *owner, int *version)
{
	static const char sql[] =
		"SELECT (SELECT application_id FROM pragma_application_id),"
		" (SELECT user_version FROM pragma_user_version),"
		" (SELECT count(*) FROM sqlite_schema)";
	sqlite3_stmt *st;
	int app_id, objects;
	int rc = sqlite3_prepare_v2(conn(db), sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			app_id = sqlite3_column_int(st, 0);
			*version = sqlite3_column_int(st, 1);
			objects = sqlite3_column_int(st, 2);
			if (app_id == G_DB_SQLITE_APPLICATION_ID)
				*owner = G_DB_OURS;
			else if (app_id == 0 && *version == 0 && objects == 0)
				*owner = G_DB_EMPTY;
			else
				*owner = G_DB_FOREIGN;
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return g_db_sqlite_rc(rc);
}

int g_db_sqlite_set_schema(struct g_db *db, int version)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d; PRAGMA application_id=%d",
		 version, G_DB_SQLITE_APPLICATION_ID);
	return g_db_exec(db, sql);
}

int g_db_sqlite_migrating(struct g_db *db, int on)
{
	return g_db_exec(db, on ? "PRAGMA foreign_keys=OFF; PRAGMA legacy_alter_table=ON"
				: "PRAGMA legacy_alter_table=OFF; PRAGMA foreign_keys=ON");
}

int g_db_sqlite_dangling(struct g_db *db, long *n, char *table, size_t size)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(conn(db), "PRAGMA foreign_key_check", -1, &st, NULL);

	*n = 0;
	if (rc != SQLITE_OK)
		return g_db_sqlite_rc(rc);
	for (; (rc = sqlite3_step(st)) == SQLITE_ROW; ++*n)
		if (*n == 0)
			snprintf(table, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? G_DB_OK : g_db_sqlite_rc(rc);
}

/* Every migration in the one BEGIN IMMEDIATE transaction, which already
 * waits for another process's: a file has one writer at a time. */
const struct g_db_backend g_db_sqlite_backend = {
	.begin = "BEGIN IMMEDIATE",
	.begin_read = "BEGIN", /* the read lock is taken at the first read and kept */
	.configure = g_db_sqlite_configure,
	.schema = g_db_sqlite_schema,
	.set_schema = g_db_sqlite_set_schema,
	.migrate_lock = NULL,
	.migrating = g_db_sqlite_migrating,
	.dangling = g_db_sqlite_dangling,
	.migrations = g_embedded_sql,
	.migration_count = &g_embedded_sql_count,
	.file_per_transaction = 0,
};
