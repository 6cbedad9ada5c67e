/* db_pg_exec.c: a PostgreSQL statement sent with its binds, the way
 * db_pg.c says: parsed with the binds' types (a NULL's guessed as text
 * where the server cannot infer it), once per connection for a kept
 * statement, then executed with every value in binary format. */
#include "db_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether the binds' types are those the statement was prepared with (a
 * NULL goes with any). */
static int same_types(const struct g_db_pg_stmt *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].value && s->p[i].type != s->prepared[i])
			return 0;
	return 1;
}

/* After a parse that failed with "could not determine data type of
 * parameter $N" (42P08 or 42P18: a NULL bound where the first use gives
 * no type, `?1 IS NULL OR c = ?1`): that parameter (every untyped one if the message
 * does not say which) as text; 0 when there is none left to guess. */
static int guess_text(struct g_db_pg_stmt *s, const PGresult *res)
{
	const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *dollar = msg ? strrchr(msg, '$') : NULL;
	long n = dollar ? strtol(dollar + 1, NULL, 10) : 0;
	int i, guessed = 0;

	if (!code || (strcmp(code, "42P08") != 0 && strcmp(code, "42P18") != 0))
		return 0;
	if (n >= 1 && n <= s->n && s->types[n - 1] == 0) {
		s->types[n - 1] = G_DB_PG_TEXT;
		return 1;
	}
	for (i = 0; i < s->n; i++)
		if (s->types[i] == 0) {
			s->types[i] = G_DB_PG_TEXT;
			guessed = 1;
		}
	return guessed;
}

static void run_simple(PGconn *h, const char *sql)
{
	PQclear(PQexec(h, sql));
}

/* Parse the statement as name with the binds' types. A failed parse
 * inside a transaction fails the transaction, so a parse that may have
 * to be tried again (a NULL's type to guess) runs inside a savepoint,
 * released after the statement ran (*saved): a simple query before that
 * would drop the unnamed statement. */
static PGresult *parse(struct g_db_pg_stmt *s, const char *name, int *saved)
{
	PGconn *h = s->c->h;
	int i, untyped = 0;
	PGresult *res;

	for (i = 0; i < s->n; i++)
		untyped |= s->types[i] == 0;
	*saved = untyped && PQtransactionStatus(h) == PQTRANS_INTRANS;
	if (*saved)
		run_simple(h, "SAVEPOINT g_db_pg_parse");
	while (PQresultStatus(res = PQprepare(h, name, s->sql, s->n, s->types)) !=
		       PGRES_COMMAND_OK &&
	       guess_text(s, res)) {
		PQclear(res);
		if (*saved)
			run_simple(h, "ROLLBACK TO SAVEPOINT g_db_pg_parse");
	}
	return res;
}

PGresult *g_db_pg_execute(struct g_db_pg_stmt *s)
{
	PGconn *h = s->c->h;
	const char *name = "";
	PGresult *res;
	int i, saved = 0;

	for (i = 0; i < s->n; i++) {
		s->values[i] = s->p[i].value;
		s->lens[i] = s->p[i].len;
		s->formats[i] = 1;
		s->types[i] = s->p[i].value ? s->p[i].type : 0;
	}
	if (s->kept && !s->name[0]) {
		char kept[sizeof(s->name)];

		snprintf(kept, sizeof(kept), "g%lu", s->c->next + 1);
		if (PQresultStatus(res = parse(s, kept, &saved)) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		s->c->next++;
		memcpy(s->prepared, s->types, sizeof(*s->types) * (size_t)s->n);
		memcpy(s->name, kept, sizeof(kept));
	}
	if (s->kept && same_types(s)) {
		name = s->name;
	} else {
		if (PQresultStatus(res = parse(s, "", &saved)) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
	}
	res = PQexecPrepared(h, name, s->n, s->values, s->lens, s->formats, 1);
	if (saved && PQresultStatus(res) != PGRES_FATAL_ERROR)
		run_simple(h, "RELEASE SAVEPOINT g_db_pg_parse");
	return res;
}
