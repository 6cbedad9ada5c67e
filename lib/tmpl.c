/* tmpl.c: parsing story-string templates into a tree, and rendering it. */
#include "tmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

enum node_kind { NODE_TEXT, NODE_VAR, NODE_IF };

struct node;

struct list {
	struct node **items;
	size_t n, cap;
};

struct node {
	enum node_kind kind;
	size_t off, len;           /* TEXT: the text; VAR, IF: the whole tag */
	size_t name_off, name_len; /* VAR, IF: the variable's name */
	int negate;                /* IF: from #unless */
	int has_else;
	struct list then, otherwise;
};

struct g_tmpl {
	char *text;
	size_t len;
	struct list root;
};

static void list_free(struct list *l);

static void node_free(struct node *n)
{
	if (!n)
		return;
	list_free(&n->then);
	list_free(&n->otherwise);
	free(n);
}

static void list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		node_free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void g_tmpl_free(struct g_tmpl *t)
{
	if (!t)
		return;
	list_free(&t->root);
	free(t->text);
	free(t);
}

static struct node *add(struct list *l, enum node_kind kind, size_t off, size_t len)
{
	struct node *n;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct node **items = realloc(l->items, cap * sizeof(struct node *));

		if (!items)
			return NULL;
		l->items = items;
		l->cap = cap;
	}
	n = calloc(1, sizeof(*n));
	if (n) {
		n->kind = kind;
		n->off = off;
		n->len = len;
		l->items[l->n++] = n;
	}
	return n;
}

/* An open block while parsing: its node, and the list now being filled. */
struct open {
	struct node *node;
	struct list *into;
};

struct parser {
	const char *text;
	size_t len;
	const char *name;
	struct g_err *err;
	struct open stack[G_TMPL_MAX_DEPTH + 1];
	int depth; /* stack[0] is the root */
};

/* err located at byte off: 'name':line:col: what */
static int fail(struct parser *p, size_t off, const char *what)
{
	size_t i, line = 1, col = 1;

	for (i = 0; i < off && i < p->len; i++) {
		if (p->text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return g_err_set(p->err, G_EX_DATAERR, "'%s':%zu:%zu: %s", p->name, line, col, what);
}

static int is_name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* The inside of a tag, trimmed of spaces. */
static void trim(const char *s, size_t *off, size_t *len)
{
	while (*len && (s[*off] == ' ' || s[*off] == '\t')) {
		(*off)++;
		(*len)--;
	}
	while (*len && (s[*off + *len - 1] == ' ' || s[*off + *len - 1] == '\t'))
		(*len)--;
}

static int is_name(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_name_char(s[i], i == 0))
			return 0;
	return len > 0;
}

/* {{outlet::NAME}}: lore's outlet NAME, a variable of its own */
static int is_outlet(const char *s, size_t len)
{
	return len > 8 && memcmp(s, "outlet::", 8) == 0 && !memchr(s, '}', len);
}

static int word_is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(s, word, len) == 0;
}

/* {{#if x}} or {{#unless x}}: open a block. */
static int open_block(struct parser *p, size_t tag, size_t tag_len, size_t in, size_t in_len)
{
	const char *s = p->text;
	size_t word = in + 1, word_len = 0, name, name_len;
	char what[96];
	struct node *n;

	while (word + word_len < in + in_len && is_name_char(s[word + word_len], word_len == 0))
		word_len++;
	if (!word_is(s + word, word_len, "if") && !word_is(s + word, word_len, "unless")) {
		snprintf(what, sizeof(what), "{{#%.*s}} is not supported",
			 (int)(word_len > 40 ? 40 : word_len), s + word);
		return fail(p, tag, what);
	}
	name = word + word_len;
	name_len = in + in_len - name;
	trim(s, &name, &name_len);
	if (!is_name(s + name, name_len)) {
		snprintf(what, sizeof(what), "{{#%.*s}} needs a variable", (int)word_len, s + word);
		return fail(p, tag, what);
	}
	if (p->depth == G_TMPL_MAX_DEPTH)
		return fail(p, tag, "blocks nested deeper than 32");
	n = add(p->stack[p->depth].into, NODE_IF, tag, tag_len);
	if (!n)
		return g_err_oom(p->err);
	n->name_off = name;
	n->name_len = name_len;
	n->negate = word_is(s + word, word_len, "unless");
	p->depth++;
	p->stack[p->depth].node = n;
	p->stack[p->depth].into = &n->then;
	return 0;
}

static const char *block_word(const struct node *n)
{
	return n->negate ? "unless" : "if";
}

/* {{/if}} or {{/unless}}: close the innermost block. */
static int close_block(struct parser *p, size_t tag, size_t in, size_t in_len)
{
	const char *s = p->text;
	size_t word = in + 1, word_len = in_len - 1;
	char what[128];
	struct node *open;

	trim(s, &word, &word_len);
	if (p->depth == 0) {
		snprintf(what, sizeof(what), "{{/%.*s}} without {{#%.*s}}",
			 (int)(word_len > 40 ? 40 : word_len), s + word,
			 (int)(word_len > 40 ? 40 : word_len), s + word);
		return fail(p, tag, what);
	}
	open = p->stack[p->depth].node;
	if (!word_is(s + word, word_len, block_word(open))) {
		snprintf(what, sizeof(what), "{{/%.*s}} closes {{#%s}}",
			 (int)(word_len > 40 ? 40 : word_len), s + word, block_word(open));
		return fail(p, tag, what);
	}
	p->depth--;
	return 0;
}

static int else_branch(struct parser *p, size_t tag)
{
	struct node *open;
	char what[64];

	if (p->depth == 0)
		return fail(p, tag, "{{else}} outside {{#if}}/{{#unless}}");
	open = p->stack[p->depth].node;
	if (open->has_else) {
		snprintf(what, sizeof(what), "a second {{else}} in {{#%s}}", block_word(open));
		return fail(p, tag, what);
	}
	open->has_else = 1;
	p->stack[p->depth].into = &open->otherwise;
	return 0;
}

/* One {{...}} tag at tag (tag_len bytes with the braces). */
static int tag(struct parser *p, size_t at, size_t tag_len)
{
	size_t in = at + 2, in_len = tag_len - 4;
	struct list *into = p->stack[p->depth].into;
	struct node *n;

	trim(p->text, &in, &in_len);
	if (in_len && p->text[in] == '#')
		return open_block(p, at, tag_len, in, in_len);
	if (in_len && p->text[in] == '/' && !(in_len > 1 && p->text[in + 1] == '/'))
		return close_block(p, at, in, in_len);
	if (word_is(p->text + in, in_len, "else"))
		return else_branch(p, at);
	n = add(into, is_name(p->text + in, in_len) || is_outlet(p->text + in, in_len) ? NODE_VAR
											: NODE_TEXT,
		at, tag_len);
	if (!n)
		return g_err_oom(p->err);
	n->name_off = in;
	n->name_len = in_len;
	return 0;
}

/* Text at off (len bytes) into the list being filled: it joins the text
 * just before it, so a run of stray braces stays one piece. */
static int text(struct parser *p, size_t off, size_t len)
{
	struct list *l = p->stack[p->depth].into;
	struct node *last = l->n ? l->items[l->n - 1] : NULL;

	if (last && last->kind == NODE_TEXT && last->off + last->len == off) {
		last->len += len;
		return 0;
	}
	return add(l, NODE_TEXT, off, len) ? 0 : g_err_oom(p->err);
}

static int parse(struct parser *p)
{
	const char *s = p->text, *open;
	struct g_macro_scan sc = { 0 };
	size_t at = 0, end, close;

	while (at < p->len) {
		open = memmem(s + at, p->len - at, "{{", 2);
		end = open ? (size_t)(open - s) : p->len;
		if (end > at && text(p, at, end - at) < 0)
			return -1;
		if (!open)
			break;
		/* "{{ ... {{x}}", "{{{x}}}", "{{" never closed: the first brace
		 * is text (the rest is for the macro pass) */
		if (!(close = g_macro_tag(&sc, s, p->len, end))) {
			if (text(p, end, 1) < 0)
				return -1;
			at = end + 1;
			continue;
		}
		if (tag(p, end, close - end + 2) < 0)
			return -1;
		at = close + 2;
	}
	if (p->depth > 0) {
		char what[64];
		const struct node *n = p->stack[p->depth].node;

		snprintf(what, sizeof(what), "{{#%s}} is never closed", block_word(n));
		return fail(p, n->off, what);
	}
	return 0;
}

struct g_tmpl *g_tmpl_parse(const char *text, size_t len, const char *name, struct g_err *err)
{
	struct parser p;
	struct g_tmpl *t;
	const char *nul;

	if (len > G_TMPL_MAX_BYTES) {
		g_err_set(err, G_EX_DATAERR, "'%s': larger than 1 MiB", name);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->text = malloc(len + 1))) {
		free(t);
		g_err_oom(err);
		return NULL;
	}
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	t->len = len;
	memset(&p, 0, sizeof(p));
	p.text = t->text;
	p.len = len;
	p.name = name;
	p.err = err;
	p.stack[0].into = &t->root;
	nul = memchr(text, '\0', len);
	if ((nul && fail(&p, (size_t)(nul - text), "a NUL byte") < 0) || parse(&p) < 0) {
		g_tmpl_free(t);
		return NULL;
	}
	return t;
}

static int render(const struct g_tmpl *t, const struct list *l, g_tmpl_var_fn var,
		  g_tmpl_out_fn out, void *arg)
{
	const char *value;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n && rc == 0; i++) {
		const struct node *n = l->items[i];

		switch (n->kind) {
		case NODE_TEXT:
			rc = out(t->text + n->off, n->len, 1, arg);
			break;
		case NODE_VAR:
			value = var(t->text + n->name_off, n->name_len, arg);
			rc = value ? out(value, strlen(value), 0, arg)
				   : out(t->text + n->off, n->len, 1, arg);
			break;
		case NODE_IF:
			value = var(t->text + n->name_off, n->name_len, arg);
			rc = render(t, ((value && *value) != !!n->negate) ? &n->then : &n->otherwise,
				    var, out, arg);
			break;
		}
	}
	return rc;
}

int g_tmpl_render(const struct g_tmpl *t, g_tmpl_var_fn var, g_tmpl_out_fn out, void *arg)
{
	return render(t, &t->root, var, out, arg);
}
