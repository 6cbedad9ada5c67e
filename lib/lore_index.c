/* lore_index.c: a read book in its binary form and back (lore_index.h).
 * The reader is a parser of stored bytes: every length is checked against
 * what is left, every number against the range the JSON reader allows. */
#include "lore_index.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char magic[4] = { 'G', 'L', 'I', '1' };

/* --- writing ------------------------------------------------------------ */

static void put_u32(struct g_text *o, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };

	g_text_add(o, b, 4);
}

static void put_i64(struct g_text *o, int64_t v)
{
	uint64_t u = (uint64_t)v;

	put_u32(o, (uint32_t)u);
	put_u32(o, (uint32_t)(u >> 32));
}

static void put_str(struct g_text *o, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > UINT32_MAX) {
		o->failed = 1;
		return;
	}
	put_u32(o, (uint32_t)n);
	g_text_add(o, s, n);
}

static void put_list(struct g_text *o, const struct g_lore_list *l)
{
	size_t i;

	put_u32(o, (uint32_t)l->n);
	for (i = 0; i < l->n; i++)
		put_str(o, l->v[i]);
}

static void put_entry(struct g_text *o, const struct g_lore_entry *e)
{
	const int64_t nums[] = {
		e->enabled, e->constant, e->selective, e->use_regex, e->logic, e->order,
		e->priority, e->case_sensitive, e->whole_words, e->scan_depth, e->position,
		e->depth, e->role, e->use_probability, e->group_override, e->group_weight,
		e->group_scoring, e->prevent_recursion, e->exclude_recursion,
		e->delay_until_recursion, e->sticky, e->cooldown, e->delay, e->decor,
		e->only_after, e->only_every
	};
	uint64_t bits;
	size_t i;

	if (json_is_integer(e->id)) {
		g_text_add(o, "\0", 1);
		put_i64(o, json_integer_value(e->id));
	} else {
		g_text_add(o, "\1", 1);
		put_str(o, json_string_value(e->id));
	}
	put_str(o, e->comment);
	put_str(o, e->content);
	put_str(o, e->group);
	put_str(o, e->outlet);
	put_list(o, &e->keys);
	put_list(o, &e->secondary);
	put_list(o, &e->additional);
	put_list(o, &e->exclude);
	put_list(o, &e->notes);
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		put_i64(o, nums[i]);
	memcpy(&bits, &e->probability, sizeof(bits));
	put_i64(o, (int64_t)bits);
}

int g_lore_index_write(const struct g_lore_book *b, unsigned char **out, size_t *len)
{
	struct g_text o = { NULL, 0, 0, 0 };
	size_t i;

	*out = NULL;
	*len = 0;
	for (i = 0; i < b->n; i++)
		if (!json_is_integer(b->entries[i].id) && !json_is_string(b->entries[i].id))
			return 1;
	g_text_add(&o, magic, sizeof(magic));
	put_str(&o, b->name);
	put_i64(&o, b->scan_depth);
	put_i64(&o, b->token_budget);
	put_i64(&o, b->max_steps);
	put_i64(&o, b->recursive);
	put_u32(&o, (uint32_t)b->n);
	for (i = 0; i < b->n; i++)
		put_entry(&o, &b->entries[i]);
	*out = (unsigned char *)g_text_take(&o, len);
	return *out ? 0 : -1;
}

/* --- reading ------------------------------------------------------------ */

struct in {
	const unsigned char *p;
	size_t left;
	struct g_err *err;
};

static int bad(struct in *c, const char *what)
{
	g_err_set(c->err, G_EX_DATAERR, "lore index: %s", what);
	return -1;
}

static int get_u32(struct in *c, uint32_t *v)
{
	if (c->left < 4)
		return bad(c, "truncated");
	*v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 |
	     (uint32_t)c->p[3] << 24;
	c->p += 4;
	c->left -= 4;
	return 0;
}

static int get_i64(struct in *c, int64_t *v)
{
	uint32_t lo, hi;

	if (get_u32(c, &lo) < 0 || get_u32(c, &hi) < 0)
		return -1;
	*v = (int64_t)((uint64_t)hi << 32 | lo);
	return 0;
}

/* A number in [min, max] into *v. */
static int get_num(struct in *c, int64_t min, int64_t max, long *v)
{
	int64_t n;

	if (get_i64(c, &n) < 0)
		return -1;
	if (n < min || n > max)
		return bad(c, "a number out of range");
	*v = (long)n;
	return 0;
}

static int get_str(struct in *c, char **s)
{
	uint32_t n;

	if (get_u32(c, &n) < 0)
		return -1;
	if (n > c->left)
		return bad(c, "truncated");
	if (memchr(c->p, '\0', n))
		return bad(c, "a string holds a NUL");
	if (!(*s = malloc((size_t)n + 1)))
		return g_err_oom(c->err);
	memcpy(*s, c->p, n);
	(*s)[n] = '\0';
	c->p += n;
	c->left -= n;
	return 0;
}

static int get_list(struct in *c, struct g_lore_list *l)
{
	uint32_t n, i;

	if (get_u32(c, &n) < 0)
		return -1;
	/* each string takes 4 bytes at least: a count past that is a lie */
	if (n > c->left / 4)
		return bad(c, "truncated");
	if (n && !(l->v = calloc(n, sizeof(*l->v))))
		return g_err_oom(c->err);
	for (i = 0; i < n; i++, l->n++)
		if (get_str(c, &l->v[i]) < 0)
			return -1;
	return 0;
}

static int get_id(struct in *c, struct g_lore_entry *e)
{
	int64_t n;
	char *s;

	if (!c->left)
		return bad(c, "truncated");
	c->left--;
	if (*c->p++ == 0) {
		if (get_i64(c, &n) < 0)
			return -1;
		e->id = json_integer((json_int_t)n);
	} else if (c->p[-1] == 1) {
		if (get_str(c, &s) < 0)
			return -1;
		e->id = json_string(s);
		free(s);
		if (!e->id)
			return bad(c, "an id is not UTF-8");
	} else {
		return bad(c, "an id of no known kind");
	}
	return e->id ? 0 : g_err_oom(c->err);
}

/* Flags are 0 or 1; tristates -1 too. */
static int get_entry_nums(struct in *c, struct g_lore_entry *e)
{
	long en, co, se, re, lo, cs, ww, po, ro, up, go, gs, pr, er, de;
	int64_t bits;

	if (get_num(c, 0, 1, &en) < 0 || get_num(c, 0, 1, &co) < 0 ||
	    get_num(c, 0, 1, &se) < 0 || get_num(c, 0, 1, &re) < 0 ||
	    get_num(c, 0, 3, &lo) < 0 || get_num(c, -1000000, 1000000, &e->order) < 0 ||
	    get_num(c, -1000000, 1000000, &e->priority) < 0 || get_num(c, -1, 1, &cs) < 0 ||
	    get_num(c, -1, 1, &ww) < 0 || get_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &e->scan_depth) < 0 ||
	    get_num(c, 0, 7, &po) < 0 || get_num(c, 0, 10000, &e->depth) < 0 ||
	    get_num(c, 0, 2, &ro) < 0 || get_num(c, 0, 1, &up) < 0 || get_num(c, 0, 1, &go) < 0 ||
	    get_num(c, 0, 1000000, &e->group_weight) < 0 || get_num(c, -1, 1, &gs) < 0 ||
	    get_num(c, 0, 1, &pr) < 0 || get_num(c, 0, 1, &er) < 0 ||
	    get_num(c, 0, G_LORE_STEPS_MAX, &e->delay_until_recursion) < 0 ||
	    get_num(c, 0, 1000000, &e->sticky) < 0 || get_num(c, 0, 1000000, &e->cooldown) < 0 ||
	    get_num(c, 0, 1000000, &e->delay) < 0 || get_num(c, 0, 15, &de) < 0 ||
	    get_num(c, 0, 1000000, &e->only_after) < 0 ||
	    get_num(c, 0, 1000000, &e->only_every) < 0 || get_i64(c, &bits) < 0)
		return -1;
	e->enabled = (int)en, e->constant = (int)co, e->selective = (int)se;
	e->use_regex = (int)re, e->logic = (enum g_lore_logic)lo;
	e->case_sensitive = (int)cs, e->whole_words = (int)ww, e->position = (int)po;
	e->role = (enum g_lore_role)ro, e->use_probability = (int)up, e->group_override = (int)go;
	e->group_scoring = (int)gs, e->prevent_recursion = (int)pr, e->exclude_recursion = (int)er;
	e->decor = (unsigned)de;
	memcpy(&e->probability, &bits, sizeof(bits));
	if (!(e->probability >= 0 && e->probability <= 100))
		return bad(c, "a probability out of range");
	return 0;
}

static int get_entry(struct in *c, struct g_lore_entry *e)
{
	if (get_id(c, e) < 0 || get_str(c, &e->comment) < 0 || get_str(c, &e->content) < 0 ||
	    get_str(c, &e->group) < 0 || get_str(c, &e->outlet) < 0 ||
	    get_list(c, &e->keys) < 0 || get_list(c, &e->secondary) < 0 ||
	    get_list(c, &e->additional) < 0 || get_list(c, &e->exclude) < 0 ||
	    get_list(c, &e->notes) < 0)
		return -1;
	return get_entry_nums(c, e);
}

int g_lore_index_read(struct g_lore_book *b, const unsigned char *p, size_t len,
		      struct g_err *err)
{
	struct in c = { p, len, err };
	long recursive;
	uint32_t n, i;

	memset(b, 0, sizeof(*b));
	if (len < sizeof(magic) || memcmp(p, magic, sizeof(magic)) != 0)
		return bad(&c, "not one (no GLI1 mark)");
	c.p += sizeof(magic);
	c.left -= sizeof(magic);
	if (get_str(&c, &b->name) < 0 ||
	    get_num(&c, -1, G_LORE_SCAN_DEPTH_MAX, &b->scan_depth) < 0 ||
	    get_num(&c, -1, 100000000, &b->token_budget) < 0 ||
	    get_num(&c, -1, G_LORE_STEPS_MAX, &b->max_steps) < 0 ||
	    get_num(&c, 0, 1, &recursive) < 0 || get_u32(&c, &n) < 0)
		goto fail;
	b->recursive = (int)recursive;
	if (n > G_LORE_ENTRIES_MAX) {
		bad(&c, "too many entries");
		goto fail;
	}
	if (!(b->entries = calloc((size_t)n + 1, sizeof(*b->entries)))) {
		g_err_oom(err);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		b->n = i + 1;
		if (get_entry(&c, &b->entries[i]) < 0)
			goto fail;
	}
	if (c.left) {
		bad(&c, "bytes after the book");
		goto fail;
	}
	return 0;
fail:
	g_lore_book_release(b);
	return -1;
}
