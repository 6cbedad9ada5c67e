/* store_migrate.c: bringing a database to the newest schema, once, with
 * any number of processes racing to do it. What differs between the
 * backends (the marks, the lock, the files, one transaction or one per
 * file) is the backend's (struct g_db_backend, db_backend.h); the steps
 * are the same for both. */
#include "store_migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_backend.h"
#include "embedded.h"

int g_store_schema_latest(void)
{
	return (int)g_embedded_sql_count;
}

static int not_ours(struct g_store *s, struct g_err *err)
{
	return g_err_set(err, G_EX_CONFIG, "'%s' is not a guise database",
			 s->path);
}

int g_store_migrate_check_version(struct g_store *s, struct g_err *err)
{
	enum g_db_owner owner;
	int version = 0;
	int rc = s->backend->schema(s->db, &owner, &version);

	if (rc != G_DB_OK)
		return g_store_error(s, rc, "reading its schema version", err);
	if (owner == G_DB_FOREIGN)
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
	int rc = s->backend->set_schema(s->db, version);

	return rc == G_DB_OK ? 0 : g_store_error(s, rc, NULL, err);
}

/* The rows that point at a row that is not there: their count into *n
 * and the table of the first into table (SQLite's foreign keys are off
 * while migrating, so a rebuilt table could leave some). */
static int fk_dangling(struct g_store *s, long *n, char *table, size_t size, struct g_err *err)
{
	int rc;

	*n = 0;
	if (!s->backend->dangling)
		return 0;
	rc = s->backend->dangling(s->db, n, table, size);
	return rc == G_DB_OK ? 0 : g_store_error(s, rc, "checking foreign keys", err);
}

/* The version a migration file brings the database to: its NNNN. */
static int file_version(const struct g_embedded *f)
{
	return (int)strtol(f->name, NULL, 10);
}

static int migrate_upto(struct g_store *s, size_t end, struct g_err *err);

int g_store_migrate(struct g_store *s, struct g_err *err)
{
	const struct g_db_backend *b = s->backend;
	int latest = g_store_schema_latest();
	struct g_err ignored;
	size_t i, count = *b->migration_count;
	int rc, result = 0;

	if (s->schema_version == latest)
		return 0;
	/* SQLite's foreign keys off (a no-op inside a transaction, so
	 * here): a migration that builds a table again drops the old one,
	 * which must not cascade; fk_dangling proves nothing new was left
	 * dangling */
	if (b->migrating && (rc = b->migrating(s->db, 1)) != G_DB_OK)
		return g_store_error(s, rc, NULL, err);
	for (i = b->file_per_transaction ? 1 : count; result == 0 && i <= count; i++)
		result = migrate_upto(s, i, err);
	if (b->migrating && (rc = b->migrating(s->db, 0)) != G_DB_OK) {
		g_store_error(s, rc, NULL, result < 0 ? &ignored : err);
		result = -1;
	}
	if (result == 0 && s->schema_version != latest)
		result = g_err_set(err, G_EX_SOFTWARE,
				   "database '%s': no migration of this store reaches schema "
				   "version %d (it is at %d)",
				   s->path, latest, s->schema_version);
	return result;
}

/* One transaction: every file before end that the database has not had
 * yet, under the migration lock. */
static int migrate_upto(struct g_store *s, size_t end, struct g_err *err)
{
	const struct g_db_backend *b = s->backend;
	const struct g_embedded *files = b->migrations;
	char table[128] = "";
	long before = 0, after = 0;
	int rc, version;
	size_t i;

	if (g_store_begin(s, err) < 0)
		return -1;
	if (b->migrate_lock && (rc = b->migrate_lock(s->db)) != G_DB_OK) {
		g_store_error(s, rc, "waiting for another migration", err);
		goto fail;
	}
	/* Another process may have migrated while we waited for the lock. */
	if (g_store_migrate_check_version(s, err) < 0)
		goto fail;
	/* rows made dangling by hand before (the sqlite3 command has foreign
	 * keys off) are not the migration's: only new ones fail it */
	if (fk_dangling(s, &before, table, sizeof(table), err) < 0)
		goto fail;
	for (version = s->schema_version, i = 0; i < end; i++) {
		if (file_version(&files[i]) <= version)
			continue;
		if (g_store_exec(s, (const char *)files[i].data, err) < 0) {
			g_err_prefix(err, "migration '%s'", files[i].name);
			goto fail;
		}
		version = file_version(&files[i]);
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
	struct g_db_stmt *st;
	const char *id;
	int rc = g_db_prepare(s->db, sql, &st);

	if (rc == G_DB_OK)
		rc = g_db_step(st);
	if (rc != G_DB_ROW) {
		g_db_finalize(st);
		if (rc == G_DB_DONE)
			return g_err_set(err, G_EX_CONFIG,
					 "database '%s' has no id in meta", s->path);
		return g_store_error(s, rc, "reading meta", err);
	}
	id = g_db_column_text(st, 0);
	snprintf(s->db_id, sizeof(s->db_id), "%s", id ? id : "");
	g_db_finalize(st);
	return 0;
}
