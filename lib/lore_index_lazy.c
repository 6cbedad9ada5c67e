/* lore_index_lazy.c: a book a render reads from its index lazily
 * (g_lore_index_take_at): entries made only when read, a quiet one when
 * activation wakes it, until then its scan depth and its keys' runs; and
 * the book's entries as activation asks for them. */
#include "lore_index_in.h"

#include <stdlib.h>
#include <string.h>

/* size bytes, zeroed, in z's chunks: NULL if memory fails. */
void *g_lore_ix_alloc(struct g_lore_lazy *z, size_t size)
{
	enum { CHUNK = 16384 };
	struct chunk *k = z->chunks;
	char *p;

	size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!k || k->cap - k->used < size) {
		size_t cap = size > CHUNK - sizeof(*k) ? size : CHUNK - sizeof(*k);

		if (!(k = malloc(sizeof(*k) + cap)))
			return NULL;
		*k = (struct chunk){ z->chunks, 0, cap };
		z->chunks = k;
	}
	p = (char *)k->data + k->used;
	k->used += size;
	return memset(p, 0, size);
}

/* Room for n more words of z->runs: -1 if memory fails. */
static int runs_room(struct g_lore_lazy *z, size_t n)
{
	uint32_t *v;
	size_t cap = z->cap ? z->cap : 1024;

	while (cap - z->nruns < n)
		cap *= 2;
	if (cap == z->cap)
		return 0;
	if (!(v = realloc(z->runs, cap * sizeof(*v))))
		return -1;
	z->runs = v, z->cap = cap;
	return 0;
}

/* A quiet entry's keys, checked as get_list checks them but kept only as
 * what g_lore_index_runs gives: the runs of each key that can match, or
 * u->maybe when one may be in any text (g_lore_scan_nowhere's rule). */
static int get_sleeper_keys(struct in *c, struct g_lore_unread *u)
{
	struct g_lore_lazy *z = c->z;
	struct g_lore_prep p;
	size_t n, i, at;
	char *raw;

	if (g_lore_ix_count(c, c->lists_left, 2, &n) < 0)
		return -1;
	c->lists_left -= n;
	if (n >= (UINT32_MAX - z->nruns) / 9)
		return g_lore_ix_bad(c, "too many keys");
	if (runs_room(z, 1 + 9 * n) < 0)
		return g_err_oom(c->err);
	u->runs = (uint32_t)(at = z->nruns++);
	z->runs[at] = 0;
	for (i = 0; i < n; i++) {
		memset(&p, 0, sizeof(p));
		if (g_lore_ix_str(c, &raw) < 0 || g_lore_ix_prep(c, &p, raw) < 0)
			return -1;
		if (!p.ready || (!p.never && !p.ngrams))
			u->maybe = 1;
		if (!p.ready || p.never || !p.ngrams)
			continue;
		z->runs[at]++;
		z->runs[z->nruns++] = p.ngrams;
		memcpy(z->runs + z->nruns, p.grams, p.ngrams * sizeof(*z->runs));
		z->nruns += p.ngrams;
	}
	return 0;
}

/* Entry i of a book read lazily: a quiet one left unread (its scan depth
 * and keys' runs kept), any other read now. */
int g_lore_ix_lazy_entry(struct in *c, struct g_lore_book *b, size_t i)
{
	struct g_lore_lazy *z = b->lazy;
	struct g_lore_unread *u = &z->unread[i];
	struct g_lore_entry *e;
	size_t left = c->left, nlists, len;
	unsigned kind;
	long depth;

	u->start = c->p;
	if (c->left && *c->p == 1) {
		if (g_lore_ix_byte(c, &kind) < 0 || g_lore_ix_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &depth) < 0 ||
		    get_sleeper_keys(c, u) < 0 || g_lore_ix_rest_size(c, &nlists, &len) < 0)
			return -1;
		if (c->form == 5) {
			if (c->part > c->parts->n)
				return g_lore_ix_bad(c, "more quiet entries than parts");
			u->part = (uint32_t)c->part++; /* opened when it wakes */
		} else {
			u->at = c->p;
			c->p += len;
			c->left -= len;
		}
		u->len = (uint32_t)len;
		c->lists_left -= nlists;
		u->quiet = 1;
	} else {
		if (!(e = z->live[i] = g_lore_ix_alloc(z, sizeof(*e))))
			return g_err_oom(c->err);
		if (g_lore_ix_entry(c, e) < 0)
			return -1;
		depth = e->scan_depth;
	}
	if (left - c->left > UINT32_MAX)
		return g_lore_ix_bad(c, "an entry too long");
	u->size = (uint32_t)(left - c->left);
	u->scan_depth = (int32_t)depth;
	return 0;
}

void g_lore_index_release(struct g_lore_book *b)
{
	struct g_lore_lazy *z = b->lazy;
	struct chunk *k;
	size_t i;

	if (!z)
		return;
	for (i = 0; z->live && i < b->n; i++)
		if (z->live[i])
			json_decref(z->live[i]->id);
	while ((k = z->chunks)) {
		z->chunks = k->next;
		free(k);
	}
	if (z->parts.release)
		z->parts.release(z->parts.ctx);
	free(z->unread);
	free(z->live);
	free(z->runs);
	free(z);
	b->lazy = NULL;
}

int g_lore_book_quiet(const struct g_lore_book *b, size_t i)
{
	return b->lazy ? b->lazy->unread[i].quiet : g_lore_ix_quiet(&b->entries[i]);
}

long g_lore_book_scan_depth(const struct g_lore_book *b, size_t i)
{
	return b->lazy ? b->lazy->unread[i].scan_depth : b->entries[i].scan_depth;
}

const struct g_lore_entry *g_lore_book_at(const struct g_lore_book *b, size_t i)
{
	return b->lazy ? b->lazy->live[i] : &b->entries[i];
}

const uint32_t *g_lore_index_runs(const struct g_lore_book *b, size_t i, int *maybe)
{
	const struct g_lore_lazy *z = b->lazy;
	const struct g_lore_unread *u = z ? &z->unread[i] : NULL;

	if (!u || !u->quiet || z->live[i])
		return NULL;
	*maybe = u->maybe;
	return z->runs + u->runs;
}

/* Where unread quiet entry i's rest is (its part opened, form 5): -1 with
 * err (65) when it does not open. */
static int rest_of(const struct g_lore_book *b, size_t i, struct g_err *err)
{
	struct g_lore_unread *u = &b->lazy->unread[i];
	struct in c = { .err = err };

	if (u->at)
		return 0;
	if (g_lore_ix_open_part(&c, &b->lazy->parts, u->part, u->len, &u->at) == 0)
		return 0;
	u->at = NULL;
	return g_err_prefix(err, "book '%s' entries[%zu]", b->name, i), -1;
}

int g_lore_book_entry_is(const struct g_lore_book *b, size_t i, const json_t *id,
			 struct g_err *err)
{
	const struct g_lore_unread *u;
	struct in c = { .err = err };
	int64_t n;
	char *s;
	int kind;

	if (!b->lazy || b->lazy->live[i])
		return json_equal(g_lore_book_at(b, i)->id, id);
	/* the id leads the rest: read it alone */
	if (rest_of(b, i, err) < 0)
		return -1;
	u = &b->lazy->unread[i];
	c.p = u->at;
	c.left = u->len;
	if ((kind = g_lore_ix_raw_id(&c, &n, &s)) < 0) {
		g_err_prefix(err, "book '%s' entries[%zu]", b->name, i);
		return -1;
	}
	if (kind == 0)
		return json_is_integer(id) && json_integer_value(id) == n;
	return json_is_string(id) && strcmp(json_string_value(id), s) == 0;
}

const struct g_lore_entry *g_lore_book_entry(const struct g_lore_book *b, size_t i,
					     struct g_err *err)
{
	struct g_lore_lazy *z = b->lazy;
	const struct g_lore_unread *u;
	struct g_lore_entry *e;
	struct in c = { .err = err, .z = z, .lists_left = SIZE_MAX };

	if (!z || z->live[i])
		return g_lore_book_at(b, i);
	u = &z->unread[i];
	if (!u->at && rest_of(b, i, err) < 0)
		return NULL;
	if (!(e = g_lore_ix_alloc(z, sizeof(*e)))) {
		g_err_oom(err);
		return NULL;
	}
	c.p = u->start;
	c.left = u->size;
	c.form = u->part ? 5 : 4;
	c.parts = &z->parts;
	c.part = u->part;
	if (g_lore_ix_entry(&c, e) < 0) {
		/* as it was: unread */
		json_decref(e->id);
		g_err_prefix(err, "book '%s' entries[%zu]", b->name, i);
		return NULL;
	}
	return z->live[i] = e;
}
