/* lore_scan.c: what one scan step reads and how a candidate's keys are
 * looked for in it, with the helpers the activation's files share: the
 * render's generator, reasons, entry names, notes. */
#include "lore_run.h"
#include "lore_index.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int g_lore_scan_fold(struct g_lore_text *t)
{
	size_t i;

	if (!(t->fold = malloc(t->len + 1)))
		return -1;
	for (i = 0; i < t->len; i++)
		t->fold[i] = (char)(t->text[i] >= 'A' && t->text[i] <= 'Z' ? t->text[i] - 'A' + 'a'
								      : t->text[i]);
	t->fold[t->len] = '\0';
	return 0;
}

uint64_t g_lore_scan_rand(struct g_lore_run *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int g_lore_scan_why(char **slot, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	char *s;
	int n;

	/* most reasons are short: formatted once, into buf */
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return -1;
	if ((size_t)n < sizeof(buf)) {
		memcpy(s, buf, (size_t)n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	free(*slot);
	*slot = s;
	return 0;
}

const char *g_lore_scan_id(const json_t *id, char *buf, size_t size)
{
	if (json_is_integer(id))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
	else
		snprintf(buf, size, "%s", json_is_string(id) ? json_string_value(id) : "?");
	return buf;
}

const char *g_lore_scan_name(const struct g_lore_run *r, size_t cand, size_t book,
				 char *buf, size_t size)
{
	char id[64];

	if (cand >= r->n)
		return "none";
	g_lore_scan_id(r->c[cand].e->id, id, sizeof(id));
	if (r->c[cand].book == book)
		snprintf(buf, size, "%s", id);
	else
		snprintf(buf, size, "%s of '%.80s'", id, r->c[cand].b->name);
	return buf;
}

int g_lore_scan_note(struct g_lore_run *r, size_t book, size_t entry, const char *text)
{
	struct g_lore_out *o = r->out;
	struct g_lore_hit *v = realloc(o->notes, (o->nnotes + 1) * sizeof(*v));

	if (!v)
		return -1;
	o->notes = v;
	v[o->nnotes] = (struct g_lore_hit){ book, entry, strdup(text) };
	return v[o->nnotes++].why ? 0 : -1;
}

static int ready(struct g_lore_run *r, size_t i)
{
	struct g_lore_cand *c = &r->c[i];
	const struct g_lore_list *lists[G_LORE_LISTS] = { &c->e->keys, &c->e->secondary,
							   &c->e->additional, &c->e->exclude };
	struct g_lore_key *next;
	char *msg;
	size_t w, k, total = 0;

	if (c->keys)
		return 0;
	for (w = 0; w < G_LORE_LISTS; w++)
		total += lists[w]->n;
	if (!(c->keys = calloc(1, sizeof(*c->keys) + total * sizeof(struct g_lore_key))))
		return -1;
	next = (struct g_lore_key *)(c->keys + 1);
	for (w = 0; w < G_LORE_LISTS; w++) {
		c->keys->v[w] = next;
		next += lists[w]->n;
		for (k = 0; k < lists[w]->n; k++, c->keys->n[w]++) {
			if (lists[w]->prep && lists[w]->prep[k].ready) {
				g_lore_match_key_prepped(&c->keys->v[w][k], &lists[w]->prep[k]);
				continue;
			}
			if (g_lore_match_key(&c->keys->v[w][k], lists[w]->v[k], c->e, r->in->char_name,
					     r->in->user_name, &msg) < 0)
				return -1;
			if (msg && g_lore_scan_note(r, c->book, c->entry, msg) < 0)
				return free(msg), -1;
			free(msg);
		}
	}
	return 0;
}

/* The messages the candidate reads (its scan depth). */
static size_t depth(const struct g_lore_run *r, const struct g_lore_cand *c)
{
	return (size_t)c->scan_depth < r->nmsgs ? (size_t)c->scan_depth : r->nmsgs;
}

/* Every text of this step read for the candidate's primary keys. */
static void all_seen(const struct g_lore_run *r, struct g_lore_cand *c, int recursion)
{
	c->seen = c->scan_depth ? depth(r, c) + (recursion ? r->nrec : 0) : 0;
}

/* Each text made its filter and added to r->seen, at once: -1 if memory
 * fails. */
static int see_texts(struct g_lore_run *r)
{
	struct g_lore_text *x;

	for (; r->nseen < r->nmsgs + r->nrec; r->nseen++) {
		x = r->nseen < r->nmsgs ? &r->msgs[r->nseen] : &r->rec[r->nseen - r->nmsgs];
		if (g_lore_filter_make(&x->filter, &r->seen, x->fold, x->len) < 0)
			return -1;
	}
	return 0;
}

/* r->seen brought up to every text there is: -1 if memory fails. Called
 * for every candidate at every step, and there is seldom a new text. */
static inline int see_all(struct g_lore_run *r)
{
	return r->nseen < r->nmsgs + r->nrec ? see_texts(r) : 0;
}

int g_lore_scan_nowhere(struct g_lore_run *r, const struct g_lore_list *l)
{
	const struct g_lore_prep *p;
	size_t k;

	if (!l->prep)
		return 0;
	if (see_all(r) < 0)
		return -1;
	for (k = 0; k < l->n; k++) {
		p = &l->prep[k];
		if (!p->ready ||
		    (!p->never && (!p->ngrams || g_lore_filter_may_hold_runs(&r->seen, p->grams,
									   p->ngrams))))
			return 0;
	}
	return 1;
}

int g_lore_scan_asleep(struct g_lore_run *r, struct g_lore_sleeper *s)
{
	const struct g_lore_book *b = &r->in->books[s->book];
	int maybe = 0;

	s->runs = NULL;
	if (!g_lore_book_quiet(b, s->entry))
		return 0;
	if (!(s->runs = g_lore_index_runs(b, s->entry, &maybe)))
		return g_lore_scan_nowhere(r, &g_lore_book_at(b, s->entry)->keys);
	if (maybe)
		return 0;
	return see_all(r) < 0 ? -1 : g_lore_scan_runs_nowhere(&r->seen, s->runs);
}

int g_lore_scan_still(struct g_lore_run *r, const struct g_lore_sleeper *s)
{
	struct g_lore_sleeper again = *s;

	return s->runs ? g_lore_scan_runs_nowhere(&r->seen, s->runs)
		       : g_lore_scan_asleep(r, &again);
}

int g_lore_scan_see(struct g_lore_run *r)
{
	return see_all(r);
}

/* Whether no primary key of the candidate can be in the texts so far
 * (g_lore_scan_nowhere), before it is made ready: in a big book most
 * candidates are so at every step, and making one ready costs an
 * allocation and a copy of each of its keys. One with a key made at the
 * render is made ready at once, for what making it may note. */
static int nowhere(struct g_lore_run *r, const struct g_lore_cand *c)
{
	return c->keys || !g_lore_entry_prepped(c->e) ? 0 : g_lore_scan_nowhere(r, &c->e->keys);
}

/* Whether key k of the candidate matches this step's text from text
 * `from` on (messages, then recursion); *where is the text it matched in.
 * A regex that gives up is noted (once) and no match. */
static int scan(struct g_lore_run *r, size_t i, struct g_lore_key *k, int recursion,
		size_t from, size_t *where)
{
	struct g_lore_cand *c = &r->c[i];
	size_t t, n = depth(r, c);
	struct g_lore_text *x;
	char buf[300];
	int rc;

	if (!c->scan_depth)
		return 0; /* depth 0 reads nothing, recursion included */
	if (k->ngrams && see_all(r) < 0)
		return -1;
	if (!g_lore_filter_may_hold(&r->seen, k))
		return 0; /* in none of the texts, those this key reads among them */
	for (t = from; t < n + (recursion ? r->nrec : 0); t++) {
		x = t < n ? &r->msgs[t] : &r->rec[t - n];
		rc = g_lore_match(&r->m, k, x->text, x->fold, x->len, &x->filter);
		if (rc > 0) {
			*where = t < n ? t : r->nmsgs + t - n;
			return 1;
		}
		if (rc == -2)
			return -1;
		if ((rc < 0 || k->broken) && !k->noted) {
			k->noted = 1;
			if (!k->broken)
				snprintf(buf, sizeof(buf),
					 "key '%.200s' gave up at the match limit, no match", k->text);
			if (g_lore_scan_note(r, c->book, c->entry, k->broken ? k->broken : buf) < 0)
				return -1;
		}
	}
	return 0;
}

int g_lore_scan_count(struct g_lore_run *r, size_t i, int which, int recursion)
{
	size_t k, where;
	int n = 0;

	if (ready(r, i) < 0)
		return -1;
	for (k = 0; k < r->c[i].keys->n[which]; k++)
		n += scan(r, i, &r->c[i].keys->v[which][k], recursion, 0, &where) > 0;
	return n;
}

/* The first key of the list that matches, as "key 'x' in message 3", into
 * *why; 1 found, 0 none, -1 memory. The texts grow from step to step only
 * at their end (recursion adds fired content), so what no primary key was
 * in is not read again: each step reads only what it added. */
int g_lore_scan_first(struct g_lore_run *r, size_t i, int which, int recursion, char **why)
{
	struct g_lore_cand *c = &r->c[i];
	size_t k, w, from = which == G_LORE_PRIMARY ? c->seen : 0;
	char buf[200];
	int rc;

	if (which == G_LORE_PRIMARY && (rc = nowhere(r, c)) != 0) {
		if (rc < 0)
			return -1;
		return all_seen(r, c, recursion), 0;
	}
	if (ready(r, i) < 0)
		return -1;
	for (k = 0; k < c->keys->n[which]; k++) {
		if ((rc = scan(r, i, &c->keys->v[which][k], recursion, from, &w)) < 0)
			return -1;
		if (!rc)
			continue;
		if (w < r->nmsgs)
			rc = g_lore_scan_why(why, "key '%s' in message %ld", c->keys->v[which][k].text,
						 r->msgs[w].message);
		else
			rc = g_lore_scan_why(why, "key '%s' in recursion from entry %s",
						 c->keys->v[which][k].text,
						 g_lore_scan_name(r, r->rec[w - r->nmsgs].from,
								      c->book, buf, sizeof(buf)));
		return rc < 0 ? -1 : 1;
	}
	if (which == G_LORE_PRIMARY)
		all_seen(r, c, recursion);
	return 0;
}
