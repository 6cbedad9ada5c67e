/* lore_timed.c: timed effects (sticky, cooldown) and the after-match
 * decorators' memory, counted in messages of the session, as SillyTavern's
 * WorldInfoTimedEffects keeps them: an effect set at chat length L for N
 * messages lasts while L < length < L + N; one whose chat has not moved
 * past its start (a render again of the same turn) is forgotten unless
 * protected; when a sticky ends, the entry's cooldown starts at once
 * (protected). delay needs no memory: the chat's length says it. */
#include "lore_run.h"

#include <stdlib.h>
#include <string.h>

/* Whether an effect keyed by source (NULL: by name) is book b's. */
static int same_book(const struct g_lore_book *b, const char *source, const char *name)
{
	if (!source)
		return strcmp(b->name, name) == 0;
	return strcmp(b->source ? b->source : b->name, source) == 0;
}

/* The candidate an effect belongs to, made one if it sleeps
 * (lore_activate.c), or -1 (-2 when memory fails, or an entry does not
 * read: r->failed set). An effect without a source was stored by a build
 * that keyed effects by the book's name: it is matched by name this once
 * (the first book of that name, in the order books are scanned) and kept
 * under that book's source from then on; one that matches no book is kept
 * as it is, as any effect of a book not scanned this time is (until it
 * ends). */
static long find(struct g_lore_run *r, const struct g_lore_timed *t)
{
	const struct g_lore_book *b;
	size_t i, e;
	int rc;

	for (i = 0; i < r->in->nbooks; i++) {
		b = &r->in->books[i];
		if (!same_book(b, t->source, t->book))
			continue;
		for (e = 0; e < b->n; e++) {
			if ((rc = g_lore_book_entry_is(b, e, t->entry, r->err)) < 0)
				return r->failed = 1, -2;
			if (rc)
				return g_lore_run_take(r, i, e) < 0 ? -2 : (long)(r->base[i] + e);
		}
	}
	return -1;
}

/* t kept, under its candidate's source and name (NULL: as it is). */
static int keep(struct g_lore_run *r, const struct g_lore_timed *t,
		const struct g_lore_cand *c)
{
	struct g_lore_timed now = *t;

	if (c) {
		now.source = c->b->source;
		now.book = c->b->name;
	}
	return g_lore_state_add(&r->out->timed, &now);
}

/* One remembered effect: kept, dropped, or (a sticky that ended) turned
 * into the cooldown that follows it. */
static int before_one(struct g_lore_run *r, const struct g_lore_timed *t, int pass)
{
	long len = r->chat_length, i, n;
	struct g_lore_cand *c;
	struct g_lore_timed cool;

	if ((t->effect == G_LORE_STICKY) != (pass == 0))
		return 0;
	/* found in its own pass only: finding reads an asleep entry's id */
	if ((i = find(r, t)) == -2)
		return -1;
	c = i < 0 ? NULL : &r->c[i];
	if (len <= t->start && !t->protected)
		return 0; /* the chat has not moved on since it was set */
	if (!c)
		return t->effect == G_LORE_MATCHED || len < t->end ? keep(r, t, NULL) : 0;
	if (t->effect == G_LORE_MATCHED) {
		if (!(c->e->decor & (G_LORE_D_KEEP_AFTER_MATCH | G_LORE_D_DONT_AFTER_MATCH)))
			return 0;
		c->matched = t->start;
		return keep(r, t, c);
	}
	n = t->effect == G_LORE_STICKY ? c->e->sticky : c->e->cooldown;
	if (!n || (t->effect == G_LORE_COOLDOWN && c->cooldown))
		return 0;
	if (len >= t->end) {
		if (t->effect != G_LORE_STICKY || !c->e->cooldown)
			return 0;
		cool = *t;
		cool.effect = G_LORE_COOLDOWN;
		cool.start = len;
		cool.end = len + c->e->cooldown;
		cool.protected = 1;
		c->cooldown = 1;
		c->cooldown_end = cool.end;
		return keep(r, &cool, c);
	}
	if (t->effect == G_LORE_STICKY) {
		c->sticky = 1;
		c->sticky_end = t->end;
	} else {
		c->cooldown = 1;
		c->cooldown_end = t->end;
	}
	return keep(r, t, c);
}

int g_lore_timed_before(struct g_lore_run *r)
{
	const struct g_lore_state *s = r->in->state;
	size_t i;
	int pass;

	for (pass = 0; s && pass < 2; pass++)
		for (i = 0; i < s->n; i++)
			if (before_one(r, &s->v[i], pass) < 0)
				return -1;
	return 0;
}

static int set(struct g_lore_run *r, const struct g_lore_cand *c, enum g_lore_effect effect,
	       long n)
{
	struct g_lore_timed t = { .source = c->b->source, .book = c->b->name, .entry = c->e->id,
				  .effect = effect, .start = r->chat_length,
				  .end = r->chat_length + n };

	return keep(r, &t, NULL);
}

int g_lore_timed_after(struct g_lore_run *r)
{
	const struct g_lore_cand *c;
	size_t i;

	for (i = 0; i < r->norder; i++) { /* sorted by slot: the books' order */
		c = &r->c[r->order[i]];
		if (!c->fired)
			continue;
		if ((c->e->sticky && !c->sticky && set(r, c, G_LORE_STICKY, c->e->sticky) < 0) ||
		    (c->e->cooldown && !c->cooldown &&
		     set(r, c, G_LORE_COOLDOWN, c->e->cooldown) < 0) ||
		    ((c->e->decor & (G_LORE_D_KEEP_AFTER_MATCH | G_LORE_D_DONT_AFTER_MATCH)) &&
		     c->matched < 0 && set(r, c, G_LORE_MATCHED, 0) < 0))
			return -1;
	}
	return 0;
}
