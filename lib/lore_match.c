/* lore_match.c: lore keys made ready and matched against scan text (see
 * lore_match.h for what a key means). Plain keys (and use_regex keys with
 * no metacharacter) are searched by hand with memmem, caseless ones in the
 * text folded once per render, when folding ASCII is all their folding
 * takes; the rest go through PCRE2's interpreter, each compiled when a
 * text first may hold it (a render's scan text is a few KiB: compiling
 * for JIT costs more than it saves). */
#include "lore_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

int g_lore_match_init(struct g_lore_matcher *m)
{
	m->mc = pcre2_match_context_create(NULL);
	m->md = pcre2_match_data_create(1, NULL);
	if (!m->mc || !m->md) {
		g_lore_match_release(m);
		return -1;
	}
	pcre2_set_match_limit(m->mc, G_LORE_MATCH_LIMIT);
	pcre2_set_depth_limit(m->mc, G_LORE_DEPTH_LIMIT);
	pcre2_set_heap_limit(m->mc, G_LORE_HEAP_LIMIT_KIB);
	return 0;
}

void g_lore_match_release(struct g_lore_matcher *m)
{
	pcre2_match_context_free(m->mc);
	pcre2_match_data_free(m->md);
	m->mc = NULL;
	m->md = NULL;
}

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A word character as JavaScript's \w has it: ASCII only, so any byte of
 * a multibyte character is a boundary (CJK keys match between words). */
static int word(unsigned char c)
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

/* Compile the regex key's pattern; one PCRE2 does not take never matches
 * and says why in *note (malloc'ed). -1 if memory fails. */
static int compile(struct g_lore_key *k, char **note)
{
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE off;
	int code;

	k->re = pcre2_compile((PCRE2_SPTR)k->pattern, k->plen,
			      k->flags | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_BSUX |
				      PCRE2_NEVER_BACKSLASH_C,
			      &code, &off, NULL);
	if (k->re)
		return 0;
	if (code == PCRE2_ERROR_NOMEMORY)
		return -1;
	k->never = 1;
	pcre2_get_error_message(code, msg, sizeof(msg));
	if (!(*note = malloc(k->len + 200)))
		return -1;
	snprintf(*note, k->len + 200, "key '%s' is not a regex PCRE2 takes: %s at %zu, never matches",
		 k->text, (char *)msg, (size_t)off);
	return 0;
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
static int literal(struct g_lore_key *k, char **note)
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

		if (c < 0x80 && !word(c))
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
	return compile(k, note);
}

/* Up to 8 of the byte pairs of text[0..len), folded, spread over it: what
 * a text must hold for k to match. */
static void key_grams(struct g_lore_key *k, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = len ? len - 1 : 0, step = n > 8 ? n / 8 : 1, i;

	for (i = 0; i < n && k->ngrams < 8; i += step)
		k->grams[k->ngrams++] = (uint16_t)(lower(s[i]) << 8 | lower(s[i + 1]));
}

/* A regex key: its pairs those of the text it requires, compiled when a
 * text first may hold them (most never do); one that requires nothing
 * certain is compiled now, so a pattern PCRE2 does not take is noted now. */
static int regex(struct g_lore_key *k, const char *pattern, size_t len, uint32_t flags,
		 char **note)
{
	size_t at, n;

	k->pattern = pattern;
	k->plen = len;
	k->flags = flags;
	if ((n = g_lore_literal(pattern, len, (flags & PCRE2_CASELESS) != 0, &at))) {
		key_grams(k, pattern + at, n);
		if (!(k->lit = strndup(pattern + at, n)))
			return -1;
		k->lit_len = n;
		for (at = 0; (flags & PCRE2_CASELESS) && at < n; at++)
			k->lit[at] = (char)lower((unsigned char)k->lit[at]);
	}
	return k->ngrams ? 0 : compile(k, note);
}

int g_lore_match_key(struct g_lore_key *k, const char *raw, const struct g_lore_entry *e,
		     const char *char_name, const char *user_name, char **note)
{
	struct g_macro_ctx m;
	size_t len = strlen(raw), start = 0, plen, i;
	uint32_t flags = 0;
	char *text, *grown;
	int beyond;

	memset(k, 0, sizeof(*k));
	*note = NULL;
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
		return regex(k, k->text + 1, plen, flags, note);
	beyond = k->caseless && cased_beyond_ascii(k);
	if (e->use_regex && !literal_text(k, beyond))
		return regex(k, k->text, k->len, k->caseless ? PCRE2_CASELESS : 0, note);
	/* a use_regex key without a metacharacter is its text: searched by
	 * hand, as a substring (a regex has no word boundaries of its own) */
	k->words = !e->use_regex && e->whole_words != 0;
	for (i = 0; i < k->len && k->words; i++)
		if (space(k->text[i]))
			k->words = 0; /* several words: a plain substring */
	if (beyond)
		return literal(k, note); /* folding beyond ASCII */
	if (k->caseless) {
		k->fold = k->text + k->len + 1; /* not freed: it is in text's block */
		for (i = 0; i <= k->len; i++)
			k->fold[i] = (char)lower((unsigned char)k->text[i]);
	}
	key_grams(k, k->text, k->len);
	return 0;
}

static uint32_t gram_hash(uint16_t gram, unsigned shift)
{
	return (uint32_t)(gram * 0x9e3779b1u) >> shift;
}

int g_lore_filter_make(struct g_lore_filter *f, const char *fold, size_t len)
{
	const unsigned char *s = (const unsigned char *)fold;
	size_t bits = 512, i;
	uint32_t h;

	f->shift = 32 - 9;
	while (bits < len * 8 && bits < 65536) { /* about 1 bit in 8 set */
		bits *= 2;
		f->shift--;
	}
	if (!(f->bits = calloc(bits / 8, 1)))
		return -1;
	for (i = 0; i + 1 < len; i++) {
		h = gram_hash((uint16_t)(s[i] << 8 | s[i + 1]), f->shift);
		f->bits[h >> 3] |= (unsigned char)(1u << (h & 7));
	}
	return 0;
}

int g_lore_filter_add(struct g_lore_filter *f, const char *fold, size_t len)
{
	const unsigned char *s = (const unsigned char *)fold;
	size_t i;
	uint32_t h;

	if (!f->bits) {
		f->shift = 32 - 16; /* 64 Kibit: a few KiB of text set one in eight */
		if (!(f->bits = calloc(65536 / 8, 1)))
			return -1;
	}
	for (i = 0; i + 1 < len; i++) {
		h = gram_hash((uint16_t)(s[i] << 8 | s[i + 1]), f->shift);
		f->bits[h >> 3] |= (unsigned char)(1u << (h & 7));
	}
	return 0;
}

void g_lore_filter_release(struct g_lore_filter *f)
{
	free(f->bits);
	f->bits = NULL;
}

int g_lore_filter_may_hold(const struct g_lore_filter *f, const struct g_lore_key *k)
{
	size_t i;
	uint32_t h;

	for (i = 0; f && f->bits && i < k->ngrams; i++) {
		h = gram_hash(k->grams[i], f->shift);
		if (!(f->bits[h >> 3] & (1u << (h & 7))))
			return 0;
	}
	return 1;
}

void g_lore_match_key_release(struct g_lore_key *k)
{
	pcre2_code_free(k->re);
	free(k->broken);
	free(k->lit);
	if (k->own_pattern)
		free((char *)k->pattern);
	free(k->text);
	memset(k, 0, sizeof(*k));
}

int g_lore_match(struct g_lore_matcher *m, struct g_lore_key *k, const char *text,
		 const char *fold, size_t len, const struct g_lore_filter *f)
{
	const char *t = k->caseless ? fold : text, *key = k->caseless ? k->fold : k->text, *p;
	size_t i = 0;
	int rc;

	if (k->never || !g_lore_filter_may_hold(f, k))
		return 0;
	/* what a regex requires, not in the text: no match, and no need to
	 * compile it (case folds to ASCII only where lore_literal.c allows) */
	if (k->lit_len && !memmem(k->flags & PCRE2_CASELESS ? fold : text, len, k->lit, k->lit_len))
		return 0;
	if (k->pattern && !k->re) {
		if (compile(k, &k->broken) < 0)
			return -2;
		if (k->never)
			return 0;
	}
	if (k->re) {
		rc = pcre2_match(k->re, (PCRE2_SPTR)text, len, 0, 0, m->md, m->mc);
		return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
	}
	while (i + k->len <= len && (p = memmem(t + i, len - i, key, k->len))) {
		i = (size_t)(p - t);
		if (!k->words || ((i == 0 || !word((unsigned char)t[i - 1])) &&
				  (i + k->len == len || !word((unsigned char)t[i + k->len]))))
			return 1;
		i++;
	}
	return 0;
}
