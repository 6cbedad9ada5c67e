/*
 * timestamp.h: times in records and the database are RFC 3339 text in UTC
 * with milliseconds, "2026-11-23T23:07:54.123Z": they sort as text in time
 * order and every tool reads them.
 */
#ifndef GUISE_TIMESTAMP_H
#define GUISE_TIMESTAMP_H

#include <stdint.h>

/* 24 characters and the NUL */
#define G_TIMESTAMP_LEN 25

/* Milliseconds since the Unix epoch, now. */
int64_t g_timestamp_ms(void);

/* Format ms as RFC 3339 UTC into out. */
void g_timestamp_format(int64_t ms, char out[G_TIMESTAMP_LEN]);

/* g_timestamp_format(g_timestamp_ms()). */
void g_timestamp_now(char out[G_TIMESTAMP_LEN]);

/* Parse RFC 3339 text (any offset, optional fraction) into ms since the
 * epoch; -1 if it is not RFC 3339. */
int g_timestamp_parse(const char *s, int64_t *ms);

#endif
