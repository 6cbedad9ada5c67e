/* prompt_lore.c: lore activated for a render, fitted to its budget and
 * sorted into its places (DESIGN.md §8). */
#include "prompt_lore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lore.h"
#include "prompt.h"
#include "text.h"

static const char *const roles[] = { "system", "user", "assistant" };

/* One activation and what became of it. */
struct run {
	const struct g_prompt_lore_in *in;
	struct g_lore_book *books;
	size_t nbooks;
	struct g_lore_message *messages;
	struct g_lore_state state;
	struct g_lore_in lin;
	struct g_lore_out out;
	char **content;   /* each fired entry's content, expanded */
	int64_t *tokens;  /* and its cost */
	int *dropped;     /* over the budget */
	struct g_err *err;
};

static long setting(const json_t *settings, const char *key, long fallback)
{
	const json_t *v = json_object_get(settings, key);

	return json_is_integer(v) ? (long)json_integer_value(v) : fallback;
}

static int read_books(struct run *r)
{
	const json_t *book;
	char name[32];
	size_t i;

	r->books = calloc(json_array_size(r->in->books), sizeof(*r->books));
	if (!r->books)
		return g_err_oom(r->err);
	json_array_foreach (r->in->books, i, book) {
		snprintf(name, sizeof(name), "book %zu", i + 1);
		if (json_is_integer(book))
			r->books[i] = *r->in->ready[json_integer_value(book)];
		else if (g_lore_book_read(&r->books[i], book, name, r->err) < 0)
			return -1;
		r->nbooks = i + 1;
	}
	return 0;
}

/* The scan text: the new message and the history, newest first, each with
 * the name it was spoken under. */
static int read_messages(struct run *r)
{
	const json_t *h = r->in->history, *m;
	size_t n = json_array_size(h), i, at = 0;
	const char *role, *name;

	r->messages = calloc(n + 1, sizeof(*r->messages));
	if (!r->messages)
		return g_err_oom(r->err);
	if (r->in->pending) {
		r->messages[at].name = r->in->m->user_name;
		r->messages[at++].content = r->in->pending;
	}
	for (i = n; i-- > 0;) {
		m = json_array_get(h, i);
		role = json_string_value(json_object_get(m, "role"));
		name = json_string_value(json_object_get(m, "name"));
		if (!role || strcmp(role, "system") == 0)
			name = NULL;
		else if (strcmp(role, "assistant") == 0)
			name = r->in->m->char_name;
		else if (!name || !*name)
			name = r->in->m->user_name;
		r->messages[at].name = name;
		r->messages[at].content = json_string_value(json_object_get(m, "content"));
		if (!r->messages[at].content)
			r->messages[at].content = "";
		at++;
	}
	r->lin.messages = r->messages;
	r->lin.nmessages = at;
	return 0;
}

static int activate(struct run *r)
{
	const struct g_prompt_lore_in *in = r->in;

	if (read_books(r) < 0 || read_messages(r) < 0)
		return -1;
	if (in->state && g_lore_state_read(&r->state, in->state, r->err) < 0)
		return g_err_prefix(r->err, "the session's lore state"), -1;
	r->lin.books = r->books;
	r->lin.nbooks = r->nbooks;
	/* the new message is the chat's next: numbered, and counted, so */
	r->lin.chat_length = in->chat_length + (in->pending ? 1 : 0);
	r->lin.scan_depth = setting(in->settings, "lore_scan_depth", -1);
	r->lin.max_steps = -1;
	r->lin.state = &r->state;
	r->lin.char_name = in->m->char_name;
	r->lin.user_name = in->m->user_name;
	r->lin.seed = in->seed;
	return g_lore_activate(&r->lin, &r->out, r->err);
}

/* --- the budget ------------------------------------------------------------- */

static int64_t lore_budget(const struct run *r)
{
	long least = -1;
	size_t i;

	for (i = 0; i < r->nbooks; i++)
		if (r->books[i].token_budget >= 0 &&
		    (least < 0 || r->books[i].token_budget < least))
			least = r->books[i].token_budget;
	if (least >= 0)
		return least;
	return r->in->prompt_budget *
	       setting(r->in->settings, "lore_budget", G_PROMPT_LORE_BUDGET_DEFAULT) / 100;
}

static const struct g_lore_entry *fired_entry(const struct run *r, size_t i)
{
	return g_lore_book_at(&r->books[r->out.fired[i].book], r->out.fired[i].entry);
}

/* The fired entry to drop next: lowest priority, then lowest
 * insertion_order, then the later. */
static size_t next_drop(const struct run *r)
{
	size_t i, worst = (size_t)-1;
	const struct g_lore_entry *e, *w;

	for (i = 0; i < r->out.nfired; i++) {
		if (r->dropped[i])
			continue;
		e = fired_entry(r, i);
		w = worst == (size_t)-1 ? NULL : fired_entry(r, worst);
		if (!w || e->priority < w->priority ||
		    (e->priority == w->priority && e->order <= w->order))
			worst = i;
	}
	return worst;
}

static int64_t fit(struct run *r, int64_t budget)
{
	int64_t used = 0;
	size_t i;

	for (i = 0; i < r->out.nfired; i++) {
		const struct g_lore_entry *e = fired_entry(r, i);

		r->content[i] = g_macro_expand(r->in->m, e->content, strlen(e->content), 0, &(size_t){ 0 });
		if (!r->content[i])
			return g_err_oom(r->err);
		r->tokens[i] = *r->content[i] ? g_prompt_tokens(strlen(r->content[i])) -
							 G_PROMPT_TOKENS_PER_MESSAGE
					      : 0;
		used += r->tokens[i];
	}
	while (used > budget && (i = next_drop(r)) != (size_t)-1) {
		r->dropped[i] = 1;
		used -= r->tokens[i];
	}
	return used;
}

/* --- the report --------------------------------------------------------------- */

/* Whether timed effect o is entry e's of book b: by source, as lore_timed.c
 * keys them (the name for a book without one). */
static int same_entry(const json_t *o, const struct g_lore_book *b, const struct g_lore_entry *e)
{
	const char *source = json_string_value(json_object_get(o, "source"));
	const char *book = json_string_value(json_object_get(o, "book"));
	const char *mine = b->source ? b->source : b->name;

	if (!source)
		source = b->source ? NULL : book;
	return source && strcmp(source, mine) == 0 &&
	       json_equal(json_object_get(o, "entry"), e->id);
}

/* A dropped entry sets no timed effect this turn. */
static void forget_timed(const struct run *r, json_t *timed, size_t i)
{
	const struct g_lore_book *b = &r->books[r->out.fired[i].book];
	const struct g_lore_entry *e = fired_entry(r, i);
	size_t k = json_array_size(timed);

	while (k-- > 0) {
		const json_t *t = json_array_get(timed, k);

		if (same_entry(t, b, e) && json_integer_value(json_object_get(t, "start")) ==
						    r->lin.chat_length &&
		    !json_is_true(json_object_get(t, "protected")))
			json_array_remove(timed, k);
	}
}

static json_t *report(struct run *r, int64_t budget, int64_t used)
{
	json_t *rep = g_lore_report_json(&r->lin, &r->out), *fired, *skipped, *kept;
	size_t i;

	if (!rep || !(kept = json_array()))
		return json_decref(rep), NULL;
	fired = json_object_get(rep, "fired");
	skipped = json_object_get(rep, "skipped");
	for (i = 0; i < r->out.nfired; i++) {
		json_t *o = json_array_get(fired, i);

		if (r->dropped[i]) {
			json_array_append_new(skipped, json_pack("{s:O, s:O, s:s}", "book",
								 json_object_get(o, "book"), "entry",
								 json_object_get(o, "entry"), "why",
								 "budget"));
			forget_timed(r, json_object_get(rep, "timed"), i);
		} else {
			json_object_set_new(o, "tokens", json_integer(r->tokens[i]));
			json_array_append(kept, o);
		}
	}
	json_object_set_new(rep, "fired", kept);
	if (json_object_set_new(rep, "budget", json_pack("{s:I, s:I}", "tokens", (json_int_t)budget,
							 "used", (json_int_t)used)) < 0) {
		json_decref(rep);
		return NULL;
	}
	return rep;
}

/* --- the places ------------------------------------------------------------- */

/* o.key, text after what it held and a newline (copied, not formatted: a
 * position may gather many entries' content). Only the new text is checked
 * for UTF-8: what o.key held was checked when it went in. */
static int join(json_t *o, const char *key, const char *text)
{
	const json_t *old = json_object_get(o, key);
	size_t n = json_string_length(old), len = strlen(text);
	char *both;
	json_t *v;

	if (!g_text_utf8(text, len))
		return -1;
	if (!json_is_string(old))
		return json_object_set_new(o, key, json_stringn_nocheck(text, len));
	if (!(both = malloc(n + 1 + len + 1)))
		return -1;
	memcpy(both, json_string_value(old), n);
	both[n] = '\n';
	memcpy(both + n + 1, text, len + 1);
	v = json_stringn_nocheck(both, n + 1 + len);
	free(both);
	return v ? json_object_set_new(o, key, v) : -1;
}

static int at_depth(json_t *groups, const struct g_lore_entry *e, const char *text)
{
	json_t *g;
	size_t i;

	json_array_foreach (groups, i, g)
		if (json_integer_value(json_object_get(g, "depth")) == e->depth &&
		    strcmp(json_string_value(json_object_get(g, "role")), roles[e->role]) == 0)
			return join(g, "content", text);
	return json_array_append_new(groups, json_pack("{s:I, s:s, s:s}", "depth",
						       (json_int_t)e->depth, "role", roles[e->role],
						       "content", text));
}

static int place(struct run *r, struct g_prompt_lore *out)
{
	char key[8];
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < r->out.nfired; i++) {
		const struct g_lore_entry *e = fired_entry(r, i);

		if (r->dropped[i] || !*r->content[i])
			continue;
		if (e->position == 4) {
			rc = at_depth(out->depth, e, r->content[i]);
		} else if (e->position == 7) {
			if (*e->outlet)
				rc = join(out->outlets, e->outlet, r->content[i]);
		} else {
			snprintf(key, sizeof(key), "%d", e->position);
			rc = join(out->at, key, r->content[i]);
		}
	}
	return rc < 0 ? g_err_oom(r->err) : 0;
}

int g_prompt_lore_run(const struct g_prompt_lore_in *in, struct g_prompt_lore *out,
		      struct g_err *err)
{
	struct run r;
	int64_t budget, used;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.in = in;
	r.err = err;
	out->at = json_object();
	out->depth = json_array();
	out->outlets = json_object();
	if (!out->at || !out->depth || !out->outlets)
		return g_err_oom(err);
	if (!json_array_size(in->books))
		return 0;
	if (activate(&r) < 0)
		goto done;
	r.content = calloc(r.out.nfired + 1, sizeof(*r.content));
	r.tokens = calloc(r.out.nfired + 1, sizeof(*r.tokens));
	r.dropped = calloc(r.out.nfired + 1, sizeof(*r.dropped));
	if (!r.content || !r.tokens || !r.dropped) {
		g_err_oom(err);
		goto done;
	}
	budget = lore_budget(&r);
	if ((used = fit(&r, budget)) < 0 || place(&r, out) < 0)
		goto done;
	if (!(out->report = report(&r, budget, used)))
		g_err_oom(err);
	else
		rc = 0;
done:
	for (i = 0; r.content && i < r.out.nfired; i++)
		free(r.content[i]);
	free(r.content);
	free(r.tokens);
	free(r.dropped);
	g_lore_activate_release(&r.out);
	g_lore_state_release(&r.state);
	for (i = 0; i < r.nbooks; i++)
		if (!json_is_integer(json_array_get(in->books, i)))
			g_lore_book_release(&r.books[i]);
	free(r.books);
	free(r.messages);
	return rc;
}

void g_prompt_lore_release(struct g_prompt_lore *out)
{
	json_decref(out->at);
	json_decref(out->depth);
	json_decref(out->outlets);
	json_decref(out->report);
	memset(out, 0, sizeof(*out));
}

const char *g_prompt_lore_at(const struct g_prompt_lore *l, int position)
{
	char key[8];
	const char *v;

	snprintf(key, sizeof(key), "%d", position);
	v = json_string_value(json_object_get(l->at, key));
	return v ? v : "";
}

const char *g_prompt_outlet(const struct g_prompt_lore *l, const char *name, size_t len)
{
	static const char prefix[] = "outlet::";
	const char *v;
	char *key;

	if (len <= sizeof(prefix) - 1 || memcmp(name, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	key = strndup(name + sizeof(prefix) - 1, len - (sizeof(prefix) - 1));
	v = key ? json_string_value(json_object_get(l->outlets, key)) : NULL;
	free(key);
	return v ? v : "";
}
