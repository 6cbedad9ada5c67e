/*
 * prompt_mode.h: the four turns prompt-render writes a request for
 * (DESIGN.md §8 "Generation modes"), and what a request says of its mode
 * for llm-send --record to store the turn as it was meant.
 *
 * guise.mode is reply, draft, regenerate or continue; a draft carries
 * guise.draft: {start} (the start of the user's message as written, or
 * null), regenerate carries guise.regenerate: {seq}, the message it makes a
 * new version of; continue carries guise.continue: {seq, swipe, content},
 * the message and the version of it continued, as stored.
 */
#ifndef GUISE_PROMPT_MODE_H
#define GUISE_PROMPT_MODE_H
#include <jansson.h>
#include <stdint.h>

#include "err.h"

enum g_prompt_mode {
	G_PROMPT_REPLY,      /* the character's next reply */
	G_PROMPT_DRAFT,      /* the user's next message, written by the model */
	G_PROMPT_REGENERATE, /* a new version of the last assistant message */
	G_PROMPT_CONTINUE    /* the last assistant message, continued */
};

/* The instruction that ends a draft's request when the session sets no
 * draft_prompt. */
extern const char g_prompt_draft_default[];

/* The continue nudge that follows the model's own text where the protocol
 * cannot continue it by itself (llm.c). */
extern const char g_prompt_continue_nudge[];

const char *g_prompt_mode_name(enum g_prompt_mode mode);

/* The draft instruction: settings' draft_prompt, else the default. */
const char *g_prompt_draft_prompt(const json_t *settings);

/* What a regenerate or continue request works on: its message and, for
 * continue, the version continued as it stood when the request was
 * written, which is appended to only if it is still the message's current
 * version, unchanged. */
struct g_prompt_target {
	int64_t seq;         /* the message */
	int64_t swipe;       /* continue: the version's index; else -1 */
	const char *content; /* continue: its text as stored (borrowed); else NULL */
	size_t len;
};

/* The mode's keys put into a request's guise: start is the draft's start as
 * written (NULL: none); target the record of the message regenerated or
 * continued (its seq, swipe and content). -1 out of memory. */
int g_prompt_mode_put(json_t *guise, enum g_prompt_mode mode, const char *start, size_t len,
		      const json_t *target);

/* A request's mode read back (no guise.mode: reply) and, for regenerate
 * and continue, what it works on (*target): 65 located when a key is
 * missing or not what it should be. */
int g_prompt_mode_get(const json_t *request, enum g_prompt_mode *mode,
		      struct g_prompt_target *target, struct g_err *err);

#endif
