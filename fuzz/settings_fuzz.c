/*
 * settings_fuzz: libFuzzer target for a session's settings as people type
 * them (lib/settings): each line of the input one KEY=VALUE. Oracles: a
 * failure changes nothing; a success leaves every key of its type and
 * range, and typing the stored values back gives the same settings.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MAX_LINES 16

/* The stored settings as KEY=VALUE lines again, into lines[]. */
static int retype(const json_t *settings, char **lines, char *buf, size_t size)
{
	const char *key;
	json_t *v, *item;
	size_t used = 0, i;
	int n = 0, w;

	json_object_foreach ((json_t *)settings, key, v) {
		if (json_is_null(v))
			continue;
		json_array_foreach (v, i, item) {
			w = snprintf(buf + used, size - used, "%s=%s", key, json_string_value(item));
			lines[n++] = buf + used;
			used += (size_t)w + 1;
		}
		if (json_is_array(v))
			continue;
		if (json_is_string(v))
			w = snprintf(buf + used, size - used, "%s=%s", key, json_string_value(v));
		else if (json_is_integer(v))
			w = snprintf(buf + used, size - used, "%s=%lld", key,
				     (long long)json_integer_value(v));
		else
			w = snprintf(buf + used, size - used, "%s=%.17g", key, json_real_value(v));
		lines[n++] = buf + used;
		used += (size_t)w + 1;
		if (used >= size || n >= 64)
			abort();
	}
	return n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text, *lines[MAX_LINES], *again[64], buf[8192];
	json_t *settings, *before, *copy;
	struct g_err err;
	int n = 0, m;
	size_t i;

	if (size > 2048 || !(settings = g_settings_new()))
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size) { /* argv cannot hold a NUL */
		free(text);
		json_decref(settings);
		return 0;
	}
	lines[n++] = text;
	for (i = 0; i < size && n < MAX_LINES; i++)
		if (text[i] == '\n') {
			text[i] = '\0';
			lines[n++] = text + i + 1;
		}
	before = json_deep_copy(settings);
	if (g_settings_assign(settings, lines, n, &err) < 0) {
		if (!json_equal(settings, before))
			abort();
	} else {
		json_t *v;

		if (json_object_size(settings) != 19)
			abort();
		v = json_object_get(settings, "temperature");
		if (json_is_real(v) && (!isfinite(json_real_value(v)) || json_real_value(v) < 0 ||
					json_real_value(v) > 2))
			abort();
		m = retype(settings, again, buf, sizeof(buf));
		copy = g_settings_new();
		if (g_settings_assign(copy, again, m, &err) < 0 || !json_equal(copy, settings))
			abort();
		json_decref(copy);
	}
	json_decref(before);
	json_decref(settings);
	free(text);
	return 0;
}
