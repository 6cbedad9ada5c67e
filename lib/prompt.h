/*
 * prompt.h: the exact LLM request for a character, the active persona,
 * settings, history and a new user message (DESIGN.md §4, §8).
 *
 * The request is OpenAI chat-completions shaped, messages in §8's order:
 * the story string (a template, tmpl.h), example chats, "[Start a new
 * chat]" and the history, the persona at depth and the post-history
 * instructions, the new message. Every text goes through the macros
 * (macro.h) once; an impersonated character's own text with {{char}} and
 * {{user}} swapped. Over the budget (context_tokens - max_tokens), example
 * blocks go first, oldest first, then the oldest history; what is dropped
 * is told in guise.budget. Lore and the author's note are placed as
 * prompt_lore.h says, and told in guise.lore. The same inputs and seed give
 * the same bytes.
 *
 * Nothing here reads the store: the caller loads the records.
 */
#ifndef GUISE_PROMPT_H
#define GUISE_PROMPT_H
#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "prompt_mode.h"
#include "session.h"
#include "tmpl.h"

/* context_tokens when a session sets none */
#define G_PROMPT_DEFAULT_CONTEXT 8192

/* Tokens a text is taken to cost: ceil(bytes / 3), and 4 for each message
 * around it. Conservative: common tokenizers make 3.5 to 4 bytes a token of
 * English, and about 3 of code. */
#define G_PROMPT_BYTES_PER_TOKEN 3
#define G_PROMPT_TOKENS_PER_MESSAGE 4

struct g_prompt_in {
	const char *session_id; /* NULL: a render without a session */
	const char *username;
	const json_t *character; /* its record (card_row.h) */
	enum g_persona_kind kind;
	const json_t *persona;  /* the persona's or impersonated character's record */
	const json_t *settings; /* every key of settings.h */
	const json_t *history;  /* message records {role, content, name?}, oldest
				 * first; name: the user's as spoken (lore scans it) */
	/* by mode: reply, the new user message; draft, the start of the
	 * user's message the model goes on with; continue, the assistant
	 * message continued (history ends before it); regenerate, NULL.
	 * NULL: none */
	const char *pending;
	size_t pending_len;
	enum g_prompt_mode mode;
	/* regenerate, continue: the message's record (seq, swipe, content) */
	const json_t *target;
	const struct g_tmpl *tmpl; /* the story string */
	const char *example_separator; /* NULL: "[Example Chat]" */
	const char *chat_start;        /* NULL: "[Start a new chat]" */
	uint64_t seed;
	const json_t *lore_books; /* lore_sources.h's list; NULL: none */
	const struct g_lore_book *const *lore_ready; /* its books already read */
	const json_t *lore_state; /* the session's timed state, NULL: none */
	/* where the session stands (session_lore.h's g_session_lore_at), put
	 * in guise.lore.at; NULL: none */
	const json_t *lore_at;
	long chat_length;         /* messages in the session */
};

/* The request (new reference in *request): 65 when the parts that are
 * never dropped are over the budget alone. */
int g_prompt_build(const struct g_prompt_in *in, json_t **request, struct g_err *err);

/* The tokens text of len bytes is taken to cost, with its message. */
int64_t g_prompt_tokens(size_t len);

/* A request as a readable transcript ("[ROLE]" then the content, a blank
 * line between messages; then what lore did, when it ran): malloc'ed,
 * NULL if memory fails. */
char *g_prompt_transcript(const json_t *request);

#endif
