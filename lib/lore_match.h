/*
 * lore_match.h: one lore key made ready to match, and matched (for
 * lore_activate.c). A key is a regex when written `/pattern/flags` (as
 * SillyTavern reads them: flags from gimsuy, no unescaped '/' inside) or
 * when its entry has use_regex (one with no metacharacter is the same as
 * its text, without word boundaries); else a text, folded unless
 * the entry is case_sensitive, that must stand between word boundaries
 * when it is one word and the entry does not turn match_whole_words off.
 * Regexes go through PCRE2 under G_LORE_MATCH_LIMIT, G_LORE_DEPTH_LIMIT and
 * G_LORE_HEAP_LIMIT_KIB: a hostile pattern gives up, which counts as no
 * match and is noted.
 */
#ifndef GUISE_LORE_MATCH_H
#define GUISE_LORE_MATCH_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "lore.h"

struct g_lore_key {
	const char *text; /* the key after macros, trimmed: what "why" quotes */
	const char *fold; /* text in lower case, for a caseless plain key (in text's block) */
	size_t len;
	int caseless, words;
	const char *pattern; /* a regex's pattern (in text, or owned), else NULL */
	const char *lit; /* the text its every match holds (folded when caseless) */
	size_t lit_len;  /* 0: none certain */
	size_t plen;
	uint32_t flags;
	int own_pattern;
	int borrowed;    /* text, fold and lit are a book's (g_lore_match_key_prepped) */
	pcre2_code *re;  /* the pattern compiled, once a text may hold it */
	char *broken;    /* why a pattern compiled late never matches (noted once) */
	int never;       /* empty, or a regex that did not compile */
	int noted;       /* its giving up is in the notes already */
	uint32_t grams[8]; /* runs of G_LORE_GRAM bytes of it, folded: what a text must hold */
	size_t ngrams;
};

/* A key made ready when its book's index was written (lore_index.h), so
 * that a render need not: what struct g_lore_key takes from the key and
 * its entry alone, its texts in the index's arena. A key with macros,
 * with folding beyond ASCII, or a regex that requires no text (compiled
 * as it is made ready, so that a broken one is noted) is made ready at
 * the render instead: ready 0. lore_prep.c. */
struct g_lore_prep {
	const char *text;    /* trimmed, NUL-ended */
	const char *fold;    /* a caseless plain key's text in lower case, else NULL */
	const char *lit;     /* a regex's: what its every match holds, "" none */
	/* a book holds one per key: lengths of 32 bits (a longer key is not
	 * prepped) and flags of a byte keep a 500-entry book's in a third less
	 * memory than size_t and int did, which a render felt as page faults */
	uint32_t len;
	uint32_t pstart, plen; /* a regex's pattern: text[pstart..pstart + plen) */
	uint32_t lit_len;
	uint32_t pflags;     /* its PCRE2 flags */
	uint32_t grams[8];
	unsigned char ready, caseless, words, never, regex, ngrams;
};

/* What an index keeps of k, which g_lore_match_key made from raw: 1 with
 * *p filled (its texts k's), 0 when k is made ready at the render. */
int g_lore_match_prep(const struct g_lore_key *k, const char *raw, struct g_lore_prep *p);
/* k as p makes it, its texts p's (not freed with k). */
void g_lore_match_key_prepped(struct g_lore_key *k, const struct g_lore_prep *p);
/* Whether every key of e's secondary, additional and exclude lists is
 * prepped: else one is made at the render, which may note something about
 * it (a regex PCRE2 does not take), whatever the text, as soon as the
 * entry's keys are looked for. */
int g_lore_entry_prepped(const struct g_lore_entry *e);

/* A regex key's PCRE2 flags (caseless, multiline, dotall) as bits 0-2,
 * as an index keeps them, and back. lore_prep.c. */
unsigned g_lore_prep_flags_out(uint32_t flags);
uint32_t g_lore_prep_flags_in(unsigned flags);

/* The bytes of a key's runs (grams): pairs of bytes were too common in
 * prose to tell texts apart (most keys passed the filters of most texts);
 * runs of four seldom are. */
#define G_LORE_GRAM 4

/* Which runs of G_LORE_GRAM bytes a text (folded) holds (a regex key's
 * runs are those of g_lore_literal's text), hashed into a bitmap sized to
 * it: a key one of whose runs is not there is not in the text, and most
 * keys are not in most texts, so most searches end here. */
struct g_lore_filter {
	unsigned char *bits; /* NULL: not made yet */
	unsigned shift;      /* a run's hash is its top 32 - shift bits */
};

/* Make f for fold[0..len), and add its runs to also (NULL: none), a
 * filter of many texts made here at its first use (of a fixed size), in
 * the same pass: -1 if memory fails. */
int g_lore_filter_make(struct g_lore_filter *f, struct g_lore_filter *also, const char *fold,
		       size_t len);
/* Whether a text of f may hold every run of k (1 for a key with none). */
int g_lore_filter_may_hold(const struct g_lore_filter *f, const struct g_lore_key *k);

/* A run's hash: its top 32 - shift bits after a multiply (Fibonacci
 * hashing). */
#define G_LORE_GRAM_MUL 0x9e3779b1u

/* g_lore_filter_may_hold for n runs (a prep's, before its key is made):
 * inline, as a render asks it of hundreds of sleeping entries at each
 * step, and most answer no at the first run. */
static inline int g_lore_filter_may_hold_runs(const struct g_lore_filter *f,
					      const uint32_t *grams, size_t n)
{
	size_t i;
	uint32_t h;

	for (i = 0; f && f->bits && i < n; i++) {
		h = (uint32_t)(grams[i] * G_LORE_GRAM_MUL) >> f->shift;
		if (!(f->bits[h >> 3] & (1u << (h & 7))))
			return 0;
	}
	return 1;
}
void g_lore_filter_release(struct g_lore_filter *f);

/* What every match shares: the limits and the match data. */
struct g_lore_matcher {
	pcre2_match_context *mc;
	pcre2_match_data *md;
};

int g_lore_match_init(struct g_lore_matcher *m);
void g_lore_match_release(struct g_lore_matcher *m);

/* Make key (raw, before macros) of entry e ready, short of compiling a
 * regex: -1 if memory fails. lore_key.c. */
int g_lore_key_make(struct g_lore_key *k, const char *raw, const struct g_lore_entry *e,
		    const char *char_name, const char *user_name);
/* Free what k holds but a compiled regex (one made by g_lore_key_make
 * has none). lore_key.c. */
void g_lore_key_release(struct g_lore_key *k);
/* A word character as JavaScript's \w has it (ASCII only). lore_key.c. */
int g_lore_key_word(unsigned char c);

/* Make key (raw, before macros) of entry e ready. *note is set (malloc'ed)
 * when the key is a regex that does not compile. -1 if memory fails. */
int g_lore_match_key(struct g_lore_key *k, const char *raw, const struct g_lore_entry *e,
		     const char *char_name, const char *user_name, char **note);
void g_lore_match_key_release(struct g_lore_key *k);

/* 1 if k matches text[0..len), 0 if not, -1 if the regex gave up, -2 if
 * memory failed. A regex is compiled here when first the filter lets it
 * through; one PCRE2 does not take sets k->broken and never matches. fold is
 * the text with ASCII in lower case (what a caseless plain key searches),
 * f its filter (NULL: none). */
int g_lore_match(struct g_lore_matcher *m, struct g_lore_key *k, const char *text,
		 const char *fold, size_t len, const struct g_lore_filter *f);

/* The longest text every match of regex p[0..len) holds (caseless: under
 * PCRE2_CASELESS), as its length and *at; 0 when none is certain.
 * lore_literal.c. */
size_t g_lore_literal(const char *p, size_t len, int caseless, size_t *at);

#endif
