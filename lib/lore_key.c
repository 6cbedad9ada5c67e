/* lore_key.c: a lore key made ready to match (lore_match.h): macros
 * expanded, trimmed, read as a regex or a text, folded, and the runs of bytes
 * a text must hold for it. Nothing here runs PCRE2 (a regex is compiled by
 * lore_match.c when it is first needed), so a book's index is made without
 * it. */
#include "lore_match.h"

#include <stdlib.h>
#include <string.h>

#include "macro.h"

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A word character as JavaScript's \w has it: ASCII only, so any byte of
 * a multibyte character is a boundary (CJK keys match between words). */
int g_lore_key_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Where SillyTavern would take the key as a regex: the pattern's length
 * (up to the last '/'), or 0. */
static size_t delimited(const char *s, size_t len, uint32_t *flags)
{
	size_t last, i;

	if (len < 3 || s[0] != '/')
		return 0;
	for (last = len - 1; last > 0 && s[last] != '/'; last--)
		;
	if (last < 2)
		return 0;
	*flags = 0;
	for (i = last + 1; i < len; i++)
		if (s[i] == 'i')
			*flags |= PCRE2_CASELESS;
		else if (s[i] == 'm')
			*flags |= PCRE2_MULTILINE;
		else if (s[i] == 's')
			*flags |= PCRE2_DOTALL;
		else if (!strchr("guy", s[i]))
			return 0;
	for (i = 1; i < last; i++) /* an unescaped '/' inside: not a regex */
		if (s[i] == '/' && (i == 1 || s[i - 1] != '\\'))
			return 0;
	return last - 1;
}

/* Whether the key has a character past ASCII that may have a case: any but
 * the CJK ideographs, kana and hangul (and punctuation of theirs), which
 * have none, so a key of them and ASCII is folded by folding its ASCII. */
static int cased_beyond_ascii(const struct g_lore_key *k)
{
	const unsigned char *s = (const unsigned char *)k->text;
	size_t i = 0;
	unsigned cp;

	while (i < k->len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xf0) != 0xe0 || i + 2 >= k->len || (s[i + 1] & 0xc0) != 0x80 ||
		    (s[i + 2] & 0xc0) != 0x80)
			return 1; /* not three bytes: not one of these */
		cp = (s[i] & 0x0fu) << 12 | (s[i + 1] & 0x3fu) << 6 | (s[i + 2] & 0x3fu);
		if (!((cp >= 0x3000 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
		      (cp >= 0xf900 && cp <= 0xfaff)))
			return 1;
		i += 3;
	}
	return 0;
}

/* Whether the key, read as a regex, is its own text: no metacharacter,
 * and nothing past ASCII that a caseless regex would fold (SillyTavern's
 * exports set use_regex on every entry, so most such keys are words). */
static int literal_text(const struct g_lore_key *k, int beyond)
{
	const char *meta = "\\^$.|?*+()[]{}";
	size_t i;

	if (beyond)
		return 0;
	for (i = 0; i < k->len; i++)
		if (k->text[i] >= '$' && k->text[i] <= '|' && strchr(meta, k->text[i]))
			return 0; /* (every metacharacter is between '$' and '|') */
	return 1;
}

/* The key as a PCRE2 pattern that matches it literally, with boundaries
 * when whole words are asked for. */
static int literal(struct g_lore_key *k)
{
	static const char before[] = "(?<![A-Za-z0-9_])", after[] = "(?![A-Za-z0-9_])";
	char *p = malloc(k->len * 2 + sizeof(before) + sizeof(after));
	size_t n = 0, i;

	if (!p)
		return -1;
	if (k->words) {
		memcpy(p, before, sizeof(before) - 1);
		n = sizeof(before) - 1;
	}
	for (i = 0; i < k->len; i++) {
		unsigned char c = (unsigned char)k->text[i];

		if (c < 0x80 && !g_lore_key_word(c))
			p[n++] = '\\';
		p[n++] = (char)c;
	}
	if (k->words) {
		memcpy(p + n, after, sizeof(after) - 1);
		n += sizeof(after) - 1;
	}
	k->pattern = p;
	k->plen = n;
	k->flags = k->caseless ? PCRE2_CASELESS : 0;
	k->own_pattern = 1;
	return 0;
}

/* Up to 8 of the runs of G_LORE_GRAM bytes of text[0..len), folded, spread
 * over it: what a text must hold for k to match. A key shorter than a run
 * has none (searched in every text). */
static void key_grams(struct g_lore_key *k, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = len >= G_LORE_GRAM ? len - G_LORE_GRAM + 1 : 0, step = n > 8 ? n / 8 : 1, i;

	for (i = 0; i < n && k->ngrams < 8; i += step)
		k->grams[k->ngrams++] = (uint32_t)lower(s[i]) | (uint32_t)lower(s[i + 1]) << 8 |
					(uint32_t)lower(s[i + 2]) << 16 | (uint32_t)lower(s[i + 3]) << 24;
}

/* A regex key: its runs those of the text it requires (compiled when a
 * text first may hold them: most never do). */
static int regex(struct g_lore_key *k, const char *pattern, size_t len, uint32_t flags)
{
	size_t at, n;
	char *lit;

	k->pattern = pattern;
	k->plen = len;
	k->flags = flags;
	if ((n = g_lore_literal(pattern, len, (flags & PCRE2_CASELESS) != 0, &at))) {
		key_grams(k, pattern + at, n);
		if (!(lit = strndup(pattern + at, n)))
			return -1;
		k->lit = lit;
		k->lit_len = n;
		for (at = 0; (flags & PCRE2_CASELESS) && at < n; at++)
			lit[at] = (char)lower((unsigned char)lit[at]);
	}
	return 0;
}

int g_lore_key_make(struct g_lore_key *k, const char *raw, const struct g_lore_entry *e,
		    const char *char_name, const char *user_name)
{
	struct g_macro_ctx m;
	size_t len = strlen(raw), start = 0, plen, i;
	uint32_t flags = 0;
	char *text, *grown, *fold;
	int beyond;

	memset(k, 0, sizeof(*k));
	if (strstr(raw, "{{") || strchr(raw, '<')) {
		memset(&m, 0, sizeof(m));
		m.char_name = char_name;
		m.user_name = user_name;
		if (!(text = g_macro_expand(&m, raw, len, 0, &len)))
			return -1;
		if (!(grown = realloc(text, 2 * len + 2)))
			return free(text), -1;
		text = grown;
	} else if ((text = malloc(2 * len + 2))) {
		memcpy(text, raw, len + 1);
	} else {
		return -1;
	}
	/* the text, then room for its folded copy (fold, below) */
	while (start < len && space(text[start]))
		start++;
	while (len > start && space(text[len - 1]))
		len--;
	memmove(text, text + start, len - start);
	text[len - start] = '\0';
	k->text = text;
	k->len = len - start;
	k->caseless = e->case_sensitive != 1;
	if (!k->len) {
		k->never = 1;
		return 0;
	}
	if ((plen = delimited(k->text, k->len, &flags)))
		return regex(k, k->text + 1, plen, flags);
	beyond = k->caseless && cased_beyond_ascii(k);
	if (e->use_regex && !literal_text(k, beyond))
		return regex(k, k->text, k->len, k->caseless ? PCRE2_CASELESS : 0);
	/* a use_regex key without a metacharacter is its text: searched by
	 * hand, as a substring (a regex has no word boundaries of its own) */
	k->words = !e->use_regex && e->whole_words != 0;
	for (i = 0; i < k->len && k->words; i++)
		if (space(k->text[i]))
			k->words = 0; /* several words: a plain substring */
	if (beyond)
		return literal(k); /* folding beyond ASCII */
	if (k->caseless) {
		fold = text + k->len + 1; /* not freed: it is in text's block */
		for (i = 0; i <= k->len; i++)
			fold[i] = (char)lower((unsigned char)text[i]);
		k->fold = fold;
	}
	key_grams(k, k->text, k->len);
	return 0;
}


void g_lore_key_release(struct g_lore_key *k)
{
	free(k->broken);
	if (!k->borrowed) {
		free((char *)k->lit);
		free((char *)k->text);
	}
	if (k->own_pattern)
		free((char *)k->pattern);
	memset(k, 0, sizeof(*k));
}
