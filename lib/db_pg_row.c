/* db_pg_row.c: a PostgreSQL statement's rows, read as db.h reads
 * SQLite's. Results come in binary format: text and bytea are their
 * bytes (libpq puts a NUL after each value), integers and booleans are
 * decoded here, so that g_db_column_int64 reads an int8, an int4, a
 * count(*), a sum() (numeric) or a boolean (true 1, false 0) alike, and
 * g_db_column_text gives them as decimal text, the way SQLite does. */
#include "db_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct g_db_pg_stmt *pgst(struct g_db_stmt *st)
{
	return (struct g_db_pg_stmt *)(void *)st;
}

int g_db_pg_stmt_rows(struct g_db_pg_stmt *s, PGresult *res)
{
	s->res = res;
	s->row = 0;
	s->rows = PQntuples(res);
	s->cols = PQnfields(res);
	free(s->num);
	s->num = s->cols ? calloc((size_t)s->cols, sizeof(*s->num)) : NULL;
	if (s->cols && !s->num) {
		PQclear(res);
		s->res = NULL;
		s->rows = 0;
		return -1;
	}
	return 0;
}

void g_db_pg_stmt_reset(struct g_db_pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->executed = 0;
	s->row = s->rows = s->cols = 0;
}

void g_db_pg_stmt_free(struct g_db_pg_stmt *s)
{
	int i;

	g_db_pg_stmt_reset(s);
	for (i = 0; s->p && i < s->n; i++)
		free(s->p[i].zeros);
	free(s->p);
	free(s->values);
	free(s->lens);
	free(s->formats);
	free(s->types);
	free(s->prepared);
	free(s->num);
	free(s->sql);
	free(s);
}

/* The current row's value of col, or NULL (SQL NULL, or no such
 * column or row). */
static const char *value(const struct g_db_pg_stmt *s, int col)
{
	if (!s->res || s->row >= s->rows || col < 0 || col >= s->cols ||
	    PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static uint64_t big_endian(const unsigned char *p, int len)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

/* numeric's binary form: ndigits, weight, sign, dscale (16 bits each),
 * then base-10000 digits, the first weight + 1 of them before the
 * point: the integer part (wrapping past 64 bits, as a cast would). */
static int64_t numeric_int64(const unsigned char *v, int len)
{
	int ndigits, weight, i;
	uint64_t r = 0;

	if (len < 8)
		return 0;
	ndigits = (int)big_endian(v, 2);
	weight = (int16_t)big_endian(v + 2, 2);
	if (len < 8 + 2 * ndigits)
		return 0;
	for (i = 0; i <= weight; i++)
		r = r * 10000 + (i < ndigits ? big_endian(v + 8 + 2 * (size_t)i, 2) : 0);
	return big_endian(v + 4, 2) == 0x4000 ? -(int64_t)r : (int64_t)r;
}

/* Whether col holds a number that reads need decoding, and then its
 * value into *out. */
static int number(const struct g_db_pg_stmt *s, int col, const char *v, int64_t *out)
{
	const unsigned char *u = (const unsigned char *)v;
	int len = PQgetlength(s->res, s->row, col);

	switch (PQftype(s->res, col)) {
	case G_DB_PG_INT8:
	case G_DB_PG_INT4:
	case G_DB_PG_INT2:
	case G_DB_PG_BOOL:
		if (len != 8 && len != 4 && len != 2 && len != 1)
			return 0;
		/* sign-extend from the type's width */
		*out = (int64_t)(big_endian(u, len) << (64 - 8 * len)) >> (64 - 8 * len);
		if (PQftype(s->res, col) == G_DB_PG_BOOL)
			*out = *out != 0;
		return 1;
	case G_DB_PG_OID:
		*out = len == 4 ? (int64_t)big_endian(u, 4) : 0;
		return 1;
	case G_DB_PG_NUMERIC:
		*out = numeric_int64(u, len);
		return 1;
	default:
		return 0;
	}
}

/* A number as decimal text, in the column's own buffer; else the bytes. */
static const char *as_text(struct g_db_pg_stmt *s, int col, size_t *len)
{
	const char *v = value(s, col);
	int64_t n;

	if (!v) {
		*len = 0;
		return NULL;
	}
	if (number(s, col, v, &n)) {
		snprintf(s->num[col], sizeof(s->num[col]), "%" PRId64, n);
		*len = strlen(s->num[col]);
		return s->num[col];
	}
	*len = (size_t)PQgetlength(s->res, s->row, col);
	return v;
}

const char *g_db_pg_column_text(struct g_db_stmt *st, int col)
{
	size_t len;

	return as_text(pgst(st), col, &len);
}

const void *g_db_pg_column_blob(struct g_db_stmt *st, int col)
{
	size_t len;
	const char *v = as_text(pgst(st), col, &len);

	return len ? v : NULL;
}

size_t g_db_pg_column_bytes(struct g_db_stmt *st, int col)
{
	size_t len;

	as_text(pgst(st), col, &len);
	return len;
}

/* Text that starts with a number reads as it, as in SQLite; anything
 * else as 0. */
int64_t g_db_pg_column_int64(struct g_db_stmt *st, int col)
{
	struct g_db_pg_stmt *s = pgst(st);
	const char *v = value(s, col);
	int64_t n;

	if (!v)
		return 0;
	if (number(s, col, v, &n))
		return n;
	if (PQftype(s->res, col) == G_DB_PG_BYTEA)
		return 0;
	return strtoll(v, NULL, 10);
}

int g_db_pg_column_is_null(struct g_db_stmt *st, int col)
{
	return value(pgst(st), col) == NULL;
}
