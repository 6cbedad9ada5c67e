/* db_pg_sql.c: the shared SQL's `?` / `?NNN` placeholders as libpq's
 * `$n`. A hand-written scanner that knows where a `?` is not a
 * placeholder: inside a string literal ('...' with '' doubled, E'...'
 * with backslash escapes, $tag$...$tag$), a quoted identifier ("..."),
 * a line comment (--) or a block comment (PostgreSQL's, which nest: it is
 * the server that reads the output). The numbering is SQLite's: `?NNN` is
 * parameter NNN, a bare `?` the largest number so far plus one. */
#include "db_pg.h"

#include <stdlib.h>
#include <string.h>

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

/* Whether c, just before a quote or a dollar, makes it part of a word:
 * a `?` counts, as the `$n` it becomes ends with a digit. */
static int word_before(char c)
{
	return ident_char(c) || c == '?';
}

/* The end of a literal or identifier quoted by q that starts after its
 * opening quote at p (the closing quote doubled stands for itself;
 * backslash escapes when esc); end when unterminated. */
static const char *skip_quoted(const char *p, const char *end, char q, int esc)
{
	while (p < end) {
		if (esc && *p == '\\' && p + 1 < end) {
			p += 2;
		} else if (*p == q) {
			if (p + 1 < end && p[1] == q)
				p += 2;
			else
				return p + 1;
		} else {
			p++;
		}
	}
	return end;
}

/* After a block comment whose opening slash-star is at p. */
static const char *skip_block(const char *p, const char *end)
{
	size_t depth = 0;

	while (p < end) {
		if (p + 1 < end && p[0] == '/' && p[1] == '*') {
			depth++;
			p += 2;
		} else if (p + 1 < end && p[0] == '*' && p[1] == '/') {
			p += 2;
			if (--depth == 0)
				return p;
		} else {
			p++;
		}
	}
	return end;
}

/* A dollar quote's tag at p ($, then a tag that does not start with a
 * digit, then $): its length with both dollars, or 0 when p starts none. */
static size_t dollar_tag(const char *p, const char *end)
{
	const char *q = p + 1;

	if (q < end && *q >= '0' && *q <= '9')
		return 0;
	while (q < end && ident_char(*q))
		q++;
	return q < end && *q == '$' ? (size_t)(q - p + 1) : 0;
}

/* After the body of the dollar-quoted string whose tag (len bytes) is at p. */
static const char *skip_dollar(const char *p, const char *end, size_t len)
{
	const char *q;

	for (q = p + len; q + len <= end; q++)
		if (memcmp(q, p, len) == 0)
			return q + len;
	return end;
}

/* Where the token at p ends when it is one that keeps a `?` as it is;
 * NULL when it is not such a token. */
static const char *skip_literal(const char *sql, const char *p, const char *end)
{
	size_t tag;

	if (*p == '\'') {
		int esc = p > sql && (p[-1] == 'e' || p[-1] == 'E') &&
			  (p - 1 == sql || !word_before(p[-2]));

		return skip_quoted(p + 1, end, '\'', esc);
	}
	if (*p == '"')
		return skip_quoted(p + 1, end, '"', 0);
	if (*p == '-' && p + 1 < end && p[1] == '-') {
		while (p < end && *p != '\n')
			p++;
		return p;
	}
	if (*p == '/' && p + 1 < end && p[1] == '*')
		return skip_block(p, end);
	if (*p == '$' && (p == sql || !word_before(p[-1])) && (tag = dollar_tag(p, end)))
		return skip_dollar(p, end, tag);
	return NULL;
}

int g_db_pg_sql(const char *sql, size_t len, char **out, int *nparams)
{
	const char *p = sql, *end = sql + len, *q;
	size_t n = 0, cap = len + 1;
	int max = 0;
	char *buf;

	*out = NULL;
	*nparams = 0;
	for (q = sql; q < end; q++) /* room for every `?` growing to `$32766` */
		if (*q == '?')
			cap += G_DB_PG_PLACEHOLDER_GROWTH;
	if (!(buf = malloc(cap)))
		return G_DB_NOMEM;
	while (p < end) {
		long num = 0;

		if ((q = skip_literal(sql, p, end))) {
			memcpy(buf + n, p, (size_t)(q - p));
			n += (size_t)(q - p);
			p = q;
			continue;
		}
		if (*p != '?') {
			buf[n++] = *p++;
			continue;
		}
		/* after a word or a dollar, `$n` would be read with it (a$1 is
		 * one identifier, $$1 opens a dollar quote) */
		if (p > sql && (ident_char(p[-1]) || p[-1] == '$')) {
			free(buf);
			return G_DB_ERROR;
		}
		for (q = p + 1; q < end && *q >= '0' && *q <= '9' && num <= G_DB_PG_MAX_PARAMS; q++)
			num = num * 10 + (*q - '0');
		if (q == p + 1)
			num = max + 1;
		if (num < 1 || num > G_DB_PG_MAX_PARAMS || (q < end && *q >= '0' && *q <= '9')) {
			free(buf);
			return G_DB_ERROR;
		}
		if (num > max)
			max = (int)num;
		n += (size_t)snprintf(buf + n, cap - n, "$%ld", num);
		p = q;
	}
	buf[n] = '\0';
	*out = buf;
	*nparams = max;
	return G_DB_OK;
}
