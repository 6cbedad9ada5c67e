/*
 * lines.h: the lines of a stream of JSON lines (NDJSON), fed in whatever
 * pieces the network gives: fn gets each line without its end (LF or
 * CRLF), blank lines skipped. A line is capped at G_LINES_MAX, so a
 * hostile stream cannot make us hold more.
 */
#ifndef GUISE_LINES_H
#define GUISE_LINES_H
#include <stddef.h>

#include "err.h"

#define G_LINES_MAX ((size_t)8 << 20)

typedef int (*g_lines_fn)(const char *line, size_t len, void *arg, struct g_err *err);
struct g_lines;
struct g_lines *g_lines_new(g_lines_fn fn, void *arg);
void g_lines_free(struct g_lines *l);
/* The next piece: -1 with err (76 past G_LINES_MAX, or fn's). */
int g_lines_feed(struct g_lines *l, const char *buf, size_t len, struct g_err *err);
/* A last line without its end is a line too. */
int g_lines_end(struct g_lines *l, struct g_err *err);

#endif
