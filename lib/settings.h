/*
 * settings.h: a chat session's generation settings (DESIGN.md §4): which
 * provider and model, and the numbers a request carries. In a record they
 * are one object with every key, null when unset; `session-bind set`
 * changes them by KEY=VALUE, each key checked against its type and range.
 * The caller owns the objects.
 */
#ifndef GUISE_SETTINGS_H
#define GUISE_SETTINGS_H
#include <jansson.h>

#include "err.h"

/* Every key unset: a new object, NULL if memory fails. */
json_t *g_settings_new(void);

/* Whether key is a setting. */
int g_settings_known(const char *key);

/* Apply assignments[0..n) ("KEY=VALUE"; "KEY=" unsets) to settings, in
 * order. The stop sequences given in one call make the new list (each
 * "stop=X" adds X). 64 for an unknown key or no '=', 65 for a value out of
 * its type or range; settings is unchanged on failure. */
int g_settings_assign(json_t *settings, char *const *assignments, int n,
		      struct g_err *err);

#endif
