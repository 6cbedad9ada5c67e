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

int g_lore_match_key(struct g_lore_key *k, const char *raw, const struct g_lore_entry *e,
		     const char *char_name, const char *user_name, char **note)
{
	*note = NULL;
	if (g_lore_key_make(k, raw, e, char_name, user_name) < 0)
		return -1;
	/* one that requires no text is compiled now, so that a pattern PCRE2
	 * does not take is noted whatever the text */
	return k->pattern && !k->ngrams && !k->never ? compile(k, note) : 0;
}

/* Set the bit of each run of G_LORE_GRAM bytes of fold[0..len) in f (the
 * run as lore_key.c packs a key's: first byte lowest). */
static void set_grams(struct g_lore_filter *f, struct g_lore_filter *also, const char *fold,
		      size_t len)
{
	const unsigned char *s = (const unsigned char *)fold;
	uint32_t run, m, h;
	size_t i;

	if (len < G_LORE_GRAM)
		return;
	run = (uint32_t)s[0] << 8 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 24;
	for (i = G_LORE_GRAM - 1; i < len; i++) {
		run = run >> 8 | (uint32_t)s[i] << 24;
		m = run * G_LORE_GRAM_MUL; /* the hash's, once for both */
		h = m >> f->shift;
		f->bits[h >> 3] |= (unsigned char)(1u << (h & 7));
		if (also) {
			h = m >> also->shift;
			also->bits[h >> 3] |= (unsigned char)(1u << (h & 7));
		}
	}
}

int g_lore_filter_make(struct g_lore_filter *f, struct g_lore_filter *also, const char *fold,
		       size_t len)
{
	size_t bits = 512;

	if (also && !also->bits) {
		also->shift = 32 - 16; /* 64 Kibit: a few KiB of text set one in eight */
		if (!(also->bits = calloc(65536 / 8, 1)))
			return -1;
	}
	f->shift = 32 - 9;
	while (bits < len * 8 && bits < 65536) { /* about 1 bit in 8 set */
		bits *= 2;
		f->shift--;
	}
	if (!(f->bits = calloc(bits / 8, 1)))
		return -1;
	set_grams(f, also, fold, len);
	return 0;
}

void g_lore_filter_release(struct g_lore_filter *f)
{
	free(f->bits);
	f->bits = NULL;
}

int g_lore_filter_may_hold(const struct g_lore_filter *f, const struct g_lore_key *k)
{
	return g_lore_filter_may_hold_runs(f, k->grams, k->ngrams);
}

void g_lore_match_key_release(struct g_lore_key *k)
{
	pcre2_code_free(k->re);
	k->re = NULL;
	g_lore_key_release(k);
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
		if (!k->words || ((i == 0 || !g_lore_key_word((unsigned char)t[i - 1])) &&
				  (i + k->len == len || !g_lore_key_word((unsigned char)t[i + k->len]))))
			return 1;
		i++;
	}
	return 0;
}
