/* lore_index_write.c: a read book in its binary form (lore_index.h;
 * lore_index.c reads it back), each key with its prep made here as a
 * render would make it, or as the book carries it. */
#include "lore_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lore_match.h"
#include "text.h"

static const char magic[4] = { G_LORE_INDEX_MAGIC };

static void put_varint(struct g_text *o, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	g_text_add(o, b, n);
}

/* A signed number, zigzagged: small ones of either sign take a byte. */
static void put_num(struct g_text *o, int64_t v)
{
	put_varint(o, ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0));
}

static void put_str(struct g_text *o, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_varint(o, n);
	g_text_add(o, s ? s : "", n);
	g_text_add(o, "\0", 1);
}

static void put_list(struct g_text *o, const struct g_lore_list *l)
{
	size_t i;

	put_varint(o, l->n);
	for (i = 0; i < l->n; i++)
		put_str(o, l->v[i]);
}

/* The prep of key raw; its text, when raw is its own trimmed text (most
 * keys), is a flag rather than a copy. */
static void put_prep(struct g_text *o, const struct g_lore_prep *p, const char *raw)
{
	int same;

	unsigned char b[4];
	uint64_t flags = 0;
	size_t i;

	if (!p->ready) {
		g_text_add(o, "\0", 1);
		return;
	}
	b[0] = 1;
	same = strcmp(p->text, raw) == 0;
	b[1] = (unsigned char)(p->caseless | p->words << 1 | p->never << 2 | p->regex << 3 |
			       same << 4);
	g_text_add(o, b, 2);
	if (!same)
		put_str(o, p->text);
	if (p->caseless && !p->regex)
		put_str(o, p->fold);
	if (p->regex) {
		flags = g_lore_prep_flags_out(p->pflags);
		put_varint(o, p->pstart);
		put_varint(o, p->plen);
		put_varint(o, flags);
		put_str(o, p->lit);
	}
	b[0] = (unsigned char)p->ngrams;
	g_text_add(o, b, 1);
	for (i = 0; i < p->ngrams; i++) {
		b[0] = (unsigned char)p->grams[i];
		b[1] = (unsigned char)(p->grams[i] >> 8);
		b[2] = (unsigned char)(p->grams[i] >> 16);
		b[3] = (unsigned char)(p->grams[i] >> 24);
		g_text_add(o, b, 4);
	}
}

/* A key list with each key's prep: the one the book carries (read from
 * an index), else made here as a render would make it. How many keys are
 * left to be made at the render, or -1 if memory fails. */
static int put_keys(struct g_text *o, const struct g_lore_entry *e, const struct g_lore_list *l)
{
	struct g_lore_key k;
	struct g_lore_prep p;
	size_t i;
	int unprepped = 0;

	put_varint(o, l->n);
	for (i = 0; i < l->n; i++) {
		put_str(o, l->v[i]);
		if (l->prep) {
			put_prep(o, &l->prep[i], l->v[i]);
			unprepped += !l->prep[i].ready;
			continue;
		}
		if (g_lore_key_make(&k, l->v[i], e, NULL, NULL) < 0)
			return -1;
		if (!g_lore_match_prep(&k, l->v[i], &p))
			memset(&p, 0, sizeof(p));
		put_prep(o, &p, l->v[i]);
		unprepped += !p.ready;
		g_lore_key_release(&k);
	}
	return unprepped;
}

/* What follows an entry's keys (lore_index.c's get_rest): whether each
 * key in it is prepped (1), or -1 if memory fails. */
static int put_rest(struct g_text *o, const struct g_lore_entry *e)
{
	const int64_t nums[] = {
		e->enabled, e->constant, e->selective, e->use_regex, e->logic, e->order,
		e->priority, e->case_sensitive, e->whole_words, e->position, e->depth, e->role,
		e->use_probability, e->group_override, e->group_weight, e->group_scoring,
		e->prevent_recursion, e->exclude_recursion, e->delay_until_recursion, e->sticky,
		e->cooldown, e->delay, e->decor, e->only_after, e->only_every
	};
	unsigned char b[8];
	uint64_t bits;
	size_t i;
	int rc[3];

	if (json_is_integer(e->id)) {
		g_text_add(o, "\0", 1);
		put_num(o, json_integer_value(e->id));
	} else {
		g_text_add(o, "\1", 1);
		put_str(o, json_string_value(e->id));
	}
	put_str(o, e->comment);
	put_str(o, e->content);
	put_str(o, e->group);
	put_str(o, e->outlet);
	rc[0] = put_keys(o, e, &e->secondary);
	rc[1] = put_keys(o, e, &e->additional);
	rc[2] = put_keys(o, e, &e->exclude);
	put_list(o, &e->notes);
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		put_num(o, nums[i]);
	memcpy(&bits, &e->probability, sizeof(bits));
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(bits >> (8 * i));
	g_text_add(o, b, 8);
	return rc[0] < 0 || rc[1] < 0 || rc[2] < 0 ? -1 : !(rc[0] || rc[1] || rc[2]);
}

/* What is written: the head, and the parts (each quiet entry's rest) with
 * their lengths. */
struct out {
	struct g_text head, parts, lens;
	size_t n; /* parts */
};

static void put_u32(struct g_text *o, size_t v)
{
	unsigned char b[4];
	size_t i;

	for (i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	g_text_add(o, b, 4);
}

/* An entry: quiet or not, its scan depth and keys, then the rest; a quiet
 * one's rest is a part of its own, after its count of list strings and
 * its length, so that a render opens it only when the entry may fire. */
static void put_entry(struct out *o, const struct g_lore_entry *e)
{
	struct g_text keys = { NULL, 0, 0, 0 }, rest = { NULL, 0, 0, 0 };
	int prepped = put_rest(&rest, e), quiet;

	/* quiet in the index: its other keys prepped too, so that a render
	 * needs no more than its primary keys' preps to pass it over (a key
	 * made at the render may have a note to make) */
	quiet = prepped > 0 && g_lore_entry_quiet(e);
	if (prepped < 0 || put_keys(&keys, e, &e->keys) < 0 || keys.failed || rest.failed)
		o->head.failed = 1;
	g_text_add(&o->head, quiet ? "\1" : "\0", 1);
	put_num(&o->head, e->scan_depth);
	g_text_add(&o->head, keys.data, keys.len);
	if (quiet) {
		put_varint(&o->head, e->secondary.n + e->additional.n + e->exclude.n + e->notes.n);
		put_varint(&o->head, rest.len);
		put_u32(&o->lens, rest.len);
		g_text_add(&o->parts, rest.data, rest.len);
		o->n++;
	} else {
		g_text_add(&o->head, rest.data, rest.len);
	}
	free(keys.data);
	free(rest.data);
}

int g_lore_index_write(const struct g_lore_book *b, unsigned char **out, size_t *len)
{
	struct out o = { { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, 0 };
	struct g_text framed = { NULL, 0, 0, 0 };
	size_t i, strings = 0;

	*out = NULL;
	*len = 0;
	for (i = 0; i < b->n; i++) {
		const struct g_lore_entry *e = &b->entries[i];

		if (!json_is_integer(e->id) && !json_is_string(e->id))
			return 1;
		strings += e->keys.n + e->secondary.n + e->additional.n + e->exclude.n +
			   e->notes.n;
	}
	if (strings > UINT32_MAX)
		return 1;
	g_text_add(&o.head, magic, sizeof(magic));
	put_u32(&o.head, strings);
	put_str(&o.head, b->name);
	put_num(&o.head, b->scan_depth);
	put_num(&o.head, b->token_budget);
	put_num(&o.head, b->max_steps);
	put_num(&o.head, b->recursive);
	put_varint(&o.head, b->n);
	for (i = 0; i < b->n; i++)
		put_entry(&o, &b->entries[i]);
	/* the frame g_crypt_seal_parts seals: the count of parts, their
	 * lengths, the head, the parts */
	put_u32(&framed, o.n);
	g_text_add(&framed, o.lens.data, o.lens.len);
	g_text_add(&framed, o.head.data, o.head.len);
	g_text_add(&framed, o.parts.data, o.parts.len);
	if (o.head.failed || o.parts.failed || o.lens.failed)
		framed.failed = 1;
	free(o.head.data);
	free(o.parts.data);
	free(o.lens.data);
	*out = (unsigned char *)g_text_take(&framed, len);
	return *out ? 0 : -1;
}
