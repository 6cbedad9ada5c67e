/* lore_index.c: a book read back from its binary form (lore_index.h;
 * lore_index_write.c writes it). The reader is a parser of stored bytes:
 * every length is checked against what is left, every number against the
 * range the JSON reader allows, and every varint must be in its shortest
 * form (one spelling per book). */
#include "lore_index.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lore_match.h"

static const char magic[4] = { G_LORE_INDEX_MAGIC };

/* What a book read lazily keeps of each entry: where it is and, for a
 * quiet one not read yet, what activation asks of it before it wakes:
 * its scan depth and its keys' runs. */
struct g_lore_unread {
	char *start;         /* the entry, from its kind byte */
	char *at;            /* a quiet entry's rest, its id first */
	uint32_t size, len;  /* the entry's bytes, and its rest's */
	uint32_t runs;       /* its keys' runs: where they start in lazy->runs */
	int32_t scan_depth;
	unsigned char quiet;
	unsigned char maybe; /* a key of it may be in any text: never asleep */
};

/* A block that entries, and the list strings' slots and preps, are made
 * in as they are read (a render reads a few dozen of hundreds). */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct g_lore_lazy {
	struct g_lore_unread *unread;
	struct g_lore_entry **live; /* entry i once read, else NULL */
	/* for each quiet entry, the count of its keys that can match, then
	 * for each of those its count of runs and the runs */
	uint32_t *runs;
	size_t nruns, cap;
	struct chunk *chunks;
};

struct in {
	char *p;        /* in the book's arena */
	size_t left;
	/* the book's list strings and their preps beside them, handed out in
	 * order; or, z set, made in z's chunks for the entry being read */
	char **lists;
	struct g_lore_prep *preps;
	struct g_lore_lazy *z;
	size_t lists_left;
	int form3;      /* the form before 4: every entry whole, in its order */
	struct g_err *err;
};

static int bad(struct in *c, const char *what)
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
			return bad(c, "truncated");
		b = (unsigned char)*c->p++;
		c->left--;
		if (shift == 63 && b > 1)
			return bad(c, "a number too large");
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && shift < 64);
	if (b & 0x80)
		return bad(c, "a number too large");
	if (b == 0 && shift > 7)
		return bad(c, "a number not in its shortest form");
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
 * count past what is left is a lie. */
static int get_count(struct in *c, uint64_t max, size_t each, size_t *n)
{
	uint64_t v;

	if (get_varint(c, &v) < 0)
		return -1;
	if (v > max || v > c->left / each)
		return bad(c, v > max ? "a count out of range" : "truncated");
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
static int get_num(struct in *c, int64_t min, int64_t max, long *v)
{
	int64_t n;

	if (get_signed(c, &n) < 0)
		return -1;
	if (n < min || n > max)
		return bad(c, "a number out of range");
	*v = (long)n;
	return 0;
}

/* A string, left where it is: its NUL is the one written after it. */
static int get_str(struct in *c, char **s)
{
	size_t n;

	if (get_count(c, SIZE_MAX, 1, &n) < 0)
		return -1;
	if (n >= c->left)
		return bad(c, "truncated");
	if (c->p[n] != '\0' || memchr(c->p, '\0', n))
		return bad(c, "a string holds a NUL, or does not end with one");
	*s = c->p;
	c->p += n + 1;
	c->left -= n + 1;
	return 0;
}

static int get_byte(struct in *c, unsigned *b)
{
	if (!c->left)
		return bad(c, "truncated");
	*b = (unsigned char)*c->p++;
	c->left--;
	return 0;
}

/* The prep of key raw (put_prep's form), its texts left in the arena. */
static int get_prep(struct in *c, struct g_lore_prep *p, char *raw)
{
	const unsigned char *g;
	unsigned kind, flags, n, i;
	uint64_t start, len, pflags;
	char *text, *fold, *lit;
	size_t tlen;

	if (get_byte(c, &kind) < 0)
		return -1;
	if (kind == 0)
		return 0;
	if (kind != 1 || get_byte(c, &flags) < 0 || flags > 31)
		return bad(c, kind != 1 ? "a key's prep of no known kind" : "a key's prep flags");
	p->ready = 1;
	p->caseless = flags & 1, p->words = (flags >> 1) & 1, p->never = (flags >> 2) & 1;
	p->regex = (flags >> 3) & 1;
	if (flags & 16)
		text = raw; /* the key as written */
	else if (get_str(c, &text) < 0)
		return -1;
	else if (strcmp(text, raw) == 0)
		return bad(c, "a key's text spelt out, the same as the key");
	p->text = text;
	if ((tlen = strlen(text)) > UINT32_MAX)
		return bad(c, "a key's text too long");
	p->len = (uint32_t)tlen;
	if (p->caseless && !p->regex) {
		if (get_str(c, &fold) < 0)
			return -1;
		if (strlen(fold) != p->len)
			return bad(c, "a key's folded text is not its length");
		p->fold = fold;
	}
	if (p->regex) {
		if (get_varint(c, &start) < 0 || get_varint(c, &len) < 0 ||
		    get_varint(c, &pflags) < 0 || get_str(c, &lit) < 0)
			return -1;
		if (start > p->len || len > p->len - start || pflags > 7)
			return bad(c, "a key's pattern is not within it");
		p->pstart = (uint32_t)start, p->plen = (uint32_t)len, p->lit = lit;
		if ((tlen = strlen(lit)) > UINT32_MAX)
			return bad(c, "a key's required text too long");
		p->lit_len = (uint32_t)tlen;
		p->pflags = g_lore_prep_flags_in((unsigned)pflags);
	}
	if (get_byte(c, &n) < 0)
		return -1;
	if (n > 8 || c->left < 4 * (size_t)n)
		return bad(c, n > 8 ? "a key's runs are more than 8" : "truncated");
	for (i = 0; i < n; i++, c->p += 4) {
		g = (const unsigned char *)c->p;
		p->grams[i] = (uint32_t)g[0] | (uint32_t)g[1] << 8 | (uint32_t)g[2] << 16 |
			      (uint32_t)g[3] << 24;
	}
	c->left -= 4 * (size_t)n;
	p->ngrams = (unsigned char)n;
	return 0;
}

/* size bytes, zeroed, in z's chunks: NULL if memory fails. */
static void *lazy_alloc(struct g_lore_lazy *z, size_t size)
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
	if (n && (!(*v = lazy_alloc(c->z, n * sizeof(**v))) ||
		  (keys && !(*prep = lazy_alloc(c->z, n * sizeof(**prep))))))
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
	if (get_count(c, c->lists_left, 2, &n) < 0 || slots(c, n, keys, &v, &prep) < 0)
		return -1;
	l->v = n ? v : NULL;
	l->prep = n && keys ? prep : NULL;
	c->lists_left -= n;
	for (i = 0; i < n; i++, l->n++)
		if (get_str(c, &l->v[i]) < 0 || (keys && get_prep(c, &prep[i], l->v[i]) < 0))
			return -1;
	return 0;
}

/* An id as written: 0 with the number in *n, 1 with the string in *s. */
static int get_raw_id(struct in *c, int64_t *n, char **s)
{
	if (!c->left)
		return bad(c, "truncated");
	c->left--;
	if (*c->p++ == 0)
		return get_signed(c, n) < 0 ? -1 : 0;
	if (c->p[-1] == 1)
		return get_str(c, s) < 0 ? -1 : 1;
	return bad(c, "an id of no known kind");
}

static int get_id(struct in *c, struct g_lore_entry *e)
{
	int64_t n;
	char *s;
	int kind = get_raw_id(c, &n, &s);

	if (kind < 0)
		return -1;
	if (kind == 0)
		e->id = json_integer((json_int_t)n);
	else if (!(e->id = json_string(s)))
		return bad(c, "an id is not UTF-8");
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
		if (i == N_POSITION && c->form3 &&
		    get_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &e->scan_depth) < 0)
			return -1;
		if (get_varint(c, &u) < 0)
			return -1;
		v[i] = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
		if (v[i] < ranges[i].min || v[i] > ranges[i].max)
			return bad(c, "a number out of range");
	}
	if (c->left < 8)
		return bad(c, "truncated");
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
		return bad(c, "a probability out of range");
	return 0;
}

/* Whether e is quiet in an index (lore_index_write.c's put_entry): as
 * g_lore_entry_quiet says, and with its other keys prepped. */
static int quiet(const struct g_lore_entry *e)
{
	return g_lore_entry_quiet(e) && g_lore_entry_prepped(e);
}

/* What follows an entry's keys: the rest of it. An entry of form 3 is all
 * rest (keys 1): its keys come after outlet, and its scan depth among the
 * numbers (get_entry_nums). */
static int get_rest(struct in *c, struct g_lore_entry *e, int keys)
{
	if (get_id(c, e) < 0 || get_str(c, &e->comment) < 0 || get_str(c, &e->content) < 0 ||
	    get_str(c, &e->group) < 0 || get_str(c, &e->outlet) < 0 ||
	    (keys && get_list(c, &e->keys, 1) < 0) || get_list(c, &e->secondary, 1) < 0 ||
	    get_list(c, &e->additional, 1) < 0 || get_list(c, &e->exclude, 1) < 0 ||
	    get_list(c, &e->notes, 0) < 0)
		return -1;
	return get_entry_nums(c, e);
}

/* A quiet entry's rest, of len bytes and nlists list strings from c's
 * place: read all of it and nothing more, and the entry quiet. */
static int get_quiet_rest(struct in *c, struct g_lore_entry *e, size_t len, size_t nlists)
{
	struct in part = *c;

	part.left = len;
	part.lists_left = nlists;
	if (get_rest(&part, e, 0) < 0)
		return -1;
	if (part.left || part.lists_left)
		return bad(c, "a quiet entry's rest is not its length");
	if (!quiet(e))
		return bad(c, "an entry said to be quiet is not");
	c->p = part.p;
	c->left -= len;
	c->lists = part.lists, c->preps = part.preps;
	c->lists_left -= nlists;
	return 0;
}

/* A quiet entry's counts of list strings and of bytes in its rest. */
static int get_rest_size(struct in *c, size_t *nlists, size_t *len)
{
	return get_count(c, c->lists_left, 1, nlists) < 0 || get_count(c, UINT32_MAX, 1, len) < 0
		       ? -1
		       : 0;
}

/* An entry, whole: its kind (quiet or not), scan depth and keys, then the
 * rest. */
static int get_entry(struct in *c, struct g_lore_entry *e)
{
	unsigned kind;
	size_t nlists, len;

	if (get_byte(c, &kind) < 0 || get_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &e->scan_depth) < 0 ||
	    get_list(c, &e->keys, 1) < 0)
		return -1;
	if (kind > 1)
		return bad(c, "an entry of no known kind");
	if (!kind) {
		if (get_rest(c, e, 0) < 0)
			return -1;
		return quiet(e) ? bad(c, "a quiet entry not said to be") : 0;
	}
	return get_rest_size(c, &nlists, &len) < 0 ? -1 : get_quiet_rest(c, e, len, nlists);
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

	if (get_count(c, c->lists_left, 2, &n) < 0)
		return -1;
	c->lists_left -= n;
	if (n >= (UINT32_MAX - z->nruns) / 9)
		return bad(c, "too many keys");
	if (runs_room(z, 1 + 9 * n) < 0)
		return g_err_oom(c->err);
	u->runs = (uint32_t)(at = z->nruns++);
	z->runs[at] = 0;
	for (i = 0; i < n; i++) {
		memset(&p, 0, sizeof(p));
		if (get_str(c, &raw) < 0 || get_prep(c, &p, raw) < 0)
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
static int get_lazy_entry(struct in *c, struct g_lore_book *b, size_t i)
{
	struct g_lore_lazy *z = b->lazy;
	struct g_lore_unread *u = &z->unread[i];
	struct g_lore_entry *e;
	size_t left = c->left, nlists, len;
	unsigned kind;
	long depth;

	u->start = c->p;
	if (c->left && *c->p == 1) {
		if (get_byte(c, &kind) < 0 || get_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &depth) < 0 ||
		    get_sleeper_keys(c, u) < 0 || get_rest_size(c, &nlists, &len) < 0)
			return -1;
		u->at = c->p, u->len = (uint32_t)len;
		c->p += len;
		c->left -= len;
		c->lists_left -= nlists;
		u->quiet = 1;
	} else {
		if (!(e = z->live[i] = lazy_alloc(z, sizeof(*e))))
			return g_err_oom(c->err);
		if (get_entry(c, e) < 0)
			return -1;
		depth = e->scan_depth;
	}
	if (left - c->left > UINT32_MAX)
		return bad(c, "an entry too long");
	u->size = (uint32_t)(left - c->left);
	u->scan_depth = (int32_t)depth;
	return 0;
}

/* The book's fields after the mark and the count of list strings. */
static int get_book(struct in *c, struct g_lore_book *b)
{
	long recursive;
	char *name;
	size_t n, i;

	if (get_str(c, &name) < 0 || get_num(c, -1, G_LORE_SCAN_DEPTH_MAX, &b->scan_depth) < 0 ||
	    get_num(c, -1, 100000000, &b->token_budget) < 0 ||
	    get_num(c, -1, G_LORE_STEPS_MAX, &b->max_steps) < 0 ||
	    get_num(c, 0, 1, &recursive) < 0 || get_count(c, G_LORE_ENTRIES_MAX, 1, &n) < 0)
		return -1;
	b->recursive = (int)recursive;
	if (!(b->name = strdup(name)))
		return g_err_oom(c->err);
	if (c->z ? !(c->z->unread = calloc(n + 1, sizeof(*c->z->unread))) ||
			   !(c->z->live = calloc(n + 1, sizeof(*c->z->live)))
		 : !(b->entries = calloc(n + 1, sizeof(*b->entries))))
		return g_err_oom(c->err);
	for (i = 0; i < n; i++) {
		b->n = i + 1;
		/* form 3: every entry whole, its keys after its strings */
		if (c->z ? get_lazy_entry(c, b, i) < 0
		    : c->form3 ? get_rest(c, &b->entries[i], 1) < 0
			       : get_entry(c, &b->entries[i]) < 0)
			return -1;
	}
	if (c->lists_left)
		return bad(c, "fewer list strings than it says");
	return c->left ? bad(c, "bytes after the book") : 0;
}

static int take(struct g_lore_book *b, void *arena, char *p, size_t len, int lazy,
		struct g_err *err)
{
	struct in c = { .err = err };
	const unsigned char *u = (const unsigned char *)p;
	size_t strings;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	b->arena = arena; /* freed with the book, whatever happens below */
	if (len < sizeof(magic) || memcmp(p, magic, sizeof(magic) - 1) != 0)
		rc = bad(&c, "not one (no GLI mark)");
	/* form 3, of the builds before this one, is read as it is (whole):
	 * a card keeps its index until it is next written */
	c.form3 = rc == 0 && p[sizeof(magic) - 1] == '3';
	if (rc == 0 && p[sizeof(magic) - 1] != magic[sizeof(magic) - 1] && !c.form3)
		rc = 1; /* another version's: stale */
	strings = len < 8 ? 0 : (size_t)u[4] | (size_t)u[5] << 8 | (size_t)u[6] << 16 |
					(size_t)u[7] << 24;
	/* each list string takes 2 bytes at least */
	if (rc == 0 && (len < 8 || strings > (len - 8) / 2))
		rc = bad(&c, "truncated");
	/* a render's read (form 4): entries made as they are read */
	if (rc == 0 && lazy && !c.form3 && !(c.z = b->lazy = calloc(1, sizeof(*b->lazy))))
		rc = g_err_oom(err);
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
	if (rc != 0)
		g_lore_book_release(b);
	return rc;
}

int g_lore_index_take_at(struct g_lore_book *b, void *arena, char *p, size_t len,
			 struct g_err *err)
{
	return take(b, arena, p, len, 1, err);
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
	return take(b, copy, copy, len, 0, err);
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
	free(z->unread);
	free(z->live);
	free(z->runs);
	free(z);
	b->lazy = NULL;
}

int g_lore_book_quiet(const struct g_lore_book *b, size_t i)
{
	return b->lazy ? b->lazy->unread[i].quiet : quiet(&b->entries[i]);
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
	u = &b->lazy->unread[i];
	c.p = u->at;
	c.left = u->len;
	if ((kind = get_raw_id(&c, &n, &s)) < 0) {
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
	if (!(e = lazy_alloc(z, sizeof(*e)))) {
		g_err_oom(err);
		return NULL;
	}
	c.p = u->start;
	c.left = u->size;
	if (get_entry(&c, e) < 0) {
		/* as it was: unread */
		json_decref(e->id);
		g_err_prefix(err, "book '%s' entries[%zu]", b->name, i);
		return NULL;
	}
	return z->live[i] = e;
}
