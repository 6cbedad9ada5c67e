/* store_migrate.c: bringing a database file to the newest schema, once, with
 * any number of processes racing to do it. */
#include "store_migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"

int g_store_schema_latest(void)
{
	return (int)g_embedded_sql_count;
}

/* The file's marks in one statement, so one snapshot: read one by one,
 * another process could commit its migration in between. */
static int read_marks(struct g_store *s, int *app_id, int *version,
		      int *objects, struct g_err *err)
{
	static const char sql[] =
		"SELECT (SELECT application_id FROM pragma_application_id),"
		" (SELECT user_version FROM pragma_user_version),"
		" (SELECT count(*) FROM sqlite_schema)";
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*app_id = sqlite3_column_int(st, 0);
			*version = sqlite3_column_int(st, 1);
			*objects = sqlite3_column_int(st, 2);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : g_store_error(s, rc, "reading its schema version", err);
}

static int not_ours(struct g_store *s, struct g_err *err)
{
	return g_err_set(err, G_EX_CONFIG, "'%s' is not a guise database",
			 s->path);
}

int g_store_migrate_check_version(struct g_store *s, struct g_err *err)
{
	int app_id = 0, version = 0, objects = 0;

	if (read_marks(s, &app_id, &version, &objects, err) < 0)
		return -1;
	if (app_id != 0 && app_id != G_STORE_APPLICATION_ID)
		return not_ours(s, err);
	if (app_id == 0 && (version != 0 || objects != 0))
		return not_ours(s, err);
	if (version > g_store_schema_latest())
		return g_err_set(err, G_EX_CONFIG,
				 "database '%s' has schema version %d, newer than "
				 "this guise knows (%d): upgrade guise",
				 s->path, version, g_store_schema_latest());
	s->schema_version = version;
	return 0;
}

static int set_version(struct g_store *s, int version, struct g_err *err)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d; PRAGMA application_id=%d",
		 version, G_STORE_APPLICATION_ID);
	return g_store_exec(s, sql, err);
}

/* The rows that point at a row that is not there: their count into *n
 * and the table of the first into table (foreign keys are off while
 * migrating, so a rebuilt table could leave some). */
static int fk_dangling(struct g_store *s, long *n, char *table, size_t size, struct g_err *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL);

	*n = 0;
	if (rc != SQLITE_OK)
		return g_store_error(s, rc, "checking foreign keys", err);
	for (; (rc = sqlite3_step(st)) == SQLITE_ROW; ++*n)
		if (*n == 0)
			snprintf(table, size, "%s", (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		g_store_error(s, rc, "checking foreign keys", err);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int migrate_all(struct g_store *s, struct g_err *err);

int g_store_migrate(struct g_store *s, struct g_err *err)
{
	int latest = g_store_schema_latest();
	struct g_err ignored;
	int rc;

	if (s->schema_version == latest)
		return 0;
	/* foreign keys off (a no-op inside a transaction, so here): a
	 * migration that builds a table again drops the old one, which must
	 * not cascade; fk_dangling proves nothing new was left dangling */
	if (g_store_exec(s, "PRAGMA foreign_keys=OFF; PRAGMA legacy_alter_table=ON", err) < 0)
		return -1;
	rc = migrate_all(s, err);
	if (g_store_exec(s, "PRAGMA legacy_alter_table=OFF; PRAGMA foreign_keys=ON",
			 rc < 0 ? &ignored : err) < 0)
		rc = -1;
	return rc;
}

static int migrate_all(struct g_store *s, struct g_err *err)
{
	char table[128] = "";
	long before = 0, after = 0;
	int version;
	size_t i;

	if (g_store_begin(s, err) < 0)
		return -1;
	/* Another process may have migrated while we waited for the lock. */
	if (g_store_migrate_check_version(s, err) < 0)
		goto fail;
	/* rows made dangling by hand before (the sqlite3 command has foreign
	 * keys off) are not the migration's: only new ones fail it */
	if (fk_dangling(s, &before, table, sizeof(table), err) < 0)
		goto fail;
	for (version = s->schema_version, i = (size_t)version;
	     i < g_embedded_sql_count; i++) {
		if (g_store_exec(s, (const char *)g_embedded_sql[i].data, err) < 0) {
			g_err_prefix(err, "migration '%s'", g_embedded_sql[i].name);
			goto fail;
		}
		version = (int)i + 1;
	}
	if (fk_dangling(s, &after, table, sizeof(table), err) < 0)
		goto fail;
	if (after > before) {
		g_err_set(err, G_EX_SOFTWARE, "a migration left a row of %s pointing nowhere", table);
		goto fail;
	}
	if (version != s->schema_version) {
		if (set_version(s, version, err) < 0)
			goto fail;
		s->migrated = 1;
	}
	if (g_store_commit(s, err) < 0)
		goto fail;
	s->schema_version = version;
	return 0;
fail:
	g_store_rollback(s);
	s->migrated = 0;
	return -1;
}

int g_store_migrate_load_meta(struct g_store *s, struct g_err *err)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = 'db_id'";
	sqlite3_stmt *st;
	const unsigned char *id;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return g_err_set(err, G_EX_CONFIG,
					 "database '%s' has no id in meta", s->path);
		return g_store_error(s, rc, "reading meta", err);
	}
	id = sqlite3_column_text(st, 0);
	snprintf(s->db_id, sizeof(s->db_id), "%s", id ? (const char *)id : "");
	sqlite3_finalize(st);
	return 0;
}
