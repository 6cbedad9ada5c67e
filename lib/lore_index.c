/* lore_index.c: a book read back from its binary form (lore_index.h):
 * the frame, the head's book, and the ways in (whole, lazily, the head
 * apart from its parts). lore_index_read.c reads its values and entries,
 * lore_index_lazy.c keeps a book read lazily. */
#include "lore_index_in.h"

#include <stdlib.h>
#include <string.h>

#include "crypt.h"

static const char magic[4] = { G_LORE_INDEX_MAGIC };

/* The book's fields after the mark and the count of list strings. */
static int get_book(struct in *c, struct g_lore_book *b)
{
	long recursive;
	char *name;
	size_t n, i;

	if (g_lore_ix_str(c, &name) < 0 ||
	    g_lore_ix_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &b->scan_depth) < 0 ||
	    g_lore_ix_num(c, -1, 100000000, &b->token_budget) < 0 ||
	    g_lore_ix_num(c, -1, G_LORE_STEPS_MAX, &b->max_steps) < 0 ||
	    g_lore_ix_num(c, 0, 1, &recursive) < 0 || g_lore_ix_count(c, G_LORE_ENTRIES_MAX, 1, &n) < 0)
		return -1;
	b->recursive = (int)recursive;
	if (!(b->name = strdup(name)))
		return g_err_oom(c->err);
	if (c->z ? !(c->z->unread = calloc(n + 1, sizeof(*c->z->unread))) ||
			   !(c->z->live = calloc(n + 1, sizeof(struct g_lore_entry *)))
		 : !(b->entries = calloc(n + 1, sizeof(*b->entries))))
		return g_err_oom(c->err);
	for (i = 0; i < n; i++) {
		b->n = i + 1;
		/* form 3: every entry whole, its keys after its strings */
		if (c->z ? g_lore_ix_lazy_entry(c, b, i) < 0
		    : c->form == 3 ? g_lore_ix_rest(c, &b->entries[i], 1) < 0
				   : g_lore_ix_entry(c, &b->entries[i]) < 0)
			return -1;
	}
	if (c->lists_left)
		return g_lore_ix_bad(c, "fewer list strings than it says");
	if (c->form == 5 && c->part != c->parts->n + 1)
		return g_lore_ix_bad(c, "fewer quiet entries than parts");
	return c->left ? g_lore_ix_bad(c, "bytes after the book") : 0;
}

/* A form 5 index's parts where they lie, after its head (g_lore_index_read,
 * g_lore_index_take_at): part i at at[i], to at[i + 1]. */
struct mem_parts {
	char *base;
	uint32_t *at;
};

static int mem_open(void *ctx, size_t i, char **p, size_t *len, struct g_err *err)
{
	const struct mem_parts *m = ctx;

	(void)err;
	*p = m->base + m->at[i];
	*len = m->at[i + 1] - m->at[i];
	return 0;
}

static void mem_release(void *ctx)
{
	struct mem_parts *m = ctx;

	free(m->at);
	free(m);
}

/* The frame of an index at p[0..len) (g_crypt_parts_frame): its head's
 * place, and its parts in *parts (mem_parts). 65 when it does not add
 * up. */
static int get_frame(struct in *c, char *p, size_t len, size_t *head, size_t *head_len,
		     struct g_lore_parts *parts)
{
	struct mem_parts *m;
	size_t n, i, end;
	int rc = g_crypt_parts_frame(p, len, &n, &end);

	/* neither a count of parts that fits nor (take_any) a mark */
	if (rc == -1 || (rc == 0 && n > G_LORE_ENTRIES_MAX))
		return g_lore_ix_bad(c, "not one (no GLI mark)");
	if (rc < 0)
		return g_lore_ix_bad(c, "truncated");
	*head = 4 + 4 * n;
	*head_len = end - *head;
	if (!(m = calloc(1, sizeof(*m))) || !(m->at = malloc((n + 2) * sizeof(*m->at)))) {
		free(m);
		return g_err_oom(c->err);
	}
	m->base = p;
	for (i = 1; i <= n; end += g_crypt_parts_len(p, i), i++)
		m->at[i] = (uint32_t)end;
	m->at[n + 1] = (uint32_t)end;
	*parts = (struct g_lore_parts){ mem_open, mem_release, m, n, len - m->at[1] };
	return 0;
}

/* The head (the mark on) at p[0..len) read into b, its parts those given
 * (form 5; NULL for 3 and 4, whose rests are in the head): lazily (a
 * render) or whole. parts is the book's once given, read or not. */
static int take(struct g_lore_book *b, void *arena, char *p, size_t len,
		const struct g_lore_parts *parts, int lazy, struct g_err *err)
{
	struct in c = { .err = err, .part = 1 };
	const unsigned char *u = (const unsigned char *)p;
	struct g_lore_parts none = { 0 };
	size_t strings;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	b->arena = arena; /* freed with the book, whatever happens below */
	if (len < sizeof(magic) || memcmp(p, magic, sizeof(magic) - 1) != 0)
		rc = g_lore_ix_bad(&c, "not one (no GLI mark)");
	c.form = rc ? 0 : p[sizeof(magic) - 1] - '0';
	if (rc == 0 && (parts ? c.form != 5 : c.form != 3 && c.form != 4))
		rc = 1; /* another version's: stale */
	strings = len < 8 ? 0 : (size_t)u[4] | (size_t)u[5] << 8 | (size_t)u[6] << 16 |
					(size_t)u[7] << 24;
	/* each list string takes 2 bytes at least, in the head or a part */
	if (rc == 0 && (len < 8 || strings > (len - 8 + (parts ? parts->bytes : 0)) / 2))
		rc = g_lore_ix_bad(&c, "truncated");
	c.parts = parts ? parts : &none;
	/* a render's read: entries made as they are read */
	if (rc == 0 && lazy && c.form != 3 && !(c.z = b->lazy = calloc(1, sizeof(*b->lazy))))
		rc = g_err_oom(err);
	if (c.z && parts)
		c.z->parts = *parts, c.parts = &c.z->parts;
	if (rc == 0 && !c.z &&
	    (!(b->lists = calloc(strings + 1, sizeof(*b->lists))) ||
	     !(b->preps = calloc(strings + 1, sizeof(*b->preps)))))
		rc = g_err_oom(err);
	if (rc == 0) {
		c.p = p + 8;
		c.left = len - 8;
		c.lists = b->lists;
		c.preps = b->preps;
		c.lists_left = strings;
		rc = get_book(&c, b);
	}
	if (parts && parts->release && !(c.z && c.z->parts.release))
		parts->release(parts->ctx); /* not the book's: done with */
	if (rc != 0)
		g_lore_book_release(b);
	return rc;
}

/* An index at p[0..len), framed (form 5) or not (forms 3 and 4, which
 * start with their mark). */
static int take_any(struct g_lore_book *b, void *arena, char *p, size_t len, int lazy,
		    struct g_err *err)
{
	struct in c = { .err = err };
	struct g_lore_parts parts = { 0 };
	size_t head = 0, head_len = 0;

	if (len >= 3 && memcmp(p, magic, 3) == 0)
		return take(b, arena, p, len, NULL, lazy, err);
	if (get_frame(&c, p, len, &head, &head_len, &parts) < 0) {
		memset(b, 0, sizeof(*b));
		free(arena);
		return -1;
	}
	return take(b, arena, p + head, head_len, &parts, lazy, err);
}

int g_lore_index_take_at(struct g_lore_book *b, void *arena, char *p, size_t len,
			 struct g_err *err)
{
	return take_any(b, arena, p, len, 1, err);
}

int g_lore_index_take_head(struct g_lore_book *b, void *arena, char *head, size_t len,
			   const struct g_lore_parts *parts, struct g_err *err)
{
	return take(b, arena, head, len, parts, 1, err);
}

int g_lore_index_read(struct g_lore_book *b, const unsigned char *p, size_t len,
		      struct g_err *err)
{
	char *copy = malloc(len + 1);

	if (!copy) {
		memset(b, 0, sizeof(*b));
		return g_err_oom(err);
	}
	memcpy(copy, p, len);
	return take_any(b, copy, copy, len, 0, err);
}
