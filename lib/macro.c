/* macro.c: one pass over a text, each macro replaced by what it stands for. */
#include "macro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

/* The most items {{random}} and {{pick}} choose among, and dice {{roll}}
 * throws at once: beyond them the macro is left as written. */
#define MAX_CHOICES 256
#define MAX_DICE 100

/* splitmix64: small, good enough for picking among a few items, and the
 * same everywhere for the same seed */
static uint64_t next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void g_macro_seed(struct g_macro_ctx *m, uint64_t seed)
{
	m->rng = seed;
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The items of a list after "name:", "a,b,c" or ":a::b" (SillyTavern's
 * other form, {{random::a::b}}, which lets an item hold a comma). */
static size_t split(const char *s, size_t len, const char **items, size_t *lens)
{
	const char *sep = ",";
	size_t seplen = 1, n = 0, start = 0, i;

	if (len >= 1 && s[0] == ':') { /* {{random::a::b}}: the list began with "::" */
		sep = "::";
		seplen = 2;
		s += 1;
		len -= 1;
	}
	for (i = 0; i <= len && n < MAX_CHOICES; i++)
		if (i == len || (i + seplen <= len && memcmp(s + i, sep, seplen) == 0)) {
			items[n] = s + start;
			lens[n++] = i - start;
			start = i + seplen;
			i += seplen - 1;
		}
	return i > len ? n : 0; /* more than MAX_CHOICES: none */
}

/* Digits at s[*i..len) as a number up to max: 0 if there are none or it
 * is more. */
static int digits(const char *s, size_t len, size_t *i, long long max, long long *out)
{
	size_t start = *i;

	*out = 0;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		*out = *out * 10 + (s[*i] - '0');
		if (*out > max)
			return 0;
		(*i)++;
	}
	return *i > start;
}

/* {{roll:N}}, {{roll:dN}}, {{roll:KdN}}, each with an optional +M or -M:
 * 0 if the formula is none of these. */
static int roll(struct g_macro_ctx *m, const char *s, size_t len, struct g_text *out)
{
	long long first = -1, count = 1, sides = 0, add = 0, total = 0, k;
	size_t i = 0;
	char text[32];
	int minus;

	if (i < len && s[i] >= '0' && s[i] <= '9' && !digits(s, len, &i, 1000000000LL, &first))
		return 0;
	if (i < len && (s[i] == 'd' || s[i] == 'D')) {
		i++;
		count = first < 0 ? 1 : first;
		if (count > MAX_DICE || !digits(s, len, &i, 1000000000LL, &sides))
			return 0;
	} else {
		sides = first; /* {{roll:N}}: one die of N sides */
	}
	if (i < len && (s[i] == '+' || s[i] == '-')) {
		minus = s[i++] == '-';
		if (!digits(s, len, &i, 1000000000LL, &add))
			return 0;
		if (minus)
			add = -add;
	}
	if (i != len || len == 0 || count < 1 || sides < 1)
		return 0;
	for (k = 0; k < count; k++)
		total += (long long)(next(&m->rng) % (uint64_t)sides) + 1;
	snprintf(text, sizeof(text), "%lld", total + add);
	g_text_add(out, text, strlen(text));
	return 1;
}

static int named(const char *s, size_t len, const char *name)
{
	return len == strlen(name) && strncasecmp(s, name, len) == 0;
}

/* One {{...}} (its inside: s, len, at offset at of the text): 1 if it was
 * a macro and went to out, 0 to leave it as written. */
static int macro(struct g_macro_ctx *m, const char *s, size_t len, size_t at, int swap,
		 struct g_text *out)
{
	const char *items[MAX_CHOICES], *colon = memchr(s, ':', len);
	size_t lens[MAX_CHOICES], n, head = colon ? (size_t)(colon - s) : len;
	const char *user = swap ? m->char_name : m->user_name;
	const char *chr = swap ? m->user_name : m->char_name;

	if (len >= 2 && s[0] == '/' && s[1] == '/')
		return 1; /* a comment: nothing */
	if (!colon) {
		const struct {
			const char *name, *value;
		} values[] = {
			{ "char", chr },
			{ "user", user },
			{ "persona", m->persona },
			{ "description", m->description },
			{ "personality", m->personality },
			{ "scenario", m->scenario },
			{ "mesexamples", m->mes_examples },
			{ "original", m->original },
		};
		size_t i;

		for (i = 0; i < sizeof(values) / sizeof(*values); i++)
			if (named(s, len, values[i].name)) {
				g_text_adds(out, values[i].value);
				return 1;
			}
		return 0;
	}
	if (named(s, head, "roll"))
		return roll(m, colon + 1, len - head - 1, out);
	if (!named(s, head, "random") && !named(s, head, "pick"))
		return 0;
	n = split(colon + 1, len - head - 1, items, lens);
	if (n == 0)
		return 0;
	if (named(s, head, "random")) {
		n = next(&m->rng) % n;
	} else {
		uint64_t h = fnv(0xcbf29ce484222325ULL, m->pick_key ? m->pick_key : "",
				 m->pick_key ? strlen(m->pick_key) : 0);

		h = fnv(h, (const char *)&at, sizeof(at));
		n = fnv(h, s, len) % n;
	}
	g_text_add(out, items[n], lens[n]);
	return 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* <USER>, <BOT>, <CHAR> at s: its length (0: none) and its value. */
static size_t angle(const struct g_macro_ctx *m, const char *s, size_t left, int swap,
		    const char **value)
{
	const char *user = swap ? m->char_name : m->user_name;
	const char *chr = swap ? m->user_name : m->char_name;

	if (left >= 6 && strncasecmp(s, "<USER>", 6) == 0) {
		*value = user;
		return 6;
	}
	if (left >= 5 && strncasecmp(s, "<BOT>", 5) == 0) {
		*value = chr;
		return 5;
	}
	if (left >= 6 && strncasecmp(s, "<CHAR>", 6) == 0) {
		*value = chr;
		return 6;
	}
	return 0;
}

size_t g_macro_tag(struct g_macro_scan *sc, const char *text, size_t len, size_t i)
{
	const char *close;
	size_t j;

	if (sc->none_left || i + 4 > len || text[i] != '{' || text[i + 1] != '{')
		return 0;
	if (!sc->searched || sc->close < i + 2) {
		/* the search before ended before i + 2: nothing it read is
		 * read again, nor is what this one reads read by the next */
		close = memmem(text + i + 2, len - i - 2, "}}", 2);
		if (!close) {
			sc->none_left = 1;
			return 0;
		}
		sc->searched = 1;
		sc->close = (size_t)(close - text);
		sc->last_open = SIZE_MAX;
		for (j = sc->close; j >= i + 4; j--)
			if (text[j - 2] == '{' && text[j - 1] == '{') {
				sc->last_open = j - 2;
				break;
			}
	}
	if (text[i + 2] == '{' || (sc->last_open != SIZE_MAX && sc->last_open >= i + 2))
		return 0; /* it opens again before it closes */
	return sc->close;
}

char *g_macro_expand(struct g_macro_ctx *m, const char *text, size_t len, int swap,
		     size_t *out_len)
{
	struct g_text out = { 0 };
	struct g_macro_scan sc = { 0 };
	const char *value;
	size_t i = 0, n, close;

	while (i < len) {
		if (text[i] != '<' && text[i] != '{') {
			/* text up to the next '<' or '{' goes in as one piece */
			for (n = i + 1; n < len && text[n] != '<' && text[n] != '{'; n++)
				;
			g_text_add(&out, text + i, n - i);
			i = n;
			continue;
		}
		if (text[i] == '<' && (n = angle(m, text + i, len - i, swap, &value))) {
			g_text_adds(&out, value);
			i += n;
			continue;
		}
		if (!(close = g_macro_tag(&sc, text, len, i))) {
			/* a '{' of text: a macro may still start at the next one */
			g_text_add(&out, text + i, 1);
			i++;
			continue;
		}
		n = close - i - 2;
		if (named(text + i + 2, n, "trim")) {
			/* {{trim}}: it and the white space around it go */
			while (out.len && is_space(out.data[out.len - 1]))
				out.data[--out.len] = '\0';
			i += n + 4;
			while (i < len && is_space(text[i]))
				i++;
			continue;
		}
		if (!macro(m, text + i + 2, n, i, swap, &out))
			g_text_add(&out, text + i, n + 4);
		i += n + 4;
	}
	return g_text_take(&out, out_len);
}
