/*
 * db_pg.h: the PostgreSQL backend's own calls (libpq), for its files and
 * the store's opening of a connection (store.c); no module above the
 * store includes it. Like db_sqlite.h: the connection, what it needs to
 * open and configure one, its schema marks, and the text helpers (the
 * placeholder rewrite and the redaction of a connection string) that
 * the fuzz target drives.
 *
 * Who frees what: g_db_pg_open's connection is closed by g_db_close; the
 * strings g_db_pg_sql and g_db_pg_redact return are the caller's (free).
 */
#ifndef GUISE_DB_PG_H
#define GUISE_DB_PG_H

#include <libpq-fe.h>
#include <stdio.h>

#include "db_backend.h"
#include "err.h"

/* libpq's calls, loaded from libpq.so.5 when a PostgreSQL store is first
 * opened (db_pg_lib.c), not linked: linked, libpq's own libraries (TLS,
 * Kerberos, LDAP) load and start with every command, a SQLite user's
 * too, and cost more than the rest of a command's start. The backend's
 * files call them by their names, which stand for the table's. */
struct g_pq {
	__typeof__(PQclear) *PQclear;
	__typeof__(PQresultStatus) *PQresultStatus;
	__typeof__(PQresultErrorField) *PQresultErrorField;
	__typeof__(PQntuples) *PQntuples;
	__typeof__(PQgetlength) *PQgetlength;
	__typeof__(PQftype) *PQftype;
	__typeof__(PQerrorMessage) *PQerrorMessage;
	__typeof__(PQtransactionStatus) *PQtransactionStatus;
	__typeof__(PQstatus) *PQstatus;
	__typeof__(PQgetvalue) *PQgetvalue;
	__typeof__(PQgetisnull) *PQgetisnull;
	__typeof__(PQfinish) *PQfinish;
	__typeof__(PQexecParams) *PQexecParams;
	__typeof__(PQexec) *PQexec;
	__typeof__(PQcmdTuples) *PQcmdTuples;
	__typeof__(PQsetNoticeProcessor) *PQsetNoticeProcessor;
	__typeof__(PQprepare) *PQprepare;
	__typeof__(PQnfields) *PQnfields;
	__typeof__(PQfreemem) *PQfreemem;
	__typeof__(PQexecPrepared) *PQexecPrepared;
	__typeof__(PQconninfoParse) *PQconninfoParse;
	__typeof__(PQconninfoFree) *PQconninfoFree;
	__typeof__(PQconnectionNeedsPassword) *PQconnectionNeedsPassword;
	__typeof__(PQconnectionUsedPassword) *PQconnectionUsedPassword;
	__typeof__(PQconnectdbParams) *PQconnectdbParams;
	__typeof__(PQcmdStatus) *PQcmdStatus;
};
extern struct g_pq g_pq;

/* Load libpq once: 0, or -1 with err (69: not installed). */
int g_db_pg_lib_load(struct g_err *err);

#ifndef G_DB_PG_LIB_IMPL
#define PQclear (g_pq.PQclear)
#define PQresultStatus (g_pq.PQresultStatus)
#define PQresultErrorField (g_pq.PQresultErrorField)
#define PQntuples (g_pq.PQntuples)
#define PQgetlength (g_pq.PQgetlength)
#define PQftype (g_pq.PQftype)
#define PQerrorMessage (g_pq.PQerrorMessage)
#define PQtransactionStatus (g_pq.PQtransactionStatus)
#define PQstatus (g_pq.PQstatus)
#define PQgetvalue (g_pq.PQgetvalue)
#define PQgetisnull (g_pq.PQgetisnull)
#define PQfinish (g_pq.PQfinish)
#define PQexecParams (g_pq.PQexecParams)
#define PQexec (g_pq.PQexec)
#define PQcmdTuples (g_pq.PQcmdTuples)
#define PQsetNoticeProcessor (g_pq.PQsetNoticeProcessor)
#define PQprepare (g_pq.PQprepare)
#define PQnfields (g_pq.PQnfields)
#define PQfreemem (g_pq.PQfreemem)
#define PQexecPrepared (g_pq.PQexecPrepared)
#define PQconninfoParse (g_pq.PQconninfoParse)
#define PQconninfoFree (g_pq.PQconninfoFree)
#define PQconnectionNeedsPassword (g_pq.PQconnectionNeedsPassword)
#define PQconnectionUsedPassword (g_pq.PQconnectionUsedPassword)
#define PQconnectdbParams (g_pq.PQconnectdbParams)
#define PQcmdStatus (g_pq.PQcmdStatus)
#endif

/* A connection of this backend. msg: the last error, one line. */
struct g_db_pg {
	struct g_db base;
	PGconn *h;
	int64_t changes;    /* of the last INSERT, UPDATE or DELETE */
	unsigned long next; /* the number of the next named statement */
	char msg[512];
};

/* The connection a db is (its ops are this backend's). */
static inline struct g_db_pg *g_db_pg_conn(struct g_db *db)
{
	return (struct g_db_pg *)(void *)db;
}

/* msg as the connection's last error (g_db_errmsg). */
static inline void g_db_pg_set_msg(struct g_db_pg *c, const char *msg)
{
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

/* The type oids the binds and reads know (the server's pg_type). */
enum {
	G_DB_PG_BOOL = 16,
	G_DB_PG_BYTEA = 17,
	G_DB_PG_INT8 = 20,
	G_DB_PG_INT2 = 21,
	G_DB_PG_INT4 = 23,
	G_DB_PG_TEXT = 25,
	G_DB_PG_OID = 26,
	G_DB_PG_NUMERIC = 1700
};

/* One parameter: value NULL is SQL NULL; i8 and zeros hold what an
 * int64 or zeros bind sends. */
struct g_db_pg_param {
	const char *value;
	int len;
	Oid type;
	unsigned char i8[8];
	void *zeros;
};

/* A statement: its text as `$n`, n parameters and the arrays libpq
 * takes, the types it was prepared with under name ("" until then, and
 * for ever when not kept), and the result its first step fetched. */
struct g_db_pg_stmt {
	struct g_db_stmt base;
	struct g_db_pg *c;
	char *sql;
	int n, kept, executed;
	struct g_db_pg_param *p;
	const char **values;
	int *lens, *formats;
	Oid *types, *prepared;
	char name[24];
	PGresult *res;
	int row, rows, cols;
	char (*num)[24]; /* per column: an integer read as text */
};

/* db_pg_exec.c: send the statement with its binds: its result (NULL if
 * memory failed). A kept statement is parsed once, under its name; a
 * step whose binds' types differ from that parse's, and a statement not
 * kept, are parsed again, unnamed. */
PGresult *g_db_pg_execute(struct g_db_pg_stmt *s);
/* db_pg_row.c: the result of a statement's first step taken (res) and
 * walked; -1 if memory fails (res cleared). */
int g_db_pg_stmt_rows(struct g_db_pg_stmt *s, PGresult *res);
/* Back to before the first step: the result dropped, binds kept. */
void g_db_pg_stmt_reset(struct g_db_pg_stmt *s);
/* Everything freed (binds and what they own too). */
void g_db_pg_stmt_free(struct g_db_pg_stmt *s);
const char *g_db_pg_column_text(struct g_db_stmt *st, int col);
const void *g_db_pg_column_blob(struct g_db_stmt *st, int col);
size_t g_db_pg_column_bytes(struct g_db_stmt *st, int col);
int64_t g_db_pg_column_int64(struct g_db_stmt *st, int col);
int g_db_pg_column_is_null(struct g_db_stmt *st, int col);

extern const struct g_db_ops g_db_pg_ops;
extern const struct g_db_backend g_db_pg_backend;

/* Whether a -d value names a PostgreSQL database rather than a file: a
 * postgresql:// or postgres:// URI, or a key=value string that starts
 * with host=, dbname= or service=. */
int g_db_pg_is_conninfo(const char *path);

/* What a message may show of a connection string: a URI's password
 * (user:secret@) as ***, and any password= setting (in a URI's query or
 * a key=value string) left out. NULL if memory fails. Works on text
 * libpq would refuse too (it names that text in its message). */
char *g_db_pg_redact(const char *conninfo);

/* Connect: 64 when conninfo does not parse, 69 when the server cannot
 * be reached (77 when it wants a password it did not get), each message
 * naming the store as shown (the redacted form). Statements that wait
 * for a lock give up after busy_ms (75). -1 with err. */
int g_db_pg_open(const char *conninfo, const char *shown, int busy_ms, struct g_db **db,
		 struct g_err *err);

/* A libpq result (NULL: the call failed before one) as a class, with
 * the server's primary message kept as the connection's errmsg. */
int g_db_pg_rc(struct g_db_pg *c, const PGresult *res);

/* The ops on one row named by its id (db_pg_byid.c; db.h says them). */
int g_db_pg_blob_write(struct g_db *db, const char *table, const char *column, const char *id,
		       const void *data, size_t len);
int g_db_pg_lock(struct g_db *db, const char *table, const char *id);

/* The most parameters a statement has (SQLite's default limit). */
#define G_DB_PG_MAX_PARAMS 32766
/* How much longer a bare `?` can grow: `$32766`. */
#define G_DB_PG_PLACEHOLDER_GROWTH 5

/* sql's len bytes with every placeholder outside literals and comments
 * as `$n`: G_DB_OK with *out (NUL-terminated, at most len plus
 * G_DB_PG_PLACEHOLDER_GROWTH per `?` bytes) and *nparams (the largest
 * number), G_DB_ERROR for `?0`, a number past G_DB_PG_MAX_PARAMS or a
 * placeholder right after a word or a `$` (`$n` would join it),
 * G_DB_NOMEM. */
int g_db_pg_sql(const char *sql, size_t len, char **out, int *nparams);

#endif
