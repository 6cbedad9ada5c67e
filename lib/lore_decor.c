/* lore_decor.c: V3 decorators, the `@@name value` lines at the start of an
 * entry's content, read into the entry and taken off its content. A `@@@`
 * line is a fallback: used only when the line before it was not understood
 * (as SillyTavern's parseDecorators reads them). What is not understood is
 * a note on the entry, never an error. */
#include "lore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A whole non-negative number, at most G_LORE_SCAN_DEPTH_MAX * 1000. */
static int number(const char *v, size_t len, long *out)
{
	char buf[24], *end;
	long n;

	if (len == 0 || len >= sizeof(buf) || v[0] < '0' || v[0] > '9')
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	errno = 0;
	n = strtol(buf, &end, 10);
	if (errno || *end || n > 1000000L)
		return -1;
	*out = n;
	return 0;
}

/* "a, b,c" into l: each item trimmed, empty ones left out. */
static int keys(struct g_lore_list *l, const char *v, size_t len)
{
	size_t i = 0, start, end;

	g_lore_book_list_release(l);
	while (i <= len) {
		start = i;
		while (i < len && v[i] != ',')
			i++;
		end = i;
		while (start < end && (space(v[start]) || v[start] == ' '))
			start++;
		while (end > start && space(v[end - 1]))
			end--;
		if (end > start && l->n < G_LORE_KEYS_MAX && g_lore_book_list_add(l, v + start, end - start) < 0)
			return -2;
		i++;
	}
	return l->n ? 0 : -1;
}

static int is(const char *name, size_t len, const char *what)
{
	return strlen(what) == len && memcmp(name, what, len) == 0;
}

/* Apply one decorator (name and value, without its "@@"): 0 used, -1 not
 * understood, -2 memory. */
static int apply(struct g_lore_entry *e, const char *name, size_t nlen, const char *v,
		 size_t vlen)
{
	long n;

	if (is(name, nlen, "activate") && !vlen)
		e->decor |= G_LORE_D_ACTIVATE;
	else if (is(name, nlen, "dont_activate") && !vlen)
		e->decor |= G_LORE_D_DONT_ACTIVATE;
	else if (is(name, nlen, "keep_activate_after_match") && !vlen)
		e->decor |= G_LORE_D_KEEP_AFTER_MATCH;
	else if (is(name, nlen, "dont_activate_after_match") && !vlen)
		e->decor |= G_LORE_D_DONT_AFTER_MATCH;
	else if (is(name, nlen, "depth") && number(v, vlen, &n) == 0) {
		e->depth = n;
		e->position = 4;
	} else if (is(name, nlen, "scan_depth") && number(v, vlen, &n) == 0 &&
		   n <= G_LORE_SCAN_DEPTH_MAX)
		e->scan_depth = n;
	else if (is(name, nlen, "activate_only_after") && number(v, vlen, &n) == 0)
		e->only_after = n;
	else if (is(name, nlen, "activate_only_every") && number(v, vlen, &n) == 0 && n > 0)
		e->only_every = n;
	else if (is(name, nlen, "role") && is(v, vlen, "system"))
		e->role = G_LORE_SYSTEM;
	else if (is(name, nlen, "role") && is(v, vlen, "user"))
		e->role = G_LORE_USER;
	else if (is(name, nlen, "role") && is(v, vlen, "assistant"))
		e->role = G_LORE_ASSISTANT;
	else if (is(name, nlen, "additional_keys"))
		return keys(&e->additional, v, vlen);
	else if (is(name, nlen, "exclude_keys"))
		return keys(&e->exclude, v, vlen);
	else
		return -1;
	return 0;
}

static int note(struct g_lore_entry *e, const char *what, const char *line, size_t len)
{
	char buf[160];
	int n;

	n = snprintf(buf, sizeof(buf), "%s '%.*s'", what, len > 80 ? 80 : (int)len, line);
	return g_lore_book_list_add(&e->notes, buf, n < 0 ? 0 : (size_t)n);
}

size_t g_lore_decor_read(struct g_lore_entry *e, const char *content, struct g_err *err)
{
	size_t pos = 0, len = strlen(content), end, nlen, v, vend;
	int fallback = 0, rc;
	const char *line;

	if (strncmp(content, "@@", 2) != 0)
		return 0;
	while (pos < len && strncmp(content + pos, "@@", 2) == 0) {
		line = content + pos;
		end = pos;
		while (end < len && content[end] != '\n')
			end++;
		vend = end - pos;
		while (vend > 0 && space(line[vend - 1]))
			vend--;
		pos = end < len ? end + 1 : end;
		if (line[2] == '@' && !fallback)
			continue; /* a fallback nobody needs */
		nlen = line[2] == '@' ? 3 : 2;
		for (v = nlen; v < vend && !space(line[v]); v++)
			;
		nlen = v - nlen;
		while (v < vend && space(line[v]))
			v++;
		rc = apply(e, line + (line[2] == '@' ? 3 : 2), nlen, line + v, vend - v);
		if (rc == -2 || (rc == -1 && note(e, "decorator not understood", line, vend) < 0)) {
			g_err_oom(err);
			return (size_t)-1;
		}
		fallback = rc == -1;
	}
	return pos;
}
