/* text.c: a growing string, doubling its room. */
#include "text.h"

#include <stdlib.h>
#include <string.h>

void g_text_add(struct g_text *t, const void *s, size_t n)
{
	size_t cap;
	char *data;

	if (t->failed)
		return;
	if (!t->data || t->len + n + 1 > t->cap) {
		for (cap = t->cap ? t->cap : 64; cap < t->len + n + 1; cap *= 2)
			;
		data = realloc(t->data, cap);
		if (!data) {
			t->failed = 1;
			return;
		}
		t->data = data;
		t->cap = cap;
	}
	if (n)
		memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

void g_text_adds(struct g_text *t, const char *s)
{
	if (s)
		g_text_add(t, s, strlen(s));
}

char *g_text_take(struct g_text *t, size_t *len)
{
	char *data;

	if (!t->failed && !t->data)
		g_text_add(t, "", 0);
	data = t->failed ? NULL : t->data;
	if (!data)
		free(t->data);
	if (len)
		*len = data ? t->len : 0;
	memset(t, 0, sizeof(*t));
	return data;
}

void g_text_release(struct g_text *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}
