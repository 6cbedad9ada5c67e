/*
 * db_pg_sql_fuzz: libFuzzer target for the PostgreSQL backend's text
 * helpers (lib/db_pg_sql.c, lib/db_pg_open.c). The input, as SQL:
 * g_db_pg_sql never crashes and its output is bounded (the input plus
 * G_DB_PG_PLACEHOLDER_GROWTH per `?`); only placeholders change (with
 * digits dropped and `?` read as `$`, input and output are the same
 * text); every `$n` it wrote is at most the count it gave; and the output
 * rewritten again is itself (no placeholder left outside a literal or a
 * comment). The input, as a connection string: g_db_pg_redact never
 * crashes, grows by at most "***", and a URI's user:password@ is shown
 * as user:***@.
 */
#include <stdlib.h>
#include <string.h>

#include "db_pg.h"
#include "oracle.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* s without digits, '?' read as '$'. */
static char *skeleton(const char *s, size_t len, size_t *out_len)
{
	char *k = malloc(len + 1);
	size_t i, n = 0;

	if (!k)
		abort();
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			k[n++] = s[i] == '?' ? '$' : s[i];
	*out_len = n;
	return k;
}

static void check_sql(const char *sql, size_t len)
{
	char *out, *again, *k1, *k2;
	size_t n1, n2, out_len;
	int n, m;

	if (g_db_pg_sql(sql, len, &out, &n) != G_DB_OK)
		return;
	out_len = strlen(out);
	/* an input with a NUL inside stops nowhere early: only the output's
	 * own NUL ends it, so compare up to the first NUL of the input */
	if (memchr(sql, '\0', len))
		len = strlen(sql);
	if (out_len > len + G_DB_PG_PLACEHOLDER_GROWTH * oracle_count(sql, len, "?") ||
	    n < 0 || n > G_DB_PG_MAX_PARAMS)
		abort();
	k1 = skeleton(sql, len, &n1);
	k2 = skeleton(out, out_len, &n2);
	if (n1 != n2 || memcmp(k1, k2, n1) != 0)
		abort();
	if (g_db_pg_sql(out, out_len, &again, &m) != G_DB_OK || m != 0 || strcmp(again, out) != 0)
		abort();
	free(again);
	free(k1);
	free(k2);
	free(out);
}

static void check_redact(const char *s, size_t len)
{
	char *text = strndup(s, len), *shown;
	const char *auth, *at = NULL, *colon, *p;
	size_t keep;

	if (!text)
		abort();
	if (!(shown = g_db_pg_redact(text)))
		abort();
	if (strlen(shown) > strlen(text) + 3)
		abort();
	/* postgresql://user:PASSWORD@host...: shown as user:***@host, the
	 * last '@' before the path ending the password */
	if (strncmp(text, "postgresql://", 13) == 0) {
		auth = text + 13;
		for (p = auth; *p && !strchr("/?#", *p); p++)
			if (*p == '@')
				at = p;
		colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		keep = colon ? (size_t)(colon - text) + 1 : 0;
		if (colon && (strncmp(shown, text, keep) != 0 || strncmp(shown + keep, "***@", 4) != 0))
			abort();
	}
	free(shown);
	free(text);
}

static void check(const char *s, size_t len)
{
	check_sql(s, len);
	check_redact(s, len);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	oracle_on_copy(data, size, check);
	return 0;
}
