/*
 * llm.h: the four wire protocols of DESIGN.md §9, without the network.
 *
 * g_llm_build turns a request document (prompt-render's, OpenAI shaped)
 * into the HTTP call a provider wants: its URL, headers and body, mapping
 * every generation setting the provider has and naming those it has not.
 * A struct g_llm_reader then reads what comes back, streamed (SSE for
 * openai, anthropic and gemini; JSON lines for ollama) or whole, into a
 * struct g_llm_reply: the text (handed out piece by piece as it arrives),
 * the finish reason, usage normalised to input and output tokens. A
 * stream that ends before the provider said the reply is complete is an
 * error (76), never a short reply.
 */
#ifndef GUISE_LLM_H
#define GUISE_LLM_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum g_provider { G_PROVIDER_OPENAI, G_PROVIDER_ANTHROPIC, G_PROVIDER_OLLAMA, G_PROVIDER_GEMINI };

/* By name: -1 if it is none of the four. */
int g_llm_provider_parse(const char *name, enum g_provider *out);
const char *g_llm_provider_name(enum g_provider p);
/* The base URL a provider's own SDK uses. */
const char *g_llm_provider_url(enum g_provider p);
/* The environment variable of its key (NULL: ollama needs none). */
const char *g_llm_provider_key_env(enum g_provider p);

/* One HTTP call. headers: an object of name -> value. */
struct g_llm_call {
	char *url;
	json_t *headers;
	json_t *body;
	const char *key_header; /* the header that carries the key, or NULL */
	char dropped[256];      /* the settings the provider does not take */
};

void g_llm_call_release(struct g_llm_call *c);
/* The call as it would go, its key redacted (what llm-send -n shows):
 * {kind: http-request, method, url, headers, body}. NULL out of memory. */
json_t *g_llm_call_record(const struct g_llm_call *c);

/* The call for request (not changed) to provider p at base_url; key may be
 * NULL. 65 for a request without messages. */
int g_llm_build(enum g_provider p, const char *base_url, const char *model, const char *key,
		const json_t *request, int stream, struct g_llm_call *out, struct g_err *err);

/* The request's messages as they go to provider p (new reference, NULL
 * out of memory): a request of guise.mode continue or draft that ends with
 * the model's own text (an assistant message) is continued by anthropic
 * as it is (its trailing white space dropped, which the API refuses), and
 * followed for the others by a system message asking them to go on. */
json_t *g_llm_messages(enum g_provider p, const json_t *request);

struct g_llm_reply {
	char *text; /* text_len bytes, NUL-terminated */
	size_t text_len;
	char *finish_reason; /* NULL: not said */
	char *model;         /* as the provider named it, or NULL */
	int64_t input_tokens, output_tokens; /* -1: not said */
	int complete;
};

void g_llm_reply_release(struct g_llm_reply *r);

/* Each piece of reply text as it arrives; non-zero stops the read. */
typedef int (*g_llm_text_fn)(const char *text, size_t len, void *arg);

struct g_llm_reader;

/* A reader of p's reply into reply (emptied first). */
struct g_llm_reader *g_llm_reader_new(enum g_provider p, int stream, struct g_llm_reply *reply,
				      g_llm_text_fn fn, void *arg);
void g_llm_reader_free(struct g_llm_reader *r);
/* The next bytes of a 2xx reply: -1 with err (76 malformed, or an error
 * the stream itself reported: 76, 75 when the provider is overloaded); 1
 * when a stream's end marker has come ([DONE], message_stop, "done": true,
 * a candidate with a finishReason): the reply is whole, and nothing after
 * the marker, in these bytes or later ones, is read into it. */
int g_llm_reader_feed(struct g_llm_reader *r, const char *buf, size_t len, struct g_err *err);
/* The end of the reply: 76 when it was not complete. */
int g_llm_reader_end(struct g_llm_reader *r, struct g_err *err);

/* The provider's own words for a failed call (the body of a non-2xx
 * reply): a malloc'ed string, the body itself cut short when it says
 * nothing we know. */
char *g_llm_error_text(const char *body, size_t len);

#endif
