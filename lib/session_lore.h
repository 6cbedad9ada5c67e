/*
 * session_lore.h: what a session keeps sealed for lore and the author's
 * note (DESIGN.md §8; share/sql/0006-session-lore.sql).
 *
 * The text settings a person wrote (G_SESSION_TEXTS: today the author's
 * note) travel as one sealed JSON object, chat_sessions.texts; adding one
 * is a line in session_lore.c. The lore's timed state is a sealed JSON
 * list, chat_sessions.lore_state, read by prompt-render and written by
 * llm-send --record inside the turn's transaction, only when the session
 * is still where the request was rendered (g_session_lore_at).
 */
#ifndef GUISE_SESSION_LORE_H
#define GUISE_SESSION_LORE_H
#include <jansson.h>

#include "err.h"
#include "store.h"
#include "userkey.h"
#include "vault.h"

/* Whether key is a sealed text setting. */
int g_session_text_sealed(const char *key);

/* Seal the sealed text settings of settings for session id into *out
 * (unset when none is set). */
int g_session_texts_seal(const struct g_userkey *k, const char *id, const json_t *settings,
			 struct g_sealed *out, struct g_err *err);

/* Put the sealed texts read back (plain[0..len), a JSON object) into
 * settings: 65 when it is not one. */
int g_session_texts_open(json_t *settings, const char *id, const char *plain, size_t len,
			 struct g_err *err);

/* The session's timed lore state into *state (new reference; an empty list
 * when none is stored) and, unless at is NULL, where the session stands
 * into *at (g_session_lore_at; length its messages): 66 no such session of
 * k's user, 65 damaged. */
int g_session_lore_state_load(struct g_store *s, const struct g_userkey *k, const char *id,
			      int64_t length, json_t **state, json_t **at, struct g_err *err);

/* Store state (a list) as the session's, in the caller's transaction. */
int g_session_lore_state_store(struct g_store *s, const struct g_userkey *k, const char *id,
			       const json_t *state, struct g_err *err);

/* Where a render of session id stands, the request's guise.lore.at:
 * {session, length (its messages), mark}, mark a keyed hash (hex) of the
 * session, its length, its newest message's row and state (the timed
 * state it has stored, as loaded), so that a request whose new timed state
 * was worked out from another point of the chat is known for it. */
int g_session_lore_at(struct g_store *s, const struct g_userkey *k, const char *id,
		      int64_t length, const json_t *state, json_t **at, struct g_err *err);

/* Whether session id is still where at (a g_session_lore_at, NULL: none
 * said) says: 1 yes, 0 no (or at is NULL), -1 as g_session_lore_state_load.
 * In the caller's transaction, for the answer to hold until it commits. */
int g_session_lore_still_at(struct g_store *s, const struct g_userkey *k, const char *id,
			    const json_t *at, struct g_err *err);

#endif
