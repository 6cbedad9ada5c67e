/* lines.c: a stream of JSON lines (NDJSON) cut into lines, across
 * whatever pieces the network gives. */
#include "lines.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

struct g_lines {
	g_lines_fn fn;
	void *arg;
	struct g_text line;
};

struct g_lines *g_lines_new(g_lines_fn fn, void *arg)
{
	struct g_lines *l = calloc(1, sizeof(*l));

	if (l) {
		l->fn = fn;
		l->arg = arg;
	}
	return l;
}

void g_lines_free(struct g_lines *l)
{
	if (!l)
		return;
	g_text_release(&l->line);
	free(l);
}

static int emit(struct g_lines *l, struct g_err *err)
{
	size_t n = l->line.len;
	int rc = 0;

	if (n && l->line.data[n - 1] == '\r')
		n--;
	if (n)
		rc = l->fn(l->line.data, n, l->arg, err) ? -1 : 0;
	l->line.len = 0;
	return rc;
}

int g_lines_feed(struct g_lines *l, const char *buf, size_t len, struct g_err *err)
{
	const char *nl;
	size_t at = 0, n;

	while (at < len) {
		nl = memchr(buf + at, '\n', len - at);
		n = nl ? (size_t)(nl - (buf + at)) : len - at;
		if (l->line.len + n > G_LINES_MAX)
			return g_err_set(err, G_EX_PROTOCOL, "event stream: a line over 8 MiB");
		g_text_add(&l->line, buf + at, n);
		if (l->line.failed)
			return g_err_oom(err);
		at += n;
		if (!nl)
			break;
		at++;
		if (emit(l, err) < 0)
			return -1;
	}
	return 0;
}

int g_lines_end(struct g_lines *l, struct g_err *err)
{
	return emit(l, err);
}
