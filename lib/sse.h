/*
 * sse.h: server-sent event streams, read by the WHATWG EventSource rules,
 * fed in whatever pieces the network gives.
 *
 * Lines end with LF, CR or CRLF (a CRLF split across two pieces is one end
 * of line); a leading BOM is skipped; ":..." lines are comments; "field:
 * value" loses one space after the colon; a line without a colon is a
 * field with an empty value; data lines of one event are joined by LF; a
 * blank line dispatches the event (one without data is not dispatched);
 * at the end of the stream an event that no blank line ended is dropped.
 * Bytes are bytes: a UTF-8 sequence split across pieces is whole again in
 * the event. Lines and events are capped, so a hostile stream cannot make
 * us hold more than G_SSE_MAX_EVENT.
 */
#ifndef GUISE_SSE_H
#define GUISE_SSE_H
#include <stddef.h>

#include "err.h"

#define G_SSE_MAX_LINE ((size_t)1 << 20)
#define G_SSE_MAX_EVENT ((size_t)8 << 20)

struct g_sse_event {
	const char *event; /* "message" when the stream named none */
	const char *data;  /* data_len bytes, NUL-terminated */
	size_t data_len;
	const char *id; /* the last id seen, "" if none */
};

/* Called for each event; non-zero stops the stream (g_sse_feed returns it
 * as -1 with err as the callback left it). */
typedef int (*g_sse_fn)(const struct g_sse_event *ev, void *arg, struct g_err *err);

struct g_sse;

struct g_sse *g_sse_new(g_sse_fn fn, void *arg);
void g_sse_free(struct g_sse *p);

/* The next piece of the stream: -1 with err (76 past a limit: the
 * provider sent what no reply needs; or the callback's). */
int g_sse_feed(struct g_sse *p, const char *buf, size_t len, struct g_err *err);

/* The end of the stream: a line no line end closed, and an event no
 * blank line ended, are dropped (either may be cut short). */
int g_sse_end(struct g_sse *p, struct g_err *err);

#endif
