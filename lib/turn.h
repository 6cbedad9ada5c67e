/*
 * turn.h: one turn of a session as llm-send records it (DESIGN.md §9): the
 * request prompt-render wrote (its guise.session, guise.persona and
 * guise.pending), the reply that came back and who spoke it, made into the
 * messages stored and the reply record. The request's generation mode
 * (prompt_mode.h) says how: a reply is stored after the pending user
 * message, a draft as the user's message, a regenerated reply as a new
 * swipe of its message, a continuation appended to its message.
 *
 * struct g_turn borrows the request and the model asked for; the caller
 * sets them (and the provider) and the rest is filled here. The speaker's
 * name is the turn's own: g_turn_release frees it.
 */
#ifndef GUISE_TURN_H
#define GUISE_TURN_H

#include <jansson.h>

#include "err.h"
#include "llm.h"
#include "prompt_mode.h"
#include "session.h"

struct g_turn {
	const json_t *request; /* prompt-render's request */
	const char *model;     /* asked for: the reply's own name wins */
	enum g_provider provider;
	char session_id[G_UUID_LEN]; /* g_turn_target's */
	/* the request's guise.persona (has_speaker): the persona the prompt
	 * was written for, whatever the session binds by the time the reply
	 * is whole; without one the session's persona speaks */
	struct g_speaker speaker;
	int has_speaker;
	enum g_prompt_mode mode; /* g_turn_target's, from guise.mode */
	struct g_prompt_target target; /* regenerate, continue: what on */
	/* g_turn_store's: 0, or why the request's guise.lore.timed was not
	 * stored: the session moved since the render, or the request does
	 * not say where it was rendered (no guise.lore.at) */
	enum { G_TURN_LORE_STORED, G_TURN_LORE_MOVED, G_TURN_LORE_UNPLACED } lore_moved;
};

/* The speaker of the request's guise.persona, when it names one: 65 when it
 * is not {kind: none} or {kind: custom|impersonated, id, name}. */
int g_turn_speaker(struct g_turn *t, struct g_err *err);

/* Where the turn is recorded, checked before the call so that a send that
 * cannot be recorded is not made: the session the request names (64 when
 * it names none; as g_session_resolve when it is not there), the speaker
 * (g_turn_speaker), the mode (g_prompt_mode_get), and the shape of
 * guise.lore.timed and guise.lore.at (65). */
int g_turn_target(struct g_turn *t, struct g_store *s, const struct g_userkey *k,
		  struct g_err *err);

/* The turn stored in its session inside the caller's transaction, by mode:
 * reply, the request's pending user message (when it has one), then the
 * reply; draft, one user message, the draft's start and the reply; both
 * spoken by the turn's speaker. Regenerate: the reply a new swipe of its
 * message, made current (66 when that message is gone); continue: the
 * reply appended to its message's current swipe, which must still be the
 * version the request continued, unchanged (66 when the message is gone,
 * another swipe is current or it was edited since). Partial or complete as
 * said. The seqs written go onto stored (an array), to be shown once
 * committed. A reply or draft whose request carries guise.lore.timed
 * stores it as the session's timed state when the session is still at
 * guise.lore.at (session_lore.h); when it is not, the turn is stored all
 * the same, the state not, and t->lore_moved says why. */
int g_turn_store(struct g_turn *t, struct g_store *s, const struct g_userkey *k,
		 const struct g_llm_reply *reply, int partial, json_t *stored,
		 struct g_err *err);

/* The reply record llm-send prints: {kind: reply, role (user for a
 * draft), content, model,
 * provider, finish_reason, usage, session, recorded} with recorded the
 * seqs array (a new reference is taken). NULL when out of memory. */
json_t *g_turn_record(const struct g_turn *t, const struct g_llm_reply *reply, json_t *recorded);

void g_turn_release(struct g_turn *t);

#endif
