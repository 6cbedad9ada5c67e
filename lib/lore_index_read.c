/* lore_index_read.c: the values, keys and entries of a book's binary form
 * (lore_index.h; lore_index_write.c writes them). A parser of stored
 * bytes: every length is checked against what is left, every number
 * against the range the JSON reader allows, and every varint must be in
 * its shortest form (one spelling per book). */
#include "lore_index_in.h"

#include <stdlib.h>
#include <string.h>

int g_lore_ix_bad(struct in *c, const char *what)
{
	g_err_set(c->err, G_EX_DATAERR, "lore index: %s", what);
	return -1;
}

/* A varint past its first byte (get_varint has the one-byte case). */
static int get_varint_long(struct in *c, uint64_t *v)
{
	unsigned shift = 0;
	unsigned char b;

	*v = 0;
	do {
		if (!c->left)
			return g_lore_ix_bad(c, "truncated");
		b = (unsigned char)*c->p++;
		c->left--;
		if (shift == 63 && b > 1)
			return g_lore_ix_bad(c, "a number too large");
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && shift < 64);
	if (b & 0x80)
		return g_lore_ix_bad(c, "a number too large");
	if (b == 0 && shift > 7)
		return g_lore_ix_bad(c, "a number not in its shortest form");
	return 0;
}

/* Most numbers of a book take one byte: read those here, inline. */
static inline int get_varint(struct in *c, uint64_t *v)
{
	if (c->left && !((unsigned char)*c->p & 0x80)) {
		*v = (unsigned char)*c->p++;
		c->left--;
		return 0;
	}
	return get_varint_long(c, v);
}

/* A count of at most max, each of which takes `each` bytes at least: a
 * count past what is left is a lie (each 0: of things kept elsewhere). */
int g_lore_ix_count(struct in *c, uint64_t max, size_t each, size_t *n)
{
	uint64_t v;

	if (get_varint(c, &v) < 0)
		return -1;
	if (v > max || (each && v > c->left / each))
		return g_lore_ix_bad(c, v > max ? "a count out of range" : "truncated");
	*n = (size_t)v;
	return 0;
}

static int get_signed(struct in *c, int64_t *v)
{
	uint64_t u;

	if (get_varint(c, &u) < 0)
		return -1;
	*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

/* A number in [min, max] into *v. */
int g_lore_ix_num(struct in *c, int64_t min, int64_t max, long *v)
{
	int64_t n;

	if (get_signed(c, &n) < 0)
		return -1;
	if (n < min || n > max)
		return g_lore_ix_bad(c, "a number out of range");
	*v = (long)n;
	return 0;
}

/* A string, left where it is: its NUL is the one written after it. */
int g_lore_ix_str(struct in *c, char **s)
{
	size_t n;

	if (g_lore_ix_count(c, SIZE_MAX, 1, &n) < 0)
		return -1;
	if (n >= c->left)
		return g_lore_ix_bad(c, "truncated");
	if (c->p[n] != '\0' || memchr(c->p, '\0', n))
		return g_lore_ix_bad(c, "a string holds a NUL, or does not end with one");
	*s = c->p;
	c->p += n + 1;
	c->left -= n + 1;
	return 0;
}

int g_lore_ix_byte(struct in *c, unsigned *b)
{
	if (!c->left)
		return g_lore_ix_bad(c, "truncated");
	*b = (unsigned char)*c->p++;
	c->left--;
	return 0;
}

/* The prep of key raw (put_prep's form), its texts left in the arena. */
int g_lore_ix_prep(struct in *c, struct g_lore_prep *p, char *raw)
{
	const unsigned char *g;
	unsigned kind, flags, n, i;
	uint64_t start, len, pflags;
	char *text, *fold, *lit;
	size_t tlen;

	if (g_lore_ix_byte(c, &kind) < 0)
		return -1;
	if (kind == 0)
		return 0;
	if (kind != 1 || g_lore_ix_byte(c, &flags) < 0 || flags > 31)
		return g_lore_ix_bad(c, kind != 1 ? "a key's prep of no known kind" : "a key's prep flags");
	p->ready = 1;
	p->caseless = flags & 1, p->words = (flags >> 1) & 1, p->never = (flags >> 2) & 1;
	p->regex = (flags >> 3) & 1;
	if (flags & 16)
		text = raw; /* the key as written */
	else if (g_lore_ix_str(c, &text) < 0)
		return -1;
	else if (strcmp(text, raw) == 0)
		return g_lore_ix_bad(c, "a key's text spelt out, the same as the key");
	p->text = text;
	if ((tlen = strlen(text)) > UINT32_MAX)
		return g_lore_ix_bad(c, "a key's text too long");
	p->len = (uint32_t)tlen;
	if (p->caseless && !p->regex) {
		if (g_lore_ix_str(c, &fold) < 0)
			return -1;
		if (strlen(fold) != p->len)
			return g_lore_ix_bad(c, "a key's folded text is not its length");
		p->fold = fold;
	}
	if (p->regex) {
		if (get_varint(c, &start) < 0 || get_varint(c, &len) < 0 ||
		    get_varint(c, &pflags) < 0 || g_lore_ix_str(c, &lit) < 0)
			return -1;
		if (start > p->len || len > p->len - start || pflags > 7)
			return g_lore_ix_bad(c, "a key's pattern is not within it");
		p->pstart = (uint32_t)start, p->plen = (uint32_t)len, p->lit = lit;
		if ((tlen = strlen(lit)) > UINT32_MAX)
			return g_lore_ix_bad(c, "a key's required text too long");
		p->lit_len = (uint32_t)tlen;
		p->pflags = g_lore_prep_flags_in((unsigned)pflags);
	}
	if (g_lore_ix_byte(c, &n) < 0)
		return -1;
	if (n > 8 || c->left < 4 * (size_t)n)
		return g_lore_ix_bad(c, n > 8 ? "a key's runs are more than 8" : "truncated");
	for (i = 0; i < n; i++, c->p += 4) {
		g = (const unsigned char *)c->p;
		p->grams[i] = (uint32_t)g[0] | (uint32_t)g[1] << 8 | (uint32_t)g[2] << 16 |
			      (uint32_t)g[3] << 24;
	}
	c->left -= 4 * (size_t)n;
	p->ngrams = (unsigned char)n;
	return 0;
}

/* Slots for a list of n strings (and their preps, for keys): -1 if
 * memory fails. */
static int slots(struct in *c, size_t n, int keys, char ***v, struct g_lore_prep **prep)
{
	if (!c->z) {
		*v = c->lists, *prep = c->preps;
		c->lists += n, c->preps += n;
		return 0;
	}
	*v = NULL, *prep = NULL;
	if (n && (!(*v = g_lore_ix_alloc(c->z, n * sizeof(**v))) ||
		  (keys && !(*prep = g_lore_ix_alloc(c->z, n * sizeof(**prep))))))
		return g_err_oom(c->err);
	return 0;
}

/* A list; a key list (keys 1) has a prep after each string. */
static int get_list(struct in *c, struct g_lore_list *l, int keys)
{
	struct g_lore_prep *prep;
	char **v;
	size_t n, i;

	/* each string takes 2 bytes at least */
	if (g_lore_ix_count(c, c->lists_left, 2, &n) < 0 || slots(c, n, keys, &v, &prep) < 0)
		return -1;
	l->v = n ? v : NULL;
	l->prep = n && keys ? prep : NULL;
	c->lists_left -= n;
	for (i = 0; i < n; i++, l->n++)
		if (g_lore_ix_str(c, &l->v[i]) < 0 || (keys && g_lore_ix_prep(c, &prep[i], l->v[i]) < 0))
			return -1;
	return 0;
}

/* An id as written: 0 with the number in *n, 1 with the string in *s. */
int g_lore_ix_raw_id(struct in *c, int64_t *n, char **s)
{
	if (!c->left)
		return g_lore_ix_bad(c, "truncated");
	c->left--;
	if (*c->p++ == 0)
		return get_signed(c, n) < 0 ? -1 : 0;
	if (c->p[-1] == 1)
		return g_lore_ix_str(c, s) < 0 ? -1 : 1;
	return g_lore_ix_bad(c, "an id of no known kind");
}

static int get_id(struct in *c, struct g_lore_entry *e)
{
	int64_t n;
	char *s;
	int kind = g_lore_ix_raw_id(c, &n, &s);

	if (kind < 0)
		return -1;
	if (kind == 0)
		e->id = json_integer((json_int_t)n);
	else if (!(e->id = json_string(s)))
		return g_lore_ix_bad(c, "an id is not UTF-8");
	return e->id ? 0 : g_err_oom(c->err);
}

/* An entry's numbers in the order written, each in the range the JSON
 * reader allows: flags 0 or 1, tristates -1 too. */
enum {
	N_ENABLED, N_CONSTANT, N_SELECTIVE, N_USE_REGEX, N_LOGIC, N_ORDER, N_PRIORITY,
	N_CASE, N_WORDS, N_POSITION, N_DEPTH, N_ROLE, N_USE_PROB,
	N_GROUP_OVERRIDE, N_GROUP_WEIGHT, N_GROUP_SCORING, N_PREVENT_REC, N_EXCLUDE_REC,
	N_DELAY_REC, N_STICKY, N_COOLDOWN, N_DELAY, N_DECOR, N_ONLY_AFTER, N_ONLY_EVERY,
	N_NUMS
};

static const struct {
	int64_t min, max;
} ranges[N_NUMS] = {
	{ 0, 1 }, { 0, 1 }, { 0, 1 }, { 0, 1 }, { 0, 3 }, { -1000000, 1000000 },
	{ -1000000, 1000000 }, { -1, 1 }, { -1, 1 }, { 0, 7 },
	{ 0, 10000 }, { 0, 2 }, { 0, 1 }, { 0, 1 }, { 0, 1000000 }, { -1, 1 }, { 0, 1 },
	{ 0, 1 }, { 0, G_LORE_STEPS_MAX }, { 0, 1000000 }, { 0, 1000000 }, { 0, 1000000 },
	{ 0, 15 }, { 0, 1000000 }, { 0, 1000000 },
};

static int get_entry_nums(struct in *c, struct g_lore_entry *e)
{
	int64_t v[N_NUMS];
	uint64_t u, bits = 0;
	size_t i;

	for (i = 0; i < N_NUMS; i++) {
		/* form 3 has the scan depth among the numbers, before position */
		if (i == N_POSITION && c->form == 3 &&
		    g_lore_ix_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &e->scan_depth) < 0)
			return -1;
		if (get_varint(c, &u) < 0)
			return -1;
		v[i] = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
		if (v[i] < ranges[i].min || v[i] > ranges[i].max)
			return g_lore_ix_bad(c, "a number out of range");
	}
	if (c->left < 8)
		return g_lore_ix_bad(c, "truncated");
	for (i = 0; i < 8; i++)
		bits |= (uint64_t)(unsigned char)c->p[i] << (8 * i);
	c->p += 8;
	c->left -= 8;
	e->enabled = (int)v[N_ENABLED], e->constant = (int)v[N_CONSTANT];
	e->selective = (int)v[N_SELECTIVE], e->use_regex = (int)v[N_USE_REGEX];
	e->logic = (enum g_lore_logic)v[N_LOGIC], e->order = (long)v[N_ORDER];
	e->priority = (long)v[N_PRIORITY], e->case_sensitive = (int)v[N_CASE];
	e->whole_words = (int)v[N_WORDS];
	e->position = (int)v[N_POSITION], e->depth = (long)v[N_DEPTH];
	e->role = (enum g_lore_role)v[N_ROLE], e->use_probability = (int)v[N_USE_PROB];
	e->group_override = (int)v[N_GROUP_OVERRIDE], e->group_weight = (long)v[N_GROUP_WEIGHT];
	e->group_scoring = (int)v[N_GROUP_SCORING], e->prevent_recursion = (int)v[N_PREVENT_REC];
	e->exclude_recursion = (int)v[N_EXCLUDE_REC];
	e->delay_until_recursion = (long)v[N_DELAY_REC], e->sticky = (long)v[N_STICKY];
	e->cooldown = (long)v[N_COOLDOWN], e->delay = (long)v[N_DELAY];
	e->decor = (unsigned)v[N_DECOR], e->only_after = (long)v[N_ONLY_AFTER];
	e->only_every = (long)v[N_ONLY_EVERY];
	memcpy(&e->probability, &bits, sizeof(bits));
	if (!(e->probability >= 0 && e->probability <= 100))
		return g_lore_ix_bad(c, "a probability out of range");
	return 0;
}

/* Whether e is quiet in an index (lore_index_write.c's put_entry): as
 * g_lore_entry_quiet says, and with its other keys prepped. */
int g_lore_ix_quiet(const struct g_lore_entry *e)
{
	return g_lore_entry_quiet(e) && g_lore_entry_prepped(e);
}

/* What follows an entry's keys: the rest of it. An entry of form 3 is all
 * rest (keys 1): its keys come after outlet, and its scan depth among the
 * numbers (get_entry_nums). */
int g_lore_ix_rest(struct in *c, struct g_lore_entry *e, int keys)
{
	if (get_id(c, e) < 0 || g_lore_ix_str(c, &e->comment) < 0 || g_lore_ix_str(c, &e->content) < 0 ||
	    g_lore_ix_str(c, &e->group) < 0 || g_lore_ix_str(c, &e->outlet) < 0 ||
	    (keys && get_list(c, &e->keys, 1) < 0) || get_list(c, &e->secondary, 1) < 0 ||
	    get_list(c, &e->additional, 1) < 0 || get_list(c, &e->exclude, 1) < 0 ||
	    get_list(c, &e->notes, 0) < 0)
		return -1;
	return get_entry_nums(c, e);
}

/* A quiet entry's rest, of len bytes and nlists list strings at rest
 * (c's place in form 4, which it then moves past): read all of it and
 * nothing more, and the entry quiet. */
static int get_quiet_rest(struct in *c, struct g_lore_entry *e, char *rest, size_t len,
			  size_t nlists)
{
	struct in part = *c;
	int here = c->form < 5;

	part.p = rest;
	part.left = len;
	part.lists_left = nlists;
	if (g_lore_ix_rest(&part, e, 0) < 0)
		return -1;
	if (part.left || part.lists_left)
		return g_lore_ix_bad(c, "a quiet entry's rest is not its length");
	if (!g_lore_ix_quiet(e))
		return g_lore_ix_bad(c, "an entry said to be quiet is not");
	if (here)
		c->p += len, c->left -= len;
	c->lists = part.lists, c->preps = part.preps;
	c->lists_left -= nlists;
	return 0;
}

/* A quiet entry's counts of list strings and of bytes in its rest, which
 * follows them (form 4: they are bounded by what is left) or is a part. */
int g_lore_ix_rest_size(struct in *c, size_t *nlists, size_t *len)
{
	size_t here = c->form < 5;

	return g_lore_ix_count(c, c->lists_left, here, nlists) < 0 ||
			       g_lore_ix_count(c, UINT32_MAX, here, len) < 0
		       ? -1
		       : 0;
}

/* Part i of a form 5 index, of the length its entry says. */
int g_lore_ix_open_part(struct in *c, const struct g_lore_parts *parts, size_t i, size_t len,
		     char **rest)
{
	size_t n;

	if (i < 1 || i > parts->n)
		return g_lore_ix_bad(c, "more quiet entries than parts");
	if (parts->open(parts->ctx, i, rest, &n, c->err) < 0)
		return -1;
	return n == len ? 0 : g_lore_ix_bad(c, "a part is not its entry's rest's length");
}

/* An entry, whole: its kind (quiet or not), scan depth and keys, then the
 * rest (a quiet one's, form 5: part c->part). */
int g_lore_ix_entry(struct in *c, struct g_lore_entry *e)
{
	unsigned kind;
	size_t nlists, len;
	char *rest;

	if (g_lore_ix_byte(c, &kind) < 0 ||
	    g_lore_ix_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &e->scan_depth) < 0 ||
	    get_list(c, &e->keys, 1) < 0)
		return -1;
	if (kind > 1)
		return g_lore_ix_bad(c, "an entry of no known kind");
	if (!kind) {
		if (g_lore_ix_rest(c, e, 0) < 0)
			return -1;
		return g_lore_ix_quiet(e) ? g_lore_ix_bad(c, "a quiet entry not said to be") : 0;
	}
	if (g_lore_ix_rest_size(c, &nlists, &len) < 0)
		return -1;
	rest = c->p;
	if (c->form == 5 && g_lore_ix_open_part(c, c->parts, c->part++, len, &rest) < 0)
		return -1;
	return get_quiet_rest(c, e, rest, len, nlists);
}
