/* doc_src.c: the byte source under a document reader, and what its JSON
 * and YAML halves (doc_read.c, doc_yaml.c) share: errors that say where,
 * and the depth of a value. */
#include "doc_src.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/* read(2), not fread: a short read hands over what has arrived, so a
 * record on a pipe is handled when its bytes come, not when 64 KiB have. */
static int src_fill(struct g_doc_src *s)
{
	ssize_t n;

	if (s->pos < s->len)
		return 1;
	if (!s->file || s->eof || s->ioerr)
		return 0;
	do
		n = read(fileno(s->file), s->chunk, G_DOC_SRC_BUF);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n < 0)
			s->ioerr = errno ? errno : EIO;
		else
			s->eof = 1;
		return 0;
	}
	s->data = s->chunk;
	s->len = (size_t)n;
	s->pos = 0;
	return 1;
}

int g_doc_src_peek(struct g_doc_src *s)
{
	return src_fill(s) ? s->data[s->pos] : EOF;
}

static void src_count(struct g_doc_src *s, unsigned char c)
{
	s->offset++;
	if (c == '\n') {
		s->line++;
		s->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		s->col++;
	}
}

int g_doc_src_get(struct g_doc_src *s)
{
	unsigned char c;

	if (!src_fill(s))
		return EOF;
	c = s->data[s->pos++];
	src_count(s, c);
	return c;
}

size_t g_doc_src_read(struct g_doc_src *s, unsigned char *out, size_t size)
{
	size_t n, i;

	if (!src_fill(s))
		return 0;
	n = s->len - s->pos;
	if (n > size)
		n = size;
	memcpy(out, s->data + s->pos, n);
	for (i = 0; i < n; i++)
		src_count(s, out[i]);
	s->pos += n;
	return n;
}

int g_doc_src_error_at(const struct g_doc_reader *r, long line, long col,
		   struct g_err *err, const char *fmt, ...)
{
	char msg[G_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return g_err_set(err, G_EX_DATAERR, "'%s':%ld:%ld: %s", r->name, line,
			 col, msg);
}

int g_doc_src_depth(const json_t *v, int limit)
{
	int deepest = 0, d;
	const char *key;
	json_t *child;
	size_t i;

	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (limit < 1)
		return 1; /* a container past the limit: deeper, enough said */
	if (json_is_object(v)) {
		json_object_foreach ((json_t *)v, key, child) {
			d = g_doc_src_depth(child, limit - 1);
			if (d > deepest)
				deepest = d;
		}
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, child) {
			d = g_doc_src_depth(child, limit - 1);
			if (d > deepest)
				deepest = d;
		}
	}
	return deepest + 1;
}
