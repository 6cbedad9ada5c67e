/* db_pg_open.c: connecting to PostgreSQL the way DESIGN.md §5 says, what
 * a message may show of the connection string, and the marks in `meta`
 * that say whose a database is and at which schema version. Passwords
 * are libpq's business alone (PGPASSWORD, ~/.pgpass, a service file, the
 * URI itself): nothing here reads one. */
#include "db_pg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A statement that holds a lock longer than this is stuck, not slow: a
 * row of a big import is one statement. */
#define STATEMENT_TIMEOUT_MS 60000
/* The advisory lock migrations take ("guise db" in ASCII). */
#define MIGRATE_LOCK "7453301666713166946"

int g_db_pg_is_conninfo(const char *path)
{
	static const char *const starts[] = {
		"postgresql://", "postgres://", "host=", "dbname=", "service=",
	};
	size_t i;

	for (i = 0; i < sizeof(starts) / sizeof(*starts); i++)
		if (strncmp(path, starts[i], strlen(starts[i])) == 0)
			return 1;
	return 0;
}

/* Append n bytes of p to out at *len (out has room: redaction only
 * shrinks, but for "***"). */
static void put(char *out, size_t *len, const char *p, size_t n)
{
	memcpy(out + *len, p, n);
	*len += n;
}

/* Whether key[0..n) names a secret: password, and every other setting
 * whose name ends so (sslpassword, a client key's passphrase). In a URI
 * (pct) libpq decodes %XX in a key first, so "pass%77ord" is one too. */
static int secret_key(const char *key, size_t n, int pct)
{
	char name[64], hex[3] = "";
	size_t i, m = 0;

	for (i = 0; i < n && m < sizeof(name); i++) {
		if (pct && key[i] == '%' && i + 2 < n && isxdigit((unsigned char)key[i + 1]) &&
		    isxdigit((unsigned char)key[i + 2])) {
			memcpy(hex, key + i + 1, 2);
			name[m++] = (char)strtoul(hex, NULL, 16);
			i += 2;
		} else {
			name[m++] = key[i];
		}
	}
	return m >= 8 && m < sizeof(name) && memcmp(name + m - 8, "password", 8) == 0;
}

/* Whether a URI's query setting at p is a secret's (secret_key). */
static int is_password(const char *p)
{
	return secret_key(p, strcspn(p, "=&#"), 1);
}

/* After a key=value setting's value at p: quoted ('...' with \
 * escapes) or up to the next space. */
static const char *skip_value(const char *p)
{
	if (*p != '\'')
		return p + strcspn(p, " \t\n");
	for (p++; *p && *p != '\''; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

/* key=value text: every password setting left out, and a "password"
 * without its = too, with the word after it (libpq refuses the string,
 * but it is shown in the message). */
static void redact_keywords(const char *s, char *out, size_t *len)
{
	const char *p = s;

	while (*p) {
		const char *start = p, *key = p + strspn(p, " \t\n");
		size_t n = strcspn(key, " \t\n=");
		int secret = secret_key(key, n, 0);

		p = key + n;
		p += strspn(p, " \t\n");
		if (*p == '=' || (secret && *p)) {
			p += *p == '=';
			p += strspn(p, " \t");
			p = skip_value(p);
		}
		if (p == start)
			p++; /* cannot be: a key or a space is always taken */
		if (!secret)
			put(out, len, start, (size_t)(p - start));
	}
}

/* A URI: the password of user:password@ as ***, password= settings of
 * the query left out. */
static void redact_uri(const char *s, char *out, size_t *len)
{
	const char *auth = strstr(s, "://") + 3;
	size_t host_len = strcspn(auth, "/?#");
	const char *at = NULL, *colon, *p, *q;

	for (p = auth; p < auth + host_len; p++)
		if (*p == '@')
			at = p;
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		put(out, len, s, (size_t)(colon - s) + 1);
		put(out, len, "***", 3);
		p = at;
	} else {
		p = s;
	}
	q = strchr(auth, '?');
	if (!q || q < auth + host_len) {
		put(out, len, p, strlen(p));
		return;
	}
	put(out, len, p, (size_t)(q - p));
	for (p = q; *p;) {
		size_t n = 1 + strcspn(p + 1, "&#");

		if (!is_password(p + 1)) {
			put(out, len, p, n);
		} else if (*p == '?' && p[n] == '&') {
			put(out, len, "?", 1); /* the next setting keeps its '?' */
			n++;
		}
		p += n;
		if (*p == '#') {
			put(out, len, p, strlen(p));
			break;
		}
	}
}

char *g_db_pg_redact(const char *conninfo)
{
	size_t len = 0;
	char *out = malloc(strlen(conninfo) + 4);

	if (!out)
		return NULL;
	if (strncmp(conninfo, "postgresql://", 13) == 0 || strncmp(conninfo, "postgres://", 11) == 0)
		redact_uri(conninfo, out, &len);
	else
		redact_keywords(conninfo, out, &len);
	out[len] = '\0';
	return out;
}

/* libpq's message about a string it could not parse, its first line,
 * with every "quoted" part of the string that the shown form does not
 * hold left out: libpq quotes the string, or the word it stumbled on,
 * which may be the password. */
static void scrub(const char *msg, const char *conninfo, const char *shown, char *out,
		  size_t size)
{
	size_t n = 0, q, line = strcspn(msg, "\n");
	const char *p = msg, *end = msg + line;

	while (p < end && n + 1 < size) {
		const char *close = *p == '"' ? memchr(p + 1, '"', (size_t)(end - p - 1)) : NULL;

		if (!close) {
			out[n++] = *p++;
			continue;
		}
		q = (size_t)(close - p - 1);
		if (!memmem(conninfo, strlen(conninfo), p + 1, q) ||
		    memmem(shown, strlen(shown), p + 1, q))
			n += (size_t)snprintf(out + n, size - n, "%.*s", (int)(q + 2), p);
		else
			n += (size_t)snprintf(out + n, size - n, "\"...\"");
		if (n >= size)
			n = size - 1;
		p = close + 1;
	}
	out[n] = '\0';
}

/* libpq's message for a connection that failed, its first line. */
static void first_line(const char *msg, char *out, size_t size)
{
	size_t n = strcspn(msg, "\n");

	snprintf(out, size, "%.*s", (int)n, msg);
}

/* A notice (a migration's "relation exists, skipping") is not ours to
 * print. */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int g_db_pg_open(const char *conninfo, const char *shown, int busy_ms, struct g_db **db,
		 struct g_err *err)
{
	/* before dbname, so that a connect_timeout in the string wins */
	const char *keys[] = { "connect_timeout", "fallback_application_name", "dbname", NULL };
	const char *values[] = { NULL, "guise", conninfo, NULL };
	char timeout[16], sql[200], line[256], *why = NULL;
	PQconninfoOption *opts;
	struct g_db_pg *c;
	int rc;

	*db = NULL;
	if (g_db_pg_lib_load(err) < 0)
		return -1;
	opts = PQconninfoParse(conninfo, &why);
	if (!opts) {
		scrub(why ? why : "out of memory", conninfo, shown, line, sizeof(line));
		PQfreemem(why);
		return g_err_set(err, G_EX_USAGE, "invalid database '%s': %s", shown, line);
	}
	PQconninfoFree(opts);
	snprintf(timeout, sizeof(timeout), "%d", (busy_ms + 999) / 1000);
	values[0] = timeout;
	if (!(c = calloc(1, sizeof(*c))))
		return g_err_oom(err);
	c->base.ops = &g_db_pg_ops;
	c->h = PQconnectdbParams(keys, values, 1);
	if (!c->h || PQstatus(c->h) != CONNECTION_OK) {
		first_line(c->h ? PQerrorMessage(c->h) : "out of memory", line, sizeof(line));
		/* wanted a password it was not given, or refused the one it was */
		rc = c->h && (PQconnectionNeedsPassword(c->h) || PQconnectionUsedPassword(c->h));
		PQfinish(c->h);
		free(c);
		return g_err_set(err, rc ? G_EX_NOPERM : G_EX_UNAVAILABLE,
				 "cannot connect to database '%s': %s", shown, line);
	}
	PQsetNoticeProcessor(c->h, quiet, NULL);
	*db = &c->base;
	/* bytes in and out as they are; a lock waited for as long as a
	 * SQLite store waits for its file */
	snprintf(sql, sizeof(sql),
		 "SET client_encoding = 'UTF8'; SET standard_conforming_strings = on;"
		 " SET lock_timeout = %d; SET statement_timeout = %d",
		 busy_ms, STATEMENT_TIMEOUT_MS);
	if (g_db_exec(*db, sql) != G_DB_OK) {
		g_err_set(err, G_EX_UNAVAILABLE, "database '%s': %s", shown, g_db_errmsg(*db));
		g_db_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

/* One row, one text column (NULL: none or NULL); -1 with an error
 * class through *rc. */
static int query_text(struct g_db *db, const char *sql, char *out, size_t size, int *rc)
{
	struct g_db_stmt *st;
	const char *v;

	*out = '\0';
	if ((*rc = g_db_prepare(db, sql, &st)) != G_DB_OK)
		return -1;
	*rc = g_db_step(st);
	if (*rc == G_DB_ROW && (v = g_db_column_text(st, 0)))
		snprintf(out, size, "%s", v);
	g_db_finalize(st);
	if (*rc != G_DB_ROW && *rc != G_DB_DONE)
		return -1;
	*rc = G_DB_OK;
	return 0;
}

/* Empty: no tables (nor views) in the schema that search_path makes
 * current; ours: a meta whose application is guise, read through
 * to_jsonb so that another program's meta, whatever its columns, is only
 * not ours. Whether there is a meta and whether there is anything else
 * are read in one statement, one snapshot: read apart, another process's
 * migration could commit in between (no meta yet, then its tables). Its
 * meta rows commit with its tables. */
static int schema(struct g_db *db, enum g_db_owner *owner, int *version)
{
	char counts[48], app[32], ver[24], *end;
	long metas, objects;
	int rc;

	*version = 0;
	if (query_text(db,
		       "SELECT count(*) FILTER (WHERE c.relname = 'meta') || ' ' || count(*)"
		       " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		       " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
		       counts, sizeof(counts), &rc) < 0)
		return rc;
	metas = strtol(counts, &end, 10);
	objects = strtol(end, NULL, 10);
	if (metas == 0) {
		*owner = objects == 0 ? G_DB_EMPTY : G_DB_FOREIGN;
		return G_DB_OK;
	}
	if (query_text(db,
		       "SELECT to_jsonb(m) ->> 'value' FROM meta m"
		       " WHERE to_jsonb(m) ->> 'key' = 'application'",
		       app, sizeof(app), &rc) < 0 ||
	    query_text(db,
		       "SELECT to_jsonb(m) ->> 'value' FROM meta m"
		       " WHERE to_jsonb(m) ->> 'key' = 'schema_version'",
		       ver, sizeof(ver), &rc) < 0)
		return rc;
	*owner = strcmp(app, "guise") == 0 ? G_DB_OURS : G_DB_FOREIGN;
	if (*owner == G_DB_OURS)
		*version = (int)strtol(ver, NULL, 10);
	return G_DB_OK;
}

static int set_schema(struct g_db *db, int version)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO meta (key, value) VALUES ('schema_version', '%d'),"
		 " ('application', 'guise')"
		 " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		 version);
	return g_db_exec(db, sql);
}

/* Held until the migration's transaction ends; another process waits
 * here (up to the lock timeout), then finds the work done. */
static int migrate_lock(struct g_db *db)
{
	return g_db_exec(db, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")");
}

/* Each file in its own transaction under the advisory lock: foreign keys
 * stay on (no PG file rebuilds a table), so nothing can dangle. */
const struct g_db_backend g_db_pg_backend = {
	.begin = "BEGIN",
	/* READ COMMITTED gives each statement a snapshot of its own */
	.begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	.configure = NULL,
	.schema = schema,
	.set_schema = set_schema,
	.migrate_lock = migrate_lock,
	.migrating = NULL,
	.dangling = NULL,
	.migrations = g_embedded_pg_sql,
	.migration_count = &g_embedded_pg_sql_count,
	.file_per_transaction = 1,
};
