/* macro_swap.c: {{char}} <-> {{user}}. */
#include "macro_swap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *g_macro_swap(const char *s, size_t len, size_t *out_len)
{
	/* "{{char}}" and "{{user}}" have the same length: the text keeps its */
	char *out = malloc(len + 1);
	size_t i;

	if (!out)
		return NULL;
	memcpy(out, s, len);
	out[len] = 0;
	for (i = 0; i + 8 <= len; i++) {
		if (out[i] != '{' || out[i + 1] != '{' || out[i + 6] != '}' || out[i + 7] != '}')
			continue;
		if (strncasecmp(out + i + 2, "char", 4) == 0)
			memcpy(out + i + 2, "user", 4);
		else if (strncasecmp(out + i + 2, "user", 4) == 0)
			memcpy(out + i + 2, "char", 4);
		else
			continue;
		i += 7;
	}
	*out_len = len;
	return out;
}

int g_macro_swap_json(json_t *v)
{
	const char *key;
	json_t *item;
	size_t i, n;
	char *s;

	if (json_is_string(v)) {
		s = g_macro_swap(json_string_value(v), json_string_length(v), &n);
		if (!s)
			return -1;
		i = (size_t)json_string_setn_nocheck(v, s, n);
		free(s);
		return i ? -1 : 0;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
			if (g_macro_swap_json(item) < 0)
				return -1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if (g_macro_swap_json(item) < 0)
				return -1;
	}
	return 0;
}
