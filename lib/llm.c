/* llm.c: requests to each provider's shape, and replies back to ours. */
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "sse.h"

#include <sodium.h>

/* The most a reply read whole (not streamed) may hold. */
#define MAX_BODY ((size_t)64 << 20)

static const struct {
	const char *name, *url, *key_env;
} providers[] = {
	{ "openai", "https://api.openai.com/v1", "OPENAI_API_KEY" },
	{ "anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY" },
	{ "ollama", "http://localhost:11434", NULL },
	{ "gemini", "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY" },
};

int g_llm_provider_parse(const char *name, enum g_provider *out)
{
	size_t i;

	for (i = 0; name && i < sizeof(providers) / sizeof(*providers); i++)
		if (strcmp(name, providers[i].name) == 0) {
			*out = (enum g_provider)i;
			return 0;
		}
	return -1;
}

const char *g_llm_provider_name(enum g_provider p)
{
	return providers[p].name;
}

const char *g_llm_provider_url(enum g_provider p)
{
	return providers[p].url;
}

const char *g_llm_provider_key_env(enum g_provider p)
{
	return providers[p].key_env;
}


void g_llm_call_release(struct g_llm_call *c)
{
	free(c->url);
	json_decref(c->headers);
	json_decref(c->body);
	memset(c, 0, sizeof(*c));
}

json_t *g_llm_call_record(const struct g_llm_call *c)
{
	json_t *headers = json_deep_copy(c->headers);

	if (headers && c->key_header)
		json_object_set_new(headers, c->key_header,
				    json_string(strcmp(c->key_header, "Authorization") == 0
							? "Bearer [redacted]"
							: "[redacted]"));
	return json_pack("{s:s, s:s, s:s, s:o, s:O}", "kind", "http-request", "method", "POST",
			 "url", c->url, "headers", headers, "body", c->body);
}

/* --- requests -------------------------------------------------------------- */

/* Copy the request's key, if set, into body as name. */
static void map(json_t *body, const json_t *req, const char *key, const char *name)
{
	const json_t *v = json_object_get(req, key);

	if (v && !json_is_null(v))
		json_object_set(body, name, (json_t *)v);
}

/* Note key as dropped when the request sets it. */
static void drop(struct g_llm_call *c, const json_t *req, const char *key)
{
	const json_t *v = json_object_get(req, key);
	size_t n = strlen(c->dropped);

	if (v && !json_is_null(v))
		snprintf(c->dropped + n, sizeof(c->dropped) - n, "%s%s", n ? ", " : "", key);
}

/* A provider's names for the request's sampling settings, in the order its
 * body lists them; a NULL wire name: the provider has no such setting, so
 * a request that sets it has it noted as dropped. */
struct wire_name {
	const char *key, *wire;
};

static void map_all(struct g_llm_call *c, json_t *body, const json_t *req,
		    const struct wire_name *names)
{
	for (; names->key; names++) {
		if (names->wire)
			map(body, req, names->key, names->wire);
		else
			drop(c, req, names->key);
	}
}

/* map_all into an object of its own, body's member FIELD, which is left out
 * when the request sets none of the settings (Ollama's options, Gemini's
 * generationConfig). */
static void map_all_under(struct g_llm_call *c, json_t *body, const char *field,
			  const json_t *req, const struct wire_name *names)
{
	json_t *o = json_object();

	map_all(c, o, req, names);
	if (json_object_size(o))
		json_object_set_new(body, field, o);
	else
		json_decref(o);
}

static const struct wire_name openai_names[] = {
	{ "temperature", "temperature" }, { "top_p", "top_p" }, { "max_tokens", "max_tokens" },
	{ "frequency_penalty", "frequency_penalty" }, { "presence_penalty", "presence_penalty" },
	{ "seed", "seed" }, { "stop", "stop" }, { "top_k", NULL }, { NULL, NULL }
};

/* max_tokens is Anthropic's own case (build_anthropic) */
static const struct wire_name anthropic_names[] = {
	{ "temperature", "temperature" }, { "top_p", "top_p" }, { "top_k", "top_k" },
	{ "stop", "stop_sequences" }, { "frequency_penalty", NULL }, { "presence_penalty", NULL },
	{ "seed", NULL }, { NULL, NULL }
};

static const struct wire_name ollama_names[] = {
	{ "temperature", "temperature" }, { "top_p", "top_p" }, { "top_k", "top_k" },
	{ "max_tokens", "num_predict" }, { "frequency_penalty", "frequency_penalty" },
	{ "presence_penalty", "presence_penalty" }, { "seed", "seed" }, { "stop", "stop" },
	{ NULL, NULL }
};

static const struct wire_name gemini_names[] = {
	{ "temperature", "temperature" }, { "top_p", "topP" }, { "top_k", "topK" },
	{ "max_tokens", "maxOutputTokens" }, { "stop", "stopSequences" }, { "seed", "seed" },
	{ "frequency_penalty", "frequencyPenalty" }, { "presence_penalty", "presencePenalty" },
	{ NULL, NULL }
};

static char *join_url(const char *base, const char *a, const char *b, const char *c)
{
	size_t n = strlen(base), len;
	char *url;

	while (n && base[n - 1] == '/') /* "http://host/v1/" as well as ".../v1" */
		n--;
	len = n + strlen(a) + strlen(b) + strlen(c) + 1;
	url = malloc(len);
	if (url)
		snprintf(url, len, "%.*s%s%s%s", (int)n, base, a, b, c);
	return url;
}

/* The chat for the providers that take the system prompt apart: the
 * first message, when it is a system message (the story string), is the
 * system prompt; every later system message (a marker, the persona at
 * depth, post-history instructions) keeps its place as part of a user
 * turn; consecutive messages of one role are joined (they take turns), and
 * a user turn comes first (they begin with one). */
static json_t *turns(const json_t *messages, const char *assistant, json_t **system)
{
	json_t *out = json_array(), *last = NULL;
	const json_t *m;
	size_t i;
	char *joined;

	*system = NULL;
	json_array_foreach (messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *text = json_string_value(json_object_get(m, "content"));
		const char *as;

		if (!role || !text)
			continue;
		if (strcmp(role, "system") == 0 && i == 0) {
			json_t *s = *system;
			size_t n = s ? json_string_length(s) : 0;

			joined = malloc(n + strlen(text) + 3);
			if (!joined)
				continue;
			snprintf(joined, n + strlen(text) + 3, "%s%s%s", s ? json_string_value(s) : "",
				 s ? "\n\n" : "", text);
			json_decref(s);
			*system = json_string(joined);
			free(joined);
			continue;
		}
		as = strcmp(role, "assistant") == 0 ? assistant : "user";
		if (last && strcmp(json_string_value(json_object_get(last, "role")), as) == 0) {
			const char *was = json_string_value(json_object_get(last, "text"));
			size_t len = strlen(was) + strlen(text) + 3;

			joined = malloc(len);
			if (joined) {
				snprintf(joined, len, "%s\n\n%s", was, text);
				json_object_set_new(last, "text", json_string(joined));
				free(joined);
			}
			continue;
		}
		if (!last && strcmp(as, "user") != 0)
			json_array_append_new(out, json_pack("{s:s, s:s}", "role", "user", "text",
							     "[Start a new chat]"));
		last = json_pack("{s:s, s:s}", "role", as, "text", text);
		json_array_append_new(out, last);
	}
	return out;
}

static int build_openai(struct g_llm_call *c, const json_t *req, const char *model, int stream)
{
	json_t *b = c->body;

	json_object_set_new(b, "model", json_string(model));
	json_object_set_new(b, "messages", g_llm_messages(G_PROVIDER_OPENAI, req));
	json_object_set_new(b, "stream", json_boolean(stream));
	if (stream)
		json_object_set_new(b, "stream_options", json_pack("{s:b}", "include_usage", 1));
	map_all(c, b, req, openai_names);
	return 0;
}

static int build_anthropic(struct g_llm_call *c, const json_t *req, const char *model,
			   int stream)
{
	json_t *b = c->body, *system = NULL, *chat, *messages = json_array(), *t;
	json_t *wire = g_llm_messages(G_PROVIDER_ANTHROPIC, req);
	size_t i;

	chat = turns(wire, "assistant", &system);
	json_decref(wire);
	for (i = 0; i < json_array_size(chat); i++) {
		t = json_array_get(chat, i);
		json_array_append_new(messages, json_pack("{s:O, s:O}", "role",
							  json_object_get(t, "role"), "content",
							  json_object_get(t, "text")));
	}
	json_decref(chat);
	json_object_set_new(b, "model", json_string(model));
	if (system)
		json_object_set_new(b, "system", system);
	json_object_set_new(b, "messages", messages);
	/* the messages API wants max_tokens; 1024 when the session sets none */
	if (json_is_integer(json_object_get(req, "max_tokens")))
		map(b, req, "max_tokens", "max_tokens");
	else
		json_object_set_new(b, "max_tokens", json_integer(1024));
	map_all(c, b, req, anthropic_names);
	json_object_set_new(b, "stream", json_boolean(stream));
	return 0;
}

static int build_ollama(struct g_llm_call *c, const json_t *req, const char *model, int stream)
{
	json_t *b = c->body;

	json_object_set_new(b, "model", json_string(model));
	json_object_set_new(b, "messages", g_llm_messages(G_PROVIDER_OLLAMA, req));
	json_object_set_new(b, "stream", json_boolean(stream));
	map_all_under(c, b, "options", req, ollama_names);
	return 0;
}

static int build_gemini(struct g_llm_call *c, const json_t *req, int stream)
{
	json_t *b = c->body, *system = NULL, *chat, *contents = json_array(), *t;
	json_t *wire = g_llm_messages(G_PROVIDER_GEMINI, req);
	size_t i;

	(void)stream;
	chat = turns(wire, "model", &system);
	json_decref(wire);
	if (system)
		json_object_set_new(b, "systemInstruction",
				    json_pack("{s:[{s:o}]}", "parts", "text", system));
	for (i = 0; i < json_array_size(chat); i++) {
		t = json_array_get(chat, i);
		json_array_append_new(contents,
				      json_pack("{s:O, s:[{s:O}]}", "role", json_object_get(t, "role"),
						"parts", "text", json_object_get(t, "text")));
	}
	json_decref(chat);
	json_object_set_new(b, "contents", contents);
	map_all_under(c, b, "generationConfig", req, gemini_names);
	return 0;
}

int g_llm_build(enum g_provider p, const char *base_url, const char *model, const char *key,
		const json_t *request, int stream, struct g_llm_call *out, struct g_err *err)
{
	const json_t *messages = json_object_get(request, "messages");

	memset(out, 0, sizeof(*out));
	if (!json_is_array(messages) || json_array_size(messages) == 0)
		return g_err_set(err, G_EX_DATAERR, "the request has no messages");
	out->headers = json_pack("{s:s}", "Content-Type", "application/json");
	out->body = json_object();
	switch (p) {
	case G_PROVIDER_OPENAI:
		out->url = join_url(base_url, "/chat/completions", "", "");
		if (key)
			out->key_header = "Authorization";
		build_openai(out, request, model, stream);
		break;
	case G_PROVIDER_ANTHROPIC:
		out->url = join_url(base_url, "/v1/messages", "", "");
		out->key_header = "x-api-key";
		json_object_set_new(out->headers, "anthropic-version", json_string("2023-06-01"));
		build_anthropic(out, request, model, stream);
		break;
	case G_PROVIDER_OLLAMA:
		out->url = join_url(base_url, "/api/chat", "", "");
		if (key) /* none needed; a proxy in front may want one */
			out->key_header = "Authorization";
		build_ollama(out, request, model, stream);
		break;
	case G_PROVIDER_GEMINI:
		/* the model is part of the URL's path: nothing that would end it */
		if (model[strcspn(model, "/?#% \t\r\n")]) {
			g_llm_call_release(out);
			return g_err_set(err, G_EX_USAGE,
					 "model '%s': a gemini model name cannot hold / ? # %% or spaces",
					 model);
		}
		out->url = join_url(base_url, "/models/", model,
				    stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
		out->key_header = "x-goog-api-key";
		build_gemini(out, request, stream);
		break;
	}
	if (out->key_header && key) {
		char bearer[1100];
		int bad;

		if (strcmp(out->key_header, "Authorization") == 0) {
			snprintf(bearer, sizeof(bearer), "Bearer %s", key);
			bad = json_object_set_new(out->headers, out->key_header, json_string(bearer));
			sodium_memzero(bearer, sizeof(bearer));
		} else {
			bad = json_object_set_new(out->headers, out->key_header, json_string(key));
		}
		if (bad) { /* json_string refuses what is not UTF-8 */
			g_llm_call_release(out);
			return g_err_set(err, G_EX_DATAERR, "the API key is not valid UTF-8");
		}
	} else if (!key) {
		out->key_header = NULL;
	}
	if (!out->url || !out->headers || !out->body) {
		g_llm_call_release(out);
		return g_err_oom(err);
	}
	return 0;
}

/* --- replies --------------------------------------------------------------- */

void g_llm_reply_release(struct g_llm_reply *r)
{
	free(r->text);
	free(r->finish_reason);
	free(r->model);
	memset(r, 0, sizeof(*r));
}

struct g_llm_reader {
	enum g_provider p;
	int stream;
	struct g_llm_reply *reply;
	g_llm_text_fn fn;
	void *arg;
	struct g_sse *sse;
	struct g_lines *lines;
	char *body; /* a reply read whole */
	size_t body_len;
	int stopped; /* fn asked to stop */
};

static int malformed(struct g_llm_reader *r, struct g_err *err, const char *what)
{
	return g_err_set(err, G_EX_PROTOCOL, "%s: %s", g_llm_provider_name(r->p), what);
}

static int text(struct g_llm_reader *r, const json_t *piece, struct g_err *err)
{
	struct g_llm_reply *rp = r->reply;
	size_t n = json_string_length(piece);
	char *grown;

	if (!json_is_string(piece) || n == 0)
		return 0;
	grown = realloc(rp->text, rp->text_len + n + 1);
	if (!grown)
		return g_err_oom(err);
	rp->text = grown;
	memcpy(rp->text + rp->text_len, json_string_value(piece), n);
	rp->text_len += n;
	rp->text[rp->text_len] = '\0';
	if (r->fn && r->fn(json_string_value(piece), n, r->arg)) {
		r->stopped = 1;
		return g_err_set(err, G_EX_IOERR, "error writing output");
	}
	return 0;
}

static void set_string(char **at, const json_t *v)
{
	if (json_is_string(v) && json_string_length(v)) {
		free(*at);
		*at = strdup(json_string_value(v));
	}
}

static void set_count(int64_t *at, const json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		*at = json_integer_value(v);
}

/* {"error": {...}} or {"error": "..."} inside a 2xx reply or stream */
static int reported_error(struct g_llm_reader *r, const json_t *o, struct g_err *err)
{
	const json_t *e = json_object_get(o, "error");
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *msg = json_is_string(e) ? json_string_value(e)
			  : json_string_value(json_object_get(e, "message"));

	if (!e || json_is_null(e))
		return 0;
	return g_err_set(err, type && strcmp(type, "overloaded_error") == 0 ? G_EX_TEMPFAIL
									     : G_EX_PROTOCOL,
			 "%s: the provider reported an error: %s", g_llm_provider_name(r->p),
			 msg ? msg : "(no message)");
}

/* One JSON object of a reply, streamed or whole. event: the SSE event
 * name (anthropic), or NULL. */
static int object(struct g_llm_reader *r, const json_t *o, const char *event, struct g_err *err)
{
	struct g_llm_reply *rp = r->reply;
	const json_t *v;
	size_t i;

	if (reported_error(r, o, err) < 0)
		return -1;
	set_string(&rp->model, json_object_get(o, "model"));
	switch (r->p) {
	case G_PROVIDER_OPENAI: {
		const json_t *choice = json_array_get(json_object_get(o, "choices"), 0);
		const json_t *usage = json_object_get(o, "usage");

		v = json_object_get(json_object_get(choice, r->stream ? "delta" : "message"),
				    "content");
		if (text(r, v, err) < 0)
			return -1;
		set_string(&rp->finish_reason, json_object_get(choice, "finish_reason"));
		set_count(&rp->input_tokens, json_object_get(usage, "prompt_tokens"));
		set_count(&rp->output_tokens, json_object_get(usage, "completion_tokens"));
		if (!r->stream && choice)
			rp->complete = 1;
		return 0;
	}
	case G_PROVIDER_ANTHROPIC:
		if (!r->stream || (event && strcmp(event, "message_start") == 0)) {
			const json_t *m = r->stream ? json_object_get(o, "message") : o;

			set_string(&rp->model, json_object_get(m, "model"));
			set_count(&rp->input_tokens,
				  json_object_get(json_object_get(m, "usage"), "input_tokens"));
		}
		if (!r->stream) {
			json_array_foreach (json_object_get(o, "content"), i, v)
				if (text(r, json_object_get(v, "text"), err) < 0)
					return -1;
			set_string(&rp->finish_reason, json_object_get(o, "stop_reason"));
			set_count(&rp->output_tokens,
				  json_object_get(json_object_get(o, "usage"), "output_tokens"));
			rp->complete = json_is_array(json_object_get(o, "content"));
			return 0;
		}
		if (strcmp(event, "content_block_delta") == 0)
			return text(r, json_object_get(json_object_get(o, "delta"), "text"), err);
		if (strcmp(event, "message_delta") == 0) {
			set_string(&rp->finish_reason,
				   json_object_get(json_object_get(o, "delta"), "stop_reason"));
			set_count(&rp->output_tokens,
				  json_object_get(json_object_get(o, "usage"), "output_tokens"));
		}
		if (strcmp(event, "message_stop") == 0)
			rp->complete = 1;
		return 0;
	case G_PROVIDER_OLLAMA:
		if (text(r, json_object_get(json_object_get(o, "message"), "content"), err) < 0)
			return -1;
		if (json_is_true(json_object_get(o, "done"))) {
			set_string(&rp->finish_reason, json_object_get(o, "done_reason"));
			set_count(&rp->input_tokens, json_object_get(o, "prompt_eval_count"));
			set_count(&rp->output_tokens, json_object_get(o, "eval_count"));
			rp->complete = 1;
		}
		return 0;
	case G_PROVIDER_GEMINI: {
		const json_t *cand = json_array_get(json_object_get(o, "candidates"), 0);
		const json_t *usage = json_object_get(o, "usageMetadata");

		json_array_foreach (json_object_get(json_object_get(cand, "content"), "parts"), i, v)
			if (text(r, json_object_get(v, "text"), err) < 0)
				return -1;
		set_string(&rp->model, json_object_get(o, "modelVersion"));
		set_string(&rp->finish_reason, json_object_get(cand, "finishReason"));
		set_count(&rp->input_tokens, json_object_get(usage, "promptTokenCount"));
		set_count(&rp->output_tokens, json_object_get(usage, "candidatesTokenCount"));
		if (json_is_string(json_object_get(cand, "finishReason")))
			rp->complete = 1;
		return 0;
	}
	}
	return 0;
}

static int parsed(struct g_llm_reader *r, const char *s, size_t len, const char *event,
		  struct g_err *err)
{
	json_error_t jerr;
	json_t *o = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (!json_is_object(o)) {
		json_decref(o);
		return g_err_set(err, G_EX_PROTOCOL, "%s: the reply is not JSON: %s",
				 g_llm_provider_name(r->p), jerr.text);
	}
	rc = object(r, o, event, err);
	json_decref(o);
	return rc;
}

static int on_event(const struct g_sse_event *ev, void *arg, struct g_err *err)
{
	struct g_llm_reader *r = arg;

	if (r->reply->complete)
		return 0; /* after the end marker: nothing is part of the reply */
	if (r->p == G_PROVIDER_OPENAI && strcmp(ev->data, "[DONE]") == 0) {
		r->reply->complete = 1;
		return 0;
	}
	if (strcmp(ev->event, "ping") == 0)
		return 0;
	if (strcmp(ev->event, "error") == 0 && r->p != G_PROVIDER_ANTHROPIC) {
		g_err_set(err, G_EX_PROTOCOL, "%s: the stream reported an error: %.200s",
			  g_llm_provider_name(r->p), ev->data);
		return 1;
	}
	return parsed(r, ev->data, ev->data_len, ev->event, err) < 0;
}

static int on_line(const char *line, size_t len, void *arg, struct g_err *err)
{
	struct g_llm_reader *r = arg;

	if (r->reply->complete)
		return 0; /* after "done": true, nothing is part of the reply */
	return parsed(r, line, len, NULL, err) < 0;
}

struct g_llm_reader *g_llm_reader_new(enum g_provider p, int stream, struct g_llm_reply *reply,
				      g_llm_text_fn fn, void *arg)
{
	struct g_llm_reader *r = calloc(1, sizeof(*r));

	memset(reply, 0, sizeof(*reply));
	reply->input_tokens = reply->output_tokens = -1;
	if (!r)
		return NULL;
	r->p = p;
	r->stream = stream;
	r->reply = reply;
	r->fn = fn;
	r->arg = arg;
	if (stream && p == G_PROVIDER_OLLAMA)
		r->lines = g_lines_new(on_line, r);
	else if (stream)
		r->sse = g_sse_new(on_event, r);
	if (stream && !r->lines && !r->sse) {
		free(r);
		return NULL;
	}
	return r;
}

void g_llm_reader_free(struct g_llm_reader *r)
{
	if (!r)
		return;
	g_sse_free(r->sse);
	g_lines_free(r->lines);
	free(r->body);
	free(r);
}

int g_llm_reader_feed(struct g_llm_reader *r, const char *buf, size_t len, struct g_err *err)
{
	char *grown;
	int rc;

	if (r->stream) {
		/* a stream ends at its end marker, wherever the connection goes */
		if (r->reply->complete)
			return 1;
		rc = r->sse ? g_sse_feed(r->sse, buf, len, err) : g_lines_feed(r->lines, buf, len, err);
		return rc < 0 ? -1 : r->reply->complete;
	}
	if (r->body_len + len > MAX_BODY)
		return malformed(r, err, "a reply of more than 64 MiB");
	grown = realloc(r->body, r->body_len + len + 1);
	if (!grown)
		return g_err_oom(err);
	r->body = grown;
	memcpy(r->body + r->body_len, buf, len);
	r->body_len += len;
	return 0;
}

int g_llm_reader_end(struct g_llm_reader *r, struct g_err *err)
{
	if (r->sse && g_sse_end(r->sse, err) < 0)
		return -1;
	if (r->lines && g_lines_end(r->lines, err) < 0)
		return -1;
	if (!r->stream && parsed(r, r->body ? r->body : "", r->body_len, NULL, err) < 0)
		return -1;
	if (!r->reply->complete)
		return malformed(r, err, r->stream ? "the stream ended before the reply was complete"
						   : "the reply has no message in it");
	if (!r->reply->text && !(r->reply->text = calloc(1, 1)))
		return g_err_oom(err);
	return 0;
}

char *g_llm_error_text(const char *body, size_t len)
{
	json_t *o = json_loadb(body, len, 0, NULL), *e = json_object_get(o, "error");
	const char *msg = json_is_string(e) ? json_string_value(e)
			  : json_string_value(json_object_get(e, "message"));
	char *out;

	if (!msg)
		msg = json_string_value(json_object_get(o, "message"));
	if (msg) {
		out = strdup(msg);
	} else {
		/* not JSON we know: the body's first line, cut short */
		size_t n = 0;

		while (n < len && n < 200 && body[n] != '\n' && body[n] != '\r')
			n++;
		out = malloc(n + 1);
		if (out) {
			memcpy(out, body, n);
			out[n] = '\0';
		}
	}
	json_decref(o);
	return out;
}
