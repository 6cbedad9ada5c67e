/* lore_prep.c: a lore key made ready once, when its book's index is
 * written, and made a key again at a render (lore_match.h). */
#include "lore_match.h"

#include <stdint.h>
#include <string.h>

int g_lore_match_prep(const struct g_lore_key *k, const char *raw, struct g_lore_prep *p)
{
	memset(p, 0, sizeof(*p));
	/* macros depend on the render; the others cost their compiling */
	if (strstr(raw, "{{") || strchr(raw, '<') || k->own_pattern || (k->pattern && !k->ngrams) ||
	    k->len > UINT32_MAX)
		return 0;
	p->ready = 1;
	p->text = k->text;
	p->len = (uint32_t)k->len;
	p->caseless = (unsigned char)k->caseless;
	p->words = (unsigned char)k->words;
	p->never = (unsigned char)k->never;
	p->regex = k->pattern != NULL;
	p->fold = !p->regex && k->caseless ? k->fold : NULL;
	if (p->regex) {
		p->pstart = (uint32_t)(k->pattern - k->text);
		p->plen = (uint32_t)k->plen;
		p->pflags = k->flags;
		p->lit = k->lit ? k->lit : "";
		p->lit_len = (uint32_t)k->lit_len;
	}
	memcpy(p->grams, k->grams, sizeof(p->grams));
	p->ngrams = (unsigned char)k->ngrams;
	return 1;
}

void g_lore_match_key_prepped(struct g_lore_key *k, const struct g_lore_prep *p)
{
	memset(k, 0, sizeof(*k));
	k->borrowed = 1;
	k->text = p->text;
	k->fold = p->fold;
	k->len = p->len;
	k->caseless = p->caseless;
	k->words = p->words;
	k->never = p->never;
	if (p->regex) {
		k->pattern = p->text + p->pstart;
		k->plen = p->plen;
		k->flags = p->pflags;
		k->lit = p->lit_len ? p->lit : NULL;
		k->lit_len = p->lit_len;
	}
	memcpy(k->grams, p->grams, sizeof(k->grams));
	k->ngrams = p->ngrams;
}

/* PCRE2's flags for a regex key, as an index keeps them (bits 0-2). */
static const uint32_t pcre2_flags[3] = { PCRE2_CASELESS, PCRE2_MULTILINE, PCRE2_DOTALL };

unsigned g_lore_prep_flags_out(uint32_t flags)
{
	unsigned out = 0, i;

	for (i = 0; i < 3; i++)
		if (flags & pcre2_flags[i])
			out |= 1u << i;
	return out;
}

uint32_t g_lore_prep_flags_in(unsigned flags)
{
	uint32_t in = 0;
	unsigned i;

	for (i = 0; i < 3; i++)
		if (flags & (1u << i))
			in |= pcre2_flags[i];
	return in;
}

/* Whether every key of l carries a ready prep. */
static int list_prepped(const struct g_lore_list *l)
{
	size_t k;

	for (k = 0; k < l->n; k++)
		if (!l->prep || !l->prep[k].ready)
			return 0;
	return 1;
}

int g_lore_entry_prepped(const struct g_lore_entry *e)
{
	return list_prepped(&e->secondary) && list_prepped(&e->additional) &&
	       list_prepped(&e->exclude);
}
