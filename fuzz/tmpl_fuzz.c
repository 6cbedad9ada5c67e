/*
 * tmpl_fuzz: libFuzzer target for story-string templates (lib/tmpl). Each
 * input is used twice.
 *
 * As a template, parsed and rendered. Oracles: a refusal is 65 and, for a
 * template of allowed size without NUL, located 'fuzz':LINE:COL inside
 * the input; a NUL byte is always refused; a template that parses renders,
 * the same twice; every piece of the template's own text is a piece of the
 * input, and all of them together are no longer than it; every value is
 * one the var callback gave; a non-zero from the out callback stops the
 * render at once and is returned; with a callback that knows no variable,
 * a template without blocks parses and renders to exactly itself.
 *
 * As a program that writes a template from canonical pieces ({{name}},
 * {{#if name}}, {{#unless name}}, {{else}}, {{/if}}, {{/unless}}, text
 * without "}", a stray "{{ "), a reference renderer alongside. Oracles: it parses if
 * and only if it is well formed and nests no deeper than G_TMPL_MAX_DEPTH,
 * and then renders to what the reference says, value pieces and the
 * template's own text told apart.
 *
 * Once, on the first input: the limits (depth 32 and 33, 1 MiB and one
 * byte more).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The variables the callback knows: some empty, some with text that looks
 * like template syntax (a value is never parsed). */
static const char *const names[] = {"a", "b", "system", "description", "persona", "empty", "Z"};
static const char *const values[] = {"", "Bee", "Sys {{char}}\n", "line one\nline two",
				     "}}{{#if a}}{{/unless}}", "", "{{else}}"};
#define NVARS (sizeof(names) / sizeof(names[0]))

static const char *known(const char *name, size_t len, void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < NVARS; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return values[i];
	return NULL;
}

static const char *nothing(const char *name, size_t len, void *arg)
{
	(void)name;
	(void)len;
	(void)arg;
	return NULL;
}

/* A rendering as pieces: adjacent pieces of one kind merged, empty ones
 * dropped, so that how the engine cuts its output does not matter. */
struct out {
	char *buf;
	size_t len, cap;
	size_t *ends; /* where each merged piece ends */
	int *lit;
	size_t n, ncap;
	size_t lit_total, pieces, values;
	const char *src; /* the template, for the literal check */
	size_t src_len;
	int stop_at; /* stop with 7 at this call (1-based), 0: never */
	int calls;
};

static void out_init(struct out *o, const char *src, size_t src_len)
{
	memset(o, 0, sizeof(*o));
	o->src = src;
	o->src_len = src_len;
}

static void out_release(struct out *o)
{
	free(o->buf);
	free(o->ends);
	free(o->lit);
}

static void out_put(struct out *o, const char *text, size_t len, int literal)
{
	if (!len)
		return;
	oracle_append(&o->buf, &o->len, &o->cap, text, len);
	if (o->n && o->lit[o->n - 1] == literal) {
		o->ends[o->n - 1] = o->len;
		return;
	}
	if (o->n == o->ncap) {
		o->ncap = o->ncap ? o->ncap * 2 : 16;
		if (!(o->ends = realloc(o->ends, o->ncap * sizeof(*o->ends))) ||
		    !(o->lit = realloc(o->lit, o->ncap * sizeof(*o->lit))))
			abort();
	}
	o->ends[o->n] = o->len;
	o->lit[o->n++] = literal;
}

static int same(const struct out *x, const struct out *y)
{
	return x->len == y->len && x->n == y->n && (!x->len || !memcmp(x->buf, y->buf, x->len)) &&
	       (!x->n || (!memcmp(x->ends, y->ends, x->n * sizeof(*x->ends)) &&
			  !memcmp(x->lit, y->lit, x->n * sizeof(*x->lit))));
}

static int is_value(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < NVARS; i++)
		if (strlen(values[i]) == len && memcmp(values[i], text, len) == 0)
			return 1;
	return 0;
}

static int collect(const char *text, size_t len, int literal, void *arg)
{
	struct out *o = arg;

	o->calls++;
	if (literal != 0 && literal != 1)
		abort();
	if (len && !text)
		abort();
	if (literal) {
		/* the template's own text: a piece of it, verbatim */
		if (len > o->src_len || (len && !memmem(o->src, o->src_len, text, len)))
			abort();
		o->lit_total += len;
	} else {
		if (!is_value(text, len))
			abort();
		o->values++;
	}
	o->pieces++;
	out_put(o, text, len, literal);
	return o->stop_at && o->calls == o->stop_at ? 7 : 0;
}

/* A refusal: 65, and located 'fuzz':LINE:COL: inside the input. */
static void check_located(const struct g_err *err, const char *text, size_t len)
{
	unsigned long line, col;
	int end = 0;

	if (err->code != G_EX_DATAERR)
		abort();
	if (sscanf(err->msg, "'fuzz':%lu:%lu: %n", &line, &col, &end) != 2 || end == 0 ||
	    !err->msg[end])
		abort();
	/* a lone CR may count as a line break too */
	if (line < 1 || col < 1 ||
	    line > oracle_count(text, len, "\n") + oracle_count(text, len, "\r") + 1 || col > len + 1)
		abort();
}

static int has_ci(const char *s, size_t len, const char *what)
{
	size_t w = strlen(what), i, j;

	for (i = 0; i + w <= len; i++) {
		for (j = 0; j < w && (s[i + j] | 0x20) == what[j]; j++)
			;
		if (j == w)
			return 1;
	}
	return 0;
}

static void as_template(const char *text, size_t len)
{
	struct g_err err;
	struct g_tmpl *t = g_tmpl_parse(text, len, "fuzz", &err);
	struct out o, again, stop;
	int block_free = !memchr(text, '#', len) && !memchr(text, '/', len) &&
			 !memchr(text, '^', len) && !memchr(text, '~', len) &&
			 !memchr(text, '!', len) && !has_ci(text, len, "else");

	if (memchr(text, '\0', len)) {
		if (t || err.code != G_EX_DATAERR)
			abort();
		return;
	}
	if (!t) {
		check_located(&err, text, len);
		/* every error the spec names is about a block */
		if (block_free)
			abort();
		return;
	}

	out_init(&o, text, len);
	if (g_tmpl_render(t, known, collect, &o) != 0)
		abort();
	if (o.lit_total > len || o.values > oracle_count(text, len, "{{"))
		abort();
	out_init(&again, text, len);
	if (g_tmpl_render(t, known, collect, &again) != 0 || !same(&o, &again))
		abort();
	out_release(&again);

	/* a non-zero from out stops at once */
	out_init(&stop, text, len);
	stop.stop_at = 1;
	if (g_tmpl_render(t, known, collect, &stop) != (o.calls ? 7 : 0) ||
	    stop.calls != (o.calls ? 1 : 0))
		abort();
	out_release(&stop);
	if (o.calls > 2) {
		out_init(&stop, text, len);
		stop.stop_at = 2;
		if (g_tmpl_render(t, known, collect, &stop) != 7 || stop.calls != 2)
			abort();
		out_release(&stop);
	}
	out_release(&o);

	/* no variables: nothing but the template's own text; without blocks,
	 * all of it */
	out_init(&o, text, len);
	if (g_tmpl_render(t, nothing, collect, &o) != 0 || o.values)
		abort();
	if (block_free && (o.len != len || (len && memcmp(o.buf, text, len))))
		abort();
	out_release(&o);
	g_tmpl_free(t);
}

/* --- the template as a program ------------------------------------------- */

/* Text that holds no closing brace, some of it template words outside
 * braces; a '{' before a tag is text, the tag still a tag. */
static const char *const texts[] = {
	"Hello ", "\n", "x", " ", "a\nb", "'s personality: ", "#if a", "else", "/if", "\r\n", "\t",
	"unless", "Scenario: ", "ü", "{"};
#define NTEXTS (sizeof(texts) / sizeof(texts[0]))
/* {{...}} that name no variable, handed on as text; and a stray "{{ ",
 * text, which hides no tag after it */
static const char *const unknowns[] = {"{{zz}}", "{{char}}", "{{user}}", "{{random:a,b}}",
				       "{{// note}}", "{{A}}", "{{systemx}}", "{{roll:d6}}",
				       "{{ "};
#define NUNKNOWNS (sizeof(unknowns) / sizeof(unknowns[0]))

#define MAX_FRAMES 40

struct frame {
	int unless, cond, in_else, parent_on;
};

struct gen {
	char *src;
	size_t len, cap;
	struct out want;
	struct frame st[MAX_FRAMES];
	int depth, max_depth, broken;
};

static void src_put(struct gen *g, const char *s)
{
	oracle_append(&g->src, &g->len, &g->cap, s, strlen(s));
}

static int on(const struct gen *g)
{
	const struct frame *f;

	if (!g->depth)
		return 1;
	f = &g->st[g->depth - 1];
	return f->parent_on && ((f->cond != f->unless) != f->in_else);
}

static void emit(struct gen *g, const char *src, const char *text, int literal)
{
	src_put(g, src);
	if (on(g))
		out_put(&g->want, text, strlen(text), literal);
}

static void generate(struct gen *g, const unsigned char *data, size_t size)
{
	char tag[64];
	size_t i;

	for (i = 0; i < size; i++) {
		unsigned b = data[i], op = b & 7, k = b >> 3;
		struct frame *f = g->depth ? &g->st[g->depth - 1] : NULL;

		switch (op) {
		case 0:
		case 7:
			emit(g, texts[k % NTEXTS], texts[k % NTEXTS], 1);
			break;
		case 1:
			snprintf(tag, sizeof(tag), "{{%s}}", names[k % NVARS]);
			emit(g, tag, values[k % NVARS], 0);
			break;
		case 2:
			emit(g, unknowns[k % NUNKNOWNS], unknowns[k % NUNKNOWNS], 1);
			break;
		case 3:
		case 4:
			if (g->depth == MAX_FRAMES)
				break;
			snprintf(tag, sizeof(tag), "{{#%s %s}}", op == 3 ? "if" : "unless",
				 names[k % NVARS]);
			src_put(g, tag);
			g->st[g->depth] = (struct frame){op == 4, values[k % NVARS][0] != 0, 0,
							 on(g)};
			if (++g->depth > g->max_depth)
				g->max_depth = g->depth;
			break;
		case 5:
			if (f && f->in_else)
				break; /* a second else: not in the spec */
			src_put(g, "{{else}}");
			if (f)
				f->in_else = 1;
			else
				g->broken = 1;
			break;
		case 6:
			if (!f) {
				src_put(g, k & 1 ? "{{/if}}" : "{{/unless}}");
				g->broken = 1;
				break;
			}
			/* now and then the wrong closer */
			if ((k & 7) == 7) {
				src_put(g, f->unless ? "{{/if}}" : "{{/unless}}");
				g->broken = 1;
			} else {
				src_put(g, f->unless ? "{{/unless}}" : "{{/if}}");
			}
			g->depth--;
			break;
		}
	}
	/* close what is open, unless the last byte says to leave one open */
	if (g->depth && size && (data[size - 1] & 0xf0) == 0xf0)
		g->broken = 1;
	else
		while (g->depth)
			src_put(g, g->st[--g->depth].unless ? "{{/unless}}" : "{{/if}}");
}

static void as_program(const unsigned char *data, size_t size)
{
	struct gen g;
	struct g_err err;
	struct g_tmpl *t;
	struct out o;
	int ok;

	memset(&g, 0, sizeof(g));
	src_put(&g, "");
	generate(&g, data, size);
	ok = !g.broken && g.max_depth <= G_TMPL_MAX_DEPTH;
	t = g_tmpl_parse(g.src, g.len, "fuzz", &err);
	if (!t != !ok) {
		fprintf(stderr, "tmpl_fuzz: template %s (depth %d): %.*s\n",
			t ? "parsed" : "refused", g.max_depth, (int)g.len, g.src);
		if (!t)
			fprintf(stderr, "tmpl_fuzz: %s\n", err.msg);
		abort();
	}
	if (!t) {
		check_located(&err, g.src, g.len);
	} else {
		out_init(&o, g.src, g.len);
		if (g_tmpl_render(t, known, collect, &o) != 0)
			abort();
		if (!same(&o, &g.want)) {
			fprintf(stderr, "tmpl_fuzz: template: %.*s\nrendered: %.*s\nwanted:   %.*s\n",
				(int)g.len, g.src, (int)o.len, o.buf, (int)g.want.len,
				g.want.buf);
			abort();
		}
		out_release(&o);
		g_tmpl_free(t);
	}
	out_release(&g.want);
	free(g.src);
}

/* --- the limits, once ------------------------------------------------------ */

/* depth nested {{#if b}}, x inside; whether it parses */
static int nested_parses(int depth)
{
	struct gen g;
	struct g_err err;
	struct g_tmpl *t;
	int i;

	memset(&g, 0, sizeof(g));
	for (i = 0; i < depth; i++)
		src_put(&g, "{{#if b}}");
	src_put(&g, "x");
	for (i = 0; i < depth; i++)
		src_put(&g, "{{/if}}");
	t = g_tmpl_parse(g.src, g.len, "fuzz", &err);
	if (!t)
		check_located(&err, g.src, g.len);
	g_tmpl_free(t);
	free(g.src);
	return t != NULL;
}

static void limits(void)
{
	size_t n = G_TMPL_MAX_BYTES + 1;
	char *big = malloc(n);
	struct g_err err;
	struct g_tmpl *t;
	struct out o;

	if (!nested_parses(G_TMPL_MAX_DEPTH) || nested_parses(G_TMPL_MAX_DEPTH + 1))
		abort();
	if (!big)
		abort();
	memset(big, 'x', n);
	if (!(t = g_tmpl_parse(big, n - 1, "fuzz", &err)))
		abort();
	out_init(&o, big, n);
	if (g_tmpl_render(t, known, collect, &o) != 0 || o.len != n - 1)
		abort();
	out_release(&o);
	g_tmpl_free(t);
	if ((t = g_tmpl_parse(big, n, "fuzz", &err)) || err.code != G_EX_DATAERR)
		abort();
	free(big);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static int once;

	if (!once++)
		limits();
	oracle_on_copy(data, size, as_template);
	as_program(data, size);
	return 0;
}
