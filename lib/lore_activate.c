/* lore_activate.c: which lore entries fire for one render, and why (DESIGN
 * §8 "Lore"; the loop of SillyTavern's checkWorldInfo). Each step scans
 * every candidate not yet in: the first step the messages, each later step
 * (recursion) the messages and the content of what fired before. An entry
 * only its primary keys can fire is a candidate once one of them may be
 * in those texts; until then it sleeps, as it could not be found. Of a
 * step's finds, inclusion groups keep one per group, probability draws,
 * and the rest fire. The generator is seeded from the render's seed, so
 * the same inputs and seed give the same lore. */
#include "lore_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

static const char *const logics[] = { "AND ANY", "NOT ALL", "NOT ANY", "AND ALL" };

/* Skip the candidate: for good (done) or for now (a later step may fire it). */
static int skip(struct g_lore_cand *c, int done, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int skip(struct g_lore_cand *c, int done, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->done = done;
	return g_lore_scan_why(&c->skip, "%s", buf) < 0 ? -1 : 0;
}

/* After the primary match: secondary keys and the key decorators. */
static int keys_hold(struct g_lore_run *r, size_t i, int recursion, const char *found)
{
	struct g_lore_cand *c = &r->c[i];
	const struct g_lore_entry *e = c->e;
	char *why = NULL;
	int n, ok = 1, rc;

	if (e->selective && e->secondary.n) {
		if ((n = g_lore_scan_count(r, i, G_LORE_SECONDARY, recursion)) < 0)
			return -1;
		ok = e->logic == G_LORE_AND_ANY ? n > 0
		     : e->logic == G_LORE_NOT_ALL ? (size_t)n < e->secondary.n
		     : e->logic == G_LORE_NOT_ANY ? n == 0 : (size_t)n == e->secondary.n;
		if (!ok)
			return skip(c, 0, "%s, but secondary keys (%s) not met", found,
				    logics[e->logic]) < 0 ? -1 : 0;
	}
	if (e->additional.n && (n = g_lore_scan_count(r, i, G_LORE_ADDITIONAL, recursion)) <= 0)
		return n < 0 ? -1 : skip(c, 0, "%s, but no @@additional_keys", found) < 0 ? -1 : 0;
	if (e->exclude.n) {
		if ((rc = g_lore_scan_first(r, i, G_LORE_EXCLUDE, recursion, &why)) != 0) {
			rc = rc < 0 ? -1 : skip(c, 0, "%s, but @@exclude_keys %s", found, why);
			free(why);
			return rc < 0 ? -1 : 0;
		}
	}
	return 1;
}

/* Whether the candidate is found this step (1, c->why set), not (0). */
static int consider(struct g_lore_run *r, size_t i, int recursion, long level)
{
	struct g_lore_cand *c = &r->c[i];
	const struct g_lore_entry *e = c->e;
	long len = r->chat_length;
	int rc;

	if (!e->enabled)
		return skip(c, 1, "disabled");
	if (e->delay && len < e->delay)
		return skip(c, 1, "delay until message %ld", e->delay);
	if (c->cooldown && !c->sticky)
		return skip(c, 1, "cooldown until message %ld", c->cooldown_end);
	if (!c->sticky && e->delay_until_recursion &&
	    (!recursion || e->delay_until_recursion > level)) {
		if ((rc = g_lore_scan_first(r, i, G_LORE_PRIMARY, recursion, &c->why)) <= 0)
			return rc;
		return skip(c, 0, "delay_until_recursion (%s)", c->why);
	}
	if (recursion && !c->sticky && (e->exclude_recursion || !c->b->recursive)) {
		if ((rc = g_lore_scan_first(r, i, G_LORE_PRIMARY, recursion, &c->why)) <= 0)
			return rc;
		return skip(c, 1, "%s (%s)", e->exclude_recursion ? "exclude_recursion"
				  : "the book's recursive_scanning is off", c->why);
	}
	if (e->only_after && len < e->only_after)
		return skip(c, 1, "@@activate_only_after %ld (the chat has %ld messages)",
			    e->only_after, len);
	if (e->only_every && len % e->only_every)
		return skip(c, 1, "@@activate_only_every %ld (the chat has %ld messages)",
			    e->only_every, len);
	if ((e->decor & G_LORE_D_DONT_AFTER_MATCH) && c->matched >= 0)
		return skip(c, 1, "@@dont_activate_after_match (fired at message %ld)", c->matched);
	if (e->decor & G_LORE_D_ACTIVATE)
		return g_lore_scan_why(&c->why, "@@activate") < 0 ? -1 : 1;
	if (e->decor & G_LORE_D_DONT_ACTIVATE)
		return skip(c, 1, "@@dont_activate");
	if (e->constant)
		return g_lore_scan_why(&c->why, "constant") < 0 ? -1 : 1;
	if (c->sticky)
		return g_lore_scan_why(&c->why, "sticky until message %ld", c->sticky_end) < 0
			       ? -1 : 1;
	if ((e->decor & G_LORE_D_KEEP_AFTER_MATCH) && c->matched >= 0)
		return g_lore_scan_why(&c->why, "@@keep_activate_after_match (fired at message %ld)",
					   c->matched) < 0 ? -1 : 1;
	if ((rc = g_lore_scan_first(r, i, G_LORE_PRIMARY, recursion, &c->why)) <= 0)
		return rc;
	return keys_hold(r, i, recursion, c->why);
}

/* Fire what this step found that groups and probability leave; adds the
 * fired content to the recursion buffer. *more: something to recurse on. */
static int settle(struct g_lore_run *r, size_t *fresh, size_t n, int recursion, int *more)
{
	struct g_macro_ctx m;
	struct g_lore_cand *c;
	struct g_lore_text *t;
	size_t i, j, k = 0;
	unsigned roll;

	for (j = 0; j < 2; j++) /* the sticky ones first, as SillyTavern orders them */
		for (i = 0; i < n; i++)
			if ((r->c[fresh[i]].sticky ? 0 : 1) == (int)j)
				fresh[n + k++] = fresh[i];
	fresh += n;
	if (g_lore_group_filter(r, fresh, n, recursion) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		c = &r->c[fresh[i]];
		if (c->out)
			continue;
		if (c->e->use_probability && c->e->probability < 100 && !c->sticky) {
			roll = (unsigned)(g_lore_scan_rand(r) % 100);
			if (roll >= c->e->probability) {
				if (skip(c, 1, "probability %g%% (drew %u)", c->e->probability, roll) < 0)
					return -1;
				continue;
			}
		}
		c->fired = 1;
		free(c->skip);
		c->skip = NULL;
		if (c->e->prevent_recursion || !*c->e->content)
			continue;
		if (!(t = realloc(r->rec, (r->nrec + 1) * sizeof(*t))))
			return -1;
		r->rec = t;
		memset(&m, 0, sizeof(m));
		m.char_name = r->in->char_name;
		m.user_name = r->in->user_name;
		t[r->nrec] = (struct g_lore_text){ NULL, NULL, 0, fresh[i], -1, { NULL, 0 } };
		if (!(t[r->nrec].text = g_macro_expand(&m, c->e->content, strlen(c->e->content), 0,
						       &t[r->nrec].len)) ||
		    g_lore_scan_fold(&t[r->nrec]) < 0)
			return -1;
		r->nrec++;
		*more = 1;
	}
	return 0;
}

/* A candidate in a list being sorted. */
struct ref {
	struct g_lore_cand *c;
};

static int by_order(const void *a, const void *b)
{
	const struct g_lore_cand *x = ((const struct ref *)a)->c;
	const struct g_lore_cand *y = ((const struct ref *)b)->c;

	if (x->e->order != y->e->order)
		return x->e->order > y->e->order ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The order of placement: ascending insertion_order, ties in source order. */
static int by_placement(const void *a, const void *b)
{
	const struct g_lore_cand *x = ((const struct ref *)a)->c;
	const struct g_lore_cand *y = ((const struct ref *)b)->c;

	if (x->e->order != y->e->order)
		return x->e->order < y->e->order ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The scan depth an entry of book b reads: its own (own; -1: none said),
 * its book's, the session's. */
static long entry_depth(const struct g_lore_run *r, const struct g_lore_book *b, long own)
{
	return own >= 0 ? own
	       : b->scan_depth >= 0 ? b->scan_depth
	       : r->in->scan_depth >= 0 ? r->in->scan_depth : G_LORE_SCAN_DEPTH_DEFAULT;
}

int g_lore_run_take(struct g_lore_run *r, size_t book, size_t entry)
{
	const struct g_lore_book *b = &r->in->books[book];
	const struct g_lore_entry *x;
	size_t slot = r->base[book] + entry, k;
	struct g_lore_cand *c = &r->c[slot];

	if (c->e)
		return 0;
	if (!(x = g_lore_book_entry(b, entry, r->err)))
		return r->failed = 1, -1;
	*c = (struct g_lore_cand){ .book = book, .entry = entry, .b = b, .e = x, .matched = -1 };
	c->scan_depth = entry_depth(r, b, x->scan_depth);
	r->order[r->norder++] = slot;
	for (k = 0; k < x->notes.n; k++)
		if (g_lore_scan_note(r, book, entry, x->notes.v[k]) < 0)
			return -1;
	return 0;
}

/* The texts the first step reads (only the messages some entry reads: a
 * history of 50 with the usual depth of 2 is 2 texts to fold and filter,
 * not 50), and the candidates: every entry but the quiet ones none of
 * whose keys may be in them, which sleep. */
static int setup(struct g_lore_run *r)
{
	const struct g_lore_in *in = r->in;
	const struct g_lore_book *b;
	size_t i, e, slot = 0;
	long deepest = 0, d;
	int rc;

	for (i = 0; i < in->nbooks; i++) {
		b = &in->books[i];
		r->base[i] = slot;
		slot += b->n;
		for (e = 0; e < b->n; e++)
			if ((d = entry_depth(r, b, g_lore_book_scan_depth(b, e))) > deepest)
				deepest = d;
	}
	r->n = slot;
	r->nmsgs = in->nmessages < (size_t)deepest ? in->nmessages : (size_t)deepest;
	if (r->nmsgs && !(r->msgs = calloc(r->nmsgs, sizeof(*r->msgs))))
		return -1;
	for (i = 0; i < r->nmsgs; i++) {
		const struct g_lore_message *m = &in->messages[i];
		const char *name = m->name ? m->name : "", *text = m->content ? m->content : "";

		if (g_lore_scan_why(&r->msgs[i].text, "%s%s%s", name, *name ? ": " : "", text) < 0)
			return -1;
		r->msgs[i].len = strlen(r->msgs[i].text);
		if (g_lore_scan_fold(&r->msgs[i]) < 0)
			return -1;
		r->msgs[i].message = r->chat_length - (long)i;
	}
	for (i = 0; i < in->nbooks; i++)
		for (e = 0, b = &in->books[i]; e < b->n; e++) {
			struct g_lore_sleeper s = { (uint32_t)i, (uint32_t)e, NULL };

			rc = g_lore_scan_asleep(r, &s);
			if (rc < 0 || (rc == 0 && g_lore_run_take(r, i, e) < 0))
				return -1;
			if (rc)
				r->asleep[r->nasleep++] = s;
		}
	return 0;
}

/* The sleepers one of whose keys may be in the texts now (a step added
 * some) made candidates: -1 if memory fails. */
static int wake(struct g_lore_run *r)
{
	const struct g_lore_sleeper *s;
	size_t i, k = 0;
	int rc;

	if (g_lore_scan_see(r) < 0)
		return -1;
	for (i = 0; i < r->nasleep; i++) {
		s = &r->asleep[i];
		if (r->c[r->base[s->book] + s->entry].e)
			continue; /* taken for its timed state */
		rc = g_lore_scan_still(r, s);
		if (rc < 0 || (rc == 0 && g_lore_run_take(r, s->book, s->entry) < 0))
			return -1;
		if (rc)
			r->asleep[k++] = *s;
	}
	r->nasleep = k;
	return 0;
}

/* The candidates (r->order) sorted by cmp: by_order for a step, by_slot
 * (the books' order) for the report. -1 if memory fails. */
static int sort(struct g_lore_run *r, int (*cmp)(const void *, const void *))
{
	struct ref *sorted = malloc((r->norder + 1) * sizeof(*sorted));
	size_t i;

	if (!sorted)
		return -1;
	for (i = 0; i < r->norder; i++)
		sorted[i].c = &r->c[r->order[i]];
	qsort(sorted, r->norder, sizeof(*sorted), cmp);
	for (i = 0; i < r->norder; i++)
		r->order[i] = (size_t)(sorted[i].c - r->c);
	free(sorted);
	return 0;
}

static int by_slot(const void *a, const void *b)
{
	const struct g_lore_cand *x = ((const struct ref *)a)->c;
	const struct g_lore_cand *y = ((const struct ref *)b)->c;

	return x < y ? -1 : x > y;
}

/* The levels of delay_until_recursion, ascending, without repeats. */
static size_t levels(const struct g_lore_run *r, long *v)
{
	size_t i, j, n = 0;
	long x;

	for (i = 0; i < r->norder; i++) {
		if (!(x = r->c[r->order[i]].e->delay_until_recursion))
			continue;
		for (j = n; j > 0 && v[j - 1] > x; j--)
			;
		if (j > 0 && v[j - 1] == x)
			continue;
		memmove(v + j + 1, v + j, (n - j) * sizeof(*v));
		v[j] = x;
		n++;
	}
	return n;
}

static long max_steps(const struct g_lore_in *in)
{
	long n = -1;
	size_t b;

	if (in->max_steps >= 0)
		return in->max_steps;
	for (b = 0; b < in->nbooks; b++)
		if (in->books[b].max_steps >= 0 && (n < 0 || in->books[b].max_steps < n))
			n = in->books[b].max_steps;
	return n >= 0 ? n : G_LORE_STEPS_DEFAULT;
}

static int scan_loop(struct g_lore_run *r, size_t *fresh, long *lv)
{
	size_t nlv = levels(r, lv), li = 0, i, n, texts = 0;
	long step = 0, cap = max_steps(r->in), level = nlv ? lv[li++] : 0;
	int recursion = 0, more, rc;
	char buf[120];

	for (;;) {
		/* new texts (or the first step): new candidates, in order */
		if (!recursion || r->nrec > texts) {
			n = r->norder;
			if ((recursion && wake(r) < 0) ||
			    ((!recursion || r->norder > n) && sort(r, by_order) < 0))
				return -1;
			texts = r->nrec;
		}
		for (i = n = 0; i < r->norder; i++) {
			size_t k = r->order[i];
			struct g_lore_cand *c = &r->c[k];

			if (c->fired || c->done)
				continue;
			c->out = 0;
			if ((rc = consider(r, k, recursion, level)) < 0)
				return -1;
			if (rc)
				fresh[n++] = k;
		}
		more = 0;
		if (settle(r, fresh, n, recursion, &more) < 0)
			return -1;
		if (!more && li < nlv)
			level = lv[li++], more = 1;
		if (!more)
			return 0;
		if (step >= cap) {
			snprintf(buf, sizeof(buf), "recursion stopped after %ld steps (max_recursion_steps)",
				 cap);
			return g_lore_scan_note(r, SIZE_MAX, SIZE_MAX, buf);
		}
		step++;
		recursion = 1;
	}
}

/* What fired, in placement order, and what was skipped, in the books'
 * order (r->order sorted by slot). */
static int hits(struct g_lore_run *r)
{
	struct ref *v = malloc((r->norder + 1) * sizeof(*v));
	struct g_lore_out *o = r->out;
	size_t i, nf = 0;

	o->fired = calloc(r->norder + 1, sizeof(*o->fired));
	o->skipped = calloc(r->norder + 1, sizeof(*o->skipped));
	if (!v || !o->fired || !o->skipped)
		return free(v), -1;
	for (i = 0; i < r->norder; i++) {
		struct g_lore_cand *c = &r->c[r->order[i]];

		if (c->fired)
			v[nf++].c = c;
		else if (c->skip) {
			o->skipped[o->nskipped++] = (struct g_lore_hit){ c->book, c->entry, c->skip };
			c->skip = NULL;
		}
	}
	qsort(v, nf, sizeof(*v), by_placement);
	for (i = 0; i < nf; i++) {
		o->fired[o->nfired++] = (struct g_lore_hit){ v[i].c->book, v[i].c->entry, v[i].c->why };
		v[i].c->why = NULL;
	}
	free(v);
	return 0;
}

int g_lore_activate(const struct g_lore_in *in, struct g_lore_out *out, struct g_err *err)
{
	struct g_lore_run r = { .in = in, .out = out, .err = err };
	size_t total = 0, b, i, w, k;
	size_t *fresh = NULL;
	long *lv = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	for (b = 0; b < in->nbooks; b++)
		total += in->books[b].n;
	r.chat_length = in->chat_length >= 0 ? in->chat_length : (long)in->nmessages;
	r.rng = in->seed;
	r.c = calloc(total + 1, sizeof(*r.c));
	r.base = calloc(in->nbooks + 1, sizeof(*r.base));
	r.order = calloc(total + 1, sizeof(*r.order));
	r.asleep = calloc(total + 1, sizeof(*r.asleep));
	fresh = calloc(2 * total + 1, sizeof(*fresh));
	lv = calloc(total + 1, sizeof(*lv));
	if (r.c && r.base && r.order && r.asleep && fresh && lv && g_lore_match_init(&r.m) == 0) {
		rc = setup(&r) < 0 || g_lore_timed_before(&r) < 0 || scan_loop(&r, fresh, lv) < 0 ||
		     sort(&r, by_slot) < 0 || hits(&r) < 0 || g_lore_timed_after(&r) < 0 ? -1 : 0;
		g_lore_match_release(&r.m);
	}
	for (i = 0; r.order && i < r.norder; i++) {
		struct g_lore_cand *c = &r.c[r.order[i]];

		for (w = 0; c->keys && w < G_LORE_LISTS; w++)
			for (k = 0; k < c->keys->n[w]; k++)
				g_lore_match_key_release(&c->keys->v[w][k]);
		free(c->keys);
		free(c->why);
		free(c->skip);
	}
	for (i = 0; i < r.nmsgs; i++)
		free(r.msgs[i].text), free(r.msgs[i].fold), g_lore_filter_release(&r.msgs[i].filter);
	for (i = 0; i < r.nrec; i++)
		free(r.rec[i].text), free(r.rec[i].fold), g_lore_filter_release(&r.rec[i].filter);
	g_lore_filter_release(&r.seen);
	free(r.msgs);
	free(r.rec);
	free(r.c);
	free(r.base);
	free(r.order);
	free(r.asleep);
	free(fresh);
	free(lv);
	if (rc < 0) {
		g_lore_activate_release(out);
		return r.failed ? -1 : g_err_oom(err);
	}
	return 0;
}

void g_lore_activate_release(struct g_lore_out *out)
{
	size_t i;

	for (i = 0; i < out->nfired; i++)
		free(out->fired[i].why);
	for (i = 0; i < out->nskipped; i++)
		free(out->skipped[i].why);
	for (i = 0; i < out->nnotes; i++)
		free(out->notes[i].why);
	free(out->fired);
	free(out->skipped);
	free(out->notes);
	g_lore_state_release(&out->timed);
	memset(out, 0, sizeof(*out));
}
