/* text.c: a growing string, doubling its room; text shown safely on a
 * terminal. */
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

/* How the byte at s[i] is shown (into shown, its length returned, *used
 * the input bytes it stands for), or 0: as it is. */
static size_t visible(const unsigned char *s, size_t n, size_t i, char shown[4], size_t *used)
{
	unsigned char c = s[i];

	*used = 1;
	if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
		shown[0] = '^';
		shown[1] = c == 0x7f ? '?' : (char)(c + '@');
		return 2;
	}
	if (c == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) {
		*used = 2;
		shown[0] = 'M';
		shown[1] = '-';
		shown[2] = '^';
		shown[3] = (char)(s[i + 1] - 0x80 + '@');
		return 4;
	}
	return 0;
}

/* The bytes of s as the text formats show them, in runs, to put: a run
 * kept as it is, then what stands for a control, and so on. Stops at the
 * first put that fails (-1). */
static int each_visible(const unsigned char *p, size_t n,
			int (*put)(const void *run, size_t len, void *arg), void *arg)
{
	size_t i = 0, start = 0, used, k;
	char shown[4];

	while (i < n) {
		if (!(k = visible(p, n, i, shown, &used))) {
			i++;
			continue;
		}
		if (put(p + start, i - start, arg) < 0 || put(shown, k, arg) < 0)
			return -1;
		i += used;
		start = i;
	}
	return put(p + start, n - start, arg);
}

static int put_text(const void *run, size_t len, void *arg)
{
	g_text_add(arg, run, len); /* a failure stays in the text, for its owner */
	return 0;
}

static int put_file(const void *run, size_t len, void *arg)
{
	return fwrite(run, 1, len, arg) == len ? 0 : -1;
}

void g_text_add_visible(struct g_text *t, const void *s, size_t n)
{
	each_visible(s, n, put_text, t);
}

int g_text_write_visible(FILE *f, const void *s, size_t n)
{
	return each_visible(s, n, put_file, f);
}

int g_text_utf8(const void *s, size_t n)
{
	const unsigned char *p = s;
	size_t i = 0, k, more;
	unsigned long c;

	while (i < n) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			more = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3, c &= 0x07;
		else
			return 0;
		if (n - i <= more)
			return 0;
		for (k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if ((more == 2 && c < 0x800) || (more == 3 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += more + 1;
	}
	return 1;
}
