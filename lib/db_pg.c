/* db_pg.c: db.h's statements and connection calls for PostgreSQL, the
 * ops (db_backend.h) of a connection g_db_pg_open() made. A statement's
 * text is rewritten to `$n` once, at prepare; it goes to the server at
 * its first step, with the types of the binds then (text, bytea, int8;
 * a NULL's type is the server's to infer, text where it cannot), so
 * `?2 IS NULL` needs no cast. A kept statement is prepared once per
 * connection under a name of its own; a step whose binds' types differ
 * from those it was prepared with, and every step of a statement not
 * kept, is parsed again unnamed. Every
 * parameter and result travels in binary format (no escaping of BYTEA);
 * a step fetches the whole result, whose rows the next steps walk
 * (db_pg_row.c reads them). */
#include "db_pg.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct g_db_pg_stmt *pgst(struct g_db_stmt *st)
{
	return (struct g_db_pg_stmt *)(void *)st;
}

/* SQLSTATE classes as db.h's (lib/db-portability.md); a connection that
 * is gone after it was made is busy: try again. */
static int sqlstate_class(const char *code)
{
	static const char *const busy[] = { "40001", "40P01", "55P03", "57014" };
	size_t i;

	if (!code || strlen(code) != 5)
		return G_DB_ERROR;
	for (i = 0; i < sizeof(busy) / sizeof(*busy); i++)
		if (strcmp(code, busy[i]) == 0)
			return G_DB_BUSY;
	if (strncmp(code, "23", 2) == 0)
		return G_DB_CONSTRAINT;
	if (strcmp(code, "42501") == 0 || strncmp(code, "28", 2) == 0)
		return G_DB_DENIED;
	if (strncmp(code, "08", 2) == 0)
		return G_DB_BUSY;
	if (strcmp(code, "53200") == 0)
		return G_DB_NOMEM;
	if (strncmp(code, "53", 2) == 0 || strncmp(code, "58", 2) == 0 ||
	    strncmp(code, "XX", 2) == 0)
		return G_DB_IOERR;
	return G_DB_ERROR;
}

int g_db_pg_rc(struct g_db_pg *c, const PGresult *res)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	size_t n;

	if (!res && !PQerrorMessage(c->h)[0]) {
		g_db_pg_set_msg(c, "out of memory");
		return G_DB_NOMEM;
	}
	/* libpq's own message ("server closed the connection unexpectedly")
	 * has no SQLSTATE: its first line, without a severity */
	g_db_pg_set_msg(c, primary ? primary : PQerrorMessage(c->h));
	n = strcspn(c->msg, "\n");
	while (n > 0 && (c->msg[n - 1] == ' ' || c->msg[n - 1] == '\t'))
		n--;
	c->msg[n] = '\0';
	if (strncmp(c->msg, "ERROR:  ", 8) == 0 || strncmp(c->msg, "FATAL:  ", 8) == 0)
		memmove(c->msg, c->msg + 8, strlen(c->msg + 8) + 1);
	if (PQstatus(c->h) == CONNECTION_BAD)
		return G_DB_BUSY;
	return sqlstate_class(code);
}

/* Only what the statement itself changed, as sqlite3_changes counts. */
static void note_changes(struct g_db_pg *c, const PGresult *res)
{
	const char *tag = PQcmdStatus((PGresult *)res);

	if (strncmp(tag, "INSERT ", 7) == 0 || strncmp(tag, "UPDATE ", 7) == 0 ||
	    strncmp(tag, "DELETE ", 7) == 0 || strncmp(tag, "MERGE ", 6) == 0)
		c->changes = strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
}

static int prepare(struct g_db *db, const char *sql, int kept, struct g_db_stmt **st)
{
	struct g_db_pg *c = g_db_pg_conn(db);
	struct g_db_pg_stmt *s;
	char *text;
	int n, rc = g_db_pg_sql(sql, strlen(sql), &text, &n);

	*st = NULL;
	if (rc != G_DB_OK) {
		g_db_pg_set_msg(c, rc == G_DB_NOMEM ? "out of memory" : "a placeholder out of range or next to a word");
		return rc;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->p = calloc((size_t)n + 1, sizeof(*s->p))) ||
	    !(s->values = calloc((size_t)n + 1, sizeof(*s->values))) ||
	    !(s->lens = calloc((size_t)n + 1, sizeof(*s->lens))) ||
	    !(s->formats = calloc((size_t)n + 1, sizeof(*s->formats))) ||
	    !(s->types = calloc((size_t)n + 1, sizeof(*s->types))) ||
	    !(s->prepared = calloc((size_t)n + 1, sizeof(*s->prepared)))) {
		free(text);
		if (s)
			g_db_pg_stmt_free(s);
		g_db_pg_set_msg(c, "out of memory");
		return G_DB_NOMEM;
	}
	s->base.ops = &g_db_pg_ops;
	s->c = c;
	s->sql = text;
	s->n = n;
	s->kept = kept;
	*st = &s->base;
	return G_DB_OK;
}

static void finalize(struct g_db_stmt *st)
{
	/* a kept statement's server side lives as long as the connection,
	 * which is closed right after the store finalizes its kept ones */
	g_db_pg_stmt_free(pgst(st));
}

static void reset(struct g_db_stmt *st)
{
	g_db_pg_stmt_reset(pgst(st));
}

static void unbind(struct g_db_pg_param *p)
{
	free(p->zeros);
	memset(p, 0, sizeof(*p));
}

static void clear_bindings(struct g_db_stmt *st)
{
	struct g_db_pg_stmt *s = pgst(st);
	int i;

	for (i = 0; i < s->n; i++)
		unbind(&s->p[i]);
}

/* The parameter idx, unbound, or NULL when idx is not one. */
static struct g_db_pg_param *param(struct g_db_stmt *st, int idx)
{
	struct g_db_pg_stmt *s = pgst(st);

	if (idx < 1 || idx > s->n) {
		g_db_pg_set_msg(s->c, "column index out of range");
		return NULL;
	}
	unbind(&s->p[idx - 1]);
	return &s->p[idx - 1];
}

static int bind_bytes(struct g_db_stmt *st, int idx, const void *data, size_t len, Oid type)
{
	struct g_db_pg_param *p = param(st, idx);

	if (!p)
		return G_DB_ERROR;
	if (len > INT_MAX) {
		g_db_pg_set_msg(pgst(st)->c, "string or blob too big");
		return G_DB_ERROR;
	}
	if (data) {
		p->value = data;
		p->len = (int)len;
		p->type = type;
	}
	return G_DB_OK;
}

static int bind_text(struct g_db_stmt *st, int idx, const char *text, size_t len)
{
	return bind_bytes(st, idx, text, len, G_DB_PG_TEXT);
}

static int bind_blob(struct g_db_stmt *st, int idx, const void *data, size_t len)
{
	return bind_bytes(st, idx, data, len, G_DB_PG_BYTEA);
}

/* int8's binary form: big-endian. */
static int bind_int64(struct g_db_stmt *st, int idx, int64_t v)
{
	struct g_db_pg_param *p = param(st, idx);
	uint64_t u = (uint64_t)v;
	int i;

	if (!p)
		return G_DB_ERROR;
	for (i = 7; i >= 0; i--, u >>= 8)
		p->i8[i] = (unsigned char)(u & 0xff);
	p->value = (const char *)p->i8;
	p->len = 8;
	p->type = G_DB_PG_INT8;
	return G_DB_OK;
}

static int bind_null(struct g_db_stmt *st, int idx)
{
	return param(st, idx) ? G_DB_OK : G_DB_ERROR;
}

/* Zeros sent as they are (g_db_blob_in_place says so: card_row.c binds
 * a big row whole here rather than this way). */
static int bind_zeros(struct g_db_stmt *st, int idx, uint64_t len)
{
	struct g_db_pg_param *p = param(st, idx);

	if (!p)
		return G_DB_ERROR;
	if (len > INT_MAX || !(p->zeros = calloc(1, len ? (size_t)len : 1))) {
		g_db_pg_set_msg(pgst(st)->c, len > INT_MAX ? "string or blob too big" : "out of memory");
		return len > INT_MAX ? G_DB_ERROR : G_DB_NOMEM;
	}
	p->value = p->zeros;
	p->len = (int)len;
	p->type = G_DB_PG_BYTEA;
	return G_DB_OK;
}

static int blob_in_place(struct g_db *db)
{
	(void)db;
	return 0;
}

static int step(struct g_db_stmt *st)
{
	struct g_db_pg_stmt *s = pgst(st);
	PGresult *res;
	ExecStatusType status;

	if (s->executed) {
		if (s->res && s->row + 1 < s->rows) {
			s->row++;
			return G_DB_ROW;
		}
		s->row = s->rows;
		return G_DB_DONE;
	}
	res = g_db_pg_execute(s);
	status = PQresultStatus(res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK &&
	    status != PGRES_EMPTY_QUERY) {
		int rc = g_db_pg_rc(s->c, res);

		PQclear(res);
		return rc;
	}
	s->executed = 1;
	note_changes(s->c, res);
	if (status != PGRES_TUPLES_OK) {
		PQclear(res);
		return G_DB_DONE;
	}
	if (g_db_pg_stmt_rows(s, res) < 0) {
		g_db_pg_set_msg(s->c, "out of memory");
		return G_DB_NOMEM;
	}
	return s->rows ? G_DB_ROW : G_DB_DONE;
}

static int exec(struct g_db *db, const char *sql)
{
	struct g_db_pg *c = g_db_pg_conn(db);
	PGresult *res = PQexec(c->h, sql);
	ExecStatusType status = PQresultStatus(res);
	int rc = G_DB_OK;

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		note_changes(c, res);
	else if (status != PGRES_EMPTY_QUERY)
		rc = g_db_pg_rc(c, res);
	/* a COMMIT of a transaction a failed statement aborted is done as a
	 * ROLLBACK, with no error: nothing was written, and that is one */
	if (rc == G_DB_OK && strncmp(sql, "COMMIT", 6) == 0 &&
	    strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		g_db_pg_set_msg(c, "the transaction was rolled back: a statement in it had failed");
		rc = G_DB_ERROR;
	}
	PQclear(res);
	return rc;
}

static int64_t changes(struct g_db *db)
{
	return g_db_pg_conn(db)->changes;
}

static int in_transaction(struct g_db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(g_db_pg_conn(db)->h);

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static const char *errmsg(struct g_db *db)
{
	return g_db_pg_conn(db)->msg[0] ? g_db_pg_conn(db)->msg : "not an error";
}

static void close_db(struct g_db *db)
{
	PQfinish(g_db_pg_conn(db)->h);
	free(db);
}

const struct g_db_ops g_db_pg_ops = {
	.prepare = prepare,
	.finalize = finalize,
	.reset = reset,
	.clear_bindings = clear_bindings,
	.bind_text = bind_text,
	.bind_blob = bind_blob,
	.bind_int64 = bind_int64,
	.bind_null = bind_null,
	.bind_zeros = bind_zeros,
	.blob_in_place = blob_in_place,
	.step = step,
	.column_text = g_db_pg_column_text,
	.column_blob = g_db_pg_column_blob,
	.column_bytes = g_db_pg_column_bytes,
	.column_int64 = g_db_pg_column_int64,
	.column_is_null = g_db_pg_column_is_null,
	.exec = exec,
	.changes = changes,
	.in_transaction = in_transaction,
	.errmsg = errmsg,
	.blob_write = g_db_pg_blob_write,
	.lock = g_db_pg_lock,
	.close = close_db,
};
