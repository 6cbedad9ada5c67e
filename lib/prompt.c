/* prompt.c: the request of DESIGN.md §8, put together and fitted to the
 * budget. */
#include "prompt.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "prompt_lore.h"
#include "text.h"

static const char default_main[] =
	"Write {{char}}'s next reply in a fictional chat between {{char}} and {{user}}.";
static const char custom_header[] =
	"[{{user}} is the person you are talking to. This is who they are.]";
static const char impersonated_header[] =
	"[The user is playing {{user}}, a character in their own right, not themselves.]";

/* What one render holds while it is made; strings are malloc'ed. */
struct build {
	const struct g_prompt_in *in;
	const json_t *card, *pdata; /* the character's and the persona's data */
	int swap;                   /* the persona is an impersonated character */
	struct g_macro_ctx m;
	char *char_name, *user_name;
	char *description, *personality, *scenario, *examples, *persona_desc;
	struct g_prompt_lore lore;
	int64_t context, budget; /* context_tokens, and less max_tokens */
	struct g_err *err;
};

static const char *field(const json_t *data, const char *key)
{
	const char *s = json_string_value(json_object_get(data, key));

	return s ? s : "";
}


int64_t g_prompt_tokens(size_t len)
{
	return (int64_t)((len + G_PROMPT_BYTES_PER_TOKEN - 1) / G_PROMPT_BYTES_PER_TOKEN) +
	       G_PROMPT_TOKENS_PER_MESSAGE;
}

/* text with its macros expanded: malloc'ed, NULL if memory fails */
static char *expand_n(struct build *b, const char *text, size_t len, int swap)
{
	size_t n;

	return g_macro_expand(&b->m, text, len, swap, &n);
}

static char *expand(struct build *b, const char *text, int swap)
{
	return expand_n(b, text, strlen(text), swap);
}

static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static json_t *message(const char *role, const char *content)
{
	return json_pack("{s:s, s:s}", "role", role, "content", content);
}

/* A message of text[0..len) expanded, NUL bytes and all (a chat's text may
 * hold them). */
static json_t *expanded_message(struct build *b, const char *role, const char *text, size_t len)
{
	size_t n;
	char *v = g_macro_expand(&b->m, text, len, 0, &n);
	json_t *m = v ? json_pack("{s:s, s:s%}", "role", role, "content", v, n) : NULL;

	free(v);
	return m;
}

/* --- the names and values macros stand for ------------------------------ */

/* A card's fields reach the prompt as C strings (the macro values, the
 * template's variables): one with a NUL byte is refused, never cut. */
static int nul_free(struct build *b, const json_t *data, const char *whose)
{
	const char *key;
	const json_t *v, *item;
	size_t i;

	json_object_foreach ((json_t *)data, key, v) {
		if (json_is_string(v) &&
		    memchr(json_string_value(v), '\0', json_string_length(v)))
			return g_err_set(b->err, G_EX_DATAERR, "the %s's data.%s contains a NUL byte",
					 whose, key);
		json_array_foreach (v, i, item)
			if (json_is_string(item) &&
			    memchr(json_string_value(item), '\0', json_string_length(item)))
				return g_err_set(b->err, G_EX_DATAERR,
						 "the %s's data.%s[%zu] contains a NUL byte", whose,
						 key, i);
	}
	return 0;
}

static int prepare(struct build *b)
{
	const json_t *cdata = b->card;
	const char *nick = field(cdata, "nickname");
	const char *pname = b->pdata ? field(b->pdata, "name") : "";
	const char *uname = *pname		      ? pname
			    : b->in->username && *b->in->username ? b->in->username
								  : "User";

	if (nul_free(b, cdata, "character") < 0 || (b->pdata && nul_free(b, b->pdata, "persona") < 0))
		return -1;
	b->char_name = strdup(*nick ? nick : field(cdata, "name"));
	b->user_name = strdup(uname);
	if (!b->char_name || !b->user_name)
		return g_err_oom(b->err);
	b->m.char_name = b->char_name;
	b->m.user_name = b->user_name;
	/* {{pick}} is stable for the session, or for the character without one */
	b->m.pick_key = b->in->session_id ? b->in->session_id
					  : json_string_value(json_object_get(b->in->character, "id"));
	g_macro_seed(&b->m, b->in->seed);
	/* the values of {{description}} and its kin, expanded once here; in
	 * the fields themselves they stand for the raw fields (one level, no
	 * recursion) */
	b->m.description = field(cdata, "description");
	b->m.personality = field(cdata, "personality");
	b->m.scenario = field(cdata, "scenario");
	b->m.mes_examples = field(cdata, "mes_example");
	b->m.persona = b->pdata ? field(b->pdata, "description") : "";
	b->description = expand(b, field(cdata, "description"), 0);
	b->personality = expand(b, field(cdata, "personality"), 0);
	b->scenario = expand(b, field(cdata, "scenario"), 0);
	b->examples = expand(b, field(cdata, "mes_example"), 0);
	b->persona_desc = expand(b, b->pdata ? field(b->pdata, "description") : "", b->swap);
	if (!b->description || !b->personality || !b->scenario || !b->examples ||
	    !b->persona_desc)
		return g_err_oom(b->err);
	b->m.description = b->description;
	b->m.personality = b->personality;
	b->m.scenario = b->scenario;
	b->m.mes_examples = b->examples;
	b->m.persona = b->persona_desc;
	return 0;
}

static void release(struct build *b)
{
	free(b->char_name);
	free(b->user_name);
	free(b->description);
	free(b->personality);
	free(b->scenario);
	free(b->examples);
	free(b->persona_desc);
	g_prompt_lore_release(&b->lore);
}

/* --- the persona block ---------------------------------------------------- */

/* "Label: value" for a persona field that is not empty. */
static int persona_line(struct build *b, struct g_text *t, const char *label, const char *key,
			const char *sep)
{
	const char *raw = field(b->pdata, key);
	char *v;

	if (!*raw)
		return 0;
	v = expand(b, raw, b->swap);
	if (!v)
		return -1;
	trim_end(v);
	g_text_adds(t, "\n");
	if (label) {
		char *l = expand(b, label, 0);

		if (!l) {
			free(v);
			return -1;
		}
		g_text_adds(t, l);
		g_text_adds(t, sep);
		free(l);
	}
	g_text_adds(t, v);
	free(v);
	return 0;
}

/* Who the model is talking to, phrased by the kind of persona; NULL with
 * *none set when there is no persona. */
static char *persona_block(struct build *b)
{
	struct g_text t = { 0 };
	char *header;

	header = expand(b, b->swap ? impersonated_header : custom_header, 0);
	if (!header)
		return NULL;
	g_text_adds(&t, header);
	free(header);
	g_text_adds(&t, "\nName: ");
	g_text_adds(&t, b->user_name);
	if (persona_line(b, &t, "Description", "description", ": ") < 0 ||
	    persona_line(b, &t, "Personality", "personality", ": ") < 0 ||
	    persona_line(b, &t, "Situation", "scenario", ": ") < 0 ||
	    persona_line(b, &t, "How {{user}} speaks", "mes_example", ":\n") < 0 ||
	    persona_line(b, &t, NULL, "system_prompt", "") < 0) {
		g_text_release(&t);
		return NULL;
	}
	return g_text_take(&t, NULL);
}

static const char *position(const struct build *b)
{
	const char *p = json_string_value(json_object_get(b->in->persona, "position"));

	/* an impersonated character has no placement: it goes in the prompt */
	return b->in->kind == G_PERSONA_CUSTOM && p ? p : "in_prompt";
}

/* --- the story string ------------------------------------------------------- */

struct story {
	struct build *b;
	const char *names[16];
	const char *values[16];
	size_t n;
	struct g_text out, literal;
};

static const char *story_var(const char *name, size_t len, void *arg)
{
	struct story *s = arg;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strlen(s->names[i]) == len && memcmp(s->names[i], name, len) == 0)
			return s->values[i];
	return g_prompt_outlet(&s->b->lore, name, len);
}

/* The template's own text is gathered and expanded at once, so a macro
 * split by nothing but pieces is whole when the macro pass sees it. */
static int flush_literal(struct story *s)
{
	char *v;

	if (!s->literal.len)
		return 0;
	v = expand_n(s->b, s->literal.data, s->literal.len, 0);
	if (!v)
		return -1;
	g_text_adds(&s->out, v);
	free(v);
	s->literal.len = 0;
	return 0;
}

static int story_out(const char *text, size_t len, int literal, void *arg)
{
	struct story *s = arg;

	if (literal) {
		g_text_add(&s->literal, text, len);
		return s->literal.failed ? -1 : 0;
	}
	if (flush_literal(s) < 0)
		return -1;
	g_text_add(&s->out, text, len);
	return s->out.failed ? -1 : 0;
}

static void story_set(struct story *s, const char *name, const char *value)
{
	s->names[s->n] = name;
	s->values[s->n++] = value ? value : "";
}

static char *story_string(struct build *b, const char *persona)
{
	struct story s = { 0 };
	const char *own = field(b->card, "system_prompt");
	char *main_prompt, *original = NULL, *text;
	int rc;

	s.b = b;
	/* the card's system prompt replaces the default main prompt, and its
	 * {{original}} is what it replaced */
	if (*own) {
		original = expand(b, default_main, 0);
		b->m.original = original;
		main_prompt = original ? expand(b, own, 0) : NULL;
		b->m.original = NULL;
	} else {
		main_prompt = expand(b, default_main, 0);
	}
	if (!main_prompt) {
		free(original);
		return NULL;
	}
	story_set(&s, "system", main_prompt);
	story_set(&s, "description", b->description);
	story_set(&s, "personality", b->personality);
	story_set(&s, "scenario", b->scenario);
	story_set(&s, "persona", persona);
	story_set(&s, "mesExamples", b->examples);
	story_set(&s, "char", b->char_name);
	story_set(&s, "user", b->user_name);
	story_set(&s, "wiBefore", g_prompt_lore_at(&b->lore, 0));
	story_set(&s, "wiAfter", g_prompt_lore_at(&b->lore, 1));
	story_set(&s, "loreBefore", g_prompt_lore_at(&b->lore, 0));
	story_set(&s, "loreAfter", g_prompt_lore_at(&b->lore, 1));
	rc = g_tmpl_render(b->in->tmpl, story_var, story_out, &s);
	if (rc == 0)
		rc = flush_literal(&s);
	g_text_release(&s.literal);
	free(main_prompt);
	free(original);
	if (rc != 0) {
		g_text_release(&s.out);
		return NULL;
	}
	text = g_text_take(&s.out, NULL);
	if (text)
		trim_end(text);
	return text;
}

/* --- example chats ------------------------------------------------------------ */

/* The role a line of examples starts, and how long its prefix is. */
static const char *turn_role(const char *line, size_t len, size_t *prefix)
{
	static const struct {
		const char *prefix, *role;
	} prefixes[] = {
		{ "{{user}}:", "user" }, { "<USER>:", "user" },	  { "{{char}}:", "assistant" },
		{ "<BOT>:", "assistant" }, { "<CHAR>:", "assistant" },
	};
	size_t i, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
		n = strlen(prefixes[i].prefix);
		if (len >= n && strncasecmp(line, prefixes[i].prefix, n) == 0) {
			*prefix = n + (len > n && line[n] == ' ');
			return prefixes[i].role;
		}
	}
	return NULL;
}

/* One turn's text done: expanded and trimmed into the block. */
static int end_turn(struct build *b, json_t *block, const char *role, struct g_text *t)
{
	char *v;

	if (!role)
		return 0;
	v = expand_n(b, t->data ? t->data : "", t->len, 0);
	t->len = 0;
	if (!v)
		return -1;
	trim_end(v);
	json_array_append_new(block, message(role, v));
	free(v);
	return 0;
}

/* A <START> block of mes_example as turns. */
static json_t *example_block(struct build *b, const char *s, size_t len)
{
	json_t *block = json_array();
	struct g_text t = { 0 };
	const char *role = NULL, *r;
	size_t at = 0, n, prefix;
	int failed = 0;

	while (block && at < len) {
		const char *nl = memchr(s + at, '\n', len - at);

		n = nl ? (size_t)(nl - (s + at)) : len - at;
		if ((r = turn_role(s + at, n, &prefix))) {
			if (end_turn(b, block, role, &t) < 0) {
				failed = 1;
				break;
			}
			role = r;
			g_text_add(&t, s + at + prefix, n - prefix);
		} else if (role) {
			g_text_add(&t, "\n", 1);
			g_text_add(&t, s + at, n);
		}
		at += n + 1;
	}
	if (!block || failed || t.failed || end_turn(b, block, role, &t) < 0) {
		json_decref(block);
		block = NULL;
	}
	g_text_release(&t);
	return block;
}

/* Every block with a turn in it, oldest first. */
static json_t *example_blocks(struct build *b)
{
	const char *s = field(b->card, "mes_example"), *start;
	json_t *blocks = json_array(), *block;
	size_t len = strlen(s), at = 0, end;

	while (blocks && at <= len) {
		for (start = s + at; *start && strncasecmp(start, "<START>", 7) != 0; start++)
			;
		end = (size_t)(start - s);
		block = example_block(b, s + at, end - at);
		if (!block) {
			json_decref(blocks);
			return NULL;
		}
		if (json_array_size(block))
			json_array_append_new(blocks, block);
		else
			json_decref(block);
		at = end + 7;
	}
	return blocks;
}

/* --- putting it together ----------------------------------------------------- */

static int64_t cost(const json_t *msg)
{
	return g_prompt_tokens(json_string_length(json_object_get(msg, "content")));
}

/* A block's turns and the marker before it. */
static int64_t block_cost(const json_t *block, const json_t *separator)
{
	int64_t n = cost(separator);
	const json_t *m;
	size_t i;

	json_array_foreach (block, i, m)
		n += cost(m);
	return n;
}

/* The settings a request carries, in §4's order, only those set. */
static void put_settings(json_t *req, const json_t *settings)
{
	static const char *const keys[] = { "temperature", "top_p", "top_k", "max_tokens",
					    "frequency_penalty", "presence_penalty", "seed",
					    "stop" };
	const json_t *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if ((v = json_object_get(settings, keys[i])) && !json_is_null(v))
			json_object_set(req, keys[i], (json_t *)v);
}

struct parts {
	json_t *system, *blocks, *separator, *start, *history, *depth_msg, *post, *pending;
	json_t *lore_top, *lore_bottom; /* lore before and after the examples */
	json_t *note;                   /* the author's note, at note_depth */
	int64_t note_depth;
	json_t *pending_raw; /* guise.pending: as written, for llm-send to store */
	json_t *instruction, *prefill; /* a draft's: what to write, and its start */
	size_t first_kept_block, first_kept_history;
	int64_t used;
};

/* The post-history instructions: the card's, then the persona's own. */
static json_t *post_history(struct build *b)
{
	const char *own = field(b->card, "post_history_instructions");
	const char *persona = b->pdata ? field(b->pdata, "post_history_instructions") : "";
	struct g_text t = { 0 };
	char *v;
	json_t *msg = NULL;

	if (*own) {
		b->m.original = ""; /* the default it would replace is empty */
		v = expand(b, own, 0);
		b->m.original = NULL;
		if (!v)
			return NULL;
		trim_end(v);
		g_text_adds(&t, v);
		free(v);
	}
	if (*persona) {
		v = expand(b, persona, b->swap);
		if (!v) {
			g_text_release(&t);
			return NULL;
		}
		trim_end(v);
		if (t.len)
			g_text_adds(&t, "\n\n");
		g_text_adds(&t, v);
		free(v);
	}
	if (!t.failed)
		msg = message("system", t.data ? t.data : "");
	g_text_release(&t);
	return msg;
}

static json_t *history(struct build *b)
{
	json_t *out = json_array(), *m;
	const json_t *h;
	size_t i;

	json_array_foreach (b->in->history, i, h) {
		const json_t *content = json_object_get(h, "content");

		m = expanded_message(b, json_string_value(json_object_get(h, "role")),
				     json_string_value(content) ? json_string_value(content) : "",
				     json_string_length(content));
		if (!m || json_array_append_new(out, m) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* What lore and the author's note cost: never dropped here (lore has a
 * budget of its own). */
static int64_t fixed_lore(const struct build *b, const struct parts *p)
{
	int64_t n = 0;
	const json_t *m;
	size_t i;

	if (p->lore_top)
		n += cost(p->lore_top);
	if (p->lore_bottom)
		n += cost(p->lore_bottom);
	if (p->note)
		n += cost(p->note);
	json_array_foreach (b->lore.depth, i, m)
		n += cost(m);
	return n;
}

/* Drop what does not fit: example blocks oldest first, then history. */
static int fit(struct build *b, struct parts *p, int64_t budget)
{
	int64_t fixed = cost(p->system) + cost(p->start), total;
	size_t i;

	if (p->depth_msg)
		fixed += cost(p->depth_msg);
	if (p->post)
		fixed += cost(p->post);
	if (p->pending)
		fixed += cost(p->pending);
	if (p->instruction)
		fixed += cost(p->instruction);
	if (p->prefill)
		fixed += cost(p->prefill);
	fixed += fixed_lore(b, p);
	if (fixed > budget)
		return g_err_set(b->err, G_EX_DATAERR,
				 "the prompt needs %lld tokens without history or examples, over "
				 "the budget of %lld by %lld",
				 (long long)fixed, (long long)budget, (long long)(fixed - budget));
	total = fixed;
	for (i = 0; i < json_array_size(p->blocks); i++)
		total += block_cost(json_array_get(p->blocks, i), p->separator);
	for (i = 0; i < json_array_size(p->history); i++)
		total += cost(json_array_get(p->history, i));
	while (total > budget && p->first_kept_block < json_array_size(p->blocks))
		total -= block_cost(json_array_get(p->blocks, p->first_kept_block++), p->separator);
	while (total > budget && p->first_kept_history < json_array_size(p->history))
		total -= cost(json_array_get(p->history, p->first_kept_history++));
	p->used = total;
	return 0;
}

static json_t *marker(struct build *b, const char *text, const char *fallback)
{
	char *v = expand(b, text ? text : fallback, 0);
	json_t *m = v ? message("system", v) : NULL;

	free(v);
	return m;
}

/* Where a message at depth goes among n messages of the chat: depth counts
 * the messages after it, 0 is the end. */
static size_t depth_index(size_t n, int64_t depth)
{
	return depth >= (int64_t)n ? 0 : n - (size_t)depth;
}

/* The messages in §8's order, from what fit. */
static json_t *messages(struct build *b, const struct parts *p)
{
	json_t *out = json_array(), *chat = json_array();
	size_t i, n, at, depth_at, note_at, post_at;
	const json_t *block, *lore;

	json_array_append(out, p->system);
	if (p->lore_top)
		json_array_append(out, p->lore_top);
	for (i = p->first_kept_block; i < json_array_size(p->blocks); i++) {
		block = json_array_get(p->blocks, i);
		json_array_append(out, p->separator);
		json_array_extend(out, (json_t *)block);
	}
	if (p->lore_bottom)
		json_array_append(out, p->lore_bottom);
	json_array_append(out, p->start);
	for (i = p->first_kept_history; i < json_array_size(p->history); i++)
		json_array_append(chat, json_array_get(p->history, i));
	if (p->pending)
		json_array_append(chat, p->pending);
	n = json_array_size(chat);
	depth_at = p->depth_msg ? depth_index(n, json_integer_value(json_object_get(b->in->persona,
										    "depth")))
				: (size_t)-1;
	note_at = p->note ? depth_index(n, p->note_depth) : (size_t)-1;
	post_at = p->pending ? n - 1 : n;
	for (at = 0; at <= n; at++) {
		/* at one place: lore, the author's note, the persona */
		json_array_foreach (b->lore.depth, i, lore)
			if (depth_index(n, json_integer_value(json_object_get(lore, "depth"))) == at)
				json_array_append_new(out, message(json_string_value(json_object_get(
									   lore, "role")),
								   json_string_value(json_object_get(
									   lore, "content"))));
		if (at == note_at)
			json_array_append(out, p->note);
		if (at == depth_at)
			json_array_append(out, p->depth_msg);
		if (at == post_at && p->post)
			json_array_append(out, p->post);
		if (at < n)
			json_array_append(out, json_array_get(chat, at));
	}
	/* a draft ends with what to write, then the start it goes on from */
	if (p->instruction)
		json_array_append(out, p->instruction);
	if (p->prefill)
		json_array_append(out, p->prefill);
	json_decref(chat);
	return out;
}

static json_t *budget_record(const struct build *b, const struct parts *p, int64_t context,
			     const json_t *max_tokens)
{
	const json_t *limit = json_object_get(b->in->settings, "history_limit");

	return json_pack("{s:I, s:O, s:I, s:{s:O, s:I}, s:{s:I, s:I}}", "context_tokens",
			 (json_int_t)context, "max_tokens", max_tokens ? (json_t *)max_tokens : json_null(),
			 "used", (json_int_t)p->used, "history", "limit",
			 limit ? (json_t *)limit : json_null(), "included",
			 (json_int_t)(json_array_size(p->history) - p->first_kept_history),
			 "dropped", "examples", (json_int_t)p->first_kept_block, "messages",
			 (json_int_t)p->first_kept_history);
}

static json_t *request(struct build *b, struct parts *p)
{
	const json_t *settings = b->in->settings, *ch = b->in->character;
	const json_t *max_tokens = json_object_get(settings, "max_tokens");
	json_t *req, *guise, *persona;
	const char *kind = g_session_persona_kind_name(b->in->kind);

	if (fit(b, p, b->budget) < 0)
		return NULL;
	req = json_pack("{s:O, s:o}", "model",
			json_object_get(settings, "model") ? json_object_get(settings, "model")
							   : json_null(),
			"messages", messages(b, p));
	if (!req)
		return g_err_oom(b->err), NULL;
	put_settings(req, settings);
	persona = json_pack("{s:s, s:O, s:O}", "kind", kind, "id",
			    b->in->persona ? json_object_get(b->in->persona, "id") : json_null(),
			    "name",
			    b->in->persona ? json_object_get(b->in->persona, "name") : json_null());
	guise = json_pack("{s:o, s:s, s:O, s:O, s:{s:O, s:O}, s:o, s:o}", "session",
			  b->in->session_id ? json_string(b->in->session_id) : json_null(), "user",
			  b->in->username ? b->in->username : "", "provider",
			  json_object_get(settings, "provider") ? json_object_get(settings, "provider")
								 : json_null(),
			  "pending", p->pending_raw ? p->pending_raw : json_null(), "character", "id",
			  json_object_get(ch, "id"), "name", json_object_get(ch, "name"), "persona",
			  persona, "budget", budget_record(b, p, b->context, max_tokens));
	if (guise && b->lore.report &&
	    ((b->in->lore_at && json_object_set(b->lore.report, "at", (json_t *)b->in->lore_at) < 0) ||
	     json_object_set(guise, "lore", b->lore.report) < 0))
		json_decref(guise), guise = NULL;
	if (guise && g_prompt_mode_put(guise, b->in->mode,
				       b->in->mode == G_PROMPT_DRAFT ? b->in->pending : NULL,
				       b->in->pending_len, b->in->target) < 0)
		json_decref(guise), guise = NULL;
	if (!guise || json_object_set_new(req, "guise", guise) < 0) {
		json_decref(req);
		return g_err_oom(b->err), NULL;
	}
	return req;
}

/* context_tokens and the prompt budget (less max_tokens): 65 when
 * max_tokens leaves nothing. */
static int budget(struct build *b)
{
	const json_t *max_tokens = json_object_get(b->in->settings, "max_tokens");
	const json_t *ctx = json_object_get(b->in->settings, "context_tokens");

	b->context = json_is_integer(ctx) ? json_integer_value(ctx) : G_PROMPT_DEFAULT_CONTEXT;
	b->budget = b->context - (json_is_integer(max_tokens) ? json_integer_value(max_tokens) : 0);
	if (b->budget <= 0)
		return g_err_set(b->err, G_EX_DATAERR,
				 "max_tokens (%lld) leaves nothing of context_tokens (%lld) for the "
				 "prompt",
				 (long long)(b->context - b->budget), (long long)b->context);
	return 0;
}

static void lore_in(const struct build *b, struct g_prompt_lore_in *li)
{
	memset(li, 0, sizeof(*li));
	li->books = b->in->lore_books;
	li->ready = b->in->lore_ready;
	li->history = b->in->history;
	li->pending = b->in->pending;
	li->settings = b->in->settings;
	li->state = b->in->lore_state;
	li->chat_length = b->in->chat_length;
	li->prompt_budget = b->budget;
	li->m = (struct g_macro_ctx *)&b->m;
	li->seed = b->in->seed;
}

/* Lore before or after the example messages, as a system message: NULL
 * when there is none (or memory failed, *failed set). */
static json_t *lore_message(const struct build *b, int position, int *failed)
{
	const char *text = g_prompt_lore_at(&b->lore, position);
	json_t *m;

	if (!*text)
		return NULL;
	if (!(m = message("system", text)))
		*failed = 1;
	return m;
}

/* What ends the chat, by mode: the new user message (reply, kept as
 * written in guise.pending too), the assistant message continued, or a
 * draft's instruction and the start of the message it asks for. */
static int pending_parts(struct build *b, struct parts *p)
{
	const struct g_prompt_in *in = b->in;

	if (in->mode == G_PROMPT_DRAFT &&
	    !(p->instruction = marker(b, g_prompt_draft_prompt(in->settings),
					    g_prompt_draft_default)))
		return -1;
	if (!in->pending)
		return 0;
	if (in->mode == G_PROMPT_DRAFT)
		return (p->prefill = expanded_message(b, "assistant", in->pending,
						      in->pending_len)) ? 0 : -1;
	p->pending = expanded_message(b, in->mode == G_PROMPT_CONTINUE ? "assistant" : "user",
				      in->pending, in->pending_len);
	if (in->mode == G_PROMPT_REPLY)
		p->pending_raw = json_pack("{s:s, s:s%}", "role", "user", "content", in->pending,
					   in->pending_len);
	return p->pending && (in->mode != G_PROMPT_REPLY || p->pending_raw) ? 0 : -1;
}

int g_prompt_build(const struct g_prompt_in *in, json_t **out, struct g_err *err)
{
	struct g_prompt_lore_in li;
	int failed = 0;
	struct build b;
	struct parts p;
	char *block = NULL, *story = NULL;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	memset(&p, 0, sizeof(p));
	*out = NULL;
	b.in = in;
	b.err = err;
	b.card = json_object_get(in->character, "data");
	b.pdata = in->kind != G_PERSONA_NONE ? json_object_get(in->persona, "data") : NULL;
	b.swap = in->kind == G_PERSONA_IMPERSONATED;
	if (budget(&b) < 0 || prepare(&b) < 0)
		goto out;
	lore_in(&b, &li);
	if (g_prompt_lore_run(&li, &b.lore, err) < 0)
		goto out;
	if (b.pdata && !(block = persona_block(&b)))
		goto nomem;
	/* the persona goes in the story string, at a depth, or nowhere */
	story = story_string(&b, block && strcmp(position(&b), "in_prompt") == 0 ? block : "");
	if (!story)
		goto nomem;
	p.system = message("system", story);
	p.blocks = example_blocks(&b);
	p.separator = marker(&b, in->example_separator, "[Example Chat]");
	p.start = marker(&b, in->chat_start, "[Start a new chat]");
	p.history = history(&b);
	if (block && strcmp(position(&b), "at_depth") == 0) {
		const char *role = json_string_value(json_object_get(in->persona, "role"));

		p.depth_msg = message(role ? role : "system", block);
	}
	p.lore_top = lore_message(&b, 5, &failed);
	p.lore_bottom = lore_message(&b, 6, &failed);
	g_err_clear(err);
	p.note = g_prompt_note(&li, &b.lore,
			       block && strcmp(position(&b), "an_top") == 0 ? block : NULL,
			       block && strcmp(position(&b), "an_bottom") == 0 ? block : NULL,
			       &p.note_depth, err);
	if (failed || (!p.note && err->code))
		goto nomem;
	p.post = post_history(&b);
	if (p.post && json_string_length(json_object_get(p.post, "content")) == 0) {
		json_decref(p.post);
		p.post = NULL;
	}
	if (pending_parts(&b, &p) < 0)
		goto nomem;
	if (!p.system || !p.blocks || !p.separator || !p.start || !p.history)
		goto nomem;
	*out = request(&b, &p);
	rc = *out ? 0 : -1;
	goto out;
nomem:
	g_err_oom(err);
out:
	json_decref(p.system);
	json_decref(p.blocks);
	json_decref(p.separator);
	json_decref(p.start);
	json_decref(p.history);
	json_decref(p.depth_msg);
	json_decref(p.lore_top);
	json_decref(p.lore_bottom);
	json_decref(p.note);
	json_decref(p.post);
	json_decref(p.pending);
	json_decref(p.pending_raw);
	json_decref(p.instruction);
	json_decref(p.prefill);
	free(block);
	free(story);
	release(&b);
	return rc;
}
