/* settings.c: a session's settings, checked key by key. */
#include "settings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lore.h"

enum type { TEXT, PROVIDER, REAL, INTEGER, STOP, ROLE };

/* In the order records list them (DESIGN.md §4). Integer bounds are
 * those of the SQLite and JSON integers the values travel as. */
#define INT32_TOP 2147483647.0
static const struct setting {
	const char *key;
	enum type type;
	double min, max;
} settings[] = {
	{ "provider", PROVIDER, 0, 0 },
	{ "model", TEXT, 0, 0 },
	{ "temperature", REAL, 0, 2 },
	{ "top_p", REAL, 0, 1 },
	{ "top_k", INTEGER, 0, INT32_TOP },
	{ "max_tokens", INTEGER, 1, INT32_TOP },
	{ "frequency_penalty", REAL, -2, 2 },
	{ "presence_penalty", REAL, -2, 2 },
	{ "seed", INTEGER, 0, 0 }, /* any 64-bit integer */
	{ "stop", STOP, 0, 0 },
	{ "history_limit", INTEGER, 0, INT32_TOP },
	{ "context_tokens", INTEGER, 1, INT32_TOP },
	/* the author's note (DESIGN.md §8): its text is sealed (session_lore.h) */
	{ "note", TEXT, 0, 0 },
	{ "note_depth", INTEGER, 0, G_LORE_SCAN_DEPTH_MAX },
	{ "note_role", ROLE, 0, 0 },
	{ "note_interval", INTEGER, 0, INT32_TOP },
	/* lore: messages scanned, and its share of the prompt budget (percent) */
	{ "lore_scan_depth", INTEGER, 0, G_LORE_SCAN_DEPTH_MAX },
	{ "lore_budget", INTEGER, 0, 100 },
	/* what a draft asks the model to write (DESIGN.md §8): sealed too */
	{ "draft_prompt", TEXT, 0, 0 },
};

#define NSETTINGS (sizeof(settings) / sizeof(*settings))

static const char *const providers[] = { "openai", "anthropic", "ollama", "gemini" };
static const char *const roles[] = { "system", "user", "assistant" };

json_t *g_settings_new(void)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; o && i < NSETTINGS; i++)
		if (json_object_set_new(o, settings[i].key, json_null()) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static const struct setting *find(const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strlen(settings[i].key) == n && strncmp(settings[i].key, key, n) == 0)
			return &settings[i];
	return NULL;
}

int g_settings_known(const char *key)
{
	return find(key, strlen(key)) != NULL;
}

/* Whether text is a number as JSON writes one (no sign but '-', no
 * spaces, no hex): what a user of jq would type. integer: digits only. */
static int json_number_text(const char *t, int integer)
{
	if (*t == '-')
		t++;
	if (*t < '0' || *t > '9')
		return 0;
	while (*t >= '0' && *t <= '9')
		t++;
	if (integer)
		return *t == '\0';
	if (*t == '.') {
		t++;
		if (*t < '0' || *t > '9')
			return 0;
		while (*t >= '0' && *t <= '9')
			t++;
	}
	if (*t == 'e' || *t == 'E') {
		t++;
		if (*t == '+' || *t == '-')
			t++;
		if (*t < '0' || *t > '9')
			return 0;
		while (*t >= '0' && *t <= '9')
			t++;
	}
	return *t == '\0';
}

static json_t *number(const struct setting *st, const char *text, struct g_err *err)
{
	int any = st->min == 0 && st->max == 0;
	double d;
	long long ll;

	errno = 0;
	if (st->type == REAL) {
		d = json_number_text(text, 0) ? strtod(text, NULL) : NAN;
		if (errno == 0 && isfinite(d) && d >= st->min && d <= st->max)
			return json_real(d);
		g_err_set(err, G_EX_DATAERR, "%s: '%s' is not a number from %g to %g", st->key,
			  text, st->min, st->max);
		return NULL;
	}
	ll = json_number_text(text, 1) ? strtoll(text, NULL, 10) : 0;
	if (json_number_text(text, 1) && errno == 0 &&
	    (any || ((double)ll >= st->min && (double)ll <= st->max)))
		return json_integer(ll);
	if (any)
		g_err_set(err, G_EX_DATAERR, "%s: '%s' is not a whole number", st->key, text);
	else
		g_err_set(err, G_EX_DATAERR, "%s: '%s' is not a whole number from %.0f to %.0f",
			  st->key, text, st->min, st->max);
	return NULL;
}

/* The value of one assignment; json_null() to unset. */
static json_t *value(const struct setting *st, const char *text, struct g_err *err)
{
	size_t i;

	if (!*text)
		return json_null();
	switch (st->type) {
	case PROVIDER:
		for (i = 0; i < sizeof(providers) / sizeof(*providers); i++)
			if (strcmp(text, providers[i]) == 0)
				return json_string(text);
		g_err_set(err, G_EX_DATAERR,
			  "provider: '%s' is not openai, anthropic, ollama or gemini", text);
		return NULL;
	case ROLE:
		for (i = 0; i < sizeof(roles) / sizeof(*roles); i++)
			if (strcmp(text, roles[i]) == 0)
				return json_string(text);
		g_err_set(err, G_EX_DATAERR, "%s: '%s' is not system, user or assistant", st->key,
			  text);
		return NULL;
	case TEXT:
	case STOP: {
		json_t *v = json_string(text); /* NULL for text that is not UTF-8 */

		if (v)
			return v;
		break;
	}
	case REAL:
	case INTEGER:
		return number(st, text, err);
	}
	g_err_set(err, G_EX_DATAERR, "%s: not valid UTF-8", st->key);
	return NULL;
}

int g_settings_assign(json_t *target, char *const *assignments, int n, struct g_err *err)
{
	json_t *next = json_deep_copy(target), *stops = NULL, *v;
	const struct setting *st;
	const char *eq;
	int i;

	if (!next)
		return g_err_oom(err);
	for (i = 0; i < n; i++) {
		eq = strchr(assignments[i], '=');
		st = eq ? find(assignments[i], (size_t)(eq - assignments[i])) : NULL;
		if (!eq) {
			g_err_set(err, G_EX_USAGE, "'%s' is not KEY=VALUE", assignments[i]);
			goto fail;
		}
		if (!st) {
			g_err_set(err, G_EX_USAGE, "unknown setting '%.*s'",
				  (int)(eq - assignments[i]), assignments[i]);
			goto fail;
		}
		if (!(v = value(st, eq + 1, err)))
			goto fail;
		if (st->type == STOP) {
			if (!stops)
				stops = json_array();
			if (!json_is_null(v))
				json_array_append(stops, v);
			json_object_set(next, st->key, json_array_size(stops) ? stops : json_null());
			json_decref(v);
		} else {
			json_object_set_new(next, st->key, v);
		}
	}
	json_decref(stops);
	json_object_update(target, next);
	json_decref(next);
	return 0;
fail:
	json_decref(stops);
	json_decref(next);
	return -1;
}
