/*
 * sse_fuzz: libFuzzer target for the event-stream reader (g_sse_feed,
 * g_sse_end, lib/sse) and the JSON-lines reader (g_lines_feed,
 * g_lines_end, lib/lines). Each input is a stream, read by both, whole and
 * in pieces.
 *
 * Pieces: the whole input in one; pieces of 1, 2, 3, 5 and 7 bytes; two
 * pieces cut at every place (at 32 places spread over longer inputs);
 * pieces whose lengths (0 to 8: empty pieces too) are read from the
 * input's own bytes.
 *
 * Oracles, events: a reference reader, written apart from lib/sse
 * straight from the WHATWG rules and reading the whole input at once
 * (a leading BOM skipped, lines ended by CR, LF or CRLF, ":" comments,
 * one space after the colon dropped, a line without a colon a field with
 * an empty value, data lines joined by LF, "event" and "id" (not with a
 * NUL) fields, a blank line dispatching an event that has data, the event
 * that no blank line ended dropped), says which events come, and every
 * way of cutting the input gives exactly those (event, data, id) in that
 * order; past a limit (a line over G_SSE_MAX_LINE, the data of an event
 * over G_SSE_MAX_EVENT) every way fails with 76 after the same events.
 * Every event: data NUL-terminated at data_len, no longer than
 * G_SSE_MAX_EVENT, without CR; an event name and an id without CR or LF.
 * The event name is compared as the C string the API gives: a name with
 * a NUL in it is cut there (so "event: \0x" names the event "", not
 * "message": the stream did name it).
 *
 * Oracles, lines: a reference cuts the input at each LF, drops one CR at
 * the end of each piece (the last piece too: it may be a CRLF cut short)
 * and skips the empty ones; every way of cutting gives exactly those
 * lines. So no line has an LF or is empty, and the lines joined by LF are
 * the input with its blank lines and the CR of each CRLF gone. (A line
 * may still end with a CR: "x\r\r\n" is the line "x\r" and its CRLF.)
 *
 * Both: a non-zero from the callback stops the reader at once: feed
 * returns -1 with the callback's error, after exactly that many calls.
 *
 * Once, on the first input: the limits, each side of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "sse.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* --- what a reader gave: a list of records -------------------------------- */

struct rec {
	char *event; /* NULL for a line */
	char *data;
	size_t len;
	char *id;
};

struct recs {
	struct rec *r;
	size_t n, cap;
	int stop_at; /* return non-zero at this call (1-based), 0: never */
	int calls;
};

static char *dup_mem(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void recs_add(struct recs *l, const char *event, const char *data, size_t len,
		     const char *id)
{
	struct rec *r;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		if (!(l->r = realloc(l->r, l->cap * sizeof(*l->r))))
			abort();
	}
	r = &l->r[l->n++];
	r->event = event ? dup_mem(event, strlen(event)) : NULL;
	r->data = dup_mem(data, len);
	r->len = len;
	r->id = id ? dup_mem(id, strlen(id)) : NULL;
}

static void recs_free(struct recs *l)
{
	size_t k;

	for (k = 0; k < l->n; k++) {
		free(l->r[k].event);
		free(l->r[k].data);
		free(l->r[k].id);
	}
	free(l->r);
	memset(l, 0, sizeof(*l));
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void recs_same(const struct recs *want, const struct recs *got, const char *how)
{
	size_t k;

	if (want->n != got->n) {
		fprintf(stderr, "%s: %zu records, not %zu\n", how, got->n, want->n);
		abort();
	}
	for (k = 0; k < want->n; k++) {
		const struct rec *a = &want->r[k], *b = &got->r[k];

		if (!str_eq(a->event, b->event) || !str_eq(a->id, b->id) || a->len != b->len ||
		    memcmp(a->data, b->data, a->len) != 0) {
			fprintf(stderr, "%s: record %zu differs: event '%s' / '%s', id '%s' / '%s', %zu / %zu bytes\n",
				how, k, a->event ? a->event : "", b->event ? b->event : "",
				a->id ? a->id : "", b->id ? b->id : "", a->len, b->len);
			abort();
		}
	}
}

/* --- the reference readers, whole input at once ----------------------------- */

struct buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = b->len + n + 1 > 2 * b->cap ? b->len + n + 1 : 2 * b->cap;
		if (!(b->s = realloc(b->s, b->cap)))
			abort();
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* The events of the whole stream d; 0, or -1 past a limit (the events
 * before it in out). */
static int ref_sse(const unsigned char *d, size_t n, struct recs *out)
{
	struct buf data = { 0 }, event = { 0 }, id = { 0 };
	size_t pos = 0, e, name, vstart, len;
	const char *s;
	int rc = 0;

	buf_add(&id, "", 0);
	buf_add(&event, "", 0);
	if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		pos = 3;
	for (;;) {
		for (e = pos; e < n && d[e] != '\r' && d[e] != '\n'; e++)
			;
		if (e - pos > G_SSE_MAX_LINE) {
			rc = -1;
			break;
		}
		if (e == n)
			break; /* no line end: the rest is dropped */
		s = (const char *)d + pos;
		len = e - pos;
		pos = d[e] == '\r' && e + 1 < n && d[e + 1] == '\n' ? e + 2 : e + 1;
		if (len == 0) { /* dispatch */
			if (data.len) {
				data.s[--data.len] = '\0'; /* the LF after the last line */
				recs_add(out, event.len ? event.s : "message",
					 data.s, data.len, id.s);
			}
			data.len = event.len = 0;
			continue;
		}
		if (s[0] == ':')
			continue;
		for (name = 0; name < len && s[name] != ':'; name++)
			;
		vstart = name < len ? name + 1 : len;
		if (vstart < len && s[vstart] == ' ')
			vstart++;
		if (name == 4 && memcmp(s, "data", 4) == 0) {
			buf_add(&data, s + vstart, len - vstart);
			buf_add(&data, "\n", 1);
			if (data.len - 1 > G_SSE_MAX_EVENT) {
				rc = -1;
				break;
			}
		} else if (name == 5 && memcmp(s, "event", 5) == 0) {
			event.len = 0;
			buf_add(&event, s + vstart, len - vstart);
		} else if (name == 2 && memcmp(s, "id", 2) == 0 &&
			   !memchr(s + vstart, '\0', len - vstart)) {
			id.len = 0;
			buf_add(&id, s + vstart, len - vstart);
		}
	}
	free(data.s);
	free(event.s);
	free(id.s);
	return rc;
}

/* The lines of the whole input; 0, or -1 past the limit (a line over
 * G_SSE_MAX_EVENT with its CR). */
static int ref_lines(const unsigned char *d, size_t n, struct recs *out)
{
	size_t pos = 0, e, len;

	while (pos < n) {
		for (e = pos; e < n && d[e] != '\n'; e++)
			;
		len = e - pos;
		if (len > G_SSE_MAX_EVENT)
			return -1;
		if (len && d[pos + len - 1] == '\r')
			len--;
		if (len)
			recs_add(out, NULL, (const char *)d + pos, len, NULL);
		pos = e + 1;
	}
	return 0;
}

/* --- the readers under test ------------------------------------------------------ */

#define STOP_CODE G_EX_UNAVAILABLE

static int on_event(const struct g_sse_event *ev, void *arg, struct g_err *err)
{
	struct recs *l = arg;

	if (!ev->event || !ev->data || !ev->id || ev->data[ev->data_len] != '\0' ||
	    ev->data_len > G_SSE_MAX_EVENT || memchr(ev->data, '\r', ev->data_len) ||
	    strpbrk(ev->event, "\r\n") || strpbrk(ev->id, "\r\n")) {
		fprintf(stderr, "a malformed event\n");
		abort();
	}
	recs_add(l, ev->event, ev->data, ev->data_len, ev->id);
	if (++l->calls == l->stop_at)
		return g_err_set(err, STOP_CODE, "stop"), 1;
	return 0;
}

static int on_line(const char *line, size_t len, void *arg, struct g_err *err)
{
	struct recs *l = arg;

	if (!line || len == 0 || memchr(line, '\n', len)) {
		fprintf(stderr, "a malformed line\n");
		abort();
	}
	recs_add(l, NULL, line, len, NULL);
	if (++l->calls == l->stop_at)
		return g_err_set(err, STOP_CODE, "stop"), 1;
	return 0;
}

/* How to cut the input: piece k is cut(k) bytes long. */
enum cut { WHOLE, FIXED, TWO, FROM_INPUT };

struct cutter {
	enum cut how;
	size_t arg; /* FIXED: the size; TWO: where */
	const unsigned char *data;
	size_t size;
};

static size_t piece(const struct cutter *c, size_t k, size_t at)
{
	size_t left = c->size - at, n;

	switch (c->how) {
	case FIXED:
		n = c->arg;
		break;
	case TWO:
		n = k == 0 ? c->arg : left;
		break;
	case FROM_INPUT:
		n = c->data[k % c->size] % 9;
		break;
	default:
		n = left;
	}
	return n < left ? n : left;
}

/* Feed the input to a reader in the cutter's pieces, then end it:
 * 0, or -1 with err. lines: g_lines, else g_sse. */
static int run(int lines, const struct cutter *c, struct recs *out, struct g_err *err)
{
	struct g_sse *p = NULL;
	struct g_lines *l = NULL;
	size_t at = 0, k = 0, n, empty = 0;
	int rc = 0;

	if (lines ? !(l = g_lines_new(on_line, out)) : !(p = g_sse_new(on_event, out)))
		abort();
	while (rc == 0 && (at < c->size || k == 0)) {
		n = piece(c, k++, at);
		if (n == 0 && ++empty > 64) /* enough empty pieces: the rest whole */
			n = c->size - at;
		rc = lines ? g_lines_feed(l, (const char *)c->data + at, n, err)
			   : g_sse_feed(p, (const char *)c->data + at, n, err);
		at += n;
	}
	if (rc == 0)
		rc = lines ? g_lines_end(l, err) : g_sse_end(p, err);
	g_sse_free(p);
	g_lines_free(l);
	return rc;
}

/* The reader on every cutting of the input, each compared with the
 * reference. */
static void check(int lines, const unsigned char *data, size_t size)
{
	static const size_t fixed[] = { 1, 2, 3, 5, 7 };
	struct recs want = { 0 }, got = { 0 };
	struct cutter c = { WHOLE, 0, data, size };
	struct g_err err;
	size_t k, places, at;
	int ref, rc;
	char how[64];

	ref = lines ? ref_lines(data, size, &want) : ref_sse(data, size, &want);
	for (k = 0;; k++) {
		if (k == 0) {
			c.how = WHOLE;
			snprintf(how, sizeof(how), "%s whole", lines ? "lines" : "sse");
		} else if (k <= 5) {
			c.how = FIXED;
			c.arg = fixed[k - 1];
			snprintf(how, sizeof(how), "%s in %zu", lines ? "lines" : "sse", c.arg);
		} else if (k == 6) {
			if (!size)
				continue;
			c.how = FROM_INPUT;
			snprintf(how, sizeof(how), "%s as the input says", lines ? "lines" : "sse");
		} else {
			places = size + 1 > 32 ? 32 : size + 1;
			if (k - 7 >= places)
				break;
			at = size + 1 > 32 ? (k - 7) * (size + 1) / 32 : k - 7;
			c.how = TWO;
			c.arg = at;
			snprintf(how, sizeof(how), "%s cut at %zu", lines ? "lines" : "sse", at);
		}
		rc = run(lines, &c, &got, &err);
		if (rc != ref || (rc < 0 && err.code != G_EX_PROTOCOL)) {
			fprintf(stderr, "%s: %d (%s), not %d\n", how, rc, rc < 0 ? err.msg : "",
				ref);
			abort();
		}
		recs_same(&want, &got, how);
		recs_free(&got);
	}
	/* a stop from the callback at call s: exactly s calls, its error */
	if (want.n) {
		got.stop_at = 1 + (int)(size ? data[0] % want.n : 0);
		c.how = FIXED;
		c.arg = 3;
		rc = run(lines, &c, &got, &err);
		if (rc != -1 || err.code != STOP_CODE || strcmp(err.msg, "stop") != 0 ||
		    got.calls != got.stop_at) {
			fprintf(stderr, "%s: a stop at call %d: %d after %d calls\n",
				lines ? "lines" : "sse", got.stop_at, rc, got.calls);
			abort();
		}
		recs_free(&got);
	}
	recs_free(&want);
}

/* --- the limits, once --------------------------------------------------------------- */

/* A stream: head, then n bytes of 'a', then tail. */
static unsigned char *made(const char *head, size_t n, const char *tail, size_t *len)
{
	size_t h = strlen(head), t = strlen(tail);
	unsigned char *s = malloc(h + n + t + 1);

	if (!s)
		abort();
	memcpy(s, head, h + 1);
	memset(s + h, 'a', n);
	memcpy(s + h + n, tail, t + 1);
	*len = h + n + t;
	return s;
}

/* The stream through the reader whole and in pieces of 4096: the same
 * result as the reference, which must be ok (0) or not (-1). */
static void limit_buf(int lines, unsigned char *s, size_t len, int ok)
{
	struct recs want = { 0 }, got = { 0 };
	struct cutter c = { WHOLE, 0, s, len };
	struct g_err err;
	int ref = lines ? ref_lines(s, len, &want) : ref_sse(s, len, &want), pass, rc;

	if (ref != (ok ? 0 : -1)) {
		fprintf(stderr, "the reference is wrong at a limit\n");
		abort();
	}
	for (pass = 0; pass < 2; pass++) {
		c.how = pass ? FIXED : WHOLE;
		c.arg = 4096;
		rc = run(lines, &c, &got, &err);
		if (rc != ref || (rc < 0 && err.code != G_EX_PROTOCOL)) {
			fprintf(stderr, "limit, %zu bytes: %d, not %d\n", len, rc, ref);
			abort();
		}
		recs_same(&want, &got, "limit");
		recs_free(&got);
	}
	recs_free(&want);
	free(s);
}

/* limit_buf on head, n bytes of 'a', tail */
static void limit(int lines, const char *head, size_t n, const char *tail, int ok)
{
	size_t len;
	unsigned char *s = made(head, n, tail, &len);

	limit_buf(lines, s, len, ok);
}

static void limits(void)
{
	const size_t line = G_SSE_MAX_LINE, event = G_SSE_MAX_EVENT;
	unsigned char *s;
	size_t len, k;

	/* a line of G_SSE_MAX_LINE bytes, data or comment; one more byte */
	limit(0, "data:", line - 5, "\n\n", 1);
	limit(0, ":", line - 1, "\r\n", 1);
	limit(0, "data: x\n\ndata:", line - 4, "\n\n", 0);
	limit(0, ":", line, "", 0);
	/* data of G_SSE_MAX_EVENT - 1 bytes: 8 lines of line - 5 bytes and
	 * their LFs, and a last line of the rest; then two bytes more */
	for (k = 0; k < 2; k++) {
		struct buf b = { 0 };
		size_t i, last = event - 1 - 8 * (line - 5 + 1) + 2 * k;

		buf_add(&b, "data: x\n\n", 9);
		for (i = 0; i < 8; i++) {
			s = made("data:", line - 5, "\n", &len);
			buf_add(&b, s, len);
			free(s);
		}
		s = made("data:", last, "\n\n", &len);
		buf_add(&b, s, len);
		free(s);
		limit_buf(0, (unsigned char *)b.s, b.len, k == 0);
	}
	/* a JSON line of G_SSE_MAX_EVENT bytes, with and without its CRLF;
	 * one byte more */
	limit(1, "{", event - 1, "\r\n", 0); /* the CR counts */
	limit(1, "{", event - 2, "\r\n", 1);
	limit(1, "{", event - 1, "\n", 1);
	limit(1, "{", event, "", 0);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static int once;

	if (!once) {
		once = 1;
		limits();
	}
	check(0, data, size);
	check(1, data, size);
	return 0;
}
