/* sse.c: server-sent events, byte by byte across pieces. */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Bytes added to b, up to max in all: -1 past max, -2 out of memory. */
static int bytes_add(struct g_text *b, const char *s, size_t n, size_t max)
{
	if (b->len + n > max)
		return -1;
	g_text_add(b, s, n);
	return b->failed ? -2 : 0;
}

struct g_sse {
	g_sse_fn fn;
	void *arg;
	struct g_text line, data, event, id;
	int has_data;  /* a data field came in this event */
	int after_cr;  /* the last byte was a CR: an LF now ends nothing */
	int started;   /* past the first bytes (a BOM is looked for there) */
	int bom_seen;  /* how many bytes of a BOM matched so far */
};

struct g_sse *g_sse_new(g_sse_fn fn, void *arg)
{
	struct g_sse *p = calloc(1, sizeof(*p));

	if (p) {
		p->fn = fn;
		p->arg = arg;
	}
	return p;
}

void g_sse_free(struct g_sse *p)
{
	if (!p)
		return;
	g_text_release(&p->line);
	g_text_release(&p->data);
	g_text_release(&p->event);
	g_text_release(&p->id);
	free(p);
}

static int too_big(struct g_err *err, int rc, const char *what)
{
	if (rc == -2)
		return g_err_oom(err);
	return g_err_set(err, G_EX_PROTOCOL, "event stream: %s", what);
}

static int dispatch(struct g_sse *p, struct g_err *err)
{
	struct g_sse_event ev;
	int rc = 0;

	if (p->has_data) {
		/* the data lines were each followed by LF: the last one goes */
		if (p->data.len && p->data.data[p->data.len - 1] == '\n')
			p->data.data[--p->data.len] = '\0';
		ev.event = p->event.len ? p->event.data : "message";
		ev.data = p->data.data ? p->data.data : "";
		ev.data_len = p->data.len;
		ev.id = p->id.len ? p->id.data : "";
		rc = p->fn(&ev, p->arg, err) ? -1 : 0;
	}
	p->data.len = p->event.len = 0;
	p->has_data = 0;
	return rc;
}

/* One whole line (without its end). */
static int line(struct g_sse *p, const char *s, size_t n, struct g_err *err)
{
	const char *colon;
	size_t name, vstart;
	int rc;

	if (n == 0)
		return dispatch(p, err);
	if (s[0] == ':')
		return 0; /* a comment */
	colon = memchr(s, ':', n);
	name = colon ? (size_t)(colon - s) : n;
	vstart = colon ? name + 1 : n;
	if (vstart < n && s[vstart] == ' ')
		vstart++;
	if (name == 4 && memcmp(s, "data", 4) == 0) {
		p->has_data = 1;
		/* each line is kept with an LF after it, the last one dropped at
		 * dispatch: one byte more than the data an event may hold */
		if ((rc = bytes_add(&p->data, s + vstart, n - vstart, G_SSE_MAX_EVENT + 1)) < 0 ||
		    (rc = bytes_add(&p->data, "\n", 1, G_SSE_MAX_EVENT + 1)) < 0)
			return too_big(err, rc, "an event's data over 8 MiB");
	} else if (name == 5 && memcmp(s, "event", 5) == 0) {
		p->event.len = 0;
		if ((rc = bytes_add(&p->event, s + vstart, n - vstart, G_SSE_MAX_LINE)) < 0)
			return too_big(err, rc, "a line over 1 MiB");
	} else if (name == 2 && memcmp(s, "id", 2) == 0 && !memchr(s + vstart, '\0', n - vstart)) {
		p->id.len = 0;
		if ((rc = bytes_add(&p->id, s + vstart, n - vstart, G_SSE_MAX_LINE)) < 0)
			return too_big(err, rc, "a line over 1 MiB");
	}
	/* retry and unknown fields: nothing to do for a one-shot reader */
	return 0;
}

static int end_line(struct g_sse *p, struct g_err *err)
{
	int rc = line(p, p->line.data ? p->line.data : "", p->line.len, err);

	p->line.len = 0;
	return rc;
}

int g_sse_feed(struct g_sse *p, const char *buf, size_t len, struct g_err *err)
{
	static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };
	size_t i = 0, start;
	int rc;

	/* a BOM at the very start, perhaps split across pieces */
	while (!p->started && i < len) {
		if ((unsigned char)buf[i] != bom[p->bom_seen]) {
			/* not a BOM after all: the bytes matched so far are text */
			if (p->bom_seen &&
			    (rc = bytes_add(&p->line, (const char *)bom, (size_t)p->bom_seen,
					    G_SSE_MAX_LINE)) < 0)
				return too_big(err, rc, "a line over 1 MiB");
			p->started = 1;
			break;
		}
		i++;
		if (++p->bom_seen == 3)
			p->started = 1;
	}
	start = i;
	for (; i < len; i++) {
		char c = buf[i];

		if (c != '\r' && c != '\n') {
			p->after_cr = 0;
			continue;
		}
		if (c == '\n' && p->after_cr) { /* the LF of a CRLF */
			p->after_cr = 0;
			start = i + 1;
			continue;
		}
		if ((rc = bytes_add(&p->line, buf + start, i - start, G_SSE_MAX_LINE)) < 0)
			return too_big(err, rc, "a line over 1 MiB");
		if (end_line(p, err) < 0)
			return -1;
		p->after_cr = c == '\r';
		start = i + 1;
	}
	if (start < len && (rc = bytes_add(&p->line, buf + start, len - start, G_SSE_MAX_LINE)) < 0)
		return too_big(err, rc, "a line over 1 MiB");
	return 0;
}

int g_sse_end(struct g_sse *p, struct g_err *err)
{
	/* an event no blank line ended is not dispatched: it may be cut short */
	p->data.len = p->event.len = 0;
	p->has_data = 0;
	p->line.len = 0;
	(void)err;
	return 0;
}
