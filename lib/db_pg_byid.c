/* db_pg_byid.c: the calls on one row named by its id (db.h): a big blob
 * written or read whole (PostgreSQL has no in-place blob I/O), and a row
 * locked for a read-modify-write. */
#include "db_pg.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One statement with a text id (and a value) bound, for blob_write and
 * lock: G_DB_OK, with *n the rows it touched. */
static int run_by_id(struct g_db_pg *c, const char *sql, const char *id, const void *data,
		     size_t len, int64_t *n)
{
	const char *values[2] = { data, id };
	int lens[2] = { (int)len, (int)strlen(id) };
	const int formats[2] = { 1, 1 };
	const Oid types[2] = { G_DB_PG_BYTEA, G_DB_PG_TEXT };
	int k = data ? 0 : 1;
	PGresult *res = PQexecParams(c->h, sql, 2 - k, types + k, values + k, lens + k,
				     formats + k, 1);
	ExecStatusType status = PQresultStatus(res);
	int rc = G_DB_OK;

	if (status == PGRES_COMMAND_OK)
		*n = strtoll(PQcmdTuples(res), NULL, 10);
	else if (status == PGRES_TUPLES_OK)
		*n = PQntuples(res);
	else
		rc = g_db_pg_rc(c, res);
	PQclear(res);
	return rc;
}

/* No in-place write: the value is sent whole and replaces the zeros. */
int g_db_pg_blob_write(struct g_db *db, const char *table, const char *column,
		      const char *id, const void *data, size_t len)
{
	struct g_db_pg *c = g_db_pg_conn(db);
	char sql[200];
	int64_t n = 0;
	int rc;

	if (len > INT_MAX || (size_t)snprintf(sql, sizeof(sql), "UPDATE %s SET %s = $1 WHERE id = $2",
					      table, column) >= sizeof(sql)) {
		g_db_pg_set_msg(c, "string or blob too big");
		return G_DB_ERROR;
	}
	rc = run_by_id(c, sql, id, data ? data : "", len, &n);
	if (rc == G_DB_OK && n != 1) {
		g_db_pg_set_msg(c, "no such row to write");
		rc = G_DB_ERROR;
	}
	return rc;
}

int g_db_pg_lock(struct g_db *db, const char *table, const char *id)
{
	struct g_db_pg *c = g_db_pg_conn(db);
	char sql[160];
	int64_t n = 0;

	if ((size_t)snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = $1 FOR UPDATE", table) >=
	    sizeof(sql)) {
		g_db_pg_set_msg(c, "table name too long");
		return G_DB_ERROR;
	}
	return run_by_id(c, sql, id, NULL, 0, &n);
}

